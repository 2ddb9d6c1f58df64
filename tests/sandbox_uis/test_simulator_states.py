"""Calls follow the state diagram (README section 4 / methods.json call_states): transitions,
invalid_state where the diagram forbids a method, leg labels in list.calls, ringing, automatic
answers and timeouts on the manual clock."""

from __future__ import annotations

from typing import Any

import pytest
from simulator_harness import (
    CONTACT,
    INTERNATIONAL,
    SILENT_CONTACT,
    VN,
    VN2,
    Harness,
    data_of,
    error_of,
    mnemonic_of,
    running_harness,
)

from sandbox.uis import SimulatorOptions


def path(h: Harness, call_id: int) -> list[str]:
    """The diagram states a call went through, in order."""
    return [step["to"] for step in h.control.call(call_id)["history"]]


async def listed(h: Harness, call_id: int) -> dict[str, Any] | None:
    calls = await h.ok("list.calls")
    return next((c for c in calls if c["call_session_id"] == call_id), None)


async def leg_states(h: Harness, call_id: int) -> dict[str, str]:
    """list.calls leg labels keyed by the party's number."""
    entry = await listed(h, call_id)
    assert entry is not None
    return {leg["called_phone_number"]: leg["state"] for leg in entry["legs"]}


async def test_employee_first_call_rings_employee_then_contact_then_talks() -> None:
    async with running_harness() as h:
        call_id = await h.start_employee_call()
        assert h.state(call_id) == "SESSION"
        assert await leg_states(h, call_id) == {"79160000101": "Дозвон"}
        h.control.answer(call_id)
        assert await leg_states(h, call_id) == {"79160000101": "Дозвон", CONTACT: "Дозвон"}
        h.control.answer(call_id)
        assert h.state(call_id) == "TALK"
        assert await leg_states(h, call_id) == {"79160000101": "Разговор", CONTACT: "Разговор"}
        entry = await listed(h, call_id)
        assert entry is not None
        operator, contact = entry["legs"]
        assert (operator["is_operator"], operator["employee_id"]) == (True, 101)
        assert operator["employee_full_name"] == "Иван Петров"
        assert (contact["is_operator"], contact["employee_id"]) == (False, None)
        assert contact["calling_phone_number"] == VN


async def test_contact_first_call_rings_the_contact_first() -> None:
    async with running_harness() as h:
        call_id = await h.start_employee_call(first_call="contact")
        assert await leg_states(h, call_id) == {CONTACT: "Дозвон"}
        h.control.answer(call_id)
        # The contact waits while the employee is rung.
        assert await leg_states(h, call_id) == {CONTACT: "На очереди", "79160000101": "Дозвон"}
        h.control.answer(call_id)
        assert h.state(call_id) == "TALK"


async def test_hold_and_unhold() -> None:
    async with running_harness() as h:
        call_id = await h.talking_call()
        message = {"type": "tts", "value": "Подождите, пожалуйста"}
        assert data_of(
            await h.call("hold.call", call_session_id=call_id, contact_message=message)
        ) == {"success": "true"}
        assert h.state(call_id) == "HOLD"
        assert (await leg_states(h, call_id))[CONTACT] == "На удержании"
        # unhold only in HOLD, hold only in TALK.
        assert (
            mnemonic_of(await h.call("hold.call", call_session_id=call_id, contact_message=message))
            == "invalid_state"
        )
        await h.ok("unhold.call", call_session_id=call_id)
        assert h.state(call_id) == "TALK"
        reply = await h.call("unhold.call", call_session_id=call_id)
        error = error_of(reply)
        assert (error["code"], error["data"]["mnemonic"]) == (-32004, "invalid_state")
        assert error["message"] == "This method can not be called in this state"


