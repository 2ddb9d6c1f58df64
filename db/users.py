"""Telegram users and chats the bot has seen, their access state and their UIS employee.

A user never sets their own employee: they may file an ``EmployeeRequest`` for the admins to
see, and an admin assigns it. That mapping is what tells the bot whose calls a user may
touch. Functions take a session and never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.dialect import upsert_insert
from db.models import (
    AccessState,
    EmployeeRequest,
    EmployeeRequestStatus,
    TelegramChat,
    TelegramUser,
)
from db.types import utcnow


class UserStoreError(Exception):
    """A request the user/chat store refuses; the message is safe to show an admin."""


class UnknownUserError(UserStoreError):
    pass


class NotAnAdminError(UserStoreError):
    pass


class EmployeeAlreadyAssignedError(UserStoreError):
    pass


async def record_user_seen(
    session: AsyncSession,
    user_id: int,
    *,
    username: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    language_code: str | None = None,
    now: datetime | None = None,
) -> TelegramUser:
    """Insert the user on first sight (access: pending) or refresh their profile and last_seen.

    A single upsert, so two updates from a new user handled concurrently cannot collide.
    """
    now = now or utcnow()
    insert = upsert_insert(session, TelegramUser).values(
        id=user_id,
        username=username,
        first_name=first_name,
        last_name=last_name,
        language_code=language_code,
        access=AccessState.PENDING,
        is_admin=False,
        first_seen_at=now,
        last_seen_at=now,
        updated_at=now,
    )
    statement = insert.on_conflict_do_update(
        index_elements=[TelegramUser.id],
        set_={
            "username": insert.excluded.username,
            "first_name": insert.excluded.first_name,
            "last_name": insert.excluded.last_name,
            "language_code": func.coalesce(
                insert.excluded.language_code, TelegramUser.language_code
            ),
            "last_seen_at": insert.excluded.last_seen_at,
            "updated_at": insert.excluded.updated_at,
        },
    ).returning(TelegramUser)
    result = await session.scalars(statement, execution_options={"populate_existing": True})
    user: TelegramUser = result.one()
    return user


async def record_chat_seen(
    session: AsyncSession,
    chat_id: int,
    *,
    chat_type: str,
    title: str | None = None,
    now: datetime | None = None,
) -> TelegramChat:
    """Insert the chat on first sight (access: pending) or refresh its title and last_seen."""
    now = now or utcnow()
    insert = upsert_insert(session, TelegramChat).values(
        id=chat_id,
        type=chat_type,
        title=title,
        access=AccessState.PENDING,
        first_seen_at=now,
        last_seen_at=now,
        updated_at=now,
    )
    statement = insert.on_conflict_do_update(
        index_elements=[TelegramChat.id],
        set_={
            "type": insert.excluded.type,
            "title": insert.excluded.title,
            "last_seen_at": insert.excluded.last_seen_at,
            "updated_at": insert.excluded.updated_at,
        },
    ).returning(TelegramChat)
    result = await session.scalars(statement, execution_options={"populate_existing": True})
    chat: TelegramChat = result.one()
    return chat


async def get_user(session: AsyncSession, user_id: int) -> TelegramUser | None:
    return await session.get(TelegramUser, user_id)


async def get_chat(session: AsyncSession, chat_id: int) -> TelegramChat | None:
    return await session.get(TelegramChat, chat_id)


async def list_users(
    session: AsyncSession, *, access: AccessState | None = None
) -> Sequence[TelegramUser]:
    query = select(TelegramUser).order_by(TelegramUser.first_seen_at, TelegramUser.id)
    if access is not None:
        query = query.where(TelegramUser.access == access)
    return (await session.scalars(query)).all()


async def _require_user(session: AsyncSession, user_id: int) -> TelegramUser:
    user = await session.get(TelegramUser, user_id, with_for_update=True)
    if user is None:
        raise UnknownUserError(f"Telegram user {user_id} has not been seen by the bot")
    return user


async def _require_admin(session: AsyncSession, admin_id: int) -> TelegramUser:
    admin = await session.get(TelegramUser, admin_id)
    if admin is None or not admin.is_admin:
        raise NotAnAdminError(f"Telegram user {admin_id} is not an admin")
    return admin


async def set_user_access(session: AsyncSession, user_id: int, access: AccessState) -> TelegramUser:
    user = await _require_user(session, user_id)
    user.access = access
    await session.flush()
    return user


async def set_admin(session: AsyncSession, user_id: int, is_admin: bool) -> TelegramUser:
    """Mark a user admin (the bot syncs this from CALLBOT_TELEGRAM__ADMIN_IDS).

    Admins are always allowed in."""
    user = await _require_user(session, user_id)
    user.is_admin = is_admin
    if is_admin:
        user.access = AccessState.ALLOWED
    await session.flush()
    return user


async def request_employee(
    session: AsyncSession,
    user_id: int,
    employee_id: int,
    phone: str | None = None,
    *,
    now: datetime | None = None,
) -> EmployeeRequest:
    """File the user's claim to be ``employee_id``; an earlier pending claim is superseded."""
    now = now or utcnow()
    await _require_user(session, user_id)
    await session.execute(
        update(EmployeeRequest)
        .where(
            EmployeeRequest.telegram_user_id == user_id,
            EmployeeRequest.status == EmployeeRequestStatus.PENDING,
        )
        .values(status=EmployeeRequestStatus.SUPERSEDED, decided_at=now)
    )
    request = EmployeeRequest(
        telegram_user_id=user_id,
        employee_id=employee_id,
        phone=phone,
        status=EmployeeRequestStatus.PENDING,
        requested_at=now,
    )
    session.add(request)
    await session.flush()
    return request


