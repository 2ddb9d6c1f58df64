"""Parameter validation driven by the reference: names, JSON types, required flags, allowed
values, plus the formats the reference states in prose (phone numbers, ids, DTMF strings).

The checks run in this order, first failure wins:
1. unexpected top-level keys -> unexpected_parameters
2. for each documented parameter, in documented order:
   missing required -> required_parameter_missed; wrong JSON type -> data_type_error;
   for objects the same recursively (nested names are dotted: ``employee.id``);
   a value outside the allowed set or badly formatted -> invalid_parameter_value.
``null`` counts as "not sent" (the docs return empty scalars as null, so a client may send them).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from sandbox.uis.errors import RpcError, make_error, missing_value
from sandbox.uis.reference import MethodSpec, ParamSpec, Reference

# Parameters holding a phone number, and the digit counts they accept. contact/operator must be
# full E.164 numbers (an employee extension is explicitly not accepted for contact); make.call
# 'to', add.coach 'phone_number' and employee.phone_number may also be internal extensions.
_FULL_NUMBER = re.compile(r"\d{10,15}")
_ANY_NUMBER = re.compile(r"\d{1,15}")
_PHONE_PARAMS: dict[str, re.Pattern[str]] = {
    "contact": _FULL_NUMBER,
    "operator": _FULL_NUMBER,
    "virtual_phone_number": _FULL_NUMBER,
    "to": _ANY_NUMBER,
    "phone_number": _ANY_NUMBER,
    "employee.phone_number": _ANY_NUMBER,
}
# Number-typed parameters that are ids: whole numbers greater than zero.
_ID_PARAMS = frozenset(
    {
        "call_session_id",
        "leg_id",
        "tag_id",
        "scenario_id",
        "media_file_id",
        "employee.id",
        "operator.id",
        "virtual_number_group",
    }
)
# Parameters the documentation also shows in an object form besides its table's type: the
# start.simple_call request example sends "operator": {"id": 25, "phone_number": "79260000001"}
# where the table says a string. Both are accepted; the number is what the call uses.
_OBJECT_FORMS: dict[tuple[str, str], tuple[ParamSpec, ...]] = {
    ("start.simple_call", "operator"): (
        ParamSpec(name="id", type="number", required=False, allowed_values=None, default=None),
        ParamSpec(
            name="phone_number", type="string", required=True, allowed_values=None, default=None
        ),
    ),
}
_DTMF_DIGITS = frozenset("0123456789*#")
_UP_TO = re.compile(r"up to (\d+)")


@dataclass(frozen=True)
class ValidationContext:
    """What the validator needs besides the spec."""

    reference: Reference
    method: MethodSpec
    refuse_plus_in_numbers: bool


def _json_type_ok(expected: str, value: Any) -> bool:
    if expected == "string":
        return isinstance(value, str)
    if expected == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected == "boolean":
        return isinstance(value, bool)
    if expected == "object":
        return isinstance(value, dict)
    if expected == "array":
        return isinstance(value, list)
    return True


def _error(ctx: ValidationContext, mnemonic: str, field: str, value: Any = None) -> RpcError:
    return make_error(
        ctx.reference,
        mnemonic,
        method=ctx.method.name,
        field=field,
        value=missing_value() if mnemonic == "required_parameter_missed" else value,
    )


def validate_params(ctx: ValidationContext, params: dict[str, Any]) -> dict[str, Any]:
    """Check ``params`` against the method's documented parameters.

    Returns a normalised copy (nulls dropped, ids as ints, phone numbers without an accepted
    '+'); raises :class:`RpcError` on the first violation.
    """
    return _validate_object(ctx, ctx.method.params, params, prefix="")


def check_parameter_names(ctx: ValidationContext, params: dict[str, Any]) -> None:
    """Refuse an undocumented parameter (nested objects included) before anything else."""
    _check_names(ctx, ctx.method.params, params, prefix="")


def _check_names(
    ctx: ValidationContext, specs: tuple[ParamSpec, ...], given: dict[str, Any], prefix: str
) -> None:
    by_name = {spec.name: spec for spec in specs}
    unexpected = sorted(key for key in given if key not in by_name)
    if unexpected:
        name = unexpected[0]
        raise _error(ctx, "unexpected_parameters", prefix + name, given[name])
    for name, value in given.items():
        spec = by_name[name]
        if spec.type == "object" and spec.fields and isinstance(value, dict):
            _check_names(ctx, spec.fields, value, prefix=prefix + name + ".")


def _validate_object(
    ctx: ValidationContext, specs: tuple[ParamSpec, ...], given: dict[str, Any], prefix: str
) -> dict[str, Any]:
    documented = {spec.name for spec in specs}
    unexpected = sorted(key for key in given if key not in documented)
    if unexpected:
        name = unexpected[0]
        raise _error(ctx, "unexpected_parameters", prefix + name, given[name])
    out: dict[str, Any] = {}
    for spec in specs:
        dotted = prefix + spec.name
        value = given.get(spec.name)
        if value is None:
            if spec.required:
                raise _error(ctx, "required_parameter_missed", dotted)
            continue
        object_form = _OBJECT_FORMS.get((ctx.method.name, dotted))
        if object_form is not None and isinstance(value, dict):
            given_object = _validate_object(ctx, object_form, value, prefix=dotted + ".")
            number = given_object["phone_number"]
            bad = _error(ctx, "invalid_parameter_value", dotted + ".phone_number", number)
            out[spec.name] = _check_phone(ctx, dotted, number, _PHONE_PARAMS[dotted], bad)
            continue
        if not _json_type_ok(spec.type, value):
            raise _error(ctx, "data_type_error", dotted, value)
        if spec.type == "object" and spec.fields:
            out[spec.name] = _validate_object(ctx, spec.fields, value, prefix=dotted + ".")
            if spec.name.endswith("_message"):
                _check_message(ctx, out[spec.name], dotted)
            continue
        out[spec.name] = _check_value(ctx, spec, dotted, value)
    return out


def _check_message(ctx: ValidationContext, message: dict[str, Any], dotted: str) -> None:
    """A message object's value: a media file id written as digits, or a non-empty TTS text."""
    text = message["value"]
    if message["type"] == "media" and not text.isdigit():
        raise _error(ctx, "invalid_parameter_value", dotted + ".value", text)
    if message["type"] == "tts" and not text.strip():
        raise _error(ctx, "invalid_parameter_value", dotted + ".value", text)


