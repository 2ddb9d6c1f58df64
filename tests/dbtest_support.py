"""Helpers shared by the tests (and the benchmarks) that need PostgreSQL databases.

The one place that creates and drops throwaway databases: tests/conftest.py's fixtures, the e2e
kit and the benchmarks all come here. Imported as ``dbtest_support`` (tests/ is on sys.path).
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import AuditLogEntry, Base

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SERVER_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def server_url() -> str:
    """The server tests make their databases on: CALLBOT_TEST_DATABASE_URL or the local one."""
    return os.environ.get("CALLBOT_TEST_DATABASE_URL", DEFAULT_SERVER_URL)


def asyncpg_dsn(url: str) -> str:
    """The asyncpg form of a SQLAlchemy ``postgresql+asyncpg://`` URL."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def with_database(url: str, database: str) -> str:
    """``url`` naming another database on the same server."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def unique_database_name(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(5)}"


async def _admin(url: str, statement: str, connect_timeout: float) -> None:
    """Run one statement over an asyncpg connection to the database ``url`` names."""
    admin = await asyncpg.connect(asyncpg_dsn(url), timeout=connect_timeout)
    try:
        await admin.execute(statement)
    finally:
        await admin.close()


async def create_database(server: str, name: str, *, connect_timeout: float = 60) -> str:
    """Create database ``name`` through a connection to ``server`` (a URL on the same server);
    its URL."""
    await _admin(server, f'CREATE DATABASE "{name}"', connect_timeout)
    return with_database(server, name)


async def drop_database(server: str, name: str, *, connect_timeout: float = 60) -> None:
    """Drop database ``name`` (if it exists), whoever is still connected to it."""
    await _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', connect_timeout)


@asynccontextmanager
async def temporary_database(prefix: str, server: str | None = None) -> AsyncIterator[str]:
    """The URL of a database of its own, made on ``server`` (default :func:`server_url`) and
    dropped afterwards."""
    server = server or server_url()
    name = unique_database_name(prefix)
    url = await create_database(server, name)
    try:
        yield url
    finally:
        await drop_database(server, name)


async def reset_tables(engine: AsyncEngine) -> None:
    """Empty every table but the append-only audit log (tests filter that by their own ids)."""
    async with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != AuditLogEntry.__tablename__:
                await connection.execute(delete(table))


def unique_id() -> int:
    """A Telegram-sized id no other test uses (the audit log is shared and append-only)."""
    return secrets.randbelow(2**40) + 2**41


async def refuse_connections(url: str, refuse: bool) -> None:
    """Make the database at ``url`` refuse new connections and drop its current ones (the
    database "down" for the application), or accept them again."""
    name = database_name(url)
    admin = await asyncpg.connect(asyncpg_dsn(with_database(url, "postgres")))
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(not refuse).lower()}')
        if refuse:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
            )
    finally:
        await admin.close()


@asynccontextmanager
async def held_by_another_transaction(
    url: str, lock_statement: str, *args: object
) -> AsyncIterator[asyncio.Event]:
    """Another connection runs ``lock_statement`` (a row or table lock) in a transaction and
    keeps it until the yielded event is set (or the block ends): the application's writes to
    what it locked wait meanwhile, as on a slow or busy database."""
    locked, release = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        connection = await asyncpg.connect(asyncpg_dsn(url))
        try:
            async with connection.transaction():
                await connection.execute(lock_statement, *args)
                locked.set()
                await release.wait()
        finally:
            await connection.close()

    holder = asyncio.create_task(hold())
    taken = asyncio.ensure_future(locked.wait())
    await asyncio.wait([holder, taken], return_when=asyncio.FIRST_COMPLETED)
    if not taken.done():
        taken.cancel()
        holder.result()  # the lock could not be taken: raise why
    try:
        yield release
    finally:
        release.set()
        await holder
