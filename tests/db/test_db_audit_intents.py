"""Write-ahead intents in the audit writer: an intent is journaled, never a row by itself; its
outcome's row replaces it; an earlier run's intent without an outcome becomes one
"outcome_unknown" row at start-up - once, however often the journal is replayed.

A SIGKILL is imitated by copying the journal directory while the writer runs: what a killed
process leaves behind is exactly what its write(2) calls put into the files.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

from dbtest_support import unique_id
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from db.audit import AuditRecord
from db.audit_writer import INTENT_PREFIX, AuditWriter
from db.engine import create_engine
from db.models import AuditLogEntry, AuditOutcome

UNREACHABLE_URL = "postgresql+asyncpg://postgres@127.0.0.1:1/nowhere"


def intent(user: int, request_id: str) -> AuditRecord:
    return AuditRecord.create(
        method="hold.call",
        outcome=AuditOutcome.OUTCOME_UNKNOWN,
        params={"call_session_id": 7},
        telegram_user_id=user,
        request_id=request_id,
        error_detail="sent, outcome unknown",
    )


def outcome(user: int, request_id: str, result: str = "ok") -> AuditRecord:
    return AuditRecord.create(
        method="hold.call",
        outcome=result,
        params={"call_session_id": 7},
        telegram_user_id=user,
        request_id=request_id,
        latency_ms=3.0,
    )


async def rows_of(engine: AsyncEngine, user: int) -> list[tuple[str | None, str, uuid.UUID]]:
    """(request id, outcome, row id) of the user's rows, by request id."""
    async with async_sessionmaker(engine)() as session:
        rows = await session.execute(
            select(AuditLogEntry.request_id, AuditLogEntry.outcome, AuditLogEntry.id)
            .where(AuditLogEntry.telegram_user_id == user)
            .order_by(AuditLogEntry.request_id)
        )
        return [(request_id, result.value, row_id) for request_id, result, row_id in rows]


def segments(journal: Path) -> list[Path]:
    return sorted(journal.glob("segment-*.jsonl"))


def killed_copy(journal: Path, where: Path) -> Path:
    """The journal as a process killed now would leave it (its segment files)."""
    where.mkdir()
    for path in segments(journal):
        shutil.copyfile(path, where / path.name)
    return where


async def started(engine: AsyncEngine, journal: Path, **options: Any) -> AuditWriter:
    writer = AuditWriter(engine, journal, **options)
    await writer.start()
    return writer


async def a_writer(
    engine: AsyncEngine, tmp_path: Path, **options: Any
) -> tuple[int, Path, AuditWriter]:
    """A fresh user id (whose rows the test counts), a journal, and a writer started on it."""
    journal = tmp_path / "journal"
    return unique_id(), journal, await started(engine, journal, **options)


async def replay(engine: AsyncEngine, journal: Path) -> AuditWriter:
    writer = await started(engine, journal)
    assert await writer.flush(max_wait=60)
    assert await writer.close()
    assert segments(journal) == []
    return writer


