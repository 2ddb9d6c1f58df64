"""A restart of the bot loses no card: real bot processes, stopped (SIGTERM) or killed (SIGKILL),
then started again, serve every press on every live card made before.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest
from dbtest_support import held_by_another_transaction
from process_kit import RU, ProcessWorld, process_world, visible

from bot.texts import t

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


async def _talking_card(here: ProcessWorld) -> tuple[int, int]:
    """/call, both parties answer; returns (card message id, call id) once the card says so."""
    card_id = await here.send_call()
    await here.card_showing(card_id, t(RU, "card.phase.dialing"))
    call_id = here.newest_call()["call_session_id"]
    here.answer_all(call_id)
    await here.card_showing(card_id, t(RU, "card.phase.talk"), buttons=(t(RU, "btn.hold"),))
    return card_id, call_id


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
async def test_a_card_keeps_working_after_the_bot_restarts(
    tmp_path: Path, sig: signal.Signals
) -> None:
    async with process_world(tmp_path) as here:
        card_id, call_id = await _talking_card(here)
        await here.bot.stop(sig)
        await here.bot.start()

        # The button drawn by the previous process reaches UIS from the new one.
        await here.press(card_id, t(RU, "btn.hold"))
        assert [r["params"]["call_session_id"] for r in here.requests("hold.call")] == [call_id]
        await here.card_showing(card_id, t(RU, "card.phase.hold"), buttons=(t(RU, "btn.unhold"),))

        # Once more across a restart: Release works too.
        await here.bot.stop(sig)
        await here.bot.start()
        await here.press(card_id, t(RU, "btn.release"))
        assert [r["params"]["call_session_id"] for r in here.requests("release.call")] == [call_id]
        await here.card_showing(card_id, t(RU, "card.phase.finished"))
        assert "Traceback" not in here.bot.log()


async def test_the_live_poll_resumes_by_itself_after_a_restart(tmp_path: Path) -> None:
    """No press needed: the new process takes the card over and follows the call."""
    async with process_world(tmp_path) as here:
        card_id, call_id = await _talking_card(here)
        await here.bot.stop(signal.SIGKILL)
        await here.bot.start()
        call = here.sim.call(call_id)
        contact_leg = next(leg for leg in call["legs"] if leg["status"] != "disconnected")
        here.sim.hang_up(call_id, contact_leg["leg_id"])
        await here.card_showing(card_id, t(RU, "card.phase.finished"))


async def test_a_call_answered_just_before_a_kill_and_ended_meanwhile_is_not_unanswered(
    tmp_path: Path,
) -> None:
    """The card shows the talk, the bot is killed that instant and the call ends while it is
    down: the next process no longer sees the call in list.calls and judges it by its row.
    The answer was still on its way to the row (held here by a lock, in CI by a slow machine),
    and the card said "no answer" about a call it had shown in talk."""
    async with process_world(tmp_path) as here:
        card_id = await here.send_call()
        await here.card_showing(card_id, t(RU, "card.phase.dialing"))
        call_id = here.newest_call()["call_session_id"]
        # Another transaction holds the call's row: the bot cannot store the answer yet.
        async with held_by_another_transaction(
            here.database_url, "SELECT id FROM calls WHERE call_session_id = $1 FOR UPDATE", call_id
        ) as release:
            polls = len(here.requests("list.calls"))
            here.answer_all(call_id)
            await here.requests_once_arrived("list.calls", polls + 1)  # the bot learns of it
            asyncio.get_running_loop().call_later(0.5, release.set)
            await here.card_showing(card_id, t(RU, "card.phase.talk"))
            assert await here.bot.stop(signal.SIGKILL) == -signal.SIGKILL
        call = here.sim.call(call_id)
        contact_leg = next(leg for leg in call["legs"] if leg["status"] != "disconnected")
        here.sim.hang_up(call_id, contact_leg["leg_id"])
        await here.bot.start()
        card = await here.card_showing(card_id, t(RU, "card.phase.finished"))
        assert visible(t(RU, "card.phase.no_answer")) not in (card.text or "")


async def test_a_start_cut_off_by_sigkill_is_found_and_drawn_as_its_call(tmp_path: Path) -> None:
    """SIGKILL while the start request is out: UIS executed it, the reply never came back. The
    next process finds the call by its external id and the chat gets a working card instead of
    "Calling…" forever."""
    async with process_world(tmp_path) as here:
        here.sim.inject_fault("latency", method="start.employee_call", seconds=1.5)
        card_id = await here.send_call()
        await asyncio.sleep(0.5)  # the request is in flight, held by the simulator's latency
        assert await here.bot.stop(signal.SIGKILL) == -signal.SIGKILL
        (start,) = await here.requests_once_arrived("start.employee_call", 1)
        await here.bot.start()
        card = await here.card_showing(
            card_id, t(RU, "card.phase.dialing"), buttons=(t(RU, "btn.cancel"),)
        )
        call = here.newest_call()
        assert call["external_id"] == start["params"]["external_id"]
        assert visible(t(RU, "card.call_id", call_id=call["call_session_id"])) in (card.text or "")
        await here.press(card_id, t(RU, "btn.cancel"))
        assert [r["params"]["call_session_id"] for r in here.requests("release.call")] == [
            call["call_session_id"]
        ]
        assert len(here.requests("start.employee_call")) == 1
