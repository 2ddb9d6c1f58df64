"""Call recordings: the simulator's "call recording ready" event, the bot fetching the file the
event links (from the simulator, over real HTTP) and sending it under the call's card to the
employee who was on the call, and to nobody else.

The simulator serves recordings over plain http on loopback: the sandbox turns on the
download guard's test-only loopback switch (no setting can), and the tests allow the host
``127.0.0.1``. The guard's refusals (private addresses, other hosts, http, redirects, sizes) are
tested against real servers in tests/api/test_recording_download.py.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest
from e2e_kit import MANAGER, World, events_world
from process_kit import visible

from bot.services.recordings import megabytes
from bot.texts import Lang, t
from db import cards as card_store
from db import ledger as ledger_store
from db.models import AccessState
from sandbox.telegram import StoredDocument, VisibleMessage
from sandbox.uis import SimulatorOptions
from sandbox.world import DEMO_ADMIN_ID

pytestmark = pytest.mark.e2e

RU = Lang.RU
OTHER = 1002  # an allowed user, assigned another employee, not on the call
OTHER_EMPLOYEE = 102
GROUP = -100777  # a group chat where the manager's card of the call is shown too
AT_ONCE = SimulatorOptions(recording_ready_seconds=0)


def _recordings(**changes: Any) -> dict[str, Any]:
    return {"enabled": True, "allowed_hosts": "127.0.0.1", **changes}


async def _card_with(here: World, text: str, message_id: int | None = None) -> VisibleMessage:
    return await here.emu.wait_for_bot_message(
        MANAGER,
        predicate=lambda m: (
            (message_id is None or m.message_id == message_id) and text in (m.text or "")
        ),
        after=0,
        timeout=10,
    )


async def _admit_other(here: World) -> None:
    here.emu.add_user(OTHER, "Мария", last_name="Иванова", language_code="ru")
    await here.say("/start", OTHER)
    access = here.sandbox.runtime.access
    assert await access.set_access(DEMO_ADMIN_ID, OTHER, AccessState.ALLOWED) is not None
    assert await access.assign_employee(DEMO_ADMIN_ID, OTHER, OTHER_EMPLOYEE, None) is not None


async def _more_cards_of(here: World, call_id: int) -> None:
    """Two more messages showing the same ledger call, neither of which may get the recording:
    the other user's (their employee was not on the call) and the manager's in a group."""
    async with here.sandbox.runtime.sessions.begin() as session:
        call = await ledger_store.find_call(session, call_session_id=call_id)
        assert call is not None
        for chat_id, user_id, employee_id in (
            (OTHER, OTHER, OTHER_EMPLOYEE),
            (GROUP, MANAGER, 101),
        ):
            await card_store.create_card(
                session,
                chat_id=chat_id,
                message_id=900_000 + abs(chat_id) % 1000,
                telegram_user_id=user_id,
                call_id=call.id,
                employee_id=employee_id,
            )


async def _recorded_call(here: World, *, more_cards: bool = False) -> tuple[int, VisibleMessage]:
    """An inbound call rings the manager, is answered, recorded from the card, and ends."""
    inbound = here.sim.place_inbound_call("79037777777", employee_id=101)
    call_id: int = inbound["call_session_id"]
    card = await _card_with(here, visible(t(RU, "card.phase.ringing")))
    here.answer_all(call_id)
    card = await _card_with(here, t(RU, "card.phase.talk"), card.message_id)
    _, card = await here.press(card, t(RU, "btn.record_on"))
    if more_cards:
        await _more_cards_of(here, call_id)
    here.sim.advance(2)  # two seconds on record
    here.end_call(call_id)
    await _card_with(here, t(RU, "card.phase.finished"), card.message_id)
    return call_id, card


async def _recording_event_handled(here: World, call_id: int) -> None:
    """The simulator delivered "call recording ready" and the bot is done with it."""
    notifier = here.sandbox.simulator.notifier
    for _ in range(150):
        if notifier.deliveries(event="call_recording_ready", call_session_id=call_id):
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the simulator sent no call_recording_ready")
    await asyncio.sleep(0.3)  # the intake applies the stored event
    recordings = here.sandbox.runtime.recordings
    if recordings is not None:
        await recordings.wait_idle()


def _replied_to(message: VisibleMessage) -> int | None:
    replied = message.raw.get("reply_to_message")
    return replied["message_id"] if replied else None


def _documents(here: World, chat_id: int) -> list[StoredDocument]:
    return here.emu.documents(chat_id)


async def test_the_recording_reaches_the_employee_on_the_call_and_nobody_else(
    tmp_path: Path,
) -> None:
    async with events_world(tmp_path, recordings=_recordings(), simulator_options=AT_ONCE) as here:
        await _admit_other(here)
        call_id, card = await _recorded_call(here, more_cards=True)
        await _recording_event_handled(here, call_id)

        sent = _documents(here, MANAGER)
        assert len(sent) == 1  # one per user, however many cards
        assert sent[0].content == here.sim.recording(call_id)
        assert sent[0].file_name == f"{call_id}.wav"
        message = here.emu.message(MANAGER, sent[0].message_id)
        assert message is not None
        assert message.text == visible(t(RU, "recording.caption", call_id=call_id))
        assert _replied_to(message) == card.message_id  # under the call's card
        assert here.sim.recording_downloads == [call_id]  # fetched once

        assert _documents(here, OTHER) == []
        assert _documents(here, GROUP) == []
        assert not any(
            str(call_id) in (m.text or "") for m in here.emu.visible_messages(OTHER, from_bot=True)
        )


async def test_recordings_off_fetch_nothing_and_send_nothing(tmp_path: Path) -> None:
    async with events_world(tmp_path, simulator_options=AT_ONCE) as here:
        assert here.sandbox.runtime.recordings is None
        call_id, _card = await _recorded_call(here)
        await _recording_event_handled(here, call_id)
        await asyncio.sleep(0.5)
        assert here.sim.recording_downloads == []
        assert _documents(here, MANAGER) == []


async def test_a_link_to_a_host_off_the_list_is_not_fetched(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The default list (the UIS platform's domains): the simulator's 127.0.0.1 is not on it.
    recordings = {"enabled": True}
    async with events_world(tmp_path, recordings=recordings, simulator_options=AT_ONCE) as here:
        call_id, _card = await _recorded_call(here)
        with caplog.at_level(logging.WARNING, logger="bot.services.recordings"):
            await _recording_event_handled(here, call_id)
        assert here.sim.recording_downloads == []
        assert _documents(here, MANAGER) == []
        assert f"recording of call {call_id} not fetched: host_not_allowed" in caplog.text
        assert not any("🎙" in (m.text or "") for m in here.emu.visible_messages(MANAGER))


async def test_a_recording_too_big_for_telegram_is_named_by_size_not_link(tmp_path: Path) -> None:
    settings = _recordings(max_bytes=1000)
    async with events_world(tmp_path, recordings=settings, simulator_options=AT_ONCE) as here:
        call_id, card = await _recorded_call(here)
        await _recording_event_handled(here, call_id)
        size = len(here.sim.recording(call_id))
        assert size > 1000
        note = await here.emu.wait_for_bot_message(
            MANAGER, predicate=lambda m: "🎙" in (m.text or ""), after=0, timeout=10
        )
        expected = t(RU, "recording.too_big", call_id=call_id, size_mb=megabytes(size))
        assert note.text == visible(expected)
        assert _replied_to(note) == card.message_id
        assert "_sim/recordings" not in (note.text or "")
        assert _documents(here, MANAGER) == []
