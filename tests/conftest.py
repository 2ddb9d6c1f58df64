"""Shared fixtures: a throwaway PostgreSQL database per test session on the local server."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

DEFAULT_TEST_SERVER_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
START_HINT = (
    "PostgreSQL is not answering at {where}. Start the local server with\n"
    "    pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n"
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
