"""The call ledger's writer: its rules, on the real database (PostgreSQL and the demo's SQLite)."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from dbtest_support import refuse_connections, reset_tables
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.models import CallInfo
from bot.callbacks import Action
from bot.services.call_ledger import CallLedger, transition_allowed
from bot.services.call_view import Phase
from bot.services.card_table import ACTIONS
from bot.services.tracked_call import TrackedCall
from db import ledger as store
from db.cards import create_card, get_card
from db.engine import create_engine, session_factory
from db.migrate import upgrade_head
from db.models import CallRecord
from db.types import utcnow

ME = 101
CONTACT = "79031234567"
SESSION = 2500000001


def _listed(me: str, contact: str) -> CallInfo:
    legs: list[dict[str, Any]] = [
        {"leg_id": 1, "employee_id": ME, "is_operator": True, "state": me},
        {"leg_id": 2, "called_phone_number": CONTACT, "employee_id": None, "state": contact},
    ]
    return CallInfo.model_validate(
        {"call_session_id": SESSION, "contact_phone_number": CONTACT, "legs": legs}
    )


TALK = _listed("Разговор", "Разговор")
HOLD = _listed("Разговор", "На удержании")


class Heard:
    def __init__(self) -> None:
        self.changes: list[tuple[Phase, Phase, int | None]] = []

    async def __call__(self, call: TrackedCall, before: Phase, drawn_by: int | None) -> None:
        self.changes.append((before, call.phase, drawn_by))


async def _started(
    sessions: async_sessionmaker[AsyncSession],
) -> tuple[CallLedger, TrackedCall, Heard]:
    ledger = CallLedger(sessions, account_zone=ZoneInfo("Europe/Moscow"))
    heard = Heard()
    ledger.watch(heard)
    call = await ledger.open_start(
        external_id="tg-ledger-1",
        contact_number=CONTACT,
        virtual_number="74993720692",
        scenario_id=None,
        employee_id=ME,
        started_by=7001,
        rings_me_first=True,
    )
    await ledger.start_replied(call, SESSION, drawn_by=1)
    return ledger, call, heard


def _phase_of(call: TrackedCall) -> Phase:
    return call.phase  # read afresh: mypy narrows the attribute across awaits


async def _history(
    ledger: CallLedger, sessions: async_sessionmaker[AsyncSession], call: TrackedCall
) -> list[Any]:
    assert await ledger.flush(max_wait=10)  # the fact writer stores in the background
    async with sessions() as session:
        return list(await store.history(session, call.ledger_id))


async def _row_phase(
    ledger: CallLedger, sessions: async_sessionmaker[AsyncSession], call: TrackedCall
) -> str:
    assert await ledger.flush(max_wait=10)
    async with sessions() as session:
        row = await store.get_call(session, call.ledger_id)
    assert row is not None
    return row.phase


async def test_every_source_writes_one_row_and_its_history(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ledger, call, heard = await _started(sessions)
    assert await ledger.listed(call, TALK, time.monotonic())
    await ledger.acted(call, ACTIONS[Action.HOLD], drawn_by=1)
    assert call.phase is Phase.HOLD
    assert await _row_phase(ledger, sessions, call) == "hold"
    history = await _history(ledger, sessions, call)
    assert [(f.source, f.phase_after, f.applied) for f in history] == [
        ("start", "starting", True),
        ("reply", "dialing", True),
        ("snapshot", "talk", True),
        ("reply", "hold", True),
    ]
    assert heard.changes == [
        (Phase.STARTING, Phase.DIALING, 1),
        (Phase.DIALING, Phase.TALK, None),
        (Phase.TALK, Phase.HOLD, 1),
    ]
    async with sessions() as session:
        row = await store.get_call(session, call.ledger_id)
    assert row is not None
    assert row.call_session_id == SESSION
    assert row.started_by == 7001
    assert {leg["role"] for leg in row.legs} == {"me", "contact"}
    assert row.last_change_source == "reply"


async def test_a_snapshot_older_than_our_action_is_history_not_a_change(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ledger, call, _heard = await _started(sessions)
    before_hold = time.monotonic()
    await ledger.listed(call, TALK, before_hold)
    await ledger.acted(call, ACTIONS[Action.HOLD], drawn_by=1)
    # A list.calls sent before the hold reply arrived still shows the talk: it must not win.
    assert not await ledger.listed(call, TALK, before_hold)
    assert call.phase is Phase.HOLD
    last = (await _history(ledger, sessions, call))[-1]
    assert not last.applied
    assert last.detail == "older"
    await ledger.listed(call, HOLD, time.monotonic())  # list.calls confirms the hold
    assert call.phase is Phase.HOLD


async def test_a_call_is_finished_by_the_second_missing_snapshot_only(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ledger, call, _heard = await _started(sessions)
    await ledger.listed(call, TALK, time.monotonic())
    assert not await ledger.missed_by(call, time.monotonic())
    assert call.phase is Phase.TALK
    # A successful action proves the call alive: the count starts again.
    await ledger.acted(call, ACTIONS[Action.RECORD_ON], drawn_by=1)
    assert call.missed == 0
    assert not await ledger.missed_by(call, time.monotonic())
    assert await ledger.missed_by(call, time.monotonic())
    assert _phase_of(call) is Phase.FINISHED
    assert call.ended_at is not None
    assert await _row_phase(ledger, sessions, call) == "finished"


async def test_a_transition_the_diagram_forbids_goes_to_the_history_only(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ledger, call, heard = await _started(sessions)
    await ledger.listed(call, TALK, time.monotonic())
    await ledger.acted(call, ACTIONS[Action.RELEASE], drawn_by=1)
    assert call.phase is Phase.FINISHED
    heard.changes.clear()
    # A late snapshot (or event) still listing the call cannot bring a released call back.
    assert not await ledger.listed(call, HOLD, time.monotonic())
    assert call.phase is Phase.FINISHED
    assert heard.changes == []
    last = (await _history(ledger, sessions, call))[-1]
    assert (last.applied, last.phase_before, last.phase_after) == (False, "finished", "hold")
    assert last.detail == "forbidden: finished -> hold"


async def test_call_session_not_found_finishes_the_call(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ledger, call, _heard = await _started(sessions)
    await ledger.listed(call, TALK, time.monotonic())
    await ledger.gone(call, "call_session_not_found", drawn_by=1)
    assert call.phase is Phase.FINISHED


@pytest.mark.parametrize(
    ("before", "after", "allowed"),
    [
        (Phase.STARTING, Phase.DIALING, True),
        (Phase.STARTING, Phase.NOT_FOUND, True),
        (Phase.DIALING, Phase.NO_ANSWER, True),
        (Phase.TALK, Phase.HOLD, True),
        (Phase.HOLD, Phase.FINISHED, True),
        (Phase.TALK, Phase.NO_ANSWER, False),  # someone answered it
        (Phase.DIALING, Phase.NOT_FOUND, False),
        (Phase.TALK, Phase.STARTING, False),
        (Phase.FINISHED, Phase.TALK, False),
        (Phase.NOT_FOUND, Phase.DIALING, False),
    ],
)
def test_the_state_diagram(before: Phase, after: Phase, allowed: bool) -> None:
    assert transition_allowed(before, after) is allowed


async def test_a_listed_call_has_one_row_however_many_cards_open_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ledger = CallLedger(sessions, account_zone=ZoneInfo("Europe/Moscow"))
    first = await ledger.open_listed(TALK, ME)
    other_process = CallLedger(sessions, account_zone=ZoneInfo("Europe/Moscow"))
    second = await other_process.open_listed(TALK, ME)
    assert first.ledger_id == second.ledger_id
    assert first.phase is Phase.TALK


async def test_prune_forgets_old_calls_and_their_history_but_keeps_the_cards(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ledger, call, _heard = await _started(sessions)
    assert await ledger.flush(max_wait=10)
    async with sessions.begin() as session:
        card = await create_card(
            session, chat_id=7001, message_id=5, telegram_user_id=7001, call_id=call.ledger_id
        )
    async with sessions.begin() as session:
        kept = await store.prune_before(session, utcnow() - timedelta(days=1))
    assert kept == store.PruneCounts(calls=0, facts=0)
    async with sessions.begin() as session:
        pruned = await store.prune_before(session, utcnow() + timedelta(seconds=1))
    assert pruned.calls == 1
    assert pruned.facts >= 2
    assert await _history(ledger, sessions, call) == []
    async with sessions() as session:
        row = await get_card(session, card.id)
    assert row is not None
    assert row.call_id is None


async def _answer_drawn(heard: Heard) -> bool:
    await asyncio.sleep(0.3)  # time enough for a redraw that does not wait for the row
    return (Phase.DIALING, Phase.TALK, None) in heard.changes


async def test_no_card_shows_an_answer_before_its_row_has_it(
    pg_engine: AsyncEngine,
) -> None:
    """The one fact a crash must not lose: a call answered, then ended while the bot restarts,
    is judged by its stored phase, and "dialing" there would make it "no answer"."""
    await reset_tables(pg_engine)
    sessions = session_factory(pg_engine)
    ledger, call, heard = await _started(sessions)
    assert await ledger.flush(max_wait=10)
    # Another transaction holds the call's row: the writer cannot store the answer yet.
    async with sessions.begin() as blocker:
        await blocker.execute(
            select(CallRecord).where(CallRecord.id == call.ledger_id).with_for_update()
        )
        answer = asyncio.create_task(ledger.listed(call, TALK, time.monotonic()))
        assert not await _answer_drawn(heard)
    await answer
    assert heard.changes[-1] == (Phase.DIALING, Phase.TALK, None)
    async with sessions() as session:
        row = await store.get_call(session, call.ledger_id)
    assert row is not None
    assert row.phase == "talk"

    # The next process: the call is no longer listed, and it ends as talked, not unanswered.
    restarted = CallLedger(sessions, account_zone=ZoneInfo("Europe/Moscow"))
    resumed = restarted.adopt(row)
    assert not await restarted.missed_by(resumed, time.monotonic())
    assert await restarted.missed_by(resumed, time.monotonic())
    assert _phase_of(resumed) is Phase.FINISHED
    await ledger.close()
    await restarted.close()


async def test_the_answer_does_not_hold_a_card_while_the_database_is_down(
    empty_pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    await upgrade_head(empty_pg_url)
    engine = create_engine(empty_pg_url)
    try:
        ledger, call, heard = await _started(session_factory(engine))
        ledger.facts._retry_seconds = 0.05
        await refuse_connections(empty_pg_url, refuse=True)
        try:
            await ledger.missed_by(call, time.monotonic())  # finds the database down
            for _tries in range(500):  # its writer's first attempt fails within 10 s
                if ledger.facts.failing:
                    break
                await asyncio.sleep(0.02)
            assert ledger.facts.failing
            await ledger.listed(call, TALK, time.monotonic())
            assert heard.changes[-1] == (Phase.DIALING, Phase.TALK, None)
            # Drawn at once: not held for the store wait (which would have said so in the log).
            assert "is not stored after" not in caplog.text
        finally:
            await refuse_connections(empty_pg_url, refuse=False)
        await ledger.close()
    finally:
        await engine.dispose()
