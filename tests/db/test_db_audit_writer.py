"""The write-behind audit writer against real databases: batching, journal, replay, limits."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from dbtest_support import (
    REPO,
    create_database,
    database_name,
    drop_database,
    unique_id,
    with_database,
)
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from db.audit import AuditRecord
from db.audit_writer import REJECTED_FILE, AuditWriter
from db.engine import create_engine
from db.journal import JournalLockedError
from db.migrate import upgrade_head
from db.models import AuditLogEntry

UNREACHABLE_URL = "postgresql+asyncpg://postgres@127.0.0.1:1/nowhere"


def make_records(user: int, count: int) -> list[AuditRecord]:
    return [
        AuditRecord.create(
            method="hold.call",
            outcome="ok",
            params={"call_session_id": index, "contact_message": {"type": "tts", "value": "Ждите"}},
            telegram_user_id=user,
            chat_id=-1001,
            callapi_login="demo.manager",
            request_id=f"req-{index}",
            call_session_id=index,
            latency_ms=12.5,
            limits={"minute_remaining": 59},
        )
        for index in range(count)
    ]


async def stored_ids(engine: AsyncEngine, user: int) -> list[uuid.UUID]:
    async with async_sessionmaker(engine)() as session:
        rows = await session.scalars(
            select(AuditLogEntry.id).where(AuditLogEntry.telegram_user_id == user)
        )
        return list(rows)


def segment_files(journal: Path) -> list[Path]:
    return sorted(journal.glob("segment-*.jsonl"))


async def test_rows_arrive_in_batches_and_the_journal_is_trimmed(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    user = unique_id()
    journal = tmp_path / "journal"
    writer = AuditWriter(engine, journal, batch_size=100, segment_rows=700)
    await writer.start()
    records = make_records(user, 2500)
    for record in records:
        writer.submit(record)
    assert await writer.flush(max_wait=60)
    stats = writer.stats
    assert (stats.submitted, stats.journaled, stats.inserted) == (2500, 2500, 2500)
    assert stats.pending == 0
    assert stats.dropped == 0
    assert stats.duplicates == 0
    assert stats.batches >= 25
    assert len(segment_files(journal)) <= 1  # sealed segments are gone once committed
    assert await writer.close()
    assert segment_files(journal) == []
    ids = await stored_ids(engine, user)
    assert sorted(ids) == sorted(record.id for record in records)


async def test_unreachable_database_loses_nothing_and_replay_is_idempotent(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    user = unique_id()
    journal = tmp_path / "journal"
    records = make_records(user, 300)
    down = create_engine(UNREACHABLE_URL)
    writer = AuditWriter(down, journal, batch_size=50, retry_initial=0.01, retry_max=0.05)
    await writer.start()
    for record in records:
        writer.submit(record)  # returns at once although no database answers
    assert not await writer.flush(max_wait=0.5)
    assert writer.stats.db_errors > 0
    assert not await writer.close(max_wait=0.1)
    await down.dispose()
    assert segment_files(journal)

    # Keep a copy of the journal to replay it a second time afterwards.
    backup = tmp_path / "backup"
    backup.mkdir()
    for path in segment_files(journal):
        (backup / path.name).write_bytes(path.read_bytes())

    for attempt in range(2):
        if attempt == 1:
            for path in segment_files(backup):
                (journal / path.name).write_bytes(path.read_bytes())
        restarted = AuditWriter(engine, journal)
        await restarted.start()
        assert await restarted.flush(max_wait=60)
        stats = restarted.stats
        assert stats.replayed == 300
        assert (stats.inserted, stats.duplicates) == ((300, 0) if attempt == 0 else (0, 300))
        assert await restarted.close()
        assert segment_files(journal) == []
    ids = await stored_ids(engine, user)
    assert sorted(ids) == sorted(record.id for record in records)


@pytest.fixture
async def late_pg_url(pg_url: str) -> AsyncIterator[str]:
    """The URL of a database that does not exist yet (the test creates it: an outage ends)."""
    name = f"{database_name(pg_url)}_late{os.getpid()}"
    yield with_database(pg_url, name)
    await drop_database(pg_url, name)


async def test_memory_stays_bounded_during_an_outage_and_everything_arrives_after(
    late_pg_url: str, pg_url: str, tmp_path: Path
) -> None:
    user = unique_id()
    journal = tmp_path / "journal"
    engine = create_engine(late_pg_url)
    writer = AuditWriter(
        engine,
        journal,
        batch_size=100,
        max_pending=500,
        segment_rows=400,
        retry_initial=0.01,
        retry_max=0.1,
    )
    await writer.start()
    records = make_records(user, 3000)
    for record in records:
        writer.submit(record)
        assert writer.stats.pending <= 500
    assert not await writer.flush(max_wait=0.3)
    assert writer.stats.spilled == 2500
    assert writer.stats.db_errors > 0

    await create_database(pg_url, database_name(late_pg_url))
    await upgrade_head(late_pg_url)

    assert await writer.flush(max_wait=60)
    stats = writer.stats
    assert stats.inserted == 3000
    assert stats.duplicates == 0
    assert stats.dropped == 0
    assert await writer.close()
    assert segment_files(journal) == []
    ids = await stored_ids(engine, user)
    assert sorted(ids) == sorted(record.id for record in records)
    await engine.dispose()


async def test_one_journal_one_process(engine: AsyncEngine, tmp_path: Path) -> None:
    first = AuditWriter(engine, tmp_path / "journal")
    await first.start()
    second = AuditWriter(engine, tmp_path / "journal")
    with pytest.raises(JournalLockedError, match="in use"):
        await second.start()
    assert await first.close()
    await second.start()  # free again
    assert await second.close()


async def test_a_row_the_database_refuses_does_not_block_the_others(
    pg_engine: AsyncEngine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    user = unique_id()
    records = make_records(user, 20)
    # Out of range for the integer column: PostgreSQL refuses this one row.
    poisoned = dataclasses.replace(records[7], error_code=2**40)
    records[7] = poisoned
    writer = AuditWriter(pg_engine, tmp_path / "journal", batch_size=20)
    await writer.start()
    with caplog.at_level(logging.ERROR, logger="db.audit_writer"):
        for record in records:
            writer.submit(record)
        assert await writer.flush(max_wait=60)
    assert writer.stats.rejected == 1
    assert writer.stats.inserted == 19
    assert any("refused by the database" in r.getMessage() for r in caplog.records)
    kept = (tmp_path / "journal" / REJECTED_FILE).read_text().splitlines()
    assert [AuditRecord.from_json(line).id for line in kept] == [poisoned.id]
    assert await writer.close()
    assert len(await stored_ids(pg_engine, user)) == 19


async def test_a_torn_last_line_is_skipped_on_replay(engine: AsyncEngine, tmp_path: Path) -> None:
    user = unique_id()
    journal = tmp_path / "journal"
    journal.mkdir()
    records = make_records(user, 3)
    torn = records[0].to_json()[:40]  # the process died in the middle of this write
    (journal / "segment-000000000007.jsonl").write_text(
        "".join(record.to_json() + "\n" for record in records) + torn
    )
    writer = AuditWriter(engine, journal)
    await writer.start()
    assert await writer.flush(max_wait=60)
    assert (writer.stats.replayed, writer.stats.damaged_lines) == (3, 1)
    assert await writer.close()
    assert len(await stored_ids(engine, user)) == 3
    assert segment_files(journal) == []


async def test_submit_outside_the_lifecycle(engine: AsyncEngine, tmp_path: Path) -> None:
    writer = AuditWriter(engine, tmp_path / "journal")
    with pytest.raises(RuntimeError, match="before start"):
        writer.submit(make_records(1, 1)[0])
    await writer.start()
    assert await writer.close()
    writer.submit(make_records(1, 1)[0])  # too late: counted and logged, never raised
    assert writer.stats.dropped == 1


JOURNAL_FAILS = textwrap.dedent(
    """
    import asyncio, logging, resource, signal, sys
    from pathlib import Path
    from db.audit import AuditRecord
    from db.audit_writer import AuditWriter
    from db.engine import create_engine

    async def main(url, journal, user):
        engine = create_engine(url)
        writer = AuditWriter(engine, Path(journal))
        await writer.start()
        # Files may not grow past 4 KiB from now on: the journal write fails (EFBIG).
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        for index in range(200):
            writer.submit(AuditRecord.create(
                method="hold.call", outcome="ok", telegram_user_id=user,
                params={"n": index, "padding": "x" * 100}))
        ok = await writer.flush(30)
        await writer.close()
        await engine.dispose()
        stats = writer.stats
        print("RESULT", ok, stats.journal_errors, stats.inserted, stats.dropped)

    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
    """
)


async def test_journal_write_failures_are_loud_and_rows_still_arrive(
    pg_engine: AsyncEngine, migrated_pg_url: str, tmp_path: Path
) -> None:
    user = unique_id()
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", JOURNAL_FAILS, migrated_pg_url, str(tmp_path / "j"), str(user)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT"))
    _, ok, journal_errors, inserted, dropped = line.split()
    assert ok == "True"
    assert int(journal_errors) > 150
    assert (int(inserted), int(dropped)) == (200, 0)
    assert "ERROR" in result.stderr
    assert "cannot write the audit journal" in result.stderr
    async with async_sessionmaker(pg_engine)() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(AuditLogEntry)
            .where(AuditLogEntry.telegram_user_id == user)
        )
    assert count == 200
