"""UIS event notifications as they arrived: stored raw first, then applied once.

A redelivered notification (the same event with the same raw body) is stored once: the unique
(event, body_hash) makes the second insert a no-op, and its sender is told it was a duplicate.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import UisEventRecord
from db.types import utcnow

# `callbot doctor` and `callbot health` count the dead letters of this last stretch.
DEAD_LETTER_WINDOW = timedelta(days=1)


class EventState(enum.StrEnum):
    RECEIVED = "received"  # stored, not applied yet (a crash in between: applied at start-up)
    APPLIED = "applied"
    DEAD = "dead"  # no usable call_session_id: kept for the operator, counted in health


@dataclass(frozen=True, slots=True)
class StoredEvent:
    id: int | None  # None: a duplicate of an event stored before
    duplicate: bool


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


async def store_event(
    session: AsyncSession,
    *,
    event: str,
    body: bytes,
    content_type: str | None,
    source: str | None,
    call_session_id: int | None,
    state: EventState,
    problem: str | None = None,
    received_at: datetime | None = None,
) -> StoredEvent:
    values = {
        "received_at": received_at or utcnow(),
        "event": event[:32],
        "body": body.decode("utf-8", errors="replace"),
        "body_hash": body_hash(body),
        "content_type": content_type[:128] if content_type else None,
        "source": source[:64] if source else None,
        "call_session_id": call_session_id,
        "state": state.value,
        "problem": problem[:256] if problem else None,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(UisEventRecord)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["event", "body_hash"])
        .returning(UisEventRecord.id)
    )
    inserted = (await session.execute(statement)).scalar_one_or_none()
    return StoredEvent(id=inserted, duplicate=inserted is None)


async def mark_applied(session: AsyncSession, event_id: int, now: datetime | None = None) -> None:
    await session.execute(
        update(UisEventRecord)
        .where(UisEventRecord.id == event_id)
        .values(state=EventState.APPLIED.value, applied_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )


async def unapplied_events(session: AsyncSession, limit: int = 500) -> Sequence[UisEventRecord]:
    """Events stored but not applied (the process stopped in between), oldest first."""
    query = (
        select(UisEventRecord)
        .where(UisEventRecord.state == EventState.RECEIVED.value)
        .order_by(UisEventRecord.received_at, UisEventRecord.id)
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def dead_letters(session: AsyncSession, since: datetime) -> int:
    query = (
        select(func.count())
        .select_from(UisEventRecord)
        .where(UisEventRecord.state == EventState.DEAD.value, UisEventRecord.received_at >= since)
    )
    return int(await session.scalar(query) or 0)


async def prune_events_before(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(
        delete(UisEventRecord)
        .where(UisEventRecord.received_at < before)
        .returning(UisEventRecord.id)
    )
    return len(result.all())
