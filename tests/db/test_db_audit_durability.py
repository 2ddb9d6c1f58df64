"""Audit durability on a throwaway PostgreSQL cluster (never the shared server on 5432).

10,000 rows arrive exactly once although PostgreSQL is stopped and restarted in the middle,
and although the writing process is killed with SIGKILL while the database is down.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import secrets
import socket
import sys
import textwrap
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from dbtest_support import REPO, create_database, database_name, with_database
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from db.audit import AuditRecord
from db.audit_writer import AuditWriter
from db.engine import create_engine
from db.migrate import upgrade_head
from db.models import AuditLogEntry

pytestmark = pytest.mark.slow

ROWS = 10_000
POSTGRES_VERSIONS = Path("/usr/lib/postgresql")


async def run(*command: str) -> str:
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    text = output.decode(errors="replace")
    assert process.returncode == 0, f"{' '.join(command)} failed:\n{text}"
    return text


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclasses.dataclass
class Cluster:
    version: str
    name: str
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/callbot"

    async def start(self) -> None:
        await run("pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, "start")

    async def stop(self) -> None:
        await run("pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, "stop")


def installed_postgresql_versions() -> list[str]:
    if not POSTGRES_VERSIONS.is_dir():
        return []
    return sorted(path.name for path in POSTGRES_VERSIONS.iterdir())


@pytest.fixture(scope="module")
async def cluster() -> AsyncIterator[Cluster]:
    """A cluster of our own on a free port, created and dropped here (pg_createcluster and
    pg_ctlcluster also work as root, where initdb and pg_ctl refuse)."""
    versions = installed_postgresql_versions()
    assert versions, "PostgreSQL server binaries (postgresql-common) are needed for this test"
    throwaway = Cluster(versions[-1], f"callbot_{secrets.token_hex(4)}", free_port())
    await run(
        "pg_createcluster",
        throwaway.version,
        throwaway.name,
        "-p",
        str(throwaway.port),
        "--",
        "--auth=trust",
    )
    try:
        await throwaway.start()
        server = with_database(throwaway.url, "postgres")
        await create_database(server, database_name(throwaway.url), connect_timeout=30)
        await upgrade_head(throwaway.url)
        yield throwaway
    finally:
        await run("pg_dropcluster", "--stop", throwaway.version, throwaway.name)


def row_id(user: int, index: int) -> uuid.UUID:
    """Deterministic ids, so a restarted process re-submitting a row cannot double it."""
    return uuid.UUID(int=(user << 64) | index)


def record(user: int, index: int) -> AuditRecord:
    return AuditRecord.create(
        method="hold.call",
        outcome="ok",
        params={"n": index, "contact_message": {"type": "tts", "value": "Оставайтесь на линии"}},
        telegram_user_id=user,
        call_session_id=index,
        latency_ms=10.0,
        record_id=row_id(user, index),
    )


async def stored(engine: AsyncEngine, user: int) -> list[uuid.UUID]:
    async with async_sessionmaker(engine)() as session:
        rows = await session.scalars(
            select(AuditLogEntry.id).where(AuditLogEntry.telegram_user_id == user)
        )
        return list(rows)


def assert_exactly_once(ids: list[uuid.UUID], user: int) -> None:
    assert len(ids) == ROWS, f"{len(ids)} rows stored, expected {ROWS}"
    assert set(ids) == {row_id(user, index) for index in range(1, ROWS + 1)}


async def test_rows_survive_postgresql_stopping_and_restarting(
    cluster: Cluster, tmp_path: Path
) -> None:
    user = secrets.randbelow(2**30) + 1
    engine = create_engine(cluster.url)
    writer = AuditWriter(
        engine,
        tmp_path / "journal",
        batch_size=500,
        max_pending=2_000,
        retry_initial=0.05,
        retry_max=0.5,
    )
    await writer.start()
    try:
        for index in range(1, ROWS + 1):
            writer.submit(record(user, index))
            if index % 100 == 0:
                await asyncio.sleep(0.005)  # the bot does other work between actions
            if index == 3_000:
                await cluster.stop()
            elif index == 7_000:
                await cluster.start()
        assert await writer.flush(max_wait=180)
        stats = writer.stats
        assert stats.db_errors > 0, "the outage was never noticed: the test proved nothing"
        assert stats.dropped == 0
        assert stats.rejected == 0
        assert stats.inserted == ROWS
        assert await writer.close()
        assert_exactly_once(await stored(engine, user), user)
        assert not list((tmp_path / "journal").glob("segment-*"))
    finally:
        await writer.close(max_wait=1)
        await engine.dispose()


CHILD = textwrap.dedent(
    """
    import asyncio, sys, uuid
    from pathlib import Path
    from db.audit import AuditRecord
    from db.audit_writer import AuditWriter
    from db.engine import create_engine

    async def main(url, journal, user, first, last):
        engine = create_engine(url)
        writer = AuditWriter(engine, Path(journal), batch_size=200, linger=0.2,
                             retry_initial=0.05, retry_max=0.5)
        await writer.start()
        for index in range(first, last + 1):
            writer.submit(AuditRecord.create(
                method="hold.call", outcome="ok", telegram_user_id=user,
                params={"n": index, "contact_message": {"type": "tts", "value": "Ждите"}},
                call_session_id=index, latency_ms=10.0,
                record_id=uuid.UUID(int=(user << 64) | index)))
            if index % 100 == 0:
                print("progress", index, flush=True)
                await asyncio.sleep(0.02)
        ok = await writer.flush(180)
        stats = writer.stats
        print("done", ok, stats.replayed, stats.inserted, stats.duplicates, flush=True)
        await writer.close()
        await engine.dispose()

    url, journal, user, first, last = sys.argv[1:6]
    asyncio.run(main(url, journal, int(user), int(first), int(last)))
    """
)


async def start_child(
    cluster: Cluster, journal: Path, user: int, first: int
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        cluster.url,
        str(journal),
        str(user),
        str(first),
        str(ROWS),
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def read_until(process: asyncio.subprocess.Process, prefix: str, at_least: int) -> int:
    """Read the child's progress lines until it reports ``at_least``; returns that figure."""
    assert process.stdout is not None
    while True:
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=120)).decode()
        assert line, "the child exited early"
        words = line.split()
        if words and words[0] == prefix and int(words[1]) >= at_least:
            return int(words[1])


