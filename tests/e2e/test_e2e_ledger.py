"""The call ledger end to end: one row per call whatever shows it, cards move together, and
the history says what each source told."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_kit import MANAGER, World, world
from sqlalchemy import func, select

from bot.texts import Lang, t
from db.engine import create_engine, session_factory
from db.ledger import history
from db.models import CallCard, CallRecord

pytestmark = pytest.mark.e2e

RU = Lang.RU


async def _ledger_rows(here: World, call_session_id: int) -> list[CallRecord]:
    assert await here.sandbox.runtime.calls.ledger.flush(max_wait=10)
    engine = create_engine(here.database_url)
    try:
        async with session_factory(engine)() as session:
            query = select(CallRecord).where(CallRecord.call_session_id == call_session_id)
            return list((await session.scalars(query)).all())
    finally:
        await engine.dispose()


async def test_two_cards_of_one_call_are_one_ledger_call_and_move_together(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as here:
        started = await here.start_call()
        call_id = here.call_id()
        here.answer_all(call_id)
        _, started = await here.press(started, t(RU, "btn.refresh"))
        assert t(RU, "card.phase.talk") in (started.text or "")

        # /calls opens a second card of the same call: the ledger still has one row for it.
        await here.emu.send_message(MANAGER, "/calls")
        listed = await here.reply_matching(
            MANAGER,
            lambda m: (
                m.message_id != started.message_id
                and str(call_id) in (m.text or "")
                and bool(m.buttons)
            ),
        )
        rows = await _ledger_rows(here, call_id)
        assert len(rows) == 1
        assert rows[0].started_by == MANAGER
        assert rows[0].external_id is not None

        # A press on one card moves the call; the other card is redrawn through the ledger.
        _, started = await here.press(started, t(RU, "btn.hold"))
        assert t(RU, "card.phase.hold") in (started.text or "")
        other = await here.emu.wait_for_bot_message(
            MANAGER,
            predicate=lambda m: (
                m.message_id == listed.message_id and t(RU, "card.phase.hold") in (m.text or "")
            ),
            after=0,
            timeout=15,
        )
        assert t(RU, "btn.unhold") in other.button_texts

        # Both cards' buttons act on the one call: unhold from the second card.
        _, other = await here.press(other, t(RU, "btn.unhold"))
        assert t(RU, "card.phase.talk") in (other.text or "")
        assert len(here.requests("unhold.call")) == 1

        # The call ends in UIS: two snapshots without it finish it, and both cards say so.
        here.end_call(call_id)
        _, started = await here.press(started, t(RU, "btn.refresh"))
        assert t(RU, "card.phase.finished") in (started.text or "")
        await here.emu.wait_for_bot_message(
            MANAGER,
            predicate=lambda m: (
                m.message_id == listed.message_id and t(RU, "card.phase.finished") in (m.text or "")
            ),
            after=0,
            timeout=15,
        )

        engine = create_engine(here.database_url)
        try:
            async with session_factory(engine)() as session:
                (row,) = await _ledger_rows(here, call_id)
                assert row.phase == "finished"
                assert row.ended_at is not None
                cards = await session.scalar(
                    select(func.count()).select_from(CallCard).where(CallCard.call_id == row.id)
                )
                assert cards == 2
                facts = await history(session, row.id)
        finally:
            await engine.dispose()
        applied = [(fact.source, fact.phase_after) for fact in facts if fact.applied]
        assert ("reply", "dialing") in applied  # the start reply
        assert ("reply", "hold") in applied  # our hold.call
        assert ("reply", "talk") in applied  # our unhold.call
        assert applied[-1] == ("snapshot", "finished")  # the second snapshot that missed it
        assert any(fact.kind == "missed once" for fact in facts)