async def assign_employee(
    session: AsyncSession,
    user_id: int,
    employee_id: int,
    phone: str | None,
    admin_id: int,
    *,
    now: datetime | None = None,
) -> TelegramUser:
    """Admin assigns directly; the user's pending requests are superseded."""
    now = now or utcnow()
    await _require_admin(session, admin_id)
    user = await _assign(session, user_id, employee_id, phone, admin_id, now)
    await session.execute(
        update(EmployeeRequest)
        .where(
            EmployeeRequest.telegram_user_id == user_id,
            EmployeeRequest.status == EmployeeRequestStatus.PENDING,
        )
        .values(status=EmployeeRequestStatus.SUPERSEDED, decided_at=now, decided_by=admin_id)
    )
    await session.flush()
    return user


async def _assign(
    session: AsyncSession,
    user_id: int,
    employee_id: int,
    phone: str | None,
    admin_id: int,
    now: datetime,
) -> TelegramUser:
    holder = await session.scalar(
        select(TelegramUser).where(
            TelegramUser.employee_id == employee_id, TelegramUser.id != user_id
        )
    )
    if holder is not None:
        # One employee, one Telegram user: otherwise two people could act on the same calls.
        raise EmployeeAlreadyAssignedError(
            f"employee {employee_id} is already assigned to Telegram user {holder.id}; "
            "unassign it there first"
        )
    user = await _require_user(session, user_id)
    user.employee_id = employee_id
    user.employee_phone = phone
    user.employee_assigned_by = admin_id
    user.employee_assigned_at = now
    if user.access is AccessState.PENDING:
        user.access = AccessState.ALLOWED
    await session.flush()
    return user


async def user_for_employee(session: AsyncSession, employee_id: int) -> TelegramUser | None:
    """The Telegram user assigned to a UIS employee (for routing call notifications)."""
    return await session.scalar(select(TelegramUser).where(TelegramUser.employee_id == employee_id))


async def set_on_duty(session: AsyncSession, telegram_user_id: int, on_duty: bool) -> bool:
    """Put a user on duty or take them off; False when the user is unknown."""
    result = await session.execute(
        update(TelegramUser)
        .where(TelegramUser.id == telegram_user_id)
        .values(on_duty=on_duty)
        .returning(TelegramUser.id)
    )
    return result.first() is not None


async def users_on_duty(session: AsyncSession) -> Sequence[TelegramUser]:
    """Allowed users on duty, in the order they were first seen."""
    query = (
        select(TelegramUser)
        .where(TelegramUser.on_duty.is_(True), TelegramUser.access == AccessState.ALLOWED)
        .order_by(TelegramUser.first_seen_at, TelegramUser.id)
    )
    return (await session.scalars(query)).all()
