"""Event bodies as UIS may render them: only the event and the numeric ids are required."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.events.catalog import BY_SLUG, EVENTS
from bot.events.parse import EventRejectedError, parse_event, parse_event_time

MOSCOW = ZoneInfo("Europe/Moscow")

# As integrators publish it (PlanFix's guide for UIS, "Ожидание ответа"), rendered JSON-encoded.
PLANFIX_WAITING = (
    '{"notification_name": "В ожидании ответа", "notification_mnemonic": "waiting_for_answer",'
    ' "virtual_phone_number": "74993720692", "notification_time": "2026-11-30 12:00:01.123456",'
    ' "external_id": "", "contact_phone_number": "79031234567", "contact_id": null,'
    ' "employee_full_name": "Иван Петров", "employee_id": 101, "call_source": "va",'
    ' "call_session_id": 2500000001, "direction": "in", "leg_id": 7}'
)


def test_a_json_rendering_of_an_integrators_template() -> None:
    parsed = parse_event("waiting_for_answer", PLANFIX_WAITING.encode())
    assert parsed.call_session_id == 2500000001
    assert parsed.leg_ids == (7,)
    assert parsed.employee_ids == (101,)
    assert parsed.text("contact_phone_number") == "79031234567"
    assert parsed.text("external_id") is None
    assert not parsed.salvaged


def test_our_own_templates_render_to_bodies_we_read() -> None:
    for spec in EVENTS:
        values = dict.fromkeys(spec.variables, "1")
        values |= {"call_session_id": "42", "leg_ids": "[1, 2]", "contact_phone_number": '"7903"'}
        body = spec.body_template()
        for name, value in values.items():
            body = body.replace("{{" + name + "}}", value)
        document = json.loads(body)
        assert document["event"] == spec.slug
        parsed = parse_event(spec.slug, body.encode())
        assert parsed.call_session_id == 42


@pytest.mark.parametrize(
    "body",
    [
        # raw: strings unquoted, so the JSON breaks; the ids are salvaged
        '{"call_session_id": 2500000001, "contact_phone_number": 79031234567,'
        ' "employee_full_name": Иван Петров, "leg_id": 7, "employee_id": 101}',
        # numbers as strings
        '{"call_session_id": "2500000001", "leg_id": "7", "employee_id": "101"}',
        # an empty value rendered as nothing
        '{"external_id": , "call_session_id": 2500000001, "leg_id": 7, "employee_id": 101}',
        # the owner quoted placeholders UIS quotes too
        '{"contact_phone_number": ""79031234567"", "call_session_id": ""2500000001"",'
        ' "leg_id": 7, "employee_id": ""101""}',
        # empty as null
        '{"external_id": null, "call_session_id": 2500000001, "leg_id": 7, "employee_id": 101}',
    ],
)
def test_renderings_keep_their_ids(body: str) -> None:
    parsed = parse_event("waiting_for_answer", body.encode())
    assert parsed.call_session_id == 2500000001
    assert parsed.leg_ids == (7,)
    assert parsed.employee_ids == (101,)
    assert parsed.text("external_id") is None


@pytest.mark.parametrize("leg_ids", ["[3, 4]", '"3,4"', "3,4", '"[3, 4]"', '""3, 4""'])
def test_leg_ids_as_an_array_or_a_string(leg_ids: str) -> None:
    body = '{"call_session_id": 9, "leg_ids": ' + leg_ids + ', "employee_id": 101}'
    assert parse_event("talk_started", body.encode()).leg_ids == (3, 4)


def test_a_form_body() -> None:
    body = b"call_session_id=2500000001&employee_ids=101%2C102&contact_phone_number=79031234567"
    parsed = parse_event("lost_call", body, "application/x-www-form-urlencoded")
    assert parsed.employee_ids == (101, 102)
    assert parsed.text("contact_phone_number") == "79031234567"


@pytest.mark.parametrize(
    ("event", "body", "why"),
    [
        ("waiting_for_answer", b'{"employee_id": 101}', "no call_session_id"),
        ("waiting_for_answer", b'{"call_session_id": ""}', "no call_session_id"),
        ("waiting_for_answer", b'{"call_session_id": "abc"}', "no call_session_id"),
        ("waiting_for_answer", b"[1, 2]", "neither a JSON object nor a form"),
        ("waiting_for_answer", b'{"event": "call_finished", "call_session_id": 5}', "names event"),
        ("no_such_event", b'{"call_session_id": 5}', "unknown event"),
        ("call_finished", b"{" + b" " * 70_000 + b"}", "64 KB"),
    ],
)
def test_unusable_bodies_are_refused_with_the_reason(event: str, body: bytes, why: str) -> None:
    with pytest.raises(EventRejectedError, match=why):
        parse_event(event, body)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-30 12:00:01.123456", datetime(2026, 11, 30, 9, 0, 1, 123456, tzinfo=UTC)),
        ("2026-11-30 12:00:01", datetime(2026, 11, 30, 9, 0, 1, tzinfo=UTC)),
        ("2026-11-30T12:00:01+03:00", datetime(2026, 11, 30, 9, 0, 1, tzinfo=UTC)),
        ("1796029201", datetime(2026, 11, 30, 9, 0, 1, tzinfo=UTC)),
        ("", None),
        ("вчера", None),
    ],
)
def test_event_times(text: str, expected: datetime | None) -> None:
    assert parse_event_time(text, MOSCOW) == expected


def test_every_event_has_labels_and_a_call_id() -> None:
    for spec in EVENTS:
        assert spec.label_ru
        assert spec.label_en
        assert "call_session_id" in spec.variables
        assert BY_SLUG[spec.slug] is spec
