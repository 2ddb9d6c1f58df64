"""What each Call API method does once the request passed the protocol, auth, access and
parameter checks (see :mod:`sandbox.uis.rpc`). Handlers raise :class:`RpcError` with the
documented mnemonics; every refusal comes from account state or call state, never from a
"magic" parameter value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.uis.account import Account, Employee, Scenario, User
from sandbox.uis.calls import (
    Call,
    CallState,
    Dialable,
    LegNotFound,
    LegRole,
    RecordingLocked,
    StateRefused,
    TalkOptionFailed,
)
from sandbox.uis.errors import RpcError, make_error
from sandbox.uis.runtime import Runtime
from sandbox.uis.validation import find_invalid_text

MESSAGE_PARAMS = ("contact_message", "employee_message", "operator_message", "to_message")


@dataclass(frozen=True)
class Caller:
    """Who is calling which method, and when."""

    method: str
    user: User
    token: str | None
    now: float


Handler = Callable[[Runtime, Caller, dict[str, Any]], Any]


def _err(rt: Runtime, caller: Caller, mnemonic: str, **kwargs: Any) -> RpcError:
    return make_error(rt.reference, mnemonic, method=caller.method, **kwargs)


def _success(rt: Runtime) -> dict[str, Any]:
    # Call-management examples show the string "true"; see SimulatorOptions.management_success.
    return {"success": "true" if rt.options.management_success == "string" else True}


# -- shared checks -------------------------------------------------------------------------


def check_encoding(rt: Runtime, caller: Caller, params: dict[str, Any]) -> None:
    """character_encoding_not_allowed for text that was not valid UTF-8 (methods documenting it)."""
    found = find_invalid_text(params)
    if found is not None:
        # The text cannot be echoed back as UTF-8, so data.value is left out.
        raise _err(rt, caller, "character_encoding_not_allowed", field=found[0])


def _check_messages(rt: Runtime, caller: Caller, params: dict[str, Any]) -> None:
    limit = rt.account.limits.tts_message_max_length
    for name in MESSAGE_PARAMS:
        message = params.get(name)
        if message is None:
            continue
        value = message["value"]
        if message["type"] == "tts" and len(value) > limit:
            raise _err(
                rt,
                caller,
                "tts_text_exceeded",
                field=f"{name}.value",
                value=value,
                params={"tts_message_max_length": limit, "sent_tts_message_length": len(value)},
            )
        if message["type"] == "media" and rt.account.media_file(int(value)) is None:
            raise _err(
                rt,
                caller,
                "media_file_not_found",
                field=f"{name}.value",
                value=value,
                params={"media_file_id": value},
            )
    media_file_id = params.get("media_file_id")
    if media_file_id is not None and rt.account.media_file(media_file_id) is None:
        raise _err(
            rt,
            caller,
            "media_file_not_found",
            field="media_file_id",
            value=media_file_id,
            params={"media_file_id": media_file_id},
        )


def _check_combination(rt: Runtime, caller: Caller, params: dict[str, Any]) -> None:
    if not params.get("early_switching", False):
        return
    operator_first = params.get("first_call") in ("employee", "operator")
    switch_at_once = bool(params.get("switch_at_once", False))
    special = operator_first and switch_at_once
    # UIS: allowed ONLY in the special combination; CallGear: allowed EXCEPT in it.
    allowed = special if rt.options.early_switching_rule == "uis" else not special
    if not allowed:
        raise _err(
            rt, caller, "invalid_parameters_combination", field="early_switching", value=True
        )


def classify_direction(number: str) -> str:
    """'mobile', 'long_distance' or 'international' for an E.164 number seen from Russia.

    +7 numbers are domestic except Kazakhstan's +7 6xx/7xx ranges; 79xx are mobile. The
    simulator knows no regions, so every domestic landline counts as long-distance.
    """
    if len(number) == 11 and number[0] == "7" and number[1] not in "67":
        return "mobile" if number[1] == "9" else "long_distance"
    return "international"


def check_direction(rt: Runtime, caller: Caller, number: str, field: str) -> None:
    """Refuse a number the account's direction rules forbid (group -32002, mnemonic unknown)."""
    if rt.account.employee_by_number(number) is not None:
        return  # calls to the account's own employees are internal
    allowed = getattr(rt.account.direction_rules, classify_direction(number))
    if not allowed:
        raise RpcError(
            rt.options.direction_refusal_mnemonic,
            -32002,
            rt.options.direction_refusal_message,
            field=field,
            value=number,
            params={},
        )


