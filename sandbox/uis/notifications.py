"""UIS event notifications, the pure part: which events exist, which ``{{variables}}`` each
one offers, their values for a call, and how a body template renders them.

On UIS an account owner creates one notification per event in the personal account, gives it a
URL and writes its body from ``{{variable}}`` placeholders; nothing about the body is fixed.
The variable lists below are exactly the ones integrators were seen using for each event
(``/work/shared/callapi/notifications.md``); a template may use no others, as the personal
account offers no others. How placeholders render is unknown, hence :class:`Rendering`.
Delivery (HTTP, faults, the log) lives in :mod:`sandbox.uis.notifier`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sandbox.uis.account import Account
from sandbox.uis.calls import Call, CallEvent, EventName, Leg, LegRole, LegStatus

_HEAD = ("notification_name", "notification_mnemonic", "virtual_phone_number", "notification_time")
# The caller as inbound call, lost call and recording templates list it.
_CONTACT = (
    "contact_phone_number",
    "communication_number",
    "contact_id",
    "contact_full_name",
    "call_session_id",
)
# What "talk finished" and "call finished" templates share first.
_ENDING = (
    "external_id",
    "contact_phone_number",
    "communication_number",
    "employee_full_name",
    "employee_id",
    "call_source",
)
# What "waiting for the answer" and "talk started" templates share, before leg_id / leg_ids.
_EMPLOYEE_LEG = (
    "external_id",
    "contact_phone_number",
    "contact_id",
    "employee_full_name",
    "employee_id",
    "call_source",
    "call_session_id",
    "direction",
)


@dataclass(frozen=True)
class EventSpec:
    """One notification event: its personal-account labels and the variables it offers."""

    name: EventName
    label_ru: str
    label_en: str
    variables: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """JSON view for the control interface."""
        return {
            "event": self.name.value,
            "label_ru": self.label_ru,
            "label_en": self.label_en,
            "mnemonic": self.name.value,
            "variables": list(self.variables),
            "default_template": default_template(self.name),
        }


def _spec(name: EventName, ru: str, en: str, *variables: str) -> EventSpec:
    return EventSpec(name, ru, en, _HEAD + variables)


EVENTS: dict[EventName, EventSpec] = {
    spec.name: spec
    for spec in (
        _spec(
            EventName.INBOUND_CALL,
            "Входящий звонок на виртуальный номер",
            "Inbound call on a virtual phone number",
            "scenario_name",
            *_CONTACT,
        ),
        _spec(
            EventName.WAITING_FOR_ANSWER,
            "Ожидание ответа",
            "Waiting for the answer",
            *_EMPLOYEE_LEG,
            "leg_id",
        ),
        _spec(
            EventName.OUTBOUND_CALL,
            "Исходящий звонок",
            "Outbound call",
            "contact_phone_number",
            "contact_id",
            "contact_full_name",
            "call_session_id",
            "employee_full_name",
            "employee_id",
            "employee_phone_number",
        ),
        _spec(
            EventName.TALK_STARTED,
            "Начало разговора",
            "Talk started",
            *_EMPLOYEE_LEG,
            "leg_ids",
        ),
        _spec(
            EventName.TALK_FINISHED,
            "Окончание разговора",
            "Talk finished",
            *_ENDING,
            "call_session_id",
            "direction",
            "scenario_name",
            "talk_time_duration",
            "leg_ids",
        ),
        _spec(
            EventName.CALL_FINISHED,
            "Завершение звонка",
            "Call finished",
            *_ENDING,
            "direction",
            "call_session_id",
            "scenario_name",
            "talk_time_duration",
            "total_time_duration",
            "wait_time_duration",
            "tag_names",
            # Also offered for this event (one integrator's template):
            "app_id",
            "attributes",
            "called_phone_number",
            "calling_phone_number",
            "communication_id",
            "communication_type",
            "contact_full_name",
            "contact_group_ids",
            "contact_id",
            "cpn_region_id",
            "cpn_region_name",
            "is_internal",
            "notification_timestamp",
            "scenario_id",
            "start_time",
            "tp_project",
            "visitor_country",
        ),
        _spec(
            EventName.LOST_CALL,
            "Потерянный звонок",
            "Lost call",
            "scenario_name",
            "wait_time_duration",
            "employee_ids",
            *_CONTACT,
        ),
        _spec(
            EventName.CALL_RECORDING_READY,
            "Записанный разговор",
            "Call recording completed",
            "scenario_name",
            *_CONTACT,
            "employee_full_name",
            "employee_id",
            "file_link",
            "file_duration",
            "tag_ids",
            "tag_names",
        ),
    )
}

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def event_spec(event: str) -> EventSpec:
    """The spec of an event slug; ValueError for an unknown one."""
    try:
        return EVENTS[EventName(event)]
    except ValueError:
        known = [name.value for name in EVENTS]
        raise ValueError(f"unknown event {event!r}; events: {known}") from None


def default_template(event: EventName) -> str:
    """A JSON object naming the event and carrying every variable it offers, placeholders
    unquoted (as the integration guides write them, so JSON rendering yields valid JSON)."""
    members = [f'"event": "{event.value}"']
    members += [f'"{name}": {{{{{name}}}}}' for name in EVENTS[event].variables]
    return "{" + ", ".join(members) + "}"


def template_placeholders(template: str) -> list[str]:
    """Variable names used by a template, in order of first use."""
    return list(dict.fromkeys(PLACEHOLDER.findall(template)))


def check_template(event: EventName, template: str) -> None:
    """ValueError when the template uses a variable the event does not offer."""
    offered = EVENTS[event].variables
    unknown = [name for name in template_placeholders(template) if name not in offered]
    if unknown:
        raise ValueError(
            f"{event.value} offers no {', '.join(unknown)}; its variables: {', '.join(offered)}"
        )


# -- values -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotificationContext:
    """What variables need besides the call: the account, the clock's zone, the subscription's
    name and where recordings are served."""

    account: Account
    utc_offset_hours: float
    notification_name: str
    recordings_url: str  # file_link = f"{recordings_url}/{call_session_id}.wav"


def _local(at: float, offset_hours: float) -> datetime:
    return datetime.fromtimestamp(at, UTC) + timedelta(hours=offset_hours)


def _talker(call: Call) -> Leg | None:
    """The employee side that talked last (after a transfer: whoever took over)."""
    for leg in reversed(call.legs):
        if leg.role is LegRole.OPERATOR and leg.answered_at is not None:
            return leg
    return None


def _event_leg(event: CallEvent) -> Leg | None:
    if event.leg is not None:
        return event.leg
    if event.name is EventName.TALK_STARTED:
        return event.call.connected(LegRole.OPERATOR)
    return _talker(event.call)


def _leg_ids(event: CallEvent) -> list[int]:
    call = event.call
    if event.name is EventName.TALK_STARTED:
        return [leg.leg_id for leg in call.legs if leg.status is LegStatus.CONNECTED]
    return [leg.leg_id for leg in call.legs if leg.answered_at is not None]


def _call_source(call: Call) -> str:
    # "callapi" is the value a public client uses for Call API calls; the others are ours.
    if call.kind == "inbound":
        return "inbound"
    if call.kind == "outbound":
        return "outbound"
    return "callapi"


def _seconds(start: float, end: float | None) -> int:
    return round(max(0.0, (end if end is not None else start) - start))


def event_variables(event: CallEvent, context: NotificationContext) -> dict[str, Any]:
    """Every variable the event offers, with the call's values at the event's moment.

    None = empty (no employee yet, no external_id, no address-book contact: the simulator has
    no address book, regions or tracking projects)."""
    call, at = event.call, event.at
    leg = _event_leg(event)
    scenario = context.account.scenario(call.scenario_id) if call.scenario_id else None
    local_now = _local(at, context.utc_offset_hours)
    talk_end = call.ended_at if call.ended_at is not None else at
    wait_end = call.talk_started_at if call.talk_started_at is not None else talk_end
    recorded = call.recording_started_at
    inbound = call.direction == "in"
    tags = list(call.tags)
    values: dict[str, Any] = {
        "notification_name": context.notification_name,
        "notification_mnemonic": event.name.value,
        "notification_time": local_now.strftime("%Y-%m-%d %H:%M:%S.%f"),
        "notification_timestamp": int(at),
        "virtual_phone_number": call.virtual_phone_number,
        "call_session_id": call.call_session_id,
        "communication_id": call.call_session_id,
        "communication_type": "call",
        "communication_number": call.communication_number,
        "contact_phone_number": call.contact_phone_number,
        "contact_id": None,
        "contact_full_name": None,
        "contact_group_ids": None,
        "calling_phone_number": call.contact_phone_number if inbound else call.virtual_phone_number,
        "called_phone_number": call.virtual_phone_number if inbound else call.contact_phone_number,
        "employee_id": leg.employee_id if leg else None,
        "employee_full_name": leg.employee_full_name if leg else None,
        "employee_phone_number": leg.number if leg else None,
        "employee_ids": list(
            dict.fromkeys(
                leg.employee_id
                for leg in call.legs
                if leg.role is LegRole.OPERATOR and leg.employee_id is not None
            )
        ),
        "leg_id": leg.leg_id if leg else None,
        "leg_ids": _leg_ids(event),
        "direction": call.direction,
        "call_source": _call_source(call),
        "external_id": call.external_id,
        "scenario_id": scenario.id if scenario else None,
        "scenario_name": scenario.name if scenario else None,
        "start_time": _local(call.start_time, context.utc_offset_hours).strftime(
            "%Y-%m-%d %H:%M:%S"
        ),
        "talk_time_duration": _seconds(call.talk_started_at, talk_end)
        if call.talk_started_at is not None
        else 0,
        "wait_time_duration": _seconds(call.start_time, wait_end),
        "total_time_duration": _seconds(call.start_time, talk_end),
        "tag_ids": [tag_id for tag_id, _ in tags],
        "tag_names": [name for _, name in tags],
        "file_link": f"{context.recordings_url}/{call.call_session_id}.wav",
        "file_duration": _seconds(recorded, call.ended_at) if recorded is not None else 0,
        "is_internal": False,
        "app_id": None,
        "attributes": None,
        "cpn_region_id": None,
        "cpn_region_name": None,
        "tp_project": None,
        "visitor_country": None,
    }
    return {name: values[name] for name in EVENTS[event.name].variables}


# -- rendering --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendering:
    """How placeholders render: ``values`` "json" (JSON-encoded: strings quoted, numbers
    bare) or "raw" (text as it is); ``empty`` "null" or "nothing" (empty text); ``lists``
    "array" (JSON array) or "string" ("1,2"). ``doubled_quotes`` (a delivery fault) wraps
    string values in one more pair of quotes: ``""value""``."""

    values: str = "json"
    empty: str = "null"
    lists: str = "array"
    doubled_quotes: bool = False

    def to_json(self) -> dict[str, str]:
        """JSON view (without the fault flag)."""
        return {"values": self.values, "empty": self.empty, "lists": self.lists}


RENDERING_CHOICES: dict[str, tuple[str, ...]] = {
    "values": ("json", "raw"),
    "empty": ("null", "nothing"),
    "lists": ("array", "string"),
}


def check_rendering(overrides: Any) -> dict[str, str]:
    """Validate a partial rendering ({"values"?, "empty"?, "lists"?}); ValueError if bad."""
    if overrides is None:
        return {}
    if not isinstance(overrides, dict):
        raise ValueError("rendering is an object like {'values': 'json'}")
    out: dict[str, str] = {}
    for key, value in overrides.items():
        allowed = RENDERING_CHOICES.get(key)
        if allowed is None:
            raise ValueError(f"unknown rendering key {key!r}; keys: {list(RENDERING_CHOICES)}")
        if value is None:
            continue
        if value not in allowed:
            raise ValueError(f"rendering {key} must be one of {list(allowed)}")
        out[key] = value
    return out


def _text(value: Any) -> str:
    """A scalar as plain text (form fields, comma lists)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render_value(value: Any, rendering: Rendering) -> str:
    """One placeholder's text."""
    if value is None:
        return "null" if rendering.empty == "null" else ""
    if isinstance(value, list):
        if rendering.lists == "array":
            return json.dumps(value, ensure_ascii=False)
        value = ",".join(_text(item) for item in value)
    if not isinstance(value, str):
        return json.dumps(value)
    text = json.dumps(value, ensure_ascii=False) if rendering.values == "json" else value
    return f'"{text}"' if rendering.doubled_quotes else text


def render(template: str, variables: dict[str, Any], rendering: Rendering) -> str:
    """The template with every placeholder replaced (unknown names render as empty)."""
    return PLACEHOLDER.sub(
        lambda match: render_value(variables.get(match.group(1)), rendering), template
    )


def _field_text(value: Any, lists: str) -> str:
    if isinstance(value, list) and lists == "string":
        return ",".join(_text(item) for item in value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return _text(value)


def form_body(template: str, variables: dict[str, Any], rendering: Rendering) -> str:
    """The fields a template renders, as application/x-www-form-urlencoded.

    The fields are the members of the object a JSON template renders (values as plain text,
    lists per ``rendering.lists``); a template that is not a JSON object gives one field per
    placeholder, named after it. ``doubled_quotes`` wraps string values in quotes."""
    try:
        document = json.loads(render(template, variables, Rendering()))
    except ValueError:
        document = None
    if not isinstance(document, dict):
        document = {name: variables.get(name) for name in template_placeholders(template)}
    fields: list[tuple[str, str]] = []
    for key, value in document.items():
        text = _field_text(value, rendering.lists)
        if rendering.doubled_quotes and isinstance(value, str):
            text = f'"{text}"'
        fields.append((str(key), text))
    return urlencode(fields)
