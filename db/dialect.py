"""Small helpers for the two statements whose spelling differs per backend (upserts)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession


def dialect_name(bind: AsyncSession | AsyncConnection) -> str:
    if isinstance(bind, AsyncSession):
        return bind.get_bind().dialect.name
    return bind.dialect.name


def upsert_insert(bind: AsyncSession | AsyncConnection, table: Any) -> Any:
    """An INSERT that supports ``on_conflict_do_nothing/do_update`` for the bind's backend.

    Typed ``Any`` because the PostgreSQL and SQLite constructs share these methods without
    sharing a base class.
    """
    if dialect_name(bind) == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
