"""The call card tells the truth: who is who, when the call started, how a start or a call
ended; and the ways out of hold are never refused for points (at a 10-points minute limit)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from e2e_kit import CLIENT, MANAGER, World, world
from process_kit import visible

from bot.services.presentation import display_phone
from bot.texts import Lang, format_duration, t

pytestmark = pytest.mark.e2e

RU = Lang.RU
ADMIN_KEY = "demo-key-admin-0002"


def _duration_line(seconds: float) -> str:
    return visible(t(RU, "card.duration", duration=format_duration(RU, seconds)))


DURATION_PREFIX = visible(t(RU, "card.duration", duration=""))


def _minute_remaining(here: World) -> int:
    remaining: int = here.sim.points()["limits"]["minute_remaining"]
    return remaining


async def test_recovery_actions_are_never_refused_for_points(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        here.sim.advance(60)  # a fresh minute window of the account, then a 10-points tariff
        here.sim.set_limits(points_per_minute=10)
        card, call_id = await here.talking_call()
        # Spend the minute down to 2 points with in-call actions (the live poll stops below
        # the reserve, so nothing else spends meanwhile).
        record = [t(RU, "btn.record_on"), t(RU, "btn.record_off")]
        while _minute_remaining(here) > 2:
            label = next(label for label in record if label in card.button_texts)
            _, card = await here.press(card, label)

        # Hold leaves the client waiting: it is sent only because 1 point stays for the way out.
        _, card = await here.press(card, t(RU, "btn.hold"))
        assert len(here.requests("hold.call")) == 1
        assert _minute_remaining(here) == 1

        # A transfer would make the client wait on a second leg: refused locally, with why.
        _, card = await here.press(card, t(RU, "btn.transfer"))
        answer, card = await here.press(card, "Олег Сидоров")
        assert here.requests("make.call") == []
        mnemonic = visible(t(RU, "error.mnemonic_line", mnemonic="budget_exit_reserve"))
        assert mnemonic in (card.text or "")
        del answer

        # Another integration of the account spends the last point.
        async with httpx.AsyncClient() as other:
            reply = await other.post(
                here.sandbox.settings.callapi.base_url,
                json={
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "list.talk_options",
                    "params": {"access_token": ADMIN_KEY},
                },
            )
        assert "result" in reply.json()
        assert _minute_remaining(here) == 0

        # Unhold is sent; UIS has no points either and says so: now the bot knows it is zero.
        _, card = await here.press(card, t(RU, "btn.unhold"))
        assert len(here.requests("unhold.call")) == 1
        assert "limit_exceeded" in (card.text or "")
        assert here.sandbox.runtime.budget.snapshot().minute.remaining == 0
        # ... and with the local budget at zero, Release still goes to UIS.
        _, card = await here.press(card, t(RU, "btn.release"))
        assert len(here.requests("release.call")) == 1

        # The account's minute turns: the next Unhold works at once, whatever the bot counted.
        here.sim.advance(60)
        _, card = await here.press(card, t(RU, "btn.unhold"))
        assert here.sim.call(call_id)["state"] == "TALK"
        assert [r["outcome"] for r in here.requests("unhold.call")][-1] == "success"


async def test_a_refused_start_says_not_started_and_why(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        here.sim.patch_account({"blacklist": [CLIENT]})
        card = await here.start_call()
        text = card.text or ""
        assert t(RU, "card.phase.not_started") in text
        assert t(RU, "card.phase.finished") not in text
        assert "contact_in_blacklist" in text
        assert DURATION_PREFIX not in text
        assert card.buttons == ()


async def test_an_unanswered_call_says_the_client_did_not_answer(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        card = await here.start_call()
        call_id = here.call_id()
        started = visible(t(RU, "call.started", call_id=call_id))
        assert started not in (card.text or "")
        assert t(RU, "call.your_phone_first") in (card.text or "")
        my_leg = here.sim.call(call_id)["legs"][0]
        here.sim.answer(call_id, my_leg["leg_id"])  # the manager picks up, the client rings
        _, card = await here.press(card, t(RU, "btn.refresh"))
        assert t(RU, "card.phase.dialing") in (card.text or "")
        contact_leg = next(
            leg for leg in here.sim.call(call_id)["legs"] if leg["status"] == "ringing"
        )
        here.sim.fail(call_id, contact_leg["leg_id"])
        _, card = await here.press(card, t(RU, "btn.refresh"))
        text = card.text or ""
        assert t(RU, "card.phase.no_answer") in text
        assert t(RU, "card.no_answer.contact") in text
        assert t(RU, "card.phase.finished") not in text
        assert t(RU, "call.your_phone_first") not in text
        assert card.buttons == ()


async def test_when_my_phone_does_not_answer_the_card_says_so(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        card = await here.start_call()
        call_id = here.call_id()
        my_leg = here.sim.call(call_id)["legs"][0]
        here.sim.fail(call_id, my_leg["leg_id"])
        _, card = await here.press(card, t(RU, "btn.refresh"))
        assert t(RU, "card.no_answer.me") in (card.text or "")


async def test_an_inbound_card_names_the_caller_and_counts_the_real_duration(
    tmp_path: Path,
) -> None:
    caller = "79037777777"
    # UIS's clock (Moscow, no zone in list.calls) runs 90 s behind ours: the call started 90 s
    # before we look, not three hours in the future.
    async with world(tmp_path, clock_offset=-90) as here:
        inbound = here.sim.place_inbound_call(caller, employee_id=101)
        virtual = here.sim.call(inbound["call_session_id"])["virtual_phone_number"]
        here.answer_all(inbound["call_session_id"])
        await here.emu.send_message(MANAGER, "/calls")
        card = await here.reply_matching(
            MANAGER, lambda m: t(RU, "card.phase.talk") in (m.text or "")
        )
        text = card.text or ""
        client_line = next(
            line for line in text.splitlines() if line.startswith("• " + t(RU, "card.role.contact"))
        )
        assert display_phone(caller) in client_line
        assert display_phone(virtual) not in client_line
        assert any(_duration_line(seconds) in text for seconds in range(88, 400)), text


async def test_header_and_participants_agree_right_after_hold(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        card, _call_id = await here.talking_call()
        _, card = await here.press(card, t(RU, "btn.hold"))
        text = card.text or ""
        assert t(RU, "card.phase.hold") in text
        talking = t(RU, "card.leg_status.talking")
        assert not any(line.endswith(talking) for line in text.splitlines()), text


async def test_a_lost_start_that_uis_does_not_list_is_not_called_ended(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        here.sandbox.runtime.calls.lost_start_lookups = (0.2, 0.6)  # instead of 5 … 120 s
        here.sim.inject_fault("drop_connection", method="start.employee_call")
        card = await here.start_call()
        assert t(RU, "card.phase.starting") in (card.text or "")
        card = await here.reply_matching(
            MANAGER,
            lambda m: (
                m.message_id == card.message_id and t(RU, "card.phase.not_found") in (m.text or "")
            ),
        )
        assert len(here.requests("list.calls")) >= 2
        text = card.text or ""
        assert t(RU, "card.phase.not_found") in text
        assert t(RU, "card.not_found") in text
        assert t(RU, "card.phase.finished") not in text
        assert t(RU, "call.outcome_not_found") not in text
        assert DURATION_PREFIX not in text
        assert card.buttons == ()


async def test_a_start_that_uis_carries_out_after_we_gave_up_is_found(tmp_path: Path) -> None:
    """The reply did not come within the timeout, UIS executed the start a moment later: the
    card says it is checking, then becomes the call (not "you can call again")."""
    async with world(tmp_path, callapi={"timeout_seconds": 1}) as here:
        here.sim.inject_fault("latency", method="start.employee_call", seconds=2.5)
        card = await here.start_call()
        text = card.text or ""
        assert t(RU, "card.phase.starting") in text
        assert "outcome_unknown" in text
        assert here.sim.calls(include_ended=False) == []  # not yet: UIS is still on it
        card = await here.reply_matching(
            MANAGER,
            lambda m: (
                m.message_id == card.message_id and t(RU, "card.phase.dialing") in (m.text or "")
            ),
        )
        (call,) = here.sim.calls(include_ended=False)
        assert visible(t(RU, "call.outcome_found", call_id=call["call_session_id"])) in (
            card.text or ""
        )
        assert card.button_texts == [t(RU, "btn.cancel"), t(RU, "btn.refresh")]
        assert len(here.requests("start.employee_call")) == 1