def _check_contact(rt: Runtime, caller: Caller, params: dict[str, Any], field: str) -> None:
    number = params[field]
    if rt.account.virtual_number(number) is not None:
        raise _err(rt, caller, "own_virtual_phone_number_not_allowed", field=field, value=number)
    if field == "contact" and number in rt.account.blacklist:
        raise _err(
            rt,
            caller,
            "contact_in_blacklist",
            field=field,
            value=number,
            params={"contact": number},
        )
    check_direction(rt, caller, number, field)


def _check_virtual_number(rt: Runtime, caller: Caller, params: dict[str, Any]) -> None:
    number = params["virtual_phone_number"]
    if rt.account.virtual_number(number) is None:
        raise _err(
            rt,
            caller,
            "virtual_phone_number_not_found",
            field="virtual_phone_number",
            value=number,
            params={"virtual_phone_number": number},
        )


def _start_checks(rt: Runtime, caller: Caller, params: dict[str, Any]) -> None:
    check_encoding(rt, caller, params)
    _check_combination(rt, caller, params)
    _check_messages(rt, caller, params)
    _check_virtual_number(rt, caller, params)
    _check_contact(rt, caller, params, "contact")


def _first_active(employee: Employee) -> Dialable | None:
    numbers = employee.active_numbers()
    return Dialable(numbers[0], employee) if numbers else None


def _scenario_operators(account: Account, employee_ids: list[int]) -> list[Dialable]:
    """The scenario's forwarding list: each employee's first active number, in order."""
    out = []
    for employee_id in employee_ids:
        employee = account.employee(employee_id)
        party = _first_active(employee) if employee else None
        if party is not None:
            out.append(party)
    return out


def _start(
    rt: Runtime,
    caller: Caller,
    params: dict[str, Any],
    *,
    kind: str,
    operators: list[Dialable],
    first_call: str,
    scenario_id: int | None = None,
) -> dict[str, Any]:
    call = rt.engine.start_outbound(
        caller.now,
        kind=kind,
        direction=params.get("direction", "in"),
        virtual_phone_number=params["virtual_phone_number"],
        contact=params["contact"],
        external_id=params.get("external_id"),
        first_call=first_call,
        operators=operators,
        contact_dtmf=params.get("dtmf_string"),
        show_virtual_phone_number=params.get("show_virtual_phone_number", True),
        dialing_timeout=params.get("dialing_timeout", 30) if kind == "informer" else None,
        request={k: v for k, v in params.items() if k != "access_token"},
        scenario_id=scenario_id,
    )
    return {"call_session_id": call.call_session_id}


def _start_routed(
    rt: Runtime, caller: Caller, params: dict[str, Any], *, kind: str, scenario: Scenario
) -> dict[str, Any]:
    """A start.* whose employee side is the scenario's forwarding list."""
    operators = _scenario_operators(rt.account, scenario.employee_ids)
    return _start(
        rt,
        caller,
        params,
        kind=kind,
        operators=operators,
        first_call=params["first_call"],
        scenario_id=scenario.id,
    )


def _call(rt: Runtime, caller: Caller, params: dict[str, Any]) -> Call:
    call_id = params["call_session_id"]
    call = rt.engine.calls.get(call_id)
    if call is None or call.ended:
        raise _err(rt, caller, "call_session_not_found", field="call_session_id", value=call_id)
    return call


def _invalid_state(rt: Runtime, caller: Caller, call: Call) -> RpcError:
    return _err(rt, caller, "invalid_state", params={})


# -- auth ----------------------------------------------------------------------------------


def login_user(rt: Runtime, caller: Caller, params: dict[str, Any]) -> Any:
    """login.user: a new 1-hour session key."""
    session = rt.new_session(caller.user.login)
    return {"access_token": session.token, "expire_at": session.expire_at}


def logout_user(rt: Runtime, caller: Caller, params: dict[str, Any]) -> Any:
    """logout.user: deletes a session key. A permanent key is left alone (it is managed in the
    personal account), but the call still succeeds."""
    if caller.token is not None:
        rt.sessions.pop(caller.token, None)
    return {"success": True}


# -- start.* -------------------------------------------------------------------------------


