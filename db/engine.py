"""Engine and session factory for both backends (PostgreSQL via asyncpg, SQLite via aiosqlite)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 10_000


def is_sqlite(database_url: str) -> bool:
    return make_url(database_url).get_backend_name() == "sqlite"


def is_postgresql(database_url: str) -> bool:
    return make_url(database_url).get_backend_name() == "postgresql"


def sqlite_path(database_url: str) -> Path | None:
    """The file behind a SQLite URL; None for other backends and for in-memory databases."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def create_engine(
    database_url: str,
    *,
    echo: bool = False,
    sqlite_foreign_keys: bool = True,
    **options: Any,
) -> AsyncEngine:
    """An ``AsyncEngine`` configured for the backend in ``database_url``.

    SQLite: creates the file's directory, enforces foreign keys, uses WAL (readers do not block
    the writer) and waits on a locked database instead of failing at once.
    PostgreSQL: pre-pings pooled connections so that a server restart costs one failed
    checkout, not an error in the user's action.
    """
    if is_sqlite(database_url):
        path = sqlite_path(database_url)
        if path is not None:
            _create_private_file(path)
        engine = _create_async_engine(database_url, echo=echo, **options)
        event.listen(
            engine.sync_engine,
            "connect",
            _configure_sqlite_connection if sqlite_foreign_keys else _configure_sqlite_migration,
        )
        return engine
    options.setdefault("pool_pre_ping", True)
    return _create_async_engine(database_url, echo=echo, **options)


def _create_private_file(path: Path) -> None:
    """Create the SQLite file owner-only (0600) before SQLite would create it 0644.

    It holds phone numbers, encrypted tokens and the audit log. SQLite gives its WAL and
    shared-memory files the database file's permissions, so they follow.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(descriptor)


def _configure_sqlite_connection(dbapi_connection: Any, record: Any) -> None:
    _configure_sqlite(dbapi_connection, foreign_keys=True)


def _configure_sqlite_migration(dbapi_connection: Any, record: Any) -> None:
    _configure_sqlite(dbapi_connection, foreign_keys=False)


def _configure_sqlite(dbapi_connection: Any, *, foreign_keys: bool) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded attributes after commit (the bot reads them afterwards)."""
    return async_sessionmaker(engine, expire_on_commit=False)