def _check_value(ctx: ValidationContext, spec: ParamSpec, dotted: str, value: Any) -> Any:
    bad = _error(ctx, "invalid_parameter_value", dotted, value)
    if spec.type == "number":
        if not math.isfinite(value):
            raise bad
        if dotted in _ID_PARAMS:
            if value != int(value) or value <= 0:
                raise bad
            value = int(value)
    allowed = spec.allowed_values
    if allowed is not None and not all(isinstance(item, bool) for item in allowed):
        value = _check_allowed(ctx, spec, dotted, value, allowed, bad)
    pattern = _PHONE_PARAMS.get(dotted)
    if pattern is not None and isinstance(value, str):
        value = _check_phone(ctx, dotted, value, pattern, bad)
    return value


def _check_allowed(
    ctx: ValidationContext,
    spec: ParamSpec,
    dotted: str,
    value: Any,
    allowed: tuple[Any, ...],
    bad: RpcError,
) -> Any:
    limits = [int(m.group(1)) for item in allowed if (m := _UP_TO.search(str(item)))]
    if limits:
        if not 0 < value <= limits[0]:
            raise bad
        return value
    if "0-9" in allowed:
        return _check_dtmf(ctx, spec, value, allowed, bad)
    if value not in allowed:
        raise bad
    return value


def _check_dtmf(
    ctx: ValidationContext, spec: ParamSpec, value: str, allowed: tuple[Any, ...], bad: RpcError
) -> str:
    if "any" in allowed and value == "any":
        return value
    if ctx.method.name == "send.dtmf" or spec.name == "operator_confirmation":
        # One key per request (send.dtmf docs); operator_confirmation is one key or 'any'.
        if len(value) != 1 or value not in _DTMF_DIGITS:
            raise bad
        return value
    # start.* dtmf_string: digits, * and #, with '.' as a one-second pause.
    if not value or any(ch not in _DTMF_DIGITS and ch != "." for ch in value):
        raise bad
    if not any(ch in _DTMF_DIGITS for ch in value):
        raise bad
    return value


def _check_phone(
    ctx: ValidationContext, dotted: str, value: str, pattern: re.Pattern[str], bad: RpcError
) -> str:
    number = value
    if number.startswith("+"):
        if ctx.refuse_plus_in_numbers:
            raise bad
        number = number[1:]
    if not pattern.fullmatch(number):
        raise bad
    if ctx.method.name == "list.calls" and dotted == "virtual_phone_number" and number[0] != "7":
        # Documented for the list.calls filter: "the number must start with 7".
        raise bad
    return number


def find_invalid_text(params: Any, prefix: str = "") -> tuple[str, str] | None:
    """The first string parameter that is not valid Unicode text (it came from bytes that were
    not UTF-8, or from a lone surrogate escape), as (dotted field, text)."""
    if isinstance(params, dict):
        for key, value in params.items():
            found = find_invalid_text(value, f"{prefix}{key}.")
            if found is not None:
                return found
        return None
    if isinstance(params, list):
        for index, value in enumerate(params):
            found = find_invalid_text(value, f"{prefix}{index}.")
            if found is not None:
                return found
        return None
    if isinstance(params, str) and any(0xD800 <= ord(ch) <= 0xDFFF for ch in params):
        return prefix.rstrip("."), params
    return None