async def test_consultation_then_attended_transfer() -> None:
    async with running_harness() as h:
        call_id = await h.dialing_call(to="102")
        labels = await leg_states(h, call_id)
        assert labels == {
            "79160000101": "Перевод вызова",
            CONTACT: "На удержании",
            "79160000102": "Дозвон",
        }
        h.control.answer(call_id)  # C (Мария, ext. 102) answers
        assert h.state(call_id) == "OPERATOR_TALK"
        assert await leg_states(h, call_id) == {
            "79160000101": "Разговор операторов",
            CONTACT: "На удержании",
            "79160000102": "Разговор операторов",
        }
        await h.ok("transfer.talk", call_session_id=call_id)
        assert h.state(call_id) == "TALK"
        assert await leg_states(h, call_id) == {
            "79160000101": "Разъединено",
            CONTACT: "Разговор",
            "79160000102": "Разговор",
        }
        entry = await listed(h, call_id)
        assert entry is not None
        c_leg = next(leg for leg in entry["legs"] if leg["employee_id"] == 102)
        assert c_leg["is_operator"] is True  # C has the talk options now
        assert path(h, call_id) == [
            "SESSION",
            "TALK",
            "HOLD",
            "DIALING",
            "OPERATOR_TALK",
            "TALK",
        ]
        # C can hold the client again.
        await h.ok(
            "hold.call", call_session_id=call_id, contact_message={"type": "media", "value": "501"}
        )


async def test_consultation_then_restore() -> None:
    async with running_harness() as h:
        call_id = await h.dialing_call(to="102")
        h.control.answer(call_id)
        await h.ok("restore.talk", call_session_id=call_id)
        assert h.state(call_id) == "TALK"
        labels = await leg_states(h, call_id)
        assert labels["79160000102"] == "Разъединено"
        assert labels["79160000101"] == labels[CONTACT] == "Разговор"
        # After the consultation is over there is nothing to transfer or restore.
        for method in ("transfer.talk", "restore.talk"):
            assert mnemonic_of(await h.call(method, call_session_id=call_id)) == "invalid_state"


async def test_restore_while_c_still_rings() -> None:
    async with running_harness() as h:
        call_id = await h.dialing_call(to="79035550011")
        await h.ok("restore.talk", call_session_id=call_id)
        assert h.state(call_id) == "TALK"
        assert path(h, call_id)[-2:] == ["DIALING", "TALK"]


async def test_c_not_reached_returns_to_hold() -> None:
    async with running_harness() as h:
        call_id = await h.dialing_call(to="102")
        h.control.fail(call_id)
        assert h.state(call_id) == "HOLD"
        assert h.control.call(call_id)["history"][-1]["by"] == "call.failed (C)"
        # From HOLD another attempt is allowed.
        await h.ok("make.call", call_session_id=call_id, to="103")
        assert h.state(call_id) == "DIALING"


async def test_blind_transfer_answered_connects_a_with_c() -> None:
    async with running_harness() as h:
        call_id = await h.dialing_call(to="102")
        await h.ok("transfer.talk", call_session_id=call_id)
        assert h.state(call_id) == "DIALING"
        labels = await leg_states(h, call_id)
        assert labels["79160000101"] == "Разъединено"  # B left at once
        assert labels["79160000102"] == "Дозвон"
        # Nothing left to restore: B is gone.
        assert mnemonic_of(await h.call("restore.talk", call_session_id=call_id)) == "invalid_state"
        h.control.answer(call_id)
        assert h.state(call_id) == "TALK"
        assert h.control.call(call_id)["history"][-1]["by"] == "transfer.talk && call_success"


async def test_blind_transfer_nobody_answers_ends_the_call() -> None:
    async with running_harness(SimulatorOptions(dialing_timeout_seconds=20)) as h:
        call_id = await h.dialing_call(to=SILENT_CONTACT)
        await h.ok("transfer.talk", call_session_id=call_id)
        h.clock.advance(19)
        assert h.state(call_id) == "DIALING"
        h.clock.advance(1)
        assert path(h, call_id)[-2:] == ["FINISHING", "ENDED"]
        assert h.control.call(call_id)["history"][-2]["by"] == "transfer.talk (B) && call_failed"
        assert await listed(h, call_id) is None
        reply = await h.call("release.call", call_session_id=call_id)
        assert mnemonic_of(reply) == "call_session_not_found"


async def test_keypad_transfer_waits_for_input_and_star_cancels() -> None:
    async with running_harness() as h:
        call_id = await h.talking_call()
        await h.ok("call.talk_option", call_session_id=call_id, button="4")  # transfer_call
        assert path(h, call_id)[-2:] == ["HOLD", "WAITING_INPUT"]
        assert (await leg_states(h, call_id))["79160000101"] == "Перевод вызова"
        # unhold is only for HOLD; the diagram leaves WAITING_INPUT by send.dtmf(*) or make.call.
        assert mnemonic_of(await h.call("unhold.call", call_session_id=call_id)) == "invalid_state"
        await h.ok("send.dtmf", call_session_id=call_id, dtmf_string="*")
        assert h.state(call_id) == "HOLD"
        await h.ok("unhold.call", call_session_id=call_id)
        await h.ok("call.talk_option", call_session_id=call_id, button="4")
        await h.ok("make.call", call_session_id=call_id, to="102")
        assert path(h, call_id)[-1] == "DIALING"


