"""The on-duty watch: without UIS events, while someone signed in is on duty, the poll finds
calls ringing the account's employees and their users get ringing cards."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from e2e_kit import MANAGER, events_world, world
from process_kit import visible

from bot.runtime import Runtime
from bot.services.event_flow import FlowState
from bot.texts import Lang, t

pytestmark = pytest.mark.e2e

RU = Lang.RU


async def test_on_duty_without_events_a_ringing_call_gets_a_card(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        reply = await here.say("/duty")
        assert reply.text == visible(t(RU, "duty.nobody"))
        runtime = here.sandbox.runtime
        interval = runtime.poller.interval()
        reply = await here.say("/duty on")
        assert reply.text == visible(t(RU, "duty.on", seconds=round(interval)))
        reply = await here.say("/duty")
        assert reply.text == visible(t(RU, "duty.status", names="Иван Петров"))

        placed = time.monotonic()
        inbound = here.sim.place_inbound_call("79037777777", employee_id=101)
        card = await here.emu.wait_for_bot_message(
            MANAGER,
            predicate=lambda m: visible(t(RU, "card.phase.ringing")) in (m.text or ""),
            include_edits=False,
            timeout=interval + 10,
        )
        print(f"ringing card after {time.monotonic() - placed:.1f} s (poll interval {interval})")
        assert "+7 903 777-77-77" in (card.text or "")
        assert card.buttons == ()
        here.answer_all(inbound["call_session_id"])  # the same poll moves it to the talk
        await here.emu.wait_for_bot_message(
            MANAGER,
            predicate=lambda m: (
                m.message_id == card.message_id and t(RU, "card.phase.talk") in (m.text or "")
            ),
            after=0,
            timeout=interval + 10,
        )
        here.end_call(inbound["call_session_id"])
        await here.emu.wait_for_bot_message(
            MANAGER,
            predicate=lambda m: (
                m.message_id == card.message_id and t(RU, "card.phase.finished") in (m.text or "")
            ),
            after=0,
            timeout=interval * 3 + 10,
        )
        cards = [
            m
            for m in here.emu.visible_messages(MANAGER, from_bot=True)
            if str(inbound["call_session_id"]) in (m.text or "")
        ]
        assert len(cards) == 1  # a call that ended is not drawn again

        # A second call the client gives up on while it rings: a missed call, as a "lost call"
        # event would have made it, with Call back.
        lost = here.sim.place_inbound_call("79035555555", employee_id=101)
        ringing = await here.emu.wait_for_bot_message(
            MANAGER,
            predicate=lambda m: (
                visible(t(RU, "card.phase.ringing")) in (m.text or "")
                and "+7 903 555-55-55" in (m.text or "")
            ),
            include_edits=False,
            timeout=interval + 10,
        )
        caller = next(leg for leg in lost["legs"] if leg["role"] == "contact")
        here.sim.hang_up(lost["call_session_id"], caller["leg_id"])
        missed = await here.emu.wait_for_bot_message(
            MANAGER,
            predicate=lambda m: visible(t(RU, "missed.title")) in (m.text or ""),
            include_edits=False,
            timeout=interval * 3 + 10,
        )
        assert "+7 903 555-55-55" in (missed.text or "")
        assert t(RU, "btn.call_back") in missed.button_texts
        assert ringing.message_id != missed.message_id

        reply = await here.say("/duty off")
        assert reply.text == visible(t(RU, "duty.off_nobody_left"))
        await asyncio.sleep(interval + 1)  # the tick under way may still go out
        polls = len(here.requests("list.calls"))
        await asyncio.sleep(interval * 2)
        assert len(here.requests("list.calls")) == polls  # no card, nobody on duty: no poll


async def test_while_events_flow_the_watch_waits(tmp_path: Path) -> None:
    async with events_world(tmp_path) as here:
        runtime = here.sandbox.runtime
        card = await here.start_call()
        await _flowing(runtime)
        call_id = here.call_id()
        here.answer_all(call_id)
        here.end_call(call_id)
        await here.emu.wait_for_bot_message(
            MANAGER,
            predicate=lambda m: (
                m.message_id == card.message_id and t(RU, "card.phase.finished") in (m.text or "")
            ),
            after=0,
            timeout=15,
        )
        reply = await here.say("/duty on")
        assert reply.text == visible(t(RU, "duty.on_events_flow"))
        polls = len(here.requests("list.calls"))
        await asyncio.sleep(runtime.poller.interval() * 2.5)
        assert len(here.requests("list.calls")) == polls


async def _flowing(runtime: Runtime) -> None:
    deadline = time.monotonic() + 15
    while runtime.flow.state is not FlowState.FLOWING:
        assert time.monotonic() < deadline, "events never flowed"
        await asyncio.sleep(0.05)
