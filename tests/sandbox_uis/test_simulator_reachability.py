"""Every documented (method, mnemonic) pair is reachable over HTTP through account state, call
state or the control interface - never through a magic parameter value.

The pairs are generated from methods.json (the shared file when present, else the packaged
extract): each method's own error table, the common errors that apply to every method
(authentication, access, limits, parameter validation), call_session_not_found for methods
taking a call, and other_error_mnemonics whose scope names the method. A pair without a recipe
below fails the test, so the reference cannot grow unnoticed.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from simulator_harness import (
    VN,
    VN2,
    Harness,
    error_of,
    reference_json,
    running_harness,
    valid_params,
)

from sandbox.uis.errors import fill_template
from sandbox.uis.reference import build_reference, extract_reference

REFERENCE_RAW = reference_json()
REFERENCE = build_reference(
    REFERENCE_RAW if "metadata_schema" in REFERENCE_RAW else extract_reference(REFERENCE_RAW)
)

# Common errors every method can meet once past the envelope.
EVERY_METHOD = (
    "required_parameter_missed",
    "unexpected_parameters",
    "data_type_error",
    "ip_not_whitelisted",
    "component_disabled",
    "limit_exceeded",
    "account_inactive",
    "forbidden",
    "internal_error",
)
TOKEN_ERRORS = ("access_token_invalid", "access_token_expired", "access_token_blocked")
START_METHODS = (
    "start.employee_call",
    "start.scenario_call",
    "start.vnumber_call",
    "start.informer_call",
    "start.simple_call",
)


def _has_checkable_value(method: str) -> bool:
    """Whether some parameter has a documented value set or format beyond its JSON type."""
    spec = REFERENCE.methods[method]
    for param in spec.params:
        if param.allowed_values and not all(isinstance(v, bool) for v in param.allowed_values):
            return True
        if param.type == "number" or param.type == "object":
            return True
        if param.name in ("contact", "operator", "virtual_phone_number", "to", "phone_number"):
            return True
    return False


def documented_pairs() -> list[tuple[str, str]]:
    """(method, mnemonic) pairs the reference documents."""
    pairs: set[tuple[str, str]] = set()
    for method in REFERENCE.methods.values():
        pairs.update((method.name, mnemonic) for mnemonic in method.errors)
        pairs.update((method.name, mnemonic) for mnemonic in EVERY_METHOD)
        if method.name == "login.user":
            pairs.add((method.name, "auth_error"))
        else:
            pairs.update((method.name, mnemonic) for mnemonic in TOKEN_ERRORS)
        if method.param("call_session_id") is not None:
            pairs.add((method.name, "call_session_not_found"))
        if _has_checkable_value(method.name):
            pairs.add((method.name, "invalid_parameter_value"))
    for other in REFERENCE_RAW["other_error_mnemonics"]:
        for name in str(other.get("scope", "")).split(", "):
            if name in REFERENCE.methods:
                pairs.add((name, other["mnemonic"]))
    return sorted(pairs)


async def send(h: Harness, method: str, params: dict[str, Any]) -> dict[str, Any]:
    return await h.rpc(method, params)


def _message_param(method: str) -> str:
    spec = REFERENCE.methods[method]
    for name in ("contact_message", "to_message"):
        if spec.param(name) is not None:
            return name
    raise AssertionError(f"{method} takes no message")


# -- generic recipes (by mnemonic) ----------------------------------------------------------

Recipe = Callable[[Harness, str], Awaitable[dict[str, Any]]]


async def r_required(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    first_required = next(p.name for p in REFERENCE.methods[method].params if p.required)
    del params[first_required]
    return await send(h, method, params)


async def r_unexpected(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    return await send(h, method, {**params, "priority": "high"})


async def r_data_type(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    name = "login" if method == "login.user" else "access_token"
    return await send(h, method, {**params, name: 12345})


async def r_invalid_value(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    if "call_session_id" in params:
        params["call_session_id"] = -1
    elif method.startswith("start."):
        params["contact"] = "8 (903) 123-45-67"
    elif method == "list.calls":
        params["direction"] = "both"
    else:
        raise AssertionError(f"no invalid value known for {method}")
    return await send(h, method, params)


async def r_ip(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    h.control.set_ip_whitelist(["10.20.30.40"])
    return await send(h, method, params)


async def r_component(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    h.control.disable_component(REFERENCE.methods[method].component)
    return await send(h, method, params)


async def r_limit(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    # Whatever the setup used, nothing is left in this minute.
    h.control.set_limits(points_per_minute=h.control.points()["minute_used"])
    return await send(h, method, params)


async def r_inactive(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    h.control.patch_account({"active": False})
    return await send(h, method, params)


async def r_forbidden(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    users = h.control.account()["users"]
    for user in users:
        if user["login"] == "demo.manager":
            user["call_api_access"] = False
    h.control.patch_account({"users": users})
    return await send(h, method, params)


async def r_internal(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    h.control.inject_fault("internal_error", method=method)
    return await send(h, method, params)


async def r_token_invalid(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    return await send(h, method, {**params, "access_token": "0f1e2d3c4b5a"})


async def r_token_expired(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    return await send(h, method, {**params, "access_token": "demo-key-expired-0003"})


async def r_token_blocked(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    return await send(h, method, {**params, "access_token": "demo-key-blocked-0004"})


async def r_auth(h: Harness, method: str) -> dict[str, Any]:
    return await send(h, method, {"login": "demo.manager", "password": "wrong"})


async def r_session_gone(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    await h.call("release.call", call_session_id=params["call_session_id"])
    return await send(h, method, params)


async def r_encoding(h: Harness, method: str) -> dict[str, Any]:
    """The TTS text arrives as bytes that are not UTF-8 (cp1251 here)."""
    params = await valid_params(h, method)
    name = _message_param(method)
    params[name] = {"type": "tts", "value": "@@TEXT@@"}
    envelope = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
    body = json.dumps(envelope).encode()
    body = body.replace(b"@@TEXT@@", "Здравствуйте".encode("cp1251"))
    response = await h.post_raw(body)
    assert response.status_code == 200
    reply: dict[str, Any] = response.json()
    return reply


async def r_tts(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    params[_message_param(method)] = {"type": "tts", "value": "Слово " * 200}  # 1200 > 1000
    return await send(h, method, params)


async def r_media(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    params[_message_param(method)] = {"type": "media", "value": "777"}  # not in the account
    return await send(h, method, params)


async def r_vn(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    return await send(h, method, {**params, "virtual_phone_number": "74950000000"})


async def r_own_vn(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    return await send(h, method, {**params, "contact": VN2})


async def r_blacklist(h: Harness, method: str) -> dict[str, Any]:
    # The contact was blocked during an earlier conversation.
    earlier = await h.talking_call()
    await h.ok("block.contact", call_session_id=earlier)
    await h.ok("release.call", call_session_id=earlier)
    return await send(h, method, await valid_params(h, method))


async def r_combination(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    # UIS rule: early_switching only with first_call=employee|operator AND switch_at_once=true.
    return await send(h, method, {**params, "first_call": "contact", "early_switching": True})


async def r_invalid_state(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    call_id = params["call_session_id"]
    if method == "hold.call":
        await h.call(
            "hold.call", call_session_id=call_id, contact_message=params["contact_message"]
        )
    elif method in ("make.call", "unhold.call", "transfer.talk", "restore.talk"):
        await h.ok("release.call", call_session_id=call_id)
        call_id = await h.talking_call()
        params["call_session_id"] = call_id
    elif method == "call.talk_option":
        await h.ok(
            "hold.call", call_session_id=call_id, contact_message={"type": "media", "value": "501"}
        )
    else:
        raise AssertionError(method)
    return await send(h, method, params)


GENERIC: dict[str, Recipe] = {
    "required_parameter_missed": r_required,
    "unexpected_parameters": r_unexpected,
    "data_type_error": r_data_type,
    "invalid_parameter_value": r_invalid_value,
    "ip_not_whitelisted": r_ip,
    "component_disabled": r_component,
    "limit_exceeded": r_limit,
    "account_inactive": r_inactive,
    "forbidden": r_forbidden,
    "internal_error": r_internal,
    "access_token_invalid": r_token_invalid,
    "access_token_expired": r_token_expired,
    "access_token_blocked": r_token_blocked,
    "auth_error": r_auth,
    "call_session_not_found": r_session_gone,
    "character_encoding_not_allowed": r_encoding,
    "tts_text_exceeded": r_tts,
    "media_file_not_found": r_media,
    "virtual_phone_number_not_found": r_vn,
    "own_virtual_phone_number_not_allowed": r_own_vn,
    "contact_in_blacklist": r_blacklist,
    "invalid_parameters_combination": r_combination,
    "invalid_state": r_invalid_state,
}


# -- method-specific recipes ----------------------------------------------------------------


def _patch_employee(h: Harness, employee_id: int, **changes: Any) -> None:
    employees = h.control.account()["employees"]
    for employee in employees:
        if employee["id"] == employee_id:
            employee.update(changes)
    h.control.patch_account({"employees": employees})


async def s_employee_not_found(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    return await send(h, method, {**params, "employee": {"id": 999}})


async def s_employee_no_active_number(h: Harness, method: str) -> dict[str, Any]:
    _patch_employee(h, 101, phone_numbers=[{"number": "79160000101", "active": False}])
    return await send(h, method, await valid_params(h, "start.employee_call"))


async def s_scenario_not_found(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    return await send(h, method, {**params, "scenario_id": 99})


async def s_vnumber_without_scenario(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    h.control.patch_account(
        {
            "virtual_numbers": [
                {"number": VN, "scenario_id": None},
                {"number": VN2, "scenario_id": 2},
            ]
        }
    )
    return await send(h, method, params)


async def s_make_call_inactive_target(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    _patch_employee(h, 102, phone_numbers=[{"number": "79160000102", "active": False}])
    return await send(h, method, params)


async def s_tag_not_found(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    return await send(h, method, {**params, "tag_id": 42})


async def s_duplicate_tag(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    await send(h, method, params)
    return await send(h, method, params)


async def s_leg_not_found(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    other = await h.talking_call("79039998877")
    return await send(h, method, {**params, "leg_id": h.leg_id(other, "operator")})


async def s_coach_not_found(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    _patch_employee(h, 101, coach_employee_id=None)
    return await send(h, method, params)


async def s_coach_inactive(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    _patch_employee(h, 100, phone_numbers=[{"number": "79160000100", "active": False}])
    return await send(h, method, params)


async def _call_with_forced_recording(h: Harness) -> int:
    _patch_employee(h, 101, record_all_calls=True)
    return await h.talking_call()


async def s_record_forbidden(h: Harness, method: str) -> dict[str, Any]:
    call_id = await _call_with_forced_recording(h)
    return await h.call("record.call", call_session_id=call_id, action="off")


async def s_record_started(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    await send(h, method, params)
    return await send(h, method, params)


async def s_record_stopped(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    return await send(h, method, {**params, "action": "off"})


async def s_duplicate_contact(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    await send(h, method, params)
    return await send(h, method, params)


async def s_talk_option_forbidden(h: Harness, method: str) -> dict[str, Any]:
    call_id = await _call_with_forced_recording(h)
    return await h.call("call.talk_option", call_session_id=call_id, button="3")


async def s_talk_option_broken(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    options = h.control.account()["talk_options"]
    options.append(
        {
            "button": "7",
            "mnemonic": "tag_call",
            "name": "Старый тег",
            "button_value": {"id": 77, "value": "Удалённый тег"},
        }
    )
    h.control.patch_account({"talk_options": options})
    return await send(h, method, {**params, "button": "7"})


async def s_talk_option_not_found(h: Harness, method: str) -> dict[str, Any]:
    params = await valid_params(h, method)
    return await send(h, method, {**params, "button": "9"})


SPECIFIC: dict[tuple[str, str], Recipe] = {
    ("start.employee_call", "employee_not_found"): s_employee_not_found,
    ("start.employee_call", "no_active_phone_number"): s_employee_no_active_number,
    ("start.scenario_call", "scenario_not_found"): s_scenario_not_found,
    ("start.vnumber_call", "scenario_not_found"): s_vnumber_without_scenario,
    ("make.call", "no_active_phone_number"): s_make_call_inactive_target,
    ("tag.call", "tag_not_found"): s_tag_not_found,
    ("tag.call", "duplicate_tag"): s_duplicate_tag,
    ("disconnect.leg", "leg_not_found"): s_leg_not_found,
    ("add.coach", "coach_not_found"): s_coach_not_found,
    ("add.coach", "no_active_phone_number"): s_coach_inactive,
    ("record.call", "forbidden"): s_record_forbidden,
    ("record.call", "record_already_started"): s_record_started,
    ("record.call", "record_already_stopped"): s_record_stopped,
    ("block.contact", "duplicate_contact"): s_duplicate_contact,
    ("call.talk_option", "forbidden"): s_talk_option_forbidden,
    ("call.talk_option", "internal_error"): s_talk_option_broken,
    ("call.talk_option", "talk_option_not_found"): s_talk_option_not_found,
}

PAIRS = documented_pairs()


def test_pairs_cover_every_method_and_every_method_specific_error() -> None:
    methods = {method for method, _ in PAIRS}
    assert methods == set(REFERENCE.methods)
    for method in REFERENCE.methods.values():
        for mnemonic in method.errors:
            assert (method.name, mnemonic) in PAIRS
    assert len(PAIRS) > 250


@pytest.mark.parametrize(("method", "mnemonic"), PAIRS, ids=[f"{m}:{e}" for m, e in PAIRS])
async def test_documented_error_is_reachable(method: str, mnemonic: str) -> None:
    recipe = SPECIFIC.get((method, mnemonic)) or GENERIC.get(mnemonic)
    if recipe is None:
        pytest.fail(f"no recipe reaches ({method}, {mnemonic}); add one")
    async with running_harness() as h:
        reply = await recipe(h, method)
        error = error_of(reply)
        spec = REFERENCE.error(mnemonic, method)
        assert error["data"]["mnemonic"] == mnemonic, reply
        assert error["code"] == spec.code
        assert error["message"] == fill_template(spec.message, error["data"]["params"])
        assert "{" not in error["message"], "every placeholder is filled"
        logged = h.control.requests(method)[-1]
        expected = "fault:internal_error" if recipe is r_internal else mnemonic
        assert logged["outcome"] == expected