async def test_an_answered_intent_is_one_row_under_the_intents_id(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    user, journal, writer = await a_writer(engine, tmp_path)
    announced = intent(user, "r-1")
    writer.submit_intent(announced)
    assert writer.stats.open_intents == 1
    (segment,) = segments(journal)
    assert segment.read_text().startswith(INTENT_PREFIX)  # on disk before the request leaves
    assert await writer.flush(max_wait=60)
    assert await rows_of(engine, user) == []  # an intent is not a row
    writer.submit(outcome(user, "r-1"))
    assert await writer.flush(max_wait=60)
    stats = writer.stats
    assert (stats.intents, stats.open_intents, stats.inserted) == (1, 0, 1)
    assert await writer.close()
    assert segments(journal) == []
    assert await rows_of(engine, user) == [("r-1", "ok", announced.id)]


async def test_intents_without_an_outcome_become_unknown_rows_once(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    user, journal, writer = await a_writer(engine, tmp_path)
    answered, lost = intent(user, "r-1"), intent(user, "r-2")
    writer.submit_intent(answered)
    writer.submit(outcome(user, "r-1", "api_error"))
    writer.submit_intent(lost)  # the process dies while this request is out
    crash = killed_copy(journal, tmp_path / "crash")
    again = killed_copy(crash, tmp_path / "again")
    assert await writer.close()

    first = await replay(engine, crash)
    assert (first.stats.unknown, first.stats.replayed) == (1, 1)
    expected = [("r-1", "api_error", answered.id), ("r-2", "outcome_unknown", lost.id)]
    assert await rows_of(engine, user) == expected
    second = await replay(engine, again)  # killed again before deleting: replayed twice
    assert second.stats.inserted == 0
    assert await rows_of(engine, user) == expected


async def test_an_outcome_committed_before_the_crash_is_not_doubled_by_its_intent(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """The outcome's segment is gone (committed), its intent's segment is kept by another
    request still out: at start-up the intent looks orphaned, and must add nothing."""
    user, journal, writer = await a_writer(engine, tmp_path, segment_rows=2)
    first, second = intent(user, "r-1"), intent(user, "r-2")
    writer.submit_intent(first)
    writer.submit_intent(second)  # the segment is full: sealed, kept for these two
    writer.submit(outcome(user, "r-1"))
    assert await writer.flush(max_wait=60)
    assert await rows_of(engine, user) == [("r-1", "ok", first.id)]
    crash = killed_copy(journal, tmp_path / "crash")
    assert len(segments(crash)) >= 1
    writer.submit(outcome(user, "r-2"))
    assert await writer.close()

    await replay(engine, crash)
    assert await rows_of(engine, user) == [("r-1", "ok", first.id), ("r-2", "ok", second.id)]


async def test_a_segment_stays_while_an_intent_in_it_waits(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    user, journal, writer = await a_writer(engine, tmp_path, segment_rows=5)
    slow = intent(user, "slow")
    writer.submit_intent(slow)
    first_segment = segments(journal)[0]
    for index in range(40):  # other requests come and go; segments rotate and are trimmed
        writer.submit_intent(intent(user, f"fast-{index:02}"))
        writer.submit(outcome(user, f"fast-{index:02}"))
        if index % 10 == 9:
            assert await writer.flush(max_wait=60)
    assert first_segment.exists()
    assert writer.stats.open_intents == 1
    assert len(segments(journal)) <= 3
    writer.submit(outcome(user, "slow", "transport_error"))
    assert await writer.flush(max_wait=60)
    assert not first_segment.exists()
    assert await writer.close()
    assert segments(journal) == []
    rows = await rows_of(engine, user)
    assert len(rows) == 41
    assert ("slow", "transport_error", slow.id) in rows


async def test_a_spilled_segment_replayed_live_keeps_an_intent_still_out(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """Memory full: rows and an intent go to a disk-only segment, which this same process
    replays. The intent is a request in flight, not an unknown outcome: no row for it, and
    its file stays until the outcome arrives."""
    user, journal, writer = await a_writer(
        engine, tmp_path, batch_size=1, max_pending=1, linger=1.0
    )
    writer.submit(outcome(user, "before"))  # fills memory (it lingers)
    writer.submit(outcome(user, "spilled-1"))  # disk only from here on
    out = intent(user, "out")
    writer.submit_intent(out)
    writer.submit(outcome(user, "spilled-2"))
    assert writer.stats.spilled == 2
    assert await writer.flush(max_wait=60)
    assert [row[0] for row in await rows_of(engine, user)] == ["before", "spilled-1", "spilled-2"]
    assert writer.stats.open_intents == 1
    kept = [path for path in segments(journal) if INTENT_PREFIX in path.read_text()]
    assert len(kept) == 1
    writer.submit(outcome(user, "out"))
    assert await writer.flush(max_wait=60)
    assert not kept[0].exists()
    assert await writer.close()
    assert ("out", "ok", out.id) in await rows_of(engine, user)
    assert writer.stats.unknown == 0


async def test_unknown_rows_wait_for_the_database(engine: AsyncEngine, tmp_path: Path) -> None:
    """Intent and outcome journaled while the database is down, then a crash: the next start
    stores the outcome, and an unknown row only for the request without one."""
    down = create_engine(UNREACHABLE_URL)
    user, journal, writer = await a_writer(down, tmp_path, retry_initial=0.01, retry_max=0.05)
    for index in range(3):
        writer.submit_intent(intent(user, f"r-{index}"))
    writer.submit(outcome(user, "r-0"))
    writer.submit(outcome(user, "r-2", "api_error"))
    crash = killed_copy(journal, tmp_path / "crash")
    assert not await writer.close(max_wait=0.1)
    await down.dispose()

    restarted = await replay(engine, crash)
    assert (restarted.stats.inserted, restarted.stats.unknown) == (3, 1)
    assert [row[:2] for row in await rows_of(engine, user)] == [
        ("r-0", "ok"),
        ("r-1", "outcome_unknown"),
        ("r-2", "api_error"),
    ]


async def test_a_clean_close_with_a_request_out_leaves_its_intent_for_the_next_start(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    user, journal, writer = await a_writer(engine, tmp_path)
    writer.submit_intent(intent(user, "r-1"))
    assert await writer.close()  # every row is stored; the intent waits on disk
    assert len(segments(journal)) == 1
    restarted = await replay(engine, journal)
    assert restarted.stats.unknown == 1
    assert [row[:2] for row in await rows_of(engine, user)] == [("r-1", "outcome_unknown")]
