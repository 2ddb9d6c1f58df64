"""Event notifications: calls driven through the control interface and the Call API make the
simulator's state machine POST UIS-style events to a real receiver on loopback."""

from __future__ import annotations

import io
import json
import re
import time
import wave
from typing import Any

from notification_receiver import SECRET, Notified, notified_harness, running_receiver
from simulator_harness import CONTACT, SILENT_CONTACT, VN

from sandbox.uis import ManualClock, Simulator, SimulatorOptions
from sandbox.uis.calls import EventName
from sandbox.uis.notifications import EVENTS, PLACEHOLDER

# The manual clock starts at 2025-06-15 16:40:00 UTC = 19:40:00 Moscow time.
START_LOCAL = "2025-06-15 19:40"


def _subset(body: dict[str, Any], **expected: Any) -> None:
    assert {key: body[key] for key in expected} == expected, body


# -- scenarios ----------------------------------------------------------------------------------


async def test_inbound_answered_call_sends_its_events_in_order() -> None:
    async with notified_harness() as n:
        call_id = await n.inbound()
        await n.sim("POST", f"/calls/{call_id}/answer", {})
        await n.sim("POST", "/clock/advance", {"seconds": 42})
        await n.sim("POST", f"/calls/{call_id}/hangup", {"leg_id": n.leg(call_id, "contact")})
        assert await n.settle() == [
            "inbound_call",
            "waiting_for_answer",
            "talk_started",
            "talk_finished",
            "call_finished",
        ]
        contact_leg, operator_leg = n.leg(call_id, "contact"), n.leg(call_id, "operator")
        assert {item.path for item in n.rx.received} == {
            f"/uis/events/{SECRET}/{item.event}" for item in n.rx.received
        }
        assert {(item.method, item.content_type) for item in n.rx.received} == {
            ("POST", "application/json")
        }
        inbound = n.rx.body("inbound_call")
        assert inbound == {
            "event": "inbound_call",
            "notification_name": "Входящий звонок на виртуальный номер",
            "notification_mnemonic": "inbound_call",
            "virtual_phone_number": VN,
            "notification_time": f"{START_LOCAL}:00.000000",
            "scenario_name": "Входящая линия продаж",
            "contact_phone_number": CONTACT,
            "communication_number": 1,
            "contact_id": None,
            "contact_full_name": None,
            "call_session_id": call_id,
        }
        _subset(
            n.rx.body("waiting_for_answer"),
            call_session_id=call_id,
            employee_id=101,
            employee_full_name="Иван Петров",
            leg_id=operator_leg,
            direction="in",
            external_id=None,
            call_source="inbound",
        )
        _subset(
            n.rx.body("talk_started"),
            employee_id=101,
            leg_ids=[contact_leg, operator_leg],
            notification_time=f"{START_LOCAL}:00.000000",
        )
        _subset(
            n.rx.body("talk_finished"),
            employee_id=101,
            talk_time_duration=42,
            leg_ids=[contact_leg, operator_leg],
            scenario_name="Входящая линия продаж",
            notification_time=f"{START_LOCAL}:42.000000",
        )
        finished = n.rx.body("call_finished")
        _subset(
            finished,
            employee_id=101,
            talk_time_duration=42,
            total_time_duration=42,
            wait_time_duration=0,
            tag_names=[],
            calling_phone_number=CONTACT,
            called_phone_number=VN,
            communication_id=call_id,
            communication_type="call",
            scenario_id=1,
            start_time=f"{START_LOCAL}:00",
            is_internal=False,
        )
        assert finished["notification_timestamp"] == int(n.h.clock.now())
        assert set(finished) == {"event", *EVENTS[EventName.CALL_FINISHED].variables}