@pytest.mark.parametrize(
    ("setup", "allowed"),
    [
        ("SESSION", set()),
        ("TALK", {"hold.call", "call.talk_option"}),
        ("HOLD", {"unhold.call", "make.call"}),
        ("DIALING", {"transfer.talk", "restore.talk"}),
        ("OPERATOR_TALK", {"transfer.talk", "restore.talk"}),
    ],
)
async def test_state_preconditions_match_the_diagram(setup: str, allowed: set[str]) -> None:
    guarded = (
        "hold.call",
        "unhold.call",
        "make.call",
        "transfer.talk",
        "restore.talk",
        "call.talk_option",
    )
    extra: dict[str, dict[str, Any]] = {
        "hold.call": {"contact_message": {"type": "media", "value": "501"}},
        "make.call": {"to": "103"},
        "call.talk_option": {"button": "2"},
    }
    for method in guarded:
        async with running_harness() as h:
            if setup == "SESSION":
                call_id = await h.start_employee_call()
            elif setup == "TALK":
                call_id = await h.talking_call()
            elif setup == "HOLD":
                call_id = await h.held_call()
            else:
                call_id = await h.dialing_call()
                if setup == "OPERATOR_TALK":
                    h.control.answer(call_id)
            assert h.state(call_id) == setup
            reply = await h.call(method, call_session_id=call_id, **extra.get(method, {}))
            if method in allowed:
                assert "result" in reply, (setup, method, reply)
            else:
                assert mnemonic_of(reply) == "invalid_state", (setup, method, reply)


async def test_disconnecting_a_leg_in_talk_ends_the_session() -> None:
    async with running_harness() as h:
        call_id = await h.talking_call()
        await h.ok("disconnect.leg", call_session_id=call_id, leg_id=h.leg_id(call_id, "operator"))
        assert path(h, call_id)[-3:] == ["POST_TALK", "FINISHING", "ENDED"]
        assert await listed(h, call_id) is None


async def test_disconnecting_c_in_consultation_returns_to_hold() -> None:
    async with running_harness() as h:
        call_id = await h.dialing_call(to="102")
        h.control.answer(call_id)
        await h.ok("disconnect.leg", call_session_id=call_id, leg_id=h.leg_id(call_id, "third"))
        assert h.state(call_id) == "HOLD"


async def test_disconnecting_b_in_consultation_leaves_a_with_c() -> None:
    async with running_harness() as h:
        call_id = await h.dialing_call(to="102")
        h.control.answer(call_id)
        await h.ok("disconnect.leg", call_session_id=call_id, leg_id=h.leg_id(call_id, "operator"))
        assert h.state(call_id) == "TALK"
        labels = await leg_states(h, call_id)
        assert labels[CONTACT] == labels["79160000102"] == "Разговор"


async def test_disconnected_leg_cannot_be_disconnected_again() -> None:
    async with running_harness() as h:
        call_id = await h.dialing_call(to="102")
        h.control.answer(call_id)
        c_leg = h.leg_id(call_id, "third")
        await h.ok("restore.talk", call_session_id=call_id)
        reply = await h.call("disconnect.leg", call_session_id=call_id, leg_id=c_leg)
        assert mnemonic_of(reply) == "leg_not_found"


async def test_contact_hanging_up_ends_the_call() -> None:
    async with running_harness() as h:
        call_id = await h.talking_call()
        h.control.hang_up(call_id, h.leg_id(call_id, "contact"))
        assert h.state(call_id) == "ENDED"
        assert mnemonic_of(await h.call("tag.call", call_session_id=call_id, tag_id=11)) == (
            "call_session_not_found"
        )


