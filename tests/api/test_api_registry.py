"""The method registry agrees with the reference (methods.json is the source of truth)."""

from __future__ import annotations

import json
import types
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from api.methods import METHODS, Component, MethodSpec
from api.mnemonics import CODE_GROUPS, MNEMONICS, describe_error
from api.models import TALK_OPTION_MNEMONICS, LegState

REFERENCE_PATH = Path("/work/shared/callapi/methods.json")
REFERENCE: dict[str, Any] = json.loads(REFERENCE_PATH.read_text(encoding="utf-8"))
DOC_METHODS: dict[str, dict[str, Any]] = {m["name"]: m for m in REFERENCE["methods"]}
DTMF_FIELDS = {"dtmf_string", "operator_confirmation"}


def _unwrap(annotation: Any) -> Any:
    """Strip Optional[...] and Annotated[...] to the core type."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return _unwrap(members[0])
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    return annotation


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    core = _unwrap(annotation)
    return core if isinstance(core, type) and issubclass(core, BaseModel) else None


def _model_tree(model: type[BaseModel], prefix: str = "") -> dict[str, tuple[bool, Any]]:
    """Dotted field name -> (required, annotation), nested models included."""
    out: dict[str, tuple[bool, Any]] = {}
    for name, info in model.model_fields.items():
        out[prefix + name] = (info.is_required(), info.annotation)
        nested = _nested_model(info.annotation)
        if nested is not None:
            out.update(_model_tree(nested, prefix + name + "."))
    return out


def _doc_tree(params: list[dict[str, Any]], prefix: str = "") -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for param in params:
        out[prefix + param["name"]] = param
        if param.get("fields"):
            out.update(_doc_tree(param["fields"], prefix + param["name"] + "."))
    return out


def test_registry_has_exactly_the_documented_methods() -> None:
    assert set(METHODS) == set(DOC_METHODS)
    assert len(METHODS) == 22


@pytest.mark.parametrize("name", sorted(DOC_METHODS))
def test_params_names_and_required_flags_match(name: str) -> None:
    spec = METHODS[name]
    model_tree = _model_tree(spec.params_model)
    doc_tree = _doc_tree(DOC_METHODS[name]["params"])
    assert set(model_tree) == set(doc_tree)
    for field, doc in doc_tree.items():
        assert model_tree[field][0] is doc["required"], field


@pytest.mark.parametrize("name", sorted(DOC_METHODS))
def test_allowed_values_match(name: str) -> None:
    spec = METHODS[name]
    model_tree = _model_tree(spec.params_model)
    for field, doc in _doc_tree(DOC_METHODS[name]["params"]).items():
        allowed = doc.get("allowed_values")
        if not allowed:
            continue
        core = _unwrap(model_tree[field][1])
        leaf = field.rsplit(".", 1)[-1]
        if set(allowed) == {True, False}:
            assert core is bool, field
        elif leaf in DTMF_FIELDS or allowed == ["up to 120 seconds"]:
            continue  # pattern / bound checks below
        else:
            assert typing.get_origin(core) is typing.Literal, field
            assert set(typing.get_args(core)) == set(allowed), field


@pytest.mark.parametrize("name", sorted(DOC_METHODS))
def test_result_fields_match(name: str) -> None:
    spec = METHODS[name]
    doc_fields = {f["name"] for f in DOC_METHODS[name]["result"]["fields"]}
    model = spec.result_model
    root = model.model_fields.get("root")
    if root is not None:  # an array result: compare the item model
        item = typing.get_args(root.annotation)[0]
        assert DOC_METHODS[name]["result"]["container"].startswith("result.data (array")
        assert set(item.model_fields) == doc_fields
    else:
        assert set(model.model_fields) == doc_fields


def test_nested_result_fields_of_list_calls_match() -> None:
    from api.models import CallInfo

    doc = {f["name"]: f for f in DOC_METHODS["list.calls"]["result"]["fields"]}
    legs = CallInfo.model_fields["legs"].annotation
    leg_model = typing.get_args(legs)[0]
    tags_model = typing.get_args(CallInfo.model_fields["tags"].annotation)[0]
    assert set(leg_model.model_fields) == {f["name"] for f in doc["legs"]["fields"]}
    assert set(tags_model.model_fields) == {f["name"] for f in doc["tags"]["fields"]}


def _validate(spec: MethodSpec, **overrides: Any) -> BaseModel:
    base: dict[str, Any] = {"access_token": "t"}
    return spec.params_model.model_validate({**base, **overrides})


START_BASE = {
    "virtual_phone_number": "74993720692",
    "contact": "79031234567",
}


@pytest.mark.parametrize("name", [n for n in sorted(DOC_METHODS) if n.startswith("start.")])
def test_start_dtmf_string_pattern(name: str) -> None:
    spec = METHODS[name]
    required_extras: dict[str, dict[str, Any]] = {
        "start.employee_call": {"first_call": "employee", "employee": {"id": 101}},
        "start.scenario_call": {"first_call": "contact", "scenario_id": 1},
        "start.vnumber_call": {"first_call": "contact"},
        "start.informer_call": {"contact_message": {"type": "tts", "value": "hi"}},
        "start.simple_call": {"first_call": "operator", "operator": "79160000100"},
    }
    extra = required_extras[name]
    ok = _validate(spec, **START_BASE, **extra, dtmf_string=".12.1..4*#0")
    assert ok.model_dump()["dtmf_string"] == ".12.1..4*#0"
    for bad in ["12a", "1 2", "+1", ""]:
        with pytest.raises(ValidationError):
            _validate(spec, **START_BASE, **extra, dtmf_string=bad)


def test_send_dtmf_is_one_key() -> None:
    spec = METHODS["send.dtmf"]
    for key in [*"0123456789", "*", "#"]:
        _validate(spec, call_session_id=1, dtmf_string=key)
    for bad in ["12", ".", "a", ""]:
        with pytest.raises(ValidationError):
            _validate(spec, call_session_id=1, dtmf_string=bad)


def test_operator_confirmation_values() -> None:
    spec = METHODS["start.simple_call"]
    base = {**START_BASE, "first_call": "operator", "operator": "79160000100"}
    for key in ["0", "9", "*", "#", "any"]:
        _validate(spec, **base, operator_confirmation=key)
    for bad in ["12", "anykey", "a", "."]:
        with pytest.raises(ValidationError):
            _validate(spec, **base, operator_confirmation=bad)


def test_dialing_timeout_bounds() -> None:
    spec = METHODS["start.informer_call"]
    base = {**START_BASE, "contact_message": {"type": "tts", "value": "hi"}}
    _validate(spec, **base, dialing_timeout=120)
    _validate(spec, **base, dialing_timeout=1)
    for bad in [121, 0, -5]:
        with pytest.raises(ValidationError):
            _validate(spec, **base, dialing_timeout=bad)


def test_flags() -> None:
    read_only = {n for n, s in METHODS.items() if s.read_only}
    assert read_only == {"list.calls", "list.talk_options"}
    starts = {n for n, s in METHODS.items() if s.starts_call}
    assert starts == {n for n in DOC_METHODS if n.startswith("start.")}
    for name, spec in METHODS.items():
        assert spec.component is Component(DOC_METHODS[name]["component"])
        assert spec.python_name == name.replace(".", "_")
        assert not (spec.read_only and spec.in_call_action)
        documented = DOC_METHODS[name]["points"]
        assert spec.points_documented is isinstance(documented["minute"], int)
        if spec.points_documented:
            assert spec.points == documented["minute"] == documented["day"]
    for action in ["transfer.talk", "hold.call", "make.call", "release.call", "block.contact"]:
        assert METHODS[action].in_call_action


def test_uncertain_params_are_marked_and_optional() -> None:
    for name, doc in DOC_METHODS.items():
        fields = METHODS[name].params_model.model_fields
        for param in doc["params"]:
            if param.get("doc_status") == "uncertain":
                info = fields[param["name"]]
                assert not info.is_required()
                assert info.json_schema_extra == {"doc_status": "uncertain"}


def test_every_documented_mnemonic_has_facts() -> None:
    documented: dict[str, set[int]] = {}
    for item in REFERENCE["common_errors"] + REFERENCE["other_error_mnemonics"]:
        documented.setdefault(item["mnemonic"], set()).add(item["code"])
        if "mnemonic_callgear_en" in item:
            documented.setdefault(item["mnemonic_callgear_en"], set()).add(item["code"])
    for method in REFERENCE["methods"]:
        for item in method["errors"]:
            documented.setdefault(item["mnemonic"], set()).add(item["code"])
    assert set(documented) <= set(MNEMONICS)
    for mnemonic, codes in documented.items():
        # The table's group is the group of (one of) the documented codes.
        info = describe_error(mnemonic, next(iter(codes)))
        assert info.mnemonic == mnemonic
        assert any(CODE_GROUPS[code] is MNEMONICS[mnemonic].group for code in codes), mnemonic
    assert {g["code"] for g in REFERENCE["error_code_groups"]} == set(CODE_GROUPS)


def test_final_auth_and_relogin_facts() -> None:
    assert MNEMONICS["access_token_expired"].final_auth
    assert MNEMONICS["access_token_blocked"].final_auth
    assert MNEMONICS["auth_error"].final_auth
    assert not MNEMONICS["access_token_invalid"].final_auth
    assert MNEMONICS["access_token_invalid"].relogin
    assert MNEMONICS["limit_exceeded"].retryable
    assert not MNEMONICS["invalid_state"].retryable


def test_talk_option_mnemonics_and_leg_labels_match_reference() -> None:
    talk = DOC_METHODS["list.talk_options"]["result"]["fields"]
    documented = next(f for f in talk if f["name"] == "mnemonic")["allowed_values"]
    assert set(documented) == TALK_OPTION_MNEMONICS
    labels = REFERENCE["call_states"]["list_calls_leg_states"]
    for ru, en in zip(labels["ru"], labels["en"], strict=True):
        assert LegState.from_label(ru) is LegState.from_label(en) is not LegState.UNKNOWN
    assert LegState.from_label("Talking") is LegState.TALKING
    assert LegState.from_label("something new") is LegState.UNKNOWN
