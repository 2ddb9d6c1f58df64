"""Audit writer throughput and the latency it adds to the caller, on PostgreSQL.

Prints, in one run:

  single/asyncpg  one autocommitted INSERT per row with asyncpg alone (the baseline)
  single/db       one row per transaction through ``db.audit.write_audit_record`` (SQLAlchemy)
  writer          ``AuditWriter`` through its real code path: JSON line, journal append, queue,
                  batched INSERT ... ON CONFLICT (id) DO NOTHING; rows/s from the first submit
                  until ``flush()`` returned, every row checked in the database afterwards.
                  Records are built on the fly by ``AuditRecord.create`` (the bot's side); the
                  time spent there is taken out of the writer's figure (creation is synchronous,
                  the writer's task cannot run meanwhile) and shown in an end-to-end figure.
  submit()        latency the caller of ``submit()`` sees (p50/p99/max), and the same for
                  ``AuditRecord.create() + submit()`` (what the bot pays per Call API request)

Each measurement runs ``--repeat`` times (the machine is shared); every run is printed, and the
best run (ratios: taken within the same run, so that both sides saw the same machine load) is
compared with the targets, each marked OK or MISS: writer >= 20,000 rows/s, writer >= 10x one
insert per row through the same stack (``write_audit_record``), submit() p99 <= 1 ms. The
ratio against asyncpg alone is printed too. The database is the
URL given (argument or CALLBOT_BENCH_DATABASE_URL) or, by default, a temporary database
created on 127.0.0.1:5432 and dropped afterwards.

    .venv/bin/python benchmarks/bench_audit.py            # full run (about a minute)
    .venv/bin/python benchmarks/bench_audit.py --smoke    # tiny CI run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
from sqlalchemy import func, select

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # dbtest_support: the one throwaway-database helper

from dbtest_support import asyncpg_dsn, temporary_database  # noqa: E402

from db.audit import AuditRecord, write_audit_record  # noqa: E402
from db.audit_writer import AuditWriter  # noqa: E402
from db.engine import create_engine  # noqa: E402
from db.migrate import upgrade_head  # noqa: E402
from db.models import AuditLogEntry  # noqa: E402

TARGET_ROWS_PER_SECOND = 20_000
TARGET_SPEEDUP = 10.0
TARGET_P99_MS = 1.0
YIELD_EVERY = 100  # submits between yields to the event loop (the bot awaits between actions)


def percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, round(fraction * (len(sorted_values) - 1)))
    return sorted_values[index]


def make_record(user: int, index: int) -> AuditRecord:
    """A typical row: a hold.call with its message, limits and latency."""
    return AuditRecord.create(
        method="hold.call",
        outcome="ok",
        params={
            "call_session_id": 1_000_000 + index,
            "contact_message": {"type": "tts", "value": "Пожалуйста, оставайтесь на линии."},
            "access_token": "removed-before-storage",
        },
        chat_id=-1001234567890,
        telegram_user_id=user,
        telegram_update_id=500_000 + index,
        callapi_login="demo.manager",
        request_id=f"req-{index}",
        call_session_id=1_000_000 + index,
        latency_ms=42.0,
        limits={"minute_remaining": 58, "day_remaining": 990},
    )


@asynccontextmanager
async def database(url: str | None) -> AsyncIterator[str]:
    """The given database, or a temporary one on the local server (dropped afterwards)."""
    if url:
        yield url
        return
    async with temporary_database("callbot_bench") as temporary:
        yield temporary


@dataclass
class WriterResult:
    rows_per_second: float  # the writer's own: wall time minus record creation
    end_to_end_rows_per_second: float  # including AuditRecord.create()
    submit_ms: list[float]
    create_and_submit_ms: list[float]
    batches: int
    spilled: int
    replayed: int


INSERT_ONE = (
    "INSERT INTO audit_log (id, occurred_at, chat_id, telegram_user_id, telegram_update_id, "
    "callapi_login, method, params, request_id, outcome, error_code, error_mnemonic, "
    "error_detail, call_session_id, latency_ms, limits) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
)


async def measure_single_asyncpg(url: str, rows: int) -> float:
    """The floor any per-row design pays: asyncpg alone, one autocommitted INSERT per row."""
    connection = await asyncpg.connect(asyncpg_dsn(url))
    user = secrets.randbelow(2**40) + 1
    try:
        started = time.perf_counter()
        for index in range(rows):
            record = make_record(user, index)
            await connection.execute(
                INSERT_ONE,
                record.id,
                record.occurred_at,
                record.chat_id,
                record.telegram_user_id,
                record.telegram_update_id,
                record.callapi_login,
                record.method,
                json.dumps(record.params, ensure_ascii=False),
                record.request_id,
                record.outcome.value,
                record.error_code,
                record.error_mnemonic,
                record.error_detail,
                record.call_session_id,
                record.latency_ms,
                json.dumps(record.limits),
            )
        elapsed = time.perf_counter() - started
    finally:
        await connection.close()
    return rows / elapsed


async def measure_single(url: str, rows: int) -> float:
    engine = create_engine(url)
    user = secrets.randbelow(2**40) + 1
    try:
        started = time.perf_counter()
        for index in range(rows):
            await write_audit_record(engine, make_record(user, index))
        elapsed = time.perf_counter() - started
    finally:
        await engine.dispose()
    return rows / elapsed


async def measure_writer(url: str, rows: int, batch_size: int) -> WriterResult:
    engine = create_engine(url)
    user = secrets.randbelow(2**40) + 1
    submit_ns: list[int] = []
    create_and_submit_ns: list[int] = []
    try:
        with tempfile.TemporaryDirectory(prefix="callbot-bench-journal-") as journal:
            writer = AuditWriter(engine, Path(journal), batch_size=batch_size)
            await writer.start()
            clock = time.perf_counter_ns
            started = time.perf_counter()
            for index in range(rows):
                before_create = clock()
                record = make_record(user, index)
                before_submit = clock()
                writer.submit(record)
                after = clock()
                submit_ns.append(after - before_submit)
                create_and_submit_ns.append(after - before_create)
                if index % YIELD_EVERY == YIELD_EVERY - 1:
                    await asyncio.sleep(0)
            if not await writer.flush(max_wait=600):
                raise RuntimeError("the writer did not catch up within 10 minutes")
            elapsed = time.perf_counter() - started
            stats = writer.stats
            await writer.close()
        async with engine.connect() as connection:
            stored = await connection.scalar(
                select(func.count())
                .select_from(AuditLogEntry)
                .where(AuditLogEntry.telegram_user_id == user)
            )
        if stored != rows or stats.inserted != rows or stats.dropped:
            raise RuntimeError(f"{rows} rows submitted, {stored} stored: the writer lost rows")
    finally:
        await engine.dispose()
    creating = sum(create_and_submit_ns) / 1e9 - sum(submit_ns) / 1e9
    return WriterResult(
        rows_per_second=rows / (elapsed - creating),
        end_to_end_rows_per_second=rows / elapsed,
        submit_ms=sorted(value / 1e6 for value in submit_ns),
        create_and_submit_ms=sorted(value / 1e6 for value in create_and_submit_ns),
        batches=stats.batches,
        spilled=stats.spilled,
        replayed=stats.replayed,
    )


NO_VERDICT = "--  "  # a smoke run is too small to judge a target against


def verdict(ok: bool, judged: bool = True) -> str:
    if not judged:
        return NO_VERDICT
    return "OK  " if ok else "MISS"


def describe_latency(name: str, values: list[float]) -> str:
    return (
        f"{name:<26} p50 {percentile(values, 0.50) * 1000:7.1f} us   "
        f"p99 {percentile(values, 0.99) * 1000:7.1f} us   "
        f"max {values[-1] * 1000:8.1f} us   mean {statistics.fmean(values) * 1000:6.1f} us"
    )


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", default=os.environ.get("CALLBOT_BENCH_DATABASE_URL"))
    parser.add_argument("--rows", type=int, default=100_000, help="rows through the writer")
    parser.add_argument("--single-rows", type=int, default=3_000, help="rows inserted one by one")
    parser.add_argument("--batch-size", type=int, default=1000, help="as AuditWriter's default")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement")
    parser.add_argument("--smoke", action="store_true", help="tiny run for CI")
    args = parser.parse_args()
    if args.smoke:
        args.rows, args.single_rows, args.repeat = 2_000, 200, 1

    singles_asyncpg: list[float] = []
    singles_db: list[float] = []
    writers: list[WriterResult] = []
    async with database(args.url) as url:
        where = urlsplit(url)
        print(f"database: {where.hostname}:{where.port}{where.path}  (run {uuid.uuid4().hex[:8]})")
        await upgrade_head(url)
        for run in range(1, args.repeat + 1):
            singles_asyncpg.append(await measure_single_asyncpg(url, args.single_rows))
            singles_db.append(await measure_single(url, args.single_rows))
            writers.append(await measure_writer(url, args.rows, args.batch_size))
            result = writers[-1]
            print(
                f"run {run}: single/asyncpg {singles_asyncpg[-1]:8,.0f} rows/s   "
                f"single/db {singles_db[-1]:8,.0f} rows/s   "
                f"writer {result.rows_per_second:8,.0f} rows/s "
                f"(with create() {result.end_to_end_rows_per_second:,.0f})   "
                f"= {result.rows_per_second / singles_db[-1]:.0f}x/"
                f"{result.rows_per_second / singles_asyncpg[-1]:.1f}x   "
                f"submit() p99 {percentile(result.submit_ms, 0.99) * 1000:6.1f} us   "
                f"({result.batches} batches, {result.spilled:,} rows via disk-only segments)"
            )

    best = max(writers, key=lambda result: result.rows_per_second)
    ratios_db = [w.rows_per_second / s for w, s in zip(writers, singles_db, strict=True)]
    ratios_asyncpg = [w.rows_per_second / s for w, s in zip(writers, singles_asyncpg, strict=True)]
    speedup = max(ratios_db)
    p99 = max(percentile(result.submit_ms, 0.99) for result in writers)  # worst run
    rows = f"{args.single_rows:,} rows"
    judged = not args.smoke
    print(f"best of {args.repeat}:")
    print(f"  single inserts, asyncpg alone ({rows})       {max(singles_asyncpg):9,.0f} rows/s")
    print(f"  single inserts, write_audit_record ({rows}) {max(singles_db):9,.0f} rows/s")
    print(
        f"  writer ({args.rows:,} rows, batch {args.batch_size})"
        f"{best.rows_per_second:16,.0f} rows/s"
    )
    print(
        f"  writer including AuditRecord.create()    {best.end_to_end_rows_per_second:9,.0f} rows/s"
    )
    print(
        f"  writer / single within a run: vs write_audit_record {max(ratios_db):.1f}x, "
        f"vs asyncpg alone {max(ratios_asyncpg):.1f}x"
    )
    print("  " + describe_latency("submit()", best.submit_ms))
    print("  " + describe_latency("create() + submit()", best.create_and_submit_ms))
    print(
        f"{verdict(best.rows_per_second >= TARGET_ROWS_PER_SECOND, judged)} writer >= "
        f"{TARGET_ROWS_PER_SECOND:,} rows/s: {best.rows_per_second:,.0f}"
    )
    print(
        f"{verdict(speedup >= TARGET_SPEEDUP, judged)} writer >= {TARGET_SPEEDUP:.0f}x one "
        f"insert per row: {speedup:.1f}x (asyncpg alone: {max(ratios_asyncpg):.1f}x)"
    )
    print(
        f"{verdict(p99 <= TARGET_P99_MS, judged)} submit() p99 <= {TARGET_P99_MS} ms (worst run): "
        f"{p99 * 1000:.1f} us"
    )
    if args.smoke:
        print("(smoke run: figures are not comparable with a full run, so no verdict)")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
