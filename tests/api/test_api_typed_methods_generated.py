"""api/typed_methods.py is generated from the params models: the committed file must be current."""

from __future__ import annotations

import inspect

from api.codegen import COMMAND, TARGET, main, render
from api.methods import METHODS
from api.typed_methods import TypedMethods


def test_the_committed_file_is_what_the_generator_writes_today() -> None:
    assert TARGET.read_text(encoding="utf-8") == render(), (
        f"api/typed_methods.py is stale: regenerate it with {COMMAND}"
    )


def test_check_mode_reports_a_current_file() -> None:
    assert main(["--check"]) == 0


def test_every_method_takes_exactly_its_models_fields() -> None:
    for spec in METHODS.values():
        method = getattr(TypedMethods, spec.python_name)
        signature = inspect.signature(method)
        arguments = [name for name in signature.parameters if name != "self"]
        fields = [name for name in spec.params_model.model_fields if name != "access_token"]
        assert sorted(arguments) == sorted(fields), spec.name
        for name, field in spec.params_model.model_fields.items():
            if name in arguments:
                parameter = signature.parameters[name]
                assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
                assert (parameter.default is inspect.Parameter.empty) == field.is_required()
        assert method.__doc__.split(":", 1)[0] == spec.name
