"""Shared fixtures: a throwaway PostgreSQL database per test session on the local server."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest
from dbtest_support import (
    create_database,
    database_name,
    drop_database,
    reset_tables,
    server_url,
    temporary_database,
    unique_database_name,
)
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.engine import create_engine, session_factory
from db.migrate import upgrade_head

START_HINT = (
    "PostgreSQL is not answering at {where}. Start the local server with\n"
    "    bash .ci/start-postgresql\n"
    "(from the repository root: pg_ctlcluster starts the newest cluster on port 5432)\n"
    "or point CALLBOT_TEST_DATABASE_URL at a server where the test user may CREATE DATABASE."
)


@pytest.fixture(autouse=True)
def _no_callbot_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own CALLBOT_* variables must not leak into tests."""
    for name in list(os.environ):
        if name.startswith("CALLBOT_") and name != "CALLBOT_TEST_DATABASE_URL":
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
async def pg_url() -> AsyncIterator[str]:
    """SQLAlchemy URL (postgresql+asyncpg) of a fresh database, dropped after the session."""
    server = server_url()
    name = unique_database_name("callbot_test")
    try:
        url = await create_database(server, name, connect_timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        where = urlsplit(server).netloc.rsplit("@", 1)[-1]
        pytest.fail(START_HINT.format(where=where) + f"\n({type(exc).__name__})", pytrace=False)
    try:
        yield url
    finally:
        await drop_database(server, name, connect_timeout=5)


# --- storage fixtures: migrated databases on both backends (real, never mocked) ---


@pytest.fixture(scope="session")
async def migrated_pg_url(pg_url: str) -> str:
    await upgrade_head(pg_url)
    return pg_url


@pytest.fixture(scope="session")
async def pg_engine(migrated_pg_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(migrated_pg_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def empty_pg_url(pg_url: str) -> AsyncIterator[str]:
    """A database of its own (for tests that migrate up and down), on the same server."""
    async with temporary_database(database_name(pg_url), server=pg_url) as url:
        yield url


@pytest.fixture(scope="session")
async def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating every time is slower)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "callbot.sqlite3"
    await upgrade_head(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "callbot.sqlite3"
    shutil.copyfile(sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture(params=["postgresql", "sqlite"])
async def engine(
    request: pytest.FixtureRequest, pg_engine: AsyncEngine, sqlite_url: str
) -> AsyncIterator[AsyncEngine]:
    """A migrated database, once per backend."""
    if request.param == "postgresql":
        await reset_tables(pg_engine)
        yield pg_engine
    else:
        sqlite_engine = create_engine(sqlite_url)
        yield sqlite_engine
        await sqlite_engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)