async def test_inbound_call_nobody_answers_is_lost_after_each_employee_rang() -> None:
    async with notified_harness() as n:
        call_id = await n.inbound()
        await n.sim("POST", "/clock/advance", {"seconds": 30})  # 101 does not pick up, 100 rings
        await n.sim("POST", "/clock/advance", {"seconds": 30})  # 100 neither: the call is lost
        assert await n.settle() == [
            "inbound_call",
            "waiting_for_answer",
            "waiting_for_answer",
            "call_finished",
            "lost_call",
        ]
        ringing = n.rx.bodies("waiting_for_answer")
        assert [body["employee_id"] for body in ringing] == [101, 100]
        assert [body["leg_id"] for body in ringing] == [
            n.leg(call_id, "operator", 0),
            n.leg(call_id, "operator", 1),
        ]
        assert ringing[1]["notification_time"] == f"{START_LOCAL}:30.000000"
        _subset(
            n.rx.body("lost_call"),
            call_session_id=call_id,
            employee_ids=[101, 100],
            wait_time_duration=60,
            scenario_name="Входящая линия продаж",
            contact_phone_number=CONTACT,
        )
        _subset(n.rx.body("call_finished"), employee_id=None, talk_time_duration=0)


async def test_our_employee_call_rings_the_manager_first_then_talks() -> None:
    async with notified_harness() as n:
        call_id = await n.h.start_employee_call(external_id="card-7")
        assert await n.settle() == ["waiting_for_answer"]
        _subset(
            n.rx.body("waiting_for_answer"),
            call_session_id=call_id,
            employee_id=101,
            leg_id=n.leg(call_id, "operator"),
            external_id="card-7",
            call_source="callapi",
            virtual_phone_number=VN,
            contact_phone_number=CONTACT,
        )
        await n.sim("POST", f"/calls/{call_id}/answer", {})  # the manager picks up
        assert await n.settle() == ["waiting_for_answer"]  # the contact ringing is no event
        await n.sim("POST", "/clock/advance", {"seconds": 4})
        await n.sim("POST", f"/calls/{call_id}/answer", {})  # the contact picks up
        await n.sim("POST", "/clock/advance", {"seconds": 10})
        await n.h.ok("release.call", call_session_id=call_id)
        assert await n.settle() == [
            "waiting_for_answer",
            "talk_started",
            "talk_finished",
            "call_finished",
        ]
        _subset(
            n.rx.body("talk_started"),
            external_id="card-7",
            leg_ids=[n.leg(call_id, "operator"), n.leg(call_id, "contact")],
        )
        _subset(n.rx.body("call_finished"), total_time_duration=14, wait_time_duration=4)


async def test_recorded_call_announces_its_recording_which_is_served() -> None:
    async with notified_harness(SimulatorOptions(recording_ready_seconds=5)) as n:
        call_id = await n.h.talking_call()
        await n.h.ok("tag.call", call_session_id=call_id, tag_id=11)
        await n.sim("POST", "/clock/advance", {"seconds": 3})
        await n.h.ok("record.call", call_session_id=call_id, action="on")
        await n.sim("POST", "/clock/advance", {"seconds": 20})
        await n.h.ok("disconnect.leg", call_session_id=call_id, leg_id=n.leg(call_id, "contact"))
        assert (await n.settle())[-1] == "call_finished"
        await n.sim("POST", "/clock/advance", {"seconds": 5})
        assert (await n.settle())[-2:] == ["call_finished", "call_recording_ready"]
        ready = n.rx.body("call_recording_ready")
        _subset(
            ready,
            call_session_id=call_id,
            employee_id=101,
            file_duration=20,
            tag_ids=[11],
            tag_names=["Горячий клиент"],
        )
        assert ready["file_link"] == f"{n.h.server.control_url}/recordings/{call_id}.wav"
        response = await n.h.client.get(ready["file_link"])
        assert response.status_code == 200
        assert response.headers["content-type"] == "audio/wav"
        with wave.open(io.BytesIO(response.content)) as audio:
            assert audio.getnframes() / audio.getframerate() == 20
        unrecorded = await n.h.client.get(f"{n.h.server.control_url}/recordings/1.wav")
        assert unrecorded.status_code == 404


async def test_call_recorded_by_employee_settings_is_recorded_without_record_call() -> None:
    async with notified_harness(SimulatorOptions(recording_ready_seconds=0)) as n:
        await n.sim("PATCH", "/account", {"employees": _recording_employees(n)})
        call_id = await n.h.talking_call()
        await n.h.ok("release.call", call_session_id=call_id)
        assert (await n.settle())[-2:] == ["call_finished", "call_recording_ready"]
        # A call that never talked has nothing recorded.
        silent = await n.h.start_employee_call(SILENT_CONTACT)
        await n.sim("POST", f"/calls/{silent}/answer", {})
        await n.sim("POST", "/clock/advance", {"seconds": 30})
        assert (await n.settle())[-1] == "call_finished"


