"""Users, chats, access state and the admin-assigned employee mapping."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.models import AccessState, EmployeeRequest, EmployeeRequestStatus
from db.users import (
    EmployeeAlreadyAssignedError,
    NotAnAdminError,
    UnknownUserError,
    assign_employee,
    get_user,
    list_users,
    record_chat_seen,
    record_user_seen,
    request_employee,
    set_admin,
    set_user_access,
    user_for_employee,
)

ADMIN = 1000
ANNA = 2000
IVAN = 3000


async def seed(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        for user_id in (ADMIN, ANNA, IVAN):
            await record_user_seen(session, user_id, first_name=f"user{user_id}")
        await set_admin(session, ADMIN, True)


async def test_first_sight_then_refresh_keeps_first_seen(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    first = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
    later = first + timedelta(days=3)
    async with sessions.begin() as session:
        user = await record_user_seen(session, ANNA, username="anna", language_code="ru", now=first)
        assert user.access is AccessState.PENDING
        assert not user.is_admin
    async with sessions.begin() as session:
        user = await record_user_seen(session, ANNA, username="anna_s", now=later)
        assert user.username == "anna_s"
        assert user.language_code == "ru"  # an update without a language keeps the old one
        assert user.first_seen_at == first
        assert user.last_seen_at == later
        assert user.first_seen_at.tzinfo is not None


async def test_concurrent_first_sight_does_not_collide(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async def see() -> None:
        async with sessions.begin() as session:
            await record_user_seen(session, IVAN, first_name="Ivan")

    await asyncio.gather(*(see() for _ in range(5)))
    async with sessions() as session:
        assert len(await list_users(session)) == 1


async def test_chats_are_recorded(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        chat = await record_chat_seen(session, -100123, chat_type="supergroup", title="On call")
        assert chat.access is AccessState.PENDING
    async with sessions.begin() as session:
        chat = await record_chat_seen(session, -100123, chat_type="supergroup", title="Duty")
        assert chat.title == "Duty"


async def test_access_state_changes(sessions: async_sessionmaker[AsyncSession]) -> None:
    await seed(sessions)
    async with sessions.begin() as session:
        await set_user_access(session, ANNA, AccessState.BLOCKED)
        with pytest.raises(UnknownUserError):
            await set_user_access(session, 999_999, AccessState.ALLOWED)
    async with sessions() as session:
        blocked = await list_users(session, access=AccessState.BLOCKED)
        assert [user.id for user in blocked] == [ANNA]
        admin = await get_user(session, ADMIN)
        assert admin is not None
        assert admin.access is AccessState.ALLOWED


async def pending_claims(session: AsyncSession) -> list[tuple[int, int]]:
    """(user, employee) of every pending claim, oldest first."""
    query = (
        select(EmployeeRequest)
        .where(EmployeeRequest.status == EmployeeRequestStatus.PENDING)
        .order_by(EmployeeRequest.id)
    )
    return [(claim.telegram_user_id, claim.employee_id) for claim in await session.scalars(query)]


async def test_a_claim_changes_nothing_until_an_admin_assigns(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await seed(sessions)
    async with sessions.begin() as session:
        await request_employee(session, ANNA, 100, "79160000100")
        anna = await get_user(session, ANNA)
        assert anna is not None
        assert anna.employee_id is None  # a claim alone changes nothing
    async with sessions() as session:
        with pytest.raises(NotAnAdminError):
            await assign_employee(session, ANNA, 100, None, ANNA)  # not herself
        with pytest.raises(NotAnAdminError):
            await assign_employee(session, ANNA, 100, None, IVAN)
    async with sessions.begin() as session:
        user = await assign_employee(session, ANNA, 100, "79160000100", ADMIN)
        assert (user.employee_id, user.employee_phone) == (100, "79160000100")
        assert user.access is AccessState.ALLOWED
        assert user.employee_assigned_by == ADMIN
    async with sessions() as session:
        holder = await user_for_employee(session, 100)
        assert holder is not None
        assert holder.id == ANNA
        assert await pending_claims(session) == []


async def test_nobody_can_become_an_employee_someone_else_already_is(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await seed(sessions)
    async with sessions.begin() as session:
        await assign_employee(session, ANNA, 100, None, ADMIN)
    async with sessions() as session:
        with pytest.raises(EmployeeAlreadyAssignedError, match="already assigned"):
            await assign_employee(session, IVAN, 100, None, ADMIN)


async def test_a_new_claim_supersedes_the_pending_one(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await seed(sessions)
    async with sessions.begin() as session:
        await request_employee(session, IVAN, 101)
        await request_employee(session, IVAN, 102)
    async with sessions.begin() as session:
        assert await pending_claims(session) == [(IVAN, 102)]
        await assign_employee(session, IVAN, 101, None, ADMIN)  # direct assignment wins
        assert await pending_claims(session) == []


async def test_assignment_does_not_unblock_a_blocked_user(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await seed(sessions)
    async with sessions.begin() as session:
        await set_user_access(session, IVAN, AccessState.BLOCKED)
        await request_employee(session, IVAN, 103)
        user = await assign_employee(session, IVAN, 103, None, ADMIN)
        assert user.access is AccessState.BLOCKED


async def test_timestamps_are_timezone_aware_utc(engine: AsyncEngine) -> None:
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    in_moscow = datetime(2025, 6, 1, 18, 0, tzinfo=timezone(timedelta(hours=3)))
    async with sessions.begin() as session:
        await record_user_seen(session, ANNA, now=in_moscow)
    async with sessions() as session:
        user = await get_user(session, ANNA)
        assert user is not None
        assert user.last_seen_at == datetime(2025, 6, 1, 15, 0, tzinfo=UTC)
        assert user.last_seen_at.utcoffset() == timedelta(0)
    with pytest.raises(StatementError, match="naive"):
        async with sessions.begin() as session:
            await record_user_seen(session, IVAN, now=datetime(2025, 1, 1))