def start_employee_call(rt: Runtime, caller: Caller, params: dict[str, Any]) -> Any:
    """start.employee_call: ring the employee (or the contact) first, then the other side."""
    _start_checks(rt, caller, params)
    employee_id = params["employee"]["id"]
    employee = rt.account.employee(employee_id)
    if employee is None:
        raise _err(
            rt,
            caller,
            "employee_not_found",
            field="employee.id",
            value=employee_id,
            params={"employee_id": employee_id},
        )
    wanted = params["employee"].get("phone_number")
    active = employee.active_numbers()
    if wanted is not None:
        if employee.extension == wanted and active:
            numbers = active
        elif wanted in active:
            numbers = [wanted]
        else:
            raise _err(
                rt, caller, "no_active_phone_number", field="employee.phone_number", value=wanted
            )
    elif active:
        numbers = active  # "all of the employee's active numbers are rung one after another"
    else:
        raise _err(rt, caller, "no_active_phone_number", field="employee.id", value=employee_id)
    operators = [Dialable(number, employee) for number in numbers]
    return _start(
        rt, caller, params, kind="employee", operators=operators, first_call=params["first_call"]
    )


def start_scenario_call(rt: Runtime, caller: Caller, params: dict[str, Any]) -> Any:
    """start.scenario_call: the scenario's forwarding list is rung on the employee side."""
    _start_checks(rt, caller, params)
    scenario_id = params["scenario_id"]
    scenario = rt.account.scenario(scenario_id)
    if scenario is None:
        raise _err(
            rt,
            caller,
            "scenario_not_found",
            field="scenario_id",
            value=scenario_id,
            params={"scenario_id": scenario_id},
        )
    return _start_routed(rt, caller, params, kind="scenario", scenario=scenario)


def start_vnumber_call(rt: Runtime, caller: Caller, params: dict[str, Any]) -> Any:
    """start.vnumber_call: as if the contact called the virtual number (its scenario answers)."""
    _start_checks(rt, caller, params)
    number = rt.account.virtual_number(params["virtual_phone_number"])
    assert number is not None  # checked by _start_checks
    scenario = rt.account.scenario(number.scenario_id) if number.scenario_id is not None else None
    if scenario is None:
        raise _err(
            rt, caller, "scenario_not_found", field="virtual_phone_number", value=number.number
        )
    return _start_routed(rt, caller, params, kind="vnumber", scenario=scenario)


def start_informer_call(rt: Runtime, caller: Caller, params: dict[str, Any]) -> Any:
    """start.informer_call: ring the contact, play the message, hang up."""
    _start_checks(rt, caller, params)
    return _start(rt, caller, params, kind="informer", operators=[], first_call="contact")


def start_simple_call(rt: Runtime, caller: Caller, params: dict[str, Any]) -> Any:
    """start.simple_call: connect an arbitrary operator number with the contact."""
    _start_checks(rt, caller, params)
    _check_contact(rt, caller, params, "operator")
    operator = params["operator"]
    operators = [Dialable(operator, rt.account.employee_by_number(operator))]
    first = "operator" if params["first_call"] == "operator" else "contact"
    return _start(rt, caller, params, kind="simple", operators=operators, first_call=first)


# -- call management -----------------------------------------------------------------------


def _resolve_party(rt: Runtime, caller: Caller, number: str, field: str) -> Dialable:
    """A number to dial: an employee's extension/number (must be active) or an outside number."""
    employee = rt.account.employee_by_number(number)
    if employee is not None:
        active = employee.active_numbers()
        if employee.extension == number and active:
            return Dialable(active[0], employee)
        if number in active:
            return Dialable(number, employee)
        raise _err(rt, caller, "no_active_phone_number", field=field, value=number)
    if len(number) < 10:
        # Short numbers are internal extensions; this one belongs to nobody.
        raise _err(rt, caller, "no_active_phone_number", field=field, value=number)
    check_direction(rt, caller, number, field)
    return Dialable(number)


def make_call(rt: Runtime, caller: Caller, params: dict[str, Any]) -> Any:
    """make.call: while A is on hold, dial C.

    make.call documents neither media_file_not_found nor tts_text_exceeded, so to_message is
    not checked against the account's media files or TTS limit (only its encoding)."""
    check_encoding(rt, caller, params)
    call = _call(rt, caller, params)
    if call.state not in (CallState.HOLD, CallState.WAITING_INPUT):
        raise _invalid_state(rt, caller, call)
    party = _resolve_party(rt, caller, params["to"], "to")
    rt.engine.make_call(call, party, caller.now)
    return _success(rt)


def transfer_talk(rt: Runtime, caller: Caller, params: dict[str, Any]) -> Any:
    """transfer.talk: connect A with C; B drops out (blind while C still rings)."""
    call = _call(rt, caller, params)
    try:
        rt.engine.transfer(call, caller.now)
    except StateRefused:
        raise _invalid_state(rt, caller, call) from None
    return _success(rt)


