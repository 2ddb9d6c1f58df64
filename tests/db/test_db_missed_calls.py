"""Missed calls in the database: one row per number while unresolved, exactly one claimer."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db import missed_calls as store
from db.types import utcnow

NUMBER = "79037777777"


async def _missed(
    sessions: async_sessionmaker[AsyncSession], call_session_id: int, **kwargs: object
) -> tuple[int, int, bool]:
    async with sessions.begin() as session:
        row, changed = await store.record_missed(
            session,
            contact_number=str(kwargs.get("number", NUMBER)),
            virtual_number="74993720692",
            contact_name=None,
            wait_seconds=10,
            call_session_id=call_session_id,
            now=kwargs.get("now"),  # type: ignore[arg-type]
        )
        return row.id, row.missed_count, changed


async def test_a_number_keeps_its_row_for_a_day_and_a_repeated_event_counts_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    first, count, changed = await _missed(sessions, 1)
    assert (count, changed) == (1, True)
    again, count, changed = await _missed(sessions, 1)
    assert (again, count, changed) == (first, 1, False)  # the same call's event again
    again, count, changed = await _missed(sessions, 2)
    assert (again, count, changed) == (first, 2, True)
    later = utcnow() + timedelta(hours=25)
    other, count, _ = await _missed(sessions, 3, now=later)
    assert other != first
    assert count == 1


async def test_exactly_one_of_many_simultaneous_claims_wins(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    missed_id, _, _ = await _missed(sessions, 10)

    async def claim(user_id: int) -> bool:
        async with sessions.begin() as session:
            return await store.claim(
                session, missed_id, telegram_user_id=user_id, name=f"u{user_id}"
            )

    users = range(1, 9) if engine.dialect.name == "postgresql" else range(1, 3)
    results = await asyncio.gather(*(claim(user_id) for user_id in users))
    assert results.count(True) == 1
    async with sessions() as session:
        row = await store.get_missed(session, missed_id)
        assert row is not None
        assert row.state == "claimed"
        winner = row.claimed_by
    assert winner is not None
    # Only the claimer's claim is released; then it may be claimed again.
    async with sessions.begin() as session:
        assert not await store.release(session, missed_id, outcome=None, telegram_user_id=-1)
        assert await store.release(session, missed_id, outcome="unanswered")
    async with sessions.begin() as session:
        row = await store.get_missed(session, missed_id)
        assert row is not None
        assert (row.state, row.outcome, row.claimed_by_name) == ("open", "unanswered", f"u{winner}")
        assert await store.claim(session, missed_id, telegram_user_id=5, name="u5")


async def test_the_client_getting_through_resolves_every_open_row_of_the_number(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    missed_id, _, _ = await _missed(sessions, 20)
    other, _, _ = await _missed(sessions, 21, number="79030000000")
    async with sessions.begin() as session:
        assert await store.resolve_number(session, NUMBER, outcome="got_through") == [missed_id]
        assert not await store.claim(session, missed_id, telegram_user_id=1, name="late")
        assert await store.claim(session, other, telegram_user_id=1, name="u1")
    # A new lost call from the resolved number starts a new row.
    again, count, _ = await _missed(sessions, 22)
    assert again != missed_id
    assert count == 1


async def test_the_on_call_chat_is_one_row_a_new_binding_replaces(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        assert await store.oncall_chat(session) is None
        await store.bind_oncall_chat(session, -100900, bound_by=1000)
    async with sessions.begin() as session:
        await store.bind_oncall_chat(session, -100901, bound_by=1000)
    async with sessions() as session:
        assert await store.oncall_chat(session) == -100901