def _recording_employees(n: Notified) -> list[dict[str, Any]]:
    employees: list[dict[str, Any]] = n.h.control.account()["employees"]
    for employee in employees:
        employee["record_all_calls"] = employee["id"] == 101
    return employees


async def test_call_from_an_employees_own_phone_is_an_outbound_call() -> None:
    async with notified_harness() as n:
        call = await n.sim("POST", "/calls/outbound", {"employee_id": 102, "contact": CONTACT})
        call_id = call["call_session_id"]
        assert call["direction"] == "out"
        assert [(leg["role"], leg["status"]) for leg in call["legs"]] == [
            ("operator", "connected"),
            ("contact", "ringing"),
        ]
        await n.sim("POST", f"/calls/{call_id}/answer", {})
        await n.sim("POST", f"/calls/{call_id}/hangup", {"leg_id": n.leg(call_id, "operator")})
        assert await n.settle() == [
            "outbound_call",
            "talk_started",
            "talk_finished",
            "call_finished",
        ]
        _subset(
            n.rx.body("outbound_call"),
            call_session_id=call_id,
            employee_id=102,
            employee_full_name="Мария Иванова",
            employee_phone_number="79160000102",
            contact_phone_number=CONTACT,
            virtual_phone_number=VN,
        )
        _subset(
            n.rx.body("call_finished"),
            direction="out",
            call_source="outbound",
            calling_phone_number=VN,
            called_phone_number=CONTACT,
        )
        await n.sim_error("POST", "/calls/outbound", {"employee_id": 999, "contact": CONTACT}, 404)


async def test_make_call_to_an_employee_rings_them_too() -> None:
    async with notified_harness() as n:
        call_id = await n.h.dialing_call(to="102")
        await n.settle()
        ringing = n.rx.bodies("waiting_for_answer")
        assert [body["employee_id"] for body in ringing] == [101, 102]
        assert ringing[1]["leg_id"] == n.leg(call_id, "third")
        assert n.rx.events.count("talk_started") == 1  # only the first talk


async def test_second_call_from_a_contact_counts_its_communications() -> None:
    async with notified_harness() as n:
        for _ in range(2):
            call_id = await n.inbound()
            await n.h.ok("release.call", call_session_id=call_id)
        await n.settle()
        assert [body["communication_number"] for body in n.rx.bodies("inbound_call")] == [1, 2]


# -- renderings ---------------------------------------------------------------------------------

WAITING = "/notifications/subscriptions/waiting_for_answer"


async def _waiting_body(n: Notified, external_id: str | None = None) -> str:
    """The body of the waiting_for_answer notification of a fresh employee call."""
    n.rx.received.clear()
    extra = {"external_id": external_id} if external_id is not None else {}
    call_id = await n.h.start_employee_call(**extra)
    await n.h.ok("release.call", call_session_id=call_id)
    await n.settle()
    bodies = [item.body for item in n.rx.received if item.event == "waiting_for_answer"]
    assert len(bodies) == 1, n.rx.events
    return bodies[0]


async def test_raw_rendering_inserts_text_as_it_is() -> None:
    async with notified_harness(subscribe=False) as n:
        template = (
            '{"id": {{call_session_id}}, "who": "{{employee_full_name}}", '
            '"ext": "{{external_id}}", "leg": {{leg_id}}}'
        )
        await n.sim(
            "PUT",
            WAITING,
            {
                "url": n.rx.base_url + "/waiting_for_answer",
                "template": template,
                "rendering": {"values": "raw", "empty": "nothing"},
            },
        )
        body = json.loads(await _waiting_body(n))
        assert body["who"] == "Иван Петров"
        assert body["ext"] == ""
        assert isinstance(body["id"], int)
        assert isinstance(body["leg"], int)
        # The default template leaves placeholders unquoted: raw text breaks its JSON.
        await n.sim("PUT", WAITING, {"url": n.rx.base_url + "/waiting_for_answer"})
        await n.sim("PATCH", "/notifications/rendering", {"values": "raw"})
        raw = await _waiting_body(n, external_id="card 7")
        assert '"employee_full_name": Иван Петров,' in raw
        assert '"external_id": card 7,' in raw