def restore_talk(rt: Runtime, caller: Caller, params: dict[str, Any]) -> Any:
    """restore.talk: drop C, B is back with A."""
    call = _call(rt, caller, params)
    try:
        rt.engine.restore(call, caller.now)
    except StateRefused:
        raise _invalid_state(rt, caller, call) from None
    return _success(rt)


def hold_call(rt: Runtime, caller: Caller, params: dict[str, Any]) -> Any:
    """hold.call: only in TALK; A hears contact_message."""
    check_encoding(rt, caller, params)
    call = _call(rt, caller, params)
    if call.state is not CallState.TALK:
        raise _invalid_state(rt, caller, call)
    _check_messages(rt, caller, params)
    rt.engine.hold(call, caller.now)
    return _success(rt)


def unhold_call(rt: Runtime, caller: Caller, params: dict[str, Any]) -> Any:
    """unhold.call: only in HOLD."""
    call = _call(rt, caller, params)
    try:
        rt.engine.unhold(call, caller.now)
    except StateRefused:
        raise _invalid_state(rt, caller, call) from None
    return _success(rt)


def tag_call(rt: Runtime, caller: Caller, params: dict[str, Any]) -> Any:
    """tag.call: put one of the account's tags on an active call."""
    call = _call(rt, caller, params)
    tag_id = params["tag_id"]
    tag = rt.account.tag(tag_id)
    if tag is None:
        raise _err(
            rt, caller, "tag_not_found", field="tag_id", value=tag_id, params={"tag_id": tag_id}
        )
    if any(existing == tag_id for existing, _ in call.tags):
        raise _err(rt, caller, "duplicate_tag", field="tag_id", value=tag_id)
    rt.engine.tag(call, tag.id, tag.name, caller.now, "tag.call")
    return _success(rt)


def disconnect_leg(rt: Runtime, caller: Caller, params: dict[str, Any]) -> Any:
    """disconnect.leg: one participant leaves (the contact's leg ends the session)."""
    call = _call(rt, caller, params)
    leg_id = params["leg_id"]
    leg = next((leg for leg in call.legs if leg.leg_id == leg_id and leg.active), None)
    if leg is None:
        raise _err(rt, caller, "leg_not_found", field="leg_id", value=leg_id)
    try:
        rt.engine.hang_up(call, leg, caller.now, "disconnect.leg")
    except LegNotFound:
        raise _err(rt, caller, "leg_not_found", field="leg_id", value=leg_id) from None
    return _success(rt)


def _configured_coach(rt: Runtime, call: Call) -> Employee | None:
    operator = call.leg(LegRole.OPERATOR)
    if operator is None or operator.employee_id is None:
        return None
    employee = rt.account.employee(operator.employee_id)
    if employee is None or employee.coach_employee_id is None:
        return None
    return rt.account.employee(employee.coach_employee_id)


def add_coach(rt: Runtime, caller: Caller, params: dict[str, Any]) -> Any:
    """add.coach: ring the given number or the coach from the operator's settings."""
    call = _call(rt, caller, params)
    number = params.get("phone_number")
    if number is not None:
        party = _resolve_party(rt, caller, number, "phone_number")
    else:
        coach = _configured_coach(rt, call)
        if coach is None:
            raise _err(rt, caller, "coach_not_found")
        found = _first_active(coach)
        if found is None:
            raise _err(rt, caller, "no_active_phone_number", params={})
        party = found
    rt.engine.add_coach(call, party, caller.now)
    return _success(rt)


def record_call(rt: Runtime, caller: Caller, params: dict[str, Any]) -> Any:
    """record.call: start or stop recording the conversation."""
    call = _call(rt, caller, params)
    turn_on = params["action"] == "on"
    if turn_on and call.recording:
        raise _err(rt, caller, "record_already_started", field="action", value="on")
    if not turn_on and not call.recording:
        raise _err(rt, caller, "record_already_stopped", field="action", value="off")
    try:
        rt.engine.set_recording(call, turn_on, caller.now, "record.call")
    except RecordingLocked:
        raise _err(rt, caller, "forbidden", field="action", value="off") from None
    return _success(rt)


def block_contact(rt: Runtime, caller: Caller, params: dict[str, Any]) -> Any:
    """block.contact: blacklist the call's contact; later calls respect it."""
    call = _call(rt, caller, params)
    number = call.contact_phone_number
    if number in rt.account.blacklist:
        raise _err(rt, caller, "duplicate_contact", params={"contact_phone_number": number})
    rt.account.blacklist.append(number)
    return _success(rt)