async def test_add_coach_rings_the_configured_coach_and_joins() -> None:
    async with running_harness() as h:
        call_id = await h.talking_call()
        await h.ok("add.coach", call_session_id=call_id)
        assert h.state(call_id) == "CALL_COACH"
        coach = next(leg for leg in h.legs(call_id) if leg["role"] == "coach")
        assert coach["employee_id"] == 100  # Анна coaches Иван
        assert mnemonic_of(
            await h.call(
                "hold.call",
                call_session_id=call_id,
                contact_message={"type": "media", "value": "501"},
            )
        ) == ("invalid_state")
        h.control.answer(call_id)
        assert h.state(call_id) == "TALK"
        assert (await leg_states(h, call_id))["79160000100"] == "Разговор"


async def test_coach_not_reached_returns_to_talk() -> None:
    async with running_harness() as h:
        call_id = await h.talking_call()
        await h.ok("add.coach", call_session_id=call_id, phone_number="79035550022")
        h.control.fail(call_id)
        assert path(h, call_id)[-2:] == ["CALL_COACH", "TALK"]


async def test_record_and_tag_pass_through_their_states() -> None:
    async with running_harness() as h:
        call_id = await h.talking_call()
        await h.ok("record.call", call_session_id=call_id, action="on")
        await h.ok("tag.call", call_session_id=call_id, tag_id=13)
        assert path(h, call_id)[-4:] == ["RECORD_TALK", "TALK", "MARK_CALL", "TALK"]
        entry = await listed(h, call_id)
        assert entry is not None
        assert entry["tags"] == [{"tag_id": 13, "tag_name": "Перезвонить"}]
        assert all(leg["record_call_enabled"] for leg in entry["legs"])
        await h.ok("record.call", call_session_id=call_id, action="off")
        entry = await listed(h, call_id)
        assert entry is not None
        assert not any(leg["record_call_enabled"] for leg in entry["legs"])


async def test_talk_options_act_on_the_call() -> None:
    async with running_harness() as h:
        call_id = await h.talking_call()
        await h.ok("call.talk_option", call_session_id=call_id, button="2")  # tag 11
        await h.ok("call.talk_option", call_session_id=call_id, button="3")  # recorder on
        call = h.control.call(call_id)
        assert call["tags"] == [{"tag_id": 11, "tag_name": "Горячий клиент"}]
        assert call["recording"] is True
        await h.ok("call.talk_option", call_session_id=call_id, button="1")  # finish
        assert h.state(call_id) == "ENDED"


async def test_release_ends_the_call_from_any_state() -> None:
    async with running_harness() as h:
        call_id = await h.dialing_call()
        await h.ok("release.call", call_session_id=call_id)
        assert h.state(call_id) == "ENDED"
        assert all(leg["status"] == "disconnected" for leg in h.legs(call_id))


async def test_auto_answer_after_the_configured_seconds() -> None:
    async with running_harness(SimulatorOptions(auto_answer_seconds=3)) as h:
        call_id = await h.start_employee_call()
        h.clock.advance(2.9)
        assert [leg["status"] for leg in h.legs(call_id)] == ["ringing"]
        h.clock.advance(0.1)  # employee answers; the contact starts ringing
        assert [leg["status"] for leg in h.legs(call_id)] == ["connected", "ringing"]
        h.clock.advance(3)
        assert h.state(call_id) == "TALK"
        answered = [leg["answer_at"] for leg in h.legs(call_id)]
        assert answered == [None, None]
        history = h.control.call(call_id)["history"]
        assert history[-1]["at"] - history[0]["at"] == pytest.approx(6)


async def test_one_big_clock_step_fires_events_in_order_at_their_own_time() -> None:
    async with running_harness(SimulatorOptions(auto_answer_seconds=2)) as h:
        call_id = await h.start_employee_call()
        start = h.clock.now()
        h.clock.advance(100)
        history = h.control.call(call_id)["history"]
        assert history[-1]["to"] == "TALK"
        assert history[-1]["at"] == pytest.approx(start + 4)


async def test_never_answering_contact_fails_after_the_dialing_timeout() -> None:
    async with running_harness(SimulatorOptions(auto_answer_seconds=1)) as h:
        call_id = await h.start_employee_call(contact=SILENT_CONTACT)
        h.clock.advance(1)  # the employee answers, the contact rings
        h.clock.advance(29)
        assert h.state(call_id) == "SESSION"
        h.clock.advance(1.5)
        assert h.state(call_id) == "ENDED"
        assert h.control.call(call_id)["end_reason"] == "contact not reached"


