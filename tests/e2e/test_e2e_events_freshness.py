"""Freshness without points: once UIS events flow, a card follows them and the live poll sends
no list.calls of its own; a confirmation after hold still costs one. When events stop, the
admins are told once and the poll carries on as without events."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from e2e_kit import MANAGER, World, events_world
from process_kit import visible

from bot.services.event_flow import FlowState
from bot.texts import Lang, t
from sandbox.world import DEMO_ADMIN_ID

pytestmark = pytest.mark.e2e

RU = Lang.RU


async def _until(condition: object, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def _card_in(here: World, message_id: int, phase_key: str) -> None:
    await here.emu.wait_for_bot_message(
        MANAGER,
        predicate=lambda m: m.message_id == message_id and t(RU, phase_key) in (m.text or ""),
        after=0,
        timeout=15,
    )


async def test_while_events_flow_a_talking_card_costs_no_list_calls(tmp_path: Path) -> None:
    async with events_world(tmp_path) as here:
        runtime = here.sandbox.runtime
        card = await here.start_call()
        # The simulator rings the manager's phone and says so: our start got its event.
        await _until(lambda: runtime.flow.state is FlowState.FLOWING)
        call_id = here.call_id()
        here.answer_all(call_id)  # "talk started" moves the card
        await _card_in(here, card.message_id, "card.phase.talk")

        polls = len(here.requests("list.calls"))
        ticks = sum(runtime.poller.ticks.values())
        await asyncio.sleep(runtime.poller.interval() * 3)  # three poll intervals of talk
        assert len(here.requests("list.calls")) == polls
        assert sum(runtime.poller.ticks.values()) == ticks

        card = here.card(card.message_id)
        _, card = await here.press(card, t(RU, "btn.hold"))
        await _until(lambda: runtime.poller.ticks["confirm hold.call"] == 1)
        await asyncio.sleep(0.5)
        assert len(here.requests("list.calls")) == polls + 1  # the one confirmation

        here.end_call(call_id)  # "call finished", confirmed by one list.calls (rule 3)
        await _card_in(here, card.message_id, "card.phase.finished")
        assert runtime.poller.ticks["end announced"] == 1
        assert len(here.requests("list.calls")) == polls + 2


async def test_events_that_do_not_arrive_warn_the_admins_once_and_the_poll_goes_on(
    tmp_path: Path,
) -> None:
    # Events are configured in the bot, but UIS was never told where to send them.
    async with events_world(tmp_path, subscribe=False) as here:
        here.emu.add_user(DEMO_ADMIN_ID, "Admin", language_code="en")
        await here.say("/start", DEMO_ADMIN_ID)  # a bot may not write first
        runtime = here.sandbox.runtime
        runtime.flow.probe_seconds = 1.0
        card = await here.start_call()
        warning = await here.emu.wait_for_bot_message(
            DEMO_ADMIN_ID,
            predicate=lambda m: "list.calls" in (m.text or ""),
            include_edits=False,
            timeout=15,
        )
        call_id = here.call_id()
        assert warning.text == visible(
            t(Lang.EN, "events.silent_admin", call_id=call_id, seconds=1)
        )
        assert runtime.flow.state is FlowState.SILENT
        here.answer_all(call_id)
        await _card_in(here, card.message_id, "card.phase.talk")  # the poll found the talk
        polls = len(here.requests("list.calls"))
        await asyncio.sleep(runtime.poller.interval() * 2.5)
        assert len(here.requests("list.calls")) >= polls + 2
        await here.start_call()  # a second call without events: no second warning
        await asyncio.sleep(1.5)
        admin_messages = here.emu.visible_messages(DEMO_ADMIN_ID, from_bot=True)
        assert [m.text for m in admin_messages].count(warning.text) == 1