def call_talk_option(rt: Runtime, caller: Caller, params: dict[str, Any]) -> Any:
    """call.talk_option: as if the operator pressed the option's key (only in TALK)."""
    call = _call(rt, caller, params)
    button = params["button"]
    option = rt.account.talk_option(button)
    if option is None:
        raise _err(rt, caller, "talk_option_not_found", field="button", value=button)
    if call.state is not CallState.TALK:
        raise _invalid_state(rt, caller, call)
    try:
        _run_talk_option(rt, call, option.mnemonic, option.button_value, caller.now)
    except TalkOptionFailed:
        # A talk option whose bound object (tag, scenario, coach) is gone: a server-side failure.
        raise _err(rt, caller, "internal_error") from None
    except RecordingLocked:
        raise _err(rt, caller, "forbidden", field="button", value=button) from None
    call.talk_options_used.append(option.mnemonic)
    return _success(rt)


def _run_talk_option(
    rt: Runtime, call: Call, mnemonic: str, bound: dict[str, Any] | None, now: float
) -> None:
    engine = rt.engine
    by = f"call.talk_option ({mnemonic})"
    if mnemonic == "finish_conversation":
        engine.release(call, now, by)
    elif mnemonic == "tag_call":
        tag = rt.account.tag(bound["id"]) if bound else None
        if tag is None:
            raise TalkOptionFailed(mnemonic)
        if all(existing != tag.id for existing, _ in call.tags):
            engine.tag(call, tag.id, tag.name, now, by)
    elif mnemonic == "record_talk":
        engine.set_recording(call, not call.recording, now, by)
    elif mnemonic == "transfer_call":
        engine.start_keypad_transfer(call, now)
    elif mnemonic == "call_coach":
        coach = _configured_coach(rt, call)
        party = _first_active(coach) if coach else None
        if party is None:
            raise TalkOptionFailed(mnemonic)
        engine.add_coach(call, party, now)
    elif mnemonic == "run_scenario" and (bound is None or rt.account.scenario(bound["id"]) is None):
        raise TalkOptionFailed(mnemonic)
    # run_scenario (with a valid scenario), receive_fax and save_numa only get recorded.


def send_dtmf(rt: Runtime, caller: Caller, params: dict[str, Any]) -> Any:
    """send.dtmf: one key on behalf of the employee."""
    call = _call(rt, caller, params)
    rt.engine.send_dtmf(call, params["dtmf_string"], caller.now)
    return _success(rt)


def list_talk_options(rt: Runtime, caller: Caller, params: dict[str, Any]) -> Any:
    """list.talk_options: the account's talk options."""
    return [
        {
            "button": option.button,
            "mnemonic": option.mnemonic,
            "name": option.name,
            "button_value": dict(option.button_value) if option.button_value else None,
        }
        for option in rt.account.talk_options
    ]


def list_calls(rt: Runtime, caller: Caller, params: dict[str, Any]) -> Any:
    """list.calls: calls in progress (started through the API or not), with their legs."""
    labels = rt.reference.leg_labels[rt.options.leg_label_language]
    direction = params.get("direction")
    number = params.get("virtual_phone_number")
    calls = [
        rt.engine.list_view(call, caller.now, labels)
        for call in rt.engine.active_calls()
        if (direction is None or call.direction == direction)
        and (number is None or call.virtual_phone_number == number)
    ]
    if rt.options.single_call_as_object and len(calls) == 1:
        return calls[0]
    return calls


def release_call(rt: Runtime, caller: Caller, params: dict[str, Any]) -> Any:
    """release.call: hang up the whole session."""
    call = _call(rt, caller, params)
    rt.engine.release(call, caller.now, "release.call")
    return _success(rt)


HANDLERS: dict[str, Handler] = {
    "login.user": login_user,
    "logout.user": logout_user,
    "start.employee_call": start_employee_call,
    "start.scenario_call": start_scenario_call,
    "start.vnumber_call": start_vnumber_call,
    "start.informer_call": start_informer_call,
    "start.simple_call": start_simple_call,
    "make.call": make_call,
    "transfer.talk": transfer_talk,
    "restore.talk": restore_talk,
    "hold.call": hold_call,
    "unhold.call": unhold_call,
    "tag.call": tag_call,
    "disconnect.leg": disconnect_leg,
    "add.coach": add_coach,
    "record.call": record_call,
    "block.contact": block_contact,
    "call.talk_option": call_talk_option,
    "send.dtmf": send_dtmf,
    "list.talk_options": list_talk_options,
    "list.calls": list_calls,
    "release.call": release_call,
}
