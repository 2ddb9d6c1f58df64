"""Shared fixtures: a throwaway PostgreSQL database per test session on the local server."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from dbtest_support import asyncpg_dsn, database_name, reset_tables, with_database
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.engine import create_engine, session_factory
from db.migrate import upgrade_head

DEFAULT_TEST_SERVER_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
START_HINT = (
    "PostgreSQL is not answering at {where}. Start the local server with\n"
    "    bash .ci/start-postgresql\n"
    "(from the repository root: pg_ctlcluster starts the newest cluster on port 5432)\n"
    "or point CALLBOT_TEST_DATABASE_URL at a server where the test user may CREATE DATABASE."
)


def _server_url() -> str:
    return os.environ.get("CALLBOT_TEST_DATABASE_URL", DEFAULT_TEST_SERVER_URL)


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@pytest.fixture(autouse=True)
def _no_callbot_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own CALLBOT_* variables must not leak into tests."""
    for name in list(os.environ):
        if name.startswith("CALLBOT_") and name != "CALLBOT_TEST_DATABASE_URL":
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
async def pg_url() -> AsyncIterator[str]:
    """SQLAlchemy URL (postgresql+asyncpg) of a fresh database, dropped after the session."""
    server_url = _server_url()
    where = urlsplit(server_url).netloc.rsplit("@", 1)[-1]
    try:
        admin = await asyncpg.connect(_asyncpg_dsn(server_url), timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(START_HINT.format(where=where) + f"\n({type(exc).__name__})", pytrace=False)
    name = f"callbot_test_{secrets.token_hex(6)}"
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield _with_database(server_url, name)
    finally:
        admin = await asyncpg.connect(_asyncpg_dsn(server_url), timeout=5)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


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
    name = f"{database_name(pg_url)}_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(asyncpg_dsn(pg_url))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    yield with_database(pg_url, name)
    admin = await asyncpg.connect(asyncpg_dsn(pg_url))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


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