async def test_rows_survive_sigkill_of_the_writer_while_postgresql_is_down(
    cluster: Cluster, tmp_path: Path
) -> None:
    user = secrets.randbelow(2**30) + 1
    journal = tmp_path / "journal"
    first = await start_child(cluster, journal, user, 1)
    try:
        await read_until(first, "progress", 3_000)
        await cluster.stop()
        reported = await read_until(first, "progress", 6_000)
        first.kill()  # SIGKILL: no flush, no close, no atexit
    finally:
        if first.returncode is None:
            first.kill()
        await first.wait()
    assert first.returncode == -9
    assert list(journal.glob("segment-*")), "the killed writer left no journal"
    await cluster.start()

    # The restarted process replays the journal and goes on from the last reported row.
    # Rows it submits again carry the same ids, so they cannot be stored twice.
    second = await start_child(cluster, journal, user, reported + 1)
    assert second.stdout is not None
    output = (await asyncio.wait_for(second.stdout.read(), timeout=300)).decode()
    await second.wait()
    assert second.returncode == 0
    done = next(line for line in output.splitlines() if line.startswith("done")).split()
    flushed, replayed = done[1], int(done[2])
    assert flushed == "True"
    assert replayed >= reported - 3_000, "rows submitted while the database was down were lost"

    engine = create_engine(cluster.url)
    try:
        assert_exactly_once(await stored(engine, user), user)
    finally:
        await engine.dispose()
    assert not list(journal.glob("segment-*"))