async def test_without_auto_answer_nobody_picks_up_by_themselves() -> None:
    async with running_harness() as h:
        call_id = await h.start_employee_call()
        h.clock.advance(10)
        assert [leg["status"] for leg in h.legs(call_id)] == ["ringing"]


async def test_scenario_rings_its_employees_in_turn() -> None:
    async with running_harness() as h:
        data = await h.ok(
            "start.scenario_call",
            virtual_phone_number=VN,
            contact=CONTACT,
            first_call="employee",
            scenario_id=1,
        )
        call_id = data["call_session_id"]
        h.control.fail(call_id)  # Иван (101) does not answer
        ringing = [leg for leg in h.legs(call_id) if leg["status"] == "ringing"]
        assert [leg["employee_id"] for leg in ringing] == [100]
        h.control.fail(call_id)  # nor does Анна: nobody left
        assert h.state(call_id) == "ENDED"


async def test_vnumber_call_uses_the_numbers_scenario() -> None:
    async with running_harness() as h:
        data = await h.ok(
            "start.vnumber_call", virtual_phone_number=VN2, contact=CONTACT, first_call="employee"
        )
        legs = h.legs(data["call_session_id"])
        assert [leg["employee_id"] for leg in legs] == [102]  # scenario 2 starts with Мария


async def test_simple_call_operator_is_not_an_employee() -> None:
    async with running_harness() as h:
        data = await h.ok(
            "start.simple_call",
            virtual_phone_number=VN,
            contact=CONTACT,
            operator="79165550101",
            first_call="operator",
        )
        call_id = data["call_session_id"]
        h.control.answer(call_id)
        h.control.answer(call_id)
        entry = await listed(h, call_id)
        assert entry is not None
        operator = entry["legs"][0]
        assert (operator["is_operator"], operator["employee_id"]) == (True, None)
        assert mnemonic_of(await h.call("add.coach", call_session_id=call_id)) == "coach_not_found"


async def test_informer_call_plays_and_hangs_up() -> None:
    async with running_harness(SimulatorOptions(informer_playback_seconds=8)) as h:
        data = await h.ok(
            "start.informer_call",
            virtual_phone_number=VN,
            contact=CONTACT,
            contact_message={"type": "media", "value": "502"},
        )
        call_id = data["call_session_id"]
        h.control.answer(call_id)
        assert h.state(call_id) == "PLAYBACK"
        # No operator, so nothing to hold.
        assert mnemonic_of(
            await h.call(
                "hold.call",
                call_session_id=call_id,
                contact_message={"type": "media", "value": "501"},
            )
        ) == ("invalid_state")
        h.clock.advance(8)
        assert h.state(call_id) == "ENDED"


async def test_informer_dialing_timeout_parameter_is_used() -> None:
    async with running_harness() as h:
        data = await h.ok(
            "start.informer_call",
            virtual_phone_number=VN,
            contact=CONTACT,
            dialing_timeout=10,
            contact_message={"type": "tts", "value": "Привет"},
        )
        h.clock.advance(10)
        assert h.state(data["call_session_id"]) == "ENDED"


async def test_dtmf_tail_and_sending_dtmf_label() -> None:
    async with running_harness() as h:
        call_id = await h.start_employee_call(dtmf_string=".12.3")
        h.control.answer(call_id)
        entry = await listed(h, call_id)
        assert entry is not None
        assert entry["legs"][1]["called_phone_number"] == CONTACT + ".12.3"
        h.control.answer(call_id)
        assert (await leg_states(h, call_id))[CONTACT + ".12.3"] == "Отправка dtmf"
        h.clock.advance(5)
        assert (await leg_states(h, call_id))[CONTACT + ".12.3"] == "Разговор"


async def test_english_leg_labels_by_option() -> None:
    async with running_harness(SimulatorOptions(leg_label_language="en")) as h:
        call_id = await h.held_call()
        labels = await leg_states(h, call_id)
        assert labels == {"79160000101": "Conversation", CONTACT: "On hold"}