async def test_empty_values_render_as_null_or_as_nothing() -> None:
    async with notified_harness() as n:
        assert '"external_id": null,' in await _waiting_body(n)
        assert (await n.sim("PATCH", "/notifications/rendering", {"empty": "nothing"})) == {
            "values": "json",
            "empty": "nothing",
            "lists": "array",
        }
        assert '"external_id": ,' in await _waiting_body(n)
        assert '"external_id": "x",' in await _waiting_body(n, external_id="x")


async def test_leg_ids_render_as_an_array_or_as_a_string() -> None:
    async with notified_harness() as n:
        await n.sim(
            "PUT",
            "/notifications/subscriptions/talk_started",
            {
                "url": n.rx.base_url + "/talk_started",
                "template": '{"legs": "{{leg_ids}}", "who": "{{employee_full_name}}"}',
                "rendering": {"values": "raw", "lists": "string"},
            },
        )
        call_id = await n.h.talking_call()
        await n.h.ok("release.call", call_session_id=call_id)
        await n.settle()
        legs = [n.leg(call_id, "operator"), n.leg(call_id, "contact")]
        assert n.rx.body("talk_started") == {"legs": f"{legs[0]},{legs[1]}", "who": "Иван Петров"}
        assert n.rx.body("talk_finished")["leg_ids"] == legs  # the global default: an array
        await n.sim("PATCH", "/notifications/rendering", {"lists": "string"})
        n.rx.received.clear()
        call_id = await n.inbound()
        await n.sim("POST", "/clock/advance", {"seconds": 60})
        await n.settle()
        assert n.rx.body("lost_call")["employee_ids"] == "101,100"  # JSON-encoded: a string


# -- delivery faults ----------------------------------------------------------------------------


async def test_drop_fault_loses_one_notification() -> None:
    async with notified_harness() as n:
        fault = await n.sim(
            "POST", "/notifications/faults", {"kind": "drop", "event": "waiting_for_answer"}
        )
        assert fault == {
            "id": 1,
            "kind": "drop",
            "remaining": 1,
            "event": "waiting_for_answer",
            "seconds": 0.0,
        }
        await n.inbound()
        assert await n.settle() == ["inbound_call"]
        log = await n.sim("GET", "/notifications/deliveries?event=waiting_for_answer")
        assert [(entry["state"], entry["faults"]) for entry in log] == [("dropped", ["drop"])]
        assert (await n.sim("GET", "/notifications/faults")) == []


async def test_duplicate_fault_sends_the_same_body_twice() -> None:
    async with notified_harness() as n:
        await n.sim("POST", "/notifications/faults", {"kind": "duplicate"})
        await n.inbound()
        assert await n.settle() == ["inbound_call", "inbound_call", "waiting_for_answer"]
        assert n.rx.received[0].body == n.rx.received[1].body


async def test_reorder_fault_sends_an_event_after_the_next_one() -> None:
    async with notified_harness() as n:
        await n.sim("POST", "/notifications/faults", {"kind": "reorder", "event": "inbound_call"})
        await n.inbound()
        assert await n.settle() == ["waiting_for_answer", "inbound_call"]


async def test_reorder_fault_on_the_last_event_holds_it_until_released() -> None:
    async with notified_harness() as n:
        await n.sim("POST", "/notifications/faults", {"kind": "reorder", "event": "lost_call"})
        call_id = await n.inbound()
        await n.sim("POST", f"/calls/{call_id}/hangup", {"leg_id": n.leg(call_id, "contact")})
        assert (await n.settle())[-1] == "call_finished"
        assert (await n.sim("GET", "/notifications"))["held"] == 1
        await n.sim("POST", "/notifications/drain", {"release_held": True})
        assert n.rx.events[-1] == "lost_call"


async def test_delay_fault_lets_later_events_overtake() -> None:
    async with notified_harness() as n:
        await n.sim(
            "POST",
            "/notifications/faults",
            {"kind": "delay", "seconds": 0.3, "event": "inbound_call"},
        )
        await n.inbound()
        assert await n.settle() == ["waiting_for_answer", "inbound_call"]
        entry = (await n.sim("GET", "/notifications/deliveries?event=inbound_call"))[0]
        assert (entry["state"], entry["delay"]) == ("sent", 0.3)


