"""Users, chats, access state and the admin-approved employee mapping."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.models import AccessState, EmployeeRequestStatus
from db.users import (
    EmployeeAlreadyAssignedError,
    NotAnAdminError,
    RequestNotPendingError,
    UnknownUserError,
    approve_employee_request,
    assign_employee,
    employee_of,
    get_user,
    list_users,
    pending_employee_requests,
    record_chat_seen,
    record_user_seen,
    reject_employee_request,
    request_employee,
    set_admin,
    set_user_access,
    unassign_employee,
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


async def test_employee_request_needs_an_admin(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await seed(sessions)
    async with sessions.begin() as session:
        request = await request_employee(session, ANNA, 100, "79160000100")
        request_id = request.id
        assert await employee_of(session, ANNA) is None  # a claim alone changes nothing
    async with sessions() as session:
        with pytest.raises(NotAnAdminError):
            await approve_employee_request(session, request_id, ANNA)  # not herself
        with pytest.raises(NotAnAdminError):
            await approve_employee_request(session, request_id, IVAN)
    async with sessions.begin() as session:
        user = await approve_employee_request(session, request_id, ADMIN)
        assert (user.employee_id, user.employee_phone) == (100, "79160000100")
        assert user.access is AccessState.ALLOWED
        assert user.employee_assigned_by == ADMIN
    async with sessions() as session:
        assert await employee_of(session, ANNA) == 100
        holder = await user_for_employee(session, 100)
        assert holder is not None
        assert holder.id == ANNA
        assert await pending_employee_requests(session) == []
        with pytest.raises(RequestNotPendingError):
            await approve_employee_request(session, request_id, ADMIN)


async def test_nobody_can_become_an_employee_someone_else_already_is(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await seed(sessions)
    async with sessions.begin() as session:
        await assign_employee(session, ANNA, 100, None, ADMIN)
        claim = await request_employee(session, IVAN, 100)
        claim_id = claim.id
    async with sessions() as session:
        with pytest.raises(EmployeeAlreadyAssignedError, match="already assigned"):
            await approve_employee_request(session, claim_id, ADMIN)
    async with sessions.begin() as session:
        rejected = await reject_employee_request(session, claim_id, ADMIN)
        assert rejected.status is EmployeeRequestStatus.REJECTED
        await unassign_employee(session, ANNA, ADMIN)
        await assign_employee(session, IVAN, 100, "79160000100", ADMIN)
    async with sessions() as session:
        assert await employee_of(session, ANNA) is None
        assert await employee_of(session, IVAN) == 100


async def test_a_new_claim_supersedes_the_pending_one(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await seed(sessions)
    async with sessions.begin() as session:
        await request_employee(session, IVAN, 101)
        await request_employee(session, IVAN, 102)
    async with sessions.begin() as session:
        pending = await pending_employee_requests(session)
        assert [(request.telegram_user_id, request.employee_id) for request in pending] == [
            (IVAN, 102)
        ]
        await assign_employee(session, IVAN, 101, None, ADMIN)  # direct assignment wins
        assert await pending_employee_requests(session) == []


async def test_approval_does_not_unblock_a_blocked_user(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await seed(sessions)
    async with sessions.begin() as session:
        await set_user_access(session, IVAN, AccessState.BLOCKED)
        request = await request_employee(session, IVAN, 103)
        user = await approve_employee_request(session, request.id, ADMIN)
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
