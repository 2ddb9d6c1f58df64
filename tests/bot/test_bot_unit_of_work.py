"""The session of one update (bot.unit_of_work), on the real databases of both backends."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.unit_of_work import Database, UpdateSession, update_units
from db import users as user_store


async def _as_update(middleware: UpdateSession, body: Any) -> Any:
    async def handler(_event: TelegramObject, _data: dict[str, Any]) -> Any:
        return await body()

    return await middleware(handler, TelegramObject(), {})


async def test_an_update_that_reads_nothing_opens_no_session(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    middleware = UpdateSession(sessions)

    async def nothing() -> None:
        return None

    await _as_update(middleware, nothing)
    assert middleware.opened == 0


async def test_units_of_one_update_share_its_session_and_each_commits(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    db = Database(sessions)
    middleware = UpdateSession(sessions)
    seen: list[AsyncSession] = []

    async def two_units() -> None:
        async with db.unit() as session:
            seen.append(session)
            await user_store.record_user_seen(session, 7001, first_name="A")
        # Committed and released: nothing is held while, say, a Call API request runs.
        assert not seen[0].in_transaction()
        async with sessions() as other:  # another connection sees the first unit's row
            assert await user_store.get_user(other, 7001) is not None
        async with db.unit() as session:
            seen.append(session)
            row = await user_store.get_user(session, 7001)
            assert row is not None
            assert row.first_name == "A"
        assert update_units() == 2

    await _as_update(middleware, two_units)
    assert middleware.opened == 1
    assert seen[0] is seen[1]


async def test_a_failing_unit_rolls_back_only_itself(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    db = Database(sessions)
    middleware = UpdateSession(sessions)

    async def failing_unit() -> None:
        async with db.unit() as session:
            await user_store.record_user_seen(session, 7003, first_name="Lost")
            raise RuntimeError("the handler failed")

    async def first_kept_then_one_fails() -> None:
        async with db.unit() as session:
            await user_store.record_user_seen(session, 7002, first_name="Kept")
        with pytest.raises(RuntimeError):
            await failing_unit()
        async with db.unit() as session:  # the session is usable again
            await user_store.record_user_seen(session, 7004, first_name="After")

    await _as_update(middleware, first_kept_then_one_fails)
    async with sessions() as session:
        assert await user_store.get_user(session, 7002) is not None
        assert await user_store.get_user(session, 7003) is None
        assert await user_store.get_user(session, 7004) is not None


async def test_a_task_spawned_by_an_update_and_a_nested_unit_get_sessions_of_their_own(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    db = Database(sessions)
    middleware = UpdateSession(sessions)
    seen: dict[str, AsyncSession] = {}

    async def in_a_task() -> None:
        async with db.unit() as session:
            seen["task"] = session

    async def body() -> None:
        async with db.unit() as outer:
            seen["update"] = outer
            async with db.unit() as nested:
                seen["nested"] = nested
        await asyncio.create_task(in_a_task())

    await _as_update(middleware, body)
    assert seen["task"] is not seen["update"]
    assert seen["nested"] is not seen["update"]


async def test_outside_an_update_every_unit_has_its_own_session(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    db = Database(sessions)
    async with db.unit() as first:
        await user_store.record_user_seen(first, 7005)
    async with db.unit() as second:
        assert await user_store.get_user(second, 7005) is not None
    assert first is not second
    assert update_units() == 0