async def test_form_body_fault_sends_the_fields_url_encoded() -> None:
    async with notified_harness() as n:
        await n.sim("POST", "/notifications/faults", {"kind": "form_body", "count": 2})
        call_id = await n.inbound()
        await n.settle()
        inbound, waiting = n.rx.received
        assert inbound.content_type == "application/x-www-form-urlencoded"
        fields = inbound.form()
        assert fields["event"] == "inbound_call"
        assert fields["call_session_id"] == str(call_id)
        assert fields["scenario_name"] == "Входящая линия продаж"
        assert fields["contact_id"] == ""
        assert waiting.form()["employee_id"] == "101"


async def test_doubled_quotes_fault_wraps_string_values() -> None:
    async with notified_harness() as n:
        await n.sim("POST", "/notifications/faults", {"kind": "doubled_quotes"})
        call_id = await n.inbound()
        await n.settle()
        body = n.rx.received[0].body
        assert f'"contact_phone_number": ""{CONTACT}""' in body
        assert body.endswith(f'"call_session_id": {call_id}}}')
        assert '"contact_id": null' in body
        assert n.rx.received[1].json()["contact_phone_number"] == CONTACT  # only once


async def test_failed_delivery_is_logged_and_counted_never_retried() -> None:
    async with notified_harness() as n:
        n.rx.status = 500
        await n.inbound()
        await n.settle()
        assert n.rx.events == ["inbound_call", "waiting_for_answer"]
        log = await n.sim("GET", "/notifications/deliveries")
        assert [(entry["state"], entry["status"], entry["error"]) for entry in log] == [
            ("failed", 500, "HTTP 500"),
            ("failed", 500, "HTTP 500"),
        ]
        await n.sim(
            "PUT",
            "/notifications/subscriptions/inbound_call",
            {"url": "http://127.0.0.1:9/nobody-listens"},
        )
        await n.inbound()
        await n.settle()
        summary = await n.sim("GET", "/notifications")
        assert summary["counts"] == {"sent": 0, "failed": 4, "dropped": 0, "abandoned": 0}
        assert (await n.sim("GET", "/state"))["notifications"]["counts"]["failed"] == 4
        unreachable = (await n.sim("GET", "/notifications/deliveries"))[2]
        assert unreachable["state"] == "failed"
        assert unreachable["status"] is None
        assert unreachable["error"]


async def test_a_slow_receiver_never_holds_up_the_call_api() -> None:
    async with notified_harness() as n:
        n.rx.delay = 1.0
        started = time.monotonic()
        call_id = await n.h.start_employee_call()
        await n.h.ok("list.calls")
        assert time.monotonic() - started < 0.5
        assert n.h.state(call_id) == "SESSION"
        await n.settle()
        assert n.rx.events == ["waiting_for_answer"]


# -- configuration ------------------------------------------------------------------------------


async def test_event_catalogue_and_default_templates() -> None:
    async with notified_harness(subscribe=False) as n:
        events = await n.sim("GET", "/notifications/events")
        assert [event["event"] for event in events] == [
            "inbound_call",
            "waiting_for_answer",
            "outbound_call",
            "talk_started",
            "talk_finished",
            "call_finished",
            "lost_call",
            "call_recording_ready",
        ]
        for event in events:
            as_null = json.loads(PLACEHOLDER.sub("null", event["default_template"]))
            assert list(as_null) == ["event", *event["variables"]]
            assert as_null["event"] == event["event"]
            assert {"notification_mnemonic", "notification_name"} <= set(event["variables"])
        subscribed = await n.sim(
            "POST", "/notifications/subscriptions", {"base_url": n.rx.base_url + "/"}
        )
        assert [(s["event"], s["url"], s["method"]) for s in subscribed] == [
            (event["event"], f"{n.rx.base_url}/{event['event']}", "POST") for event in events
        ]
        assert [s["template"] for s in subscribed] == [e["default_template"] for e in events]


