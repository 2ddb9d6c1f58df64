"""Helpers shared by the storage tests (imported by tests/db/conftest.py and test modules)."""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import AuditLogEntry, Base

REPO = Path(__file__).resolve().parents[2]


def asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


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
