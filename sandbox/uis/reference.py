"""The reference facts the simulator validates against, loaded from ``data/reference.json``.

``data/reference.json`` is a faithful extract of the shared ``methods.json`` (method and
parameter names, types, required flags, allowed values, error codes, mnemonics, messages,
components, points, call states). :func:`extract_reference` produces it; a test re-runs the
extraction on the shared file and compares, so the two cannot drift apart silently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

REFERENCE_RESOURCE = "reference.json"

_PARAM_KEYS = ("name", "type", "required", "allowed_values", "default", "doc_status")
_ERROR_KEYS = ("mnemonic", "code", "message", "message_callgear_en", "mnemonic_callgear_en")


def _extract_param(param: dict[str, Any]) -> dict[str, Any]:
    out = {key: param[key] for key in _PARAM_KEYS if key in param}
    if "fields" in param:
        out["fields"] = [_extract_param(child) for child in param["fields"]]
    return out


def _extract_error(error: dict[str, Any]) -> dict[str, Any]:
    out = {key: error[key] for key in _ERROR_KEYS if key in error}
    if "scope" in error:
        out["scope"] = error["scope"]
    return out


def _extract_result_field(result_field: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        key: result_field[key] for key in ("name", "type", "required") if key in result_field
    }
    if "allowed_values" in result_field:
        out["allowed_values"] = result_field["allowed_values"]
    if "fields" in result_field:
        out["fields"] = [_extract_result_field(child) for child in result_field["fields"]]
    return out


def extract_reference(methods_json: dict[str, Any]) -> dict[str, Any]:
    """Reduce the shared methods.json to the facts the simulator needs (pure, deterministic)."""
    methods = []
    for method in methods_json["methods"]:
        entry: dict[str, Any] = {
            "name": method["name"],
            "group": method["group"],
            "component": method["component"],
            "params": [_extract_param(param) for param in method["params"]],
            "errors": [_extract_error(error) for error in method["errors"]],
            "points": {"day": method["points"]["day"], "minute": method["points"]["minute"]},
            "result": {
                "container": method["result"]["container"],
                "fields": [_extract_result_field(f) for f in method["result"]["fields"]],
            },
        }
        if "preconditions" in method:
            entry["preconditions"] = method["preconditions"]
        methods.append(entry)
    call_states = methods_json["call_states"]
    return {
        "api_version": methods_json["api_version"],
        "components": [
            {key: component[key] for key in ("name", "ui_name_ru", "ui_name_en", "methods")}
            for component in methods_json["components"]
        ],
        "common_errors": [_extract_error(error) for error in methods_json["common_errors"]],
        "other_error_mnemonics": [
            _extract_error(error) for error in methods_json["other_error_mnemonics"]
        ],
        "error_code_groups": methods_json["error_code_groups"],
        "metadata_schema": methods_json["metadata"]["schema"],
        "request_envelope": methods_json["conventions"]["request_envelope"],
        "message_object": methods_json["message_object"],
        "call_states": {
            "states": sorted(call_states["states"]),
            "transitions": call_states["transitions"],
            "method_state_preconditions": call_states["method_state_preconditions"],
            "list_calls_leg_states": {
                "ru": call_states["list_calls_leg_states"]["ru"],
                "en": call_states["list_calls_leg_states"]["en"],
            },
        },
        "methods": methods,
    }


@dataclass(frozen=True)
class ParamSpec:
    """One documented parameter (possibly an object with nested fields)."""

    name: str
    type: str
    required: bool
    allowed_values: tuple[Any, ...] | None
    default: Any
    fields: tuple[ParamSpec, ...] = ()

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ParamSpec:
        """Build from a reference.json parameter entry."""
        allowed = raw.get("allowed_values")
        return cls(
            name=raw["name"],
            type=raw["type"],
            required=bool(raw["required"]),
            allowed_values=tuple(allowed) if allowed is not None else None,
            default=raw.get("default"),
            fields=tuple(cls.from_json(child) for child in raw.get("fields", [])),
        )


@dataclass(frozen=True)
class ErrorSpec:
    """A documented error: code, mnemonic and the UIS message template."""

    mnemonic: str
    code: int
    message: str
    message_callgear_en: str | None = None
    mnemonic_callgear_en: str | None = None

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ErrorSpec:
        """Build from a reference.json error entry."""
        return cls(
            mnemonic=raw["mnemonic"],
            code=int(raw["code"]),
            message=raw["message"],
            message_callgear_en=raw.get("message_callgear_en"),
            mnemonic_callgear_en=raw.get("mnemonic_callgear_en"),
        )


@dataclass(frozen=True)
class MethodSpec:
    """A documented Call API method."""

    name: str
    component: str
    params: tuple[ParamSpec, ...]
    errors: dict[str, ErrorSpec]
    points_day: int | None
    points_minute: int | None

    def param(self, name: str) -> ParamSpec | None:
        """Return the top-level parameter called ``name``, if documented."""
        for spec in self.params:
            if spec.name == name:
                return spec
        return None


@dataclass(frozen=True)
class Component:
    """A Call API component (a paid bundle of methods)."""

    name: str
    ui_name_ru: str
    ui_name_en: str
    methods: tuple[str, ...]


@dataclass(frozen=True)
class Reference:
    """The loaded reference: methods, errors, components and list.calls leg labels."""

    api_version: str
    methods: dict[str, MethodSpec]
    common_errors: dict[str, ErrorSpec]
    other_errors: dict[str, ErrorSpec]
    components: dict[str, Component]
    leg_labels: dict[str, tuple[str, ...]]
    raw: dict[str, Any] = field(repr=False, compare=False)

    def error(self, mnemonic: str, method: str | None = None) -> ErrorSpec:
        """The error spec for ``mnemonic``: the method's own table first, then the common ones.

        The method's table wins because some mnemonics differ per method (contact_in_blacklist
        is -32002 for start.employee_call but -32602 for start.scenario_call).
        """
        if method is not None and method in self.methods:
            own = self.methods[method].errors.get(mnemonic)
            if own is not None:
                return own
        if mnemonic in self.common_errors:
            return self.common_errors[mnemonic]
        if mnemonic in self.other_errors:
            return self.other_errors[mnemonic]
        raise KeyError(f"undocumented error mnemonic {mnemonic!r}")

    def component_of(self, method: str) -> Component:
        """The component a method belongs to."""
        return self.components[self.methods[method].component]


def _points(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def build_reference(raw: dict[str, Any]) -> Reference:
    """Turn the extracted reference dict into typed specs."""
    methods = {}
    for method in raw["methods"]:
        methods[method["name"]] = MethodSpec(
            name=method["name"],
            component=method["component"],
            params=tuple(ParamSpec.from_json(param) for param in method["params"]),
            errors={error["mnemonic"]: ErrorSpec.from_json(error) for error in method["errors"]},
            points_day=_points(method["points"]["day"]),
            points_minute=_points(method["points"]["minute"]),
        )
    components = {
        component["name"]: Component(
            name=component["name"],
            ui_name_ru=component["ui_name_ru"],
            ui_name_en=component["ui_name_en"],
            methods=tuple(component["methods"]),
        )
        for component in raw["components"]
    }
    labels = raw["call_states"]["list_calls_leg_states"]
    return Reference(
        api_version=raw["api_version"],
        methods=methods,
        common_errors={e["mnemonic"]: ErrorSpec.from_json(e) for e in raw["common_errors"]},
        other_errors={e["mnemonic"]: ErrorSpec.from_json(e) for e in raw["other_error_mnemonics"]},
        components=components,
        leg_labels={"ru": tuple(labels["ru"]), "en": tuple(labels["en"])},
        raw=raw,
    )


def load_reference_json() -> dict[str, Any]:
    """The packaged reference.json as a dict."""
    text = resources.files("sandbox.uis").joinpath("data", REFERENCE_RESOURCE).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def packaged_reference() -> Reference:
    """The packaged reference, loaded once."""
    return build_reference(load_reference_json())
