"""The ledger's fact writer: facts queued by presses and snapshots are stored in order, many per
transaction, and wait in memory while PostgreSQL is down."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from dbtest_support import refuse_connections
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import ledger as store
from db.engine import create_engine, session_factory
from db.ledger import CallChanges, Fact
from db.ledger_writer import FactWriter
from db.migrate import upgrade_head
from db.models import CallRecord
from db.types import utcnow


@pytest.fixture
async def own_sessions(empty_pg_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await upgrade_head(empty_pg_url)
    engine = create_engine(empty_pg_url)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


async def _open(sessions: async_sessionmaker[AsyncSession], call_session_id: int) -> int:
    async with sessions.begin() as session:
        row = await store.open_call(
            session, phase="dialing", source="reply", call_session_id=call_session_id
        )
        return row.id


async def _kinds(sessions: async_sessionmaker[AsyncSession], call_id: int) -> list[str]:
    async with sessions() as session:
        return [fact.kind for fact in await store.history(session, call_id)]


async def test_facts_are_stored_in_order_and_a_calls_changes_merge(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    first, second = await _open(sessions, 3_000_001), await _open(sessions, 3_000_002)
    writer = FactWriter(sessions, batch_size=2)  # several batches
    start = utcnow()
    legs = [{"id": 1, "role": "me"}]
    writer.submit(
        first,
        Fact("snapshot", "listed", "dialing", "talk", True),
        CallChanges(phase="talk", legs=legs),
        now=start,
    )
    writer.submit(
        second,
        Fact("reply", "hold.call ok", "talk", "hold", True),
        CallChanges(phase="hold"),
        now=start + timedelta(milliseconds=1),
    )
    writer.submit(first, Fact("snapshot", "listed", "talk", None, False, "older"), now=start)
    writer.submit(
        first,
        Fact("reply", "hold.call ok", "talk", "hold", True),
        CallChanges(phase="hold", missed_snapshots=0),
        now=start + timedelta(milliseconds=2),
    )
    assert await writer.flush(max_wait=10)
    assert writer.queued == 0
    async with sessions() as session:
        row_one = await store.get_call(session, first)
        row_two = await store.get_call(session, second)
    assert row_one is not None
    assert row_two is not None
    assert (row_one.phase, row_one.legs, row_one.last_change_source) == ("hold", legs, "reply")
    assert row_two.phase == "hold"
    assert await _kinds(sessions, first) == ["opened", "listed", "listed", "hold.call ok"]
    assert await _kinds(sessions, second) == ["opened", "hold.call ok"]
    await writer.close()


async def test_facts_wait_while_the_database_is_down_and_are_stored_when_it_is_back(
    empty_pg_url: str, own_sessions: async_sessionmaker[AsyncSession]
) -> None:
    call_id = await _open(own_sessions, 3_000_003)
    writer = FactWriter(own_sessions, retry_seconds=0.05, max_queued=3)
    await refuse_connections(empty_pg_url, refuse=True)
    try:
        for number in range(5):
            writer.submit(call_id, Fact("snapshot", f"missed {number}", "talk", None, False))
        assert not await writer.flush(max_wait=0.5)  # nothing can be stored meanwhile
        assert writer.queued == 3
        assert writer.dropped == 2  # bounded: the oldest go first
    finally:
        await refuse_connections(empty_pg_url, refuse=False)
    assert await writer.flush(max_wait=10)
    assert await _kinds(own_sessions, call_id) == ["opened", "missed 2", "missed 3", "missed 4"]
    await writer.close()


async def test_facts_of_a_call_pruned_meanwhile_do_not_block_the_others(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    gone, kept = await _open(sessions, 3_000_004), await _open(sessions, 3_000_005)
    async with sessions.begin() as session:
        await session.execute(delete(CallRecord).where(CallRecord.id == gone))
    writer = FactWriter(sessions)
    writer.submit(gone, Fact("snapshot", "listed", "talk", "hold", True), CallChanges(phase="hold"))
    writer.submit(kept, Fact("snapshot", "listed", "talk", "hold", True), CallChanges(phase="hold"))
    assert await writer.flush(max_wait=10)
    assert await _kinds(sessions, kept) == ["opened", "listed"]
    assert await _kinds(sessions, gone) == []
    await writer.close()


async def test_close_stores_what_is_queued(sessions: async_sessionmaker[AsyncSession]) -> None:
    call_id = await _open(sessions, 3_000_006)
    writer = FactWriter(sessions)
    for number in range(1200):
        writer.submit(call_id, Fact("snapshot", f"missed {number}", "talk", None, False))
    await writer.close()
    assert len(await _kinds(sessions, call_id)) == 1201
