"""The UIS events the bot takes, and the notification an account owner creates for each.

UIS has no fixed schema for event notifications: the owner writes each body from `{{variable}}`
placeholders in the personal account. So we define the body too, and `callbot events templates`
prints it to paste. Placeholders are left unquoted, as integrators' guides do, which suggests UIS
substitutes JSON-encoded values; the receiver also reads every other rendering it may produce.
The variable lists are the ones integrators use for each event (``shared/callapi``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventSpec:
    slug: str  # the last path segment of its URL
    label_ru: str  # the event's name in the UIS personal account
    label_en: str
    variables: tuple[str, ...]

    def body_template(self) -> str:
        """A JSON object naming the event, with every variable as an unquoted placeholder."""
        fields = [f'"event": "{self.slug}"']
        fields += [f'"{name}": {{{{{name}}}}}' for name in self.variables]
        return "{" + ", ".join(fields) + "}"


_COMMON = ("notification_mnemonic", "notification_time", "virtual_phone_number")

EVENTS: tuple[EventSpec, ...] = (
    EventSpec(
        "inbound_call",
        "Входящий звонок на виртуальный номер",
        "Inbound call on a virtual phone number",
        (
            *_COMMON,
            "call_session_id",
            "contact_phone_number",
            "contact_full_name",
            "scenario_name",
            "communication_number",
        ),
    ),
    EventSpec(
        "waiting_for_answer",
        "Ожидание ответа",
        "Waiting for the answer",
        (
            *_COMMON,
            "call_session_id",
            "leg_id",
            "employee_id",
            "employee_full_name",
            "contact_phone_number",
            "direction",
            "external_id",
            "call_source",
        ),
    ),
    EventSpec(
        "outbound_call",
        "Исходящий звонок",
        "Outbound call",
        (
            *_COMMON,
            "call_session_id",
            "employee_id",
            "employee_full_name",
            "employee_phone_number",
            "contact_phone_number",
            "contact_full_name",
        ),
    ),
    EventSpec(
        "talk_started",
        "Начало разговора",
        "Talk started",
        (
            *_COMMON,
            "call_session_id",
            "leg_ids",
            "employee_id",
            "employee_full_name",
            "contact_phone_number",
            "direction",
            "external_id",
            "call_source",
        ),
    ),
    EventSpec(
        "talk_finished",
        "Окончание разговора",
        "Talk finished",
        (
            *_COMMON,
            "call_session_id",
            "leg_ids",
            "employee_id",
            "employee_full_name",
            "contact_phone_number",
            "direction",
            "external_id",
            "talk_time_duration",
        ),
    ),
    EventSpec(
        "call_finished",
        "Завершение звонка",
        "Call finished",
        (
            *_COMMON,
            "call_session_id",
            "employee_id",
            "employee_full_name",
            "contact_phone_number",
            "direction",
            "external_id",
            "scenario_name",
            "talk_time_duration",
            "total_time_duration",
            "wait_time_duration",
        ),
    ),
    EventSpec(
        "lost_call",
        "Потерянный звонок",
        "Lost call",
        (
            *_COMMON,
            "call_session_id",
            "employee_ids",
            "contact_phone_number",
            "contact_full_name",
            "scenario_name",
            "wait_time_duration",
        ),
    ),
    EventSpec(
        "call_recording_ready",
        "Записанный разговор",
        "Call recording completed",
        (
            *_COMMON,
            "call_session_id",
            "employee_id",
            "contact_phone_number",
            "file_link",
            "file_duration",
        ),
    ),
)

BY_SLUG = {spec.slug: spec for spec in EVENTS}
