"""The call ledger's storage: call rows and their append-only history of facts.

What a fact means and whether it may move a call is decided by the bot's ledger writer; this
module only stores what it decided, with plain statements, many facts per transaction (the
bot's ``db.ledger_writer.FactWriter`` batches them off the press path).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import CallCard, CallFactRecord, CallRecord, TelegramUser
from db.types import utcnow

# How long the ledger keeps a call by default (it holds phone numbers); see the README.
DEFAULT_RETENTION_DAYS = 90


@dataclass(frozen=True, slots=True)
class CallChanges:
    """Columns of a call row to set; None leaves a column as stored."""

    phase: str | None = None
    call_session_id: int | None = None
    contact_number: str | None = None
    virtual_number: str | None = None
    direction: str | None = None
    employee_id: int | None = None
    legs: list[dict[str, Any]] | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    missed_snapshots: int | None = None

    def values(self) -> dict[str, Any]:
        return {
            item.name: getattr(self, item.name)
            for item in fields(self)
            if getattr(self, item.name) is not None
        }


@dataclass(frozen=True, slots=True)
class Fact:
    """One history line: what a source said of a call and what the writer did with it."""

    source: str  # reply | snapshot | event | lookup | start
    kind: str
    phase_before: str | None
    phase_after: str | None
    applied: bool
    detail: str | None = None
    received_at: datetime | None = None


async def open_call(
    session: AsyncSession,
    *,
    phase: str,
    source: str,
    call_session_id: int | None = None,
    external_id: str | None = None,
    contact_number: str | None = None,
    virtual_number: str | None = None,
    direction: str | None = None,
    scenario_id: int | None = None,
    employee_id: int | None = None,
    started_by: int | None = None,
    started_at: datetime | None = None,
    now: datetime | None = None,
) -> CallRecord:
    """The ledger row of a call, made if no row has its call id or external id yet."""
    existing = await find_call(session, call_session_id=call_session_id, external_id=external_id)
    if existing is not None:
        return existing
    now = now or utcnow()
    row = CallRecord(
        call_session_id=call_session_id,
        external_id=external_id,
        contact_number=contact_number,
        virtual_number=virtual_number,
        direction=direction,
        scenario_id=scenario_id,
        employee_id=employee_id,
        started_by=started_by,
        phase=phase,
        legs=[],
        started_at=started_at,
        missed_snapshots=0,
        last_change_at=now,
        last_change_source=source,
        created_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        # Another update opened the same call meanwhile: both cards show that one row.
        found = await find_call(session, call_session_id=call_session_id, external_id=external_id)
        if found is None:
            raise
        return found
    await session.execute(
        insert(CallFactRecord).values(
            call_id=row.id,
            received_at=now,
            source=source,
            kind="opened",
            phase_before=None,
            phase_after=phase,
            applied=True,
        )
    )
    return row


async def find_call(
    session: AsyncSession, *, call_session_id: int | None = None, external_id: str | None = None
) -> CallRecord | None:
    conditions = []
    if call_session_id is not None:
        conditions.append(CallRecord.call_session_id == call_session_id)
    if external_id is not None:
        conditions.append(CallRecord.external_id == external_id)
    if not conditions:
        return None
    return await session.scalar(
        select(CallRecord).where(or_(*conditions)).order_by(CallRecord.id).limit(1)
    )


async def calls_from_number(session: AsyncSession, contact_number: str) -> int:
    """How many calls with this number the ledger holds (within its retention)."""
    query = (
        select(func.count())
        .select_from(CallRecord)
        .where(CallRecord.contact_number == contact_number)
    )
    return int(await session.scalar(query) or 0)


async def get_call(session: AsyncSession, call_id: int) -> CallRecord | None:
    return await session.get(CallRecord, call_id)


@dataclass(frozen=True, slots=True)
class DecidedFact:
    """A fact the writer decided on, for ``record_facts``: the call, the history line, and the
    columns to set when it was applied."""

    call_id: int
    fact: Fact
    changes: CallChanges | None = None


async def record_facts(session: AsyncSession, decided: Sequence[DecidedFact]) -> None:
    """Store many facts in the order given: one multi-row insert for the history and one
    executemany update per set of changed columns (a call's changes merged, the later winning).

    Facts must carry ``received_at`` (the writer stamps them when it decides, not when it
    stores them)."""
    if not decided:
        return
    merged: dict[int, dict[str, Any]] = {}
    for item in decided:
        if not item.fact.applied:
            continue
        values = merged.setdefault(item.call_id, {})
        if item.changes is not None:
            values.update(item.changes.values())
        values["last_change_at"] = item.fact.received_at or utcnow()
        values["last_change_source"] = item.fact.source
    # Core statements on the connection: an executemany with its own WHERE is not an ORM
    # bulk update by primary key.
    connection = await session.connection()
    calls, facts = cast(Table, CallRecord.__table__), cast(Table, CallFactRecord.__table__)
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for call_id, values in merged.items():
        columns = tuple(sorted(values))
        by_columns.setdefault(columns, []).append(
            {"call_row_id": call_id, **{f"new_{name}": values[name] for name in columns}}
        )
    for columns, rows in by_columns.items():
        statement = (
            update(calls)
            .where(calls.c.id == bindparam("call_row_id"))
            .values({name: bindparam(f"new_{name}") for name in columns})
        )
        await connection.execute(statement, rows)
    await connection.execute(
        insert(facts),
        [
            {
                "call_id": item.call_id,
                "received_at": item.fact.received_at or utcnow(),
                "source": item.fact.source,
                "kind": item.fact.kind[:64],
                "phase_before": item.fact.phase_before,
                "phase_after": item.fact.phase_after,
                "applied": item.fact.applied,
                "detail": item.fact.detail[:256] if item.fact.detail else None,
            }
            for item in decided
        ],
    )


async def history(session: AsyncSession, call_id: int) -> Sequence[CallFactRecord]:
    query = (
        select(CallFactRecord)
        .where(CallFactRecord.call_id == call_id)
        .order_by(CallFactRecord.received_at, CallFactRecord.id)
    )
    return (await session.scalars(query)).all()


async def live_cards(
    session: AsyncSession, *, final_phases: Collection[str], since: datetime
) -> Sequence[tuple[CallCard, CallRecord, str | None]]:
    """Cards whose ledger call was not over when last seen and changed after ``since``, oldest
    first, each with its call and its owner's Telegram language code (cards are drawn in it)."""
    query = (
        select(CallCard, CallRecord, TelegramUser.language_code)
        .join(CallRecord, CallRecord.id == CallCard.call_id)
        .outerjoin(TelegramUser, TelegramUser.id == CallCard.telegram_user_id)
        .where(CallRecord.phase.not_in(list(final_phases)), CallRecord.last_change_at >= since)
        .order_by(CallCard.id)
    )
    return [(row[0], row[1], row[2]) for row in (await session.execute(query)).all()]


async def started_by(
    session: AsyncSession, telegram_user_id: int, external_ids: Collection[str]
) -> set[str]:
    """Which of ``external_ids`` belong to calls this user started from Telegram."""
    if not external_ids:
        return set()
    query = select(CallRecord.external_id).where(
        CallRecord.started_by == telegram_user_id, CallRecord.external_id.in_(list(external_ids))
    )
    return {value for value in (await session.scalars(query)).all() if value is not None}


@dataclass(frozen=True, slots=True)
class PruneCounts:
    calls: int
    facts: int


async def prune_before(session: AsyncSession, before: datetime) -> PruneCounts:
    """Forget calls whose last change is older than ``before``, with their history (the cards
    showing them keep their message but no longer act)."""
    old_calls = select(CallRecord.id).where(CallRecord.last_change_at < before)
    facts = await session.execute(
        delete(CallFactRecord)
        .where(CallFactRecord.call_id.in_(old_calls))
        .returning(CallFactRecord.id)
    )
    fact_count = len(facts.all())
    await session.execute(
        update(CallCard)
        .where(CallCard.call_id.in_(old_calls))
        .values(call_id=None)
        .execution_options(synchronize_session=False)
    )
    calls = await session.execute(
        delete(CallRecord).where(CallRecord.last_change_at < before).returning(CallRecord.id)
    )
    return PruneCounts(calls=len(calls.all()), facts=fact_count)