async def test_inbound_call_shows_up_in_list_calls() -> None:
    async with running_harness() as h:
        inbound = h.control.place_inbound_call("79035551234", virtual_phone_number=VN)
        call_id = inbound["call_session_id"]
        entry = await listed(h, call_id)
        assert entry is not None
        assert entry["direction"] == "in"
        assert entry["contact_phone_number"] == "79035551234"
        assert entry["legs"][0]["calling_phone_number"] == "79035551234"
        assert entry["legs"][0]["state"] == "На очереди"
        assert entry["legs"][1]["state"] == "Дозвон"
        h.control.answer(call_id)
        # The API can now manage a call it did not start.
        await h.ok(
            "hold.call", call_session_id=call_id, contact_message={"type": "media", "value": "501"}
        )
        assert (await h.ok("list.calls", direction="out")) == []
        assert len(await h.ok("list.calls", direction="in", virtual_phone_number=VN)) == 1
        assert await h.ok("list.calls", virtual_phone_number=VN2) == []


async def test_inbound_call_straight_to_an_employee() -> None:
    async with running_harness() as h:
        inbound = h.control.place_inbound_call("79035551234", employee_id=103)
        legs = inbound["legs"]
        assert [leg["employee_id"] for leg in legs] == [None, 103]


async def test_blacklist_from_block_contact_is_respected_later() -> None:
    async with running_harness() as h:
        call_id = await h.talking_call()
        await h.ok("block.contact", call_session_id=call_id)
        assert h.control.blacklist() == [CONTACT]
        employee_call = await h.call(
            "start.employee_call",
            first_call="employee",
            virtual_phone_number=VN,
            contact=CONTACT,
            employee={"id": 101},
        )
        assert (error_of(employee_call)["code"], mnemonic_of(employee_call)) == (
            -32002,
            "contact_in_blacklist",
        )
        informer = await h.call(
            "start.informer_call",
            virtual_phone_number=VN,
            contact=CONTACT,
            contact_message={"type": "tts", "value": "x"},
        )
        assert (error_of(informer)["code"], mnemonic_of(informer)) == (
            -32602,
            "contact_in_blacklist",
        )
        with pytest.raises(Exception, match="blacklist"):
            h.control.place_inbound_call(CONTACT)


async def test_international_numbers_are_refused_by_the_demo_direction_rules() -> None:
    async with running_harness() as h:
        reply = await h.call(
            "start.employee_call",
            first_call="employee",
            virtual_phone_number=VN,
            contact=INTERNATIONAL,
            employee={"id": 101},
        )
        error = error_of(reply)
        assert error["code"] == -32002
        assert error["data"]["mnemonic"] == "call_direction_forbidden"
        assert error["data"]["field"] == "contact"
        assert h.control.calls() == []
        h.control.patch_account({"direction_rules": {"international": True}})
        assert "result" in await h.call(
            "start.employee_call",
            first_call="employee",
            virtual_phone_number=VN,
            contact=INTERNATIONAL,
            employee={"id": 101},
        )


async def test_direction_refusal_mnemonic_is_an_option() -> None:
    options = SimulatorOptions(direction_refusal_mnemonic="forbidden_direction")
    async with running_harness(options) as h:
        call_id = await h.held_call()
        reply = await h.call("make.call", call_session_id=call_id, to=INTERNATIONAL)
        assert mnemonic_of(reply) == "forbidden_direction"
        h.control.patch_account({"direction_rules": {"mobile": False}})
        reply = await h.call(
            "start.simple_call",
            virtual_phone_number=VN,
            contact="74951112233",
            operator="79165550101",
            first_call="operator",
        )
        assert error_of(reply)["data"]["field"] == "operator"


async def test_own_virtual_number_cannot_be_the_contact() -> None:
    async with running_harness() as h:
        reply = await h.call(
            "start.simple_call",
            virtual_phone_number=VN,
            contact=VN2,
            operator="79165550101",
            first_call="operator",
        )
        assert mnemonic_of(reply) == "own_virtual_phone_number_not_allowed"
        assert error_of(reply)["message"] == (
            "Parameter contact can not contain own virtual phone number"
        )


async def test_employee_call_rings_a_chosen_active_number_or_extension() -> None:
    async with running_harness() as h:
        call_id = await h.start_employee_call(
            employee={"id": 101, "phone_number": "101"}  # the extension
        )
        assert h.legs(call_id)[0]["called_phone_number"] == "79160000101"
        reply = await h.call(
            "start.employee_call",
            first_call="employee",
            virtual_phone_number=VN,
            contact=CONTACT,
            employee={"id": 101, "phone_number": "79160000102"},
        )
        assert mnemonic_of(reply) == "no_active_phone_number"
        assert error_of(reply)["data"]["field"] == "employee.phone_number"
