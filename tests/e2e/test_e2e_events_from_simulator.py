"""The simulator sends events like UIS, from its call state machine, to the bot's receiver with
the templates `callbot events templates` prints; the card follows without anybody typing."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from e2e_kit import MANAGER, World, events_world
from process_kit import visible

from bot.texts import Lang, t

pytestmark = pytest.mark.e2e

RU = Lang.RU


def _card_with(here: World, text: str, message_id: int | None = None) -> Any:
    return here.emu.wait_for_bot_message(
        MANAGER,
        predicate=lambda m: (
            (message_id is None or m.message_id == message_id) and text in (m.text or "")
        ),
        after=0,
        timeout=10,
    )


@pytest.mark.parametrize(
    "rendering",
    [
        None,  # JSON-encoded values, empty as null
        {"values": "raw", "empty": "nothing", "lists": "string"},
    ],
    ids=["json", "raw"],
)
async def test_an_inbound_call_rings_the_card_then_talks_then_ends(
    tmp_path: Path, rendering: dict[str, str] | None
) -> None:
    async with events_world(tmp_path, rendering) as here:
        polls_before = len(here.requests("list.calls"))
        placed = time.perf_counter()
        inbound = here.sim.place_inbound_call("79037777777", employee_id=101)
        call_id = inbound["call_session_id"]
        card = await _card_with(here, visible(t(RU, "card.phase.ringing")))
        print(f"event -> ringing card: {(time.perf_counter() - placed) * 1000:.0f} ms")
        assert card.buttons == ()
        assert "+7 903 777-77-77" in (card.text or "")

        here.answer_all(call_id)  # the simulator sends "talk started" by itself
        card = await _card_with(here, t(RU, "card.phase.talk"), card.message_id)
        _, card = await here.press(card, t(RU, "btn.hold"))
        assert len(here.requests("hold.call")) == 1

        here.end_call(call_id)  # "call finished": one list.calls confirms it
        await _card_with(here, t(RU, "card.phase.finished"), card.message_id)
        ringing_cards = [
            m
            for m in here.emu.visible_messages(MANAGER, from_bot=True)
            if str(call_id) in (m.text or "")
        ]
        assert len(ringing_cards) == 1
        print(f"list.calls during the call: {len(here.requests('list.calls')) - polls_before}")


async def test_duplicated_reordered_and_doubly_quoted_events_give_one_card_in_the_right_state(
    tmp_path: Path,
) -> None:
    async with events_world(tmp_path) as here:
        notifier = here.sandbox.simulator.notifier
        notifier.inject_fault("duplicate", count=10)
        notifier.inject_fault("doubled_quotes", count=10)
        inbound = here.sim.place_inbound_call("79037777777", employee_id=101)
        call_id = inbound["call_session_id"]
        card = await _card_with(here, visible(t(RU, "card.phase.ringing")))
        notifier.inject_fault("reorder", count=1, event="talk_started")
        here.answer_all(call_id)
        card = await _card_with(here, t(RU, "card.phase.talk"), card.message_id)
        cards = [
            m
            for m in here.emu.visible_messages(MANAGER, from_bot=True)
            if str(call_id) in (m.text or "")
        ]
        assert len(cards) == 1