async def test_subscriptions_are_validated_replaced_and_deleted() -> None:
    async with notified_harness(subscribe=False) as n:
        url = n.rx.base_url + "/inbound_call"
        errors = [
            await n.sim_error("PUT", "/notifications/subscriptions/ringing", {"url": url}, 404),
            await n.sim_error(
                "PUT",
                "/notifications/subscriptions/inbound_call",
                {"url": url, "template": '{"f": {{file_link}}}'},
                400,
            ),
            await n.sim_error(
                "PUT", "/notifications/subscriptions/inbound_call", {"url": "ftp://x/y"}, 400
            ),
            await n.sim_error(
                "PUT",
                "/notifications/subscriptions/inbound_call",
                {"url": url, "rendering": {"values": "xml"}},
                400,
            ),
            await n.sim_error(
                "PUT",
                "/notifications/subscriptions/inbound_call",
                {"url": url, "method": "GET"},
                400,
            ),
            await n.sim_error("POST", "/notifications/faults", {"kind": "explode"}, 400),
            await n.sim_error("POST", "/notifications/faults", {"kind": "delay"}, 400),
            await n.sim_error("PATCH", "/notifications/rendering", {"lists": "set"}, 400),
        ]
        assert "unknown event 'ringing'" in errors[0]
        assert "inbound_call offers no file_link" in errors[1]
        subscription = await n.sim(
            "PUT",
            "/notifications/subscriptions/inbound_call",
            {"url": url, "template": "{{call_session_id}}", "name": "Звонок в продажи"},
        )
        assert subscription["name"] == "Звонок в продажи"
        call_id = await n.inbound()
        await n.settle()
        assert [item.body for item in n.rx.received] == [str(call_id)]
        await n.sim("PUT", "/notifications/subscriptions/inbound_call", {"url": url, "active": 0})
        await n.inbound()
        await n.sim("DELETE", "/notifications/subscriptions/inbound_call")
        await n.sim_error("DELETE", "/notifications/subscriptions/inbound_call", None, 404)
        await n.inbound()
        await n.settle()
        assert len(n.rx.received) == 1
        assert await n.sim("GET", "/notifications/subscriptions") == []


async def test_reset_keeps_subscriptions_and_forgets_deliveries() -> None:
    async with notified_harness() as n:
        await n.inbound()
        await n.settle()
        await n.sim("POST", "/notifications/faults", {"kind": "drop"})
        assert len(await n.sim("GET", "/notifications/deliveries")) == 2
        await n.sim("POST", "/reset")
        assert await n.sim("GET", "/notifications/deliveries") == []
        assert await n.sim("GET", "/notifications/faults") == []
        assert len(await n.sim("GET", "/notifications/subscriptions")) == len(EVENTS)
        await n.inbound()
        assert len(await n.settle()) == 4
        await n.sim("DELETE", "/notifications/deliveries")
        assert await n.sim("GET", "/notifications/deliveries") == []


async def test_delivery_log_records_what_was_sent() -> None:
    async with notified_harness() as n:
        call_id = await n.inbound()
        await n.settle()
        log = await n.sim("GET", f"/notifications/deliveries?call_session_id={call_id}")
        first = log[0]
        assert first["event"] == "inbound_call"
        assert first["url"] == n.rx.base_url + "/inbound_call"
        assert first["body"] == n.rx.received[0].body
        assert (first["state"], first["status"], first["copy"]) == ("sent", 200, 1)
        assert first["at"] == n.h.clock.now()
        assert first["sent_at"] >= first["at"] - 10**9  # wall clock, not the manual clock


async def test_events_before_the_server_starts_are_sent_when_it_does() -> None:
    async with running_receiver() as rx:
        sim = Simulator(clock=ManualClock())
        sim.notifier.subscribe_all(rx.base_url)
        sim.control.place_inbound_call(CONTACT)
        async with sim.running() as server:
            await sim.notifier.drain()
            assert rx.events == ["inbound_call", "waiting_for_answer"]
            assert rx.body("inbound_call")["notification_time"].startswith(START_LOCAL)
            assert server.port


async def test_call_api_sees_the_same_ids_as_the_notifications() -> None:
    async with notified_harness() as n:
        call_id = await n.inbound()
        await n.settle()
        listed = (await n.h.ok("list.calls"))[0]
        waiting = n.rx.body("waiting_for_answer")
        assert listed["call_session_id"] == waiting["call_session_id"] == call_id
        operator = next(leg for leg in listed["legs"] if leg["is_operator"])
        assert operator["leg_id"] == waiting["leg_id"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", waiting["notification_time"])
