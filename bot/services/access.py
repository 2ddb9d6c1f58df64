"""Who may use the bot, and which UIS employee each user is.

Admins come from settings. Other users are let in by an admin's approval, or by an allowlist.
User profiles are cached in memory and re-recorded at most every few minutes: every update
passes here, and a write per update would be the slowest part of a button press. Every change
an admin makes goes through this service, which drops the cached entry at once.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.settings import AccessMode
from bot.unit_of_work import Database
from db import users as user_store
from db.models import AccessState, TelegramUser

__all__ = ["AccessRequestDesk", "AccessService", "AccessState", "Member"]

RECORD_EVERY_SECONDS = 300.0


@dataclass(frozen=True)
class Member:
    user_id: int
    access: AccessState
    is_admin: bool
    employee_id: int | None
    employee_phone: str | None
    language_code: str | None
    display_name: str
    is_new: bool = False
    username: str | None = None

    @property
    def allowed(self) -> bool:
        return self.is_admin or self.access is AccessState.ALLOWED


def _member(row: TelegramUser, *, is_new: bool = False) -> Member:
    name = " ".join(part for part in (row.first_name, row.last_name) if part) or (
        f"@{row.username}" if row.username else str(row.id)
    )
    return Member(
        user_id=row.id,
        access=row.access,
        is_admin=row.is_admin,
        employee_id=row.employee_id,
        employee_phone=row.employee_phone,
        language_code=row.language_code,
        username=row.username,
        display_name=name,
        is_new=is_new,
    )


class AccessRequestDesk:
    """Access requests shown to admins: how many per admin, and where (to close them).

    A wave of new users must not flood an admin: each admin gets at most ``per_window``
    request messages per window; the first one beyond that is a single "more are waiting,
    see /users" note, the rest of the window stays silent (the requests are all in /users).
    """

    def __init__(self, per_window: int = 5, window_seconds: float = 60.0) -> None:
        self.per_window = per_window
        self.window_seconds = window_seconds
        self._sent: dict[int, list[float]] = {}
        self._told_more: dict[int, float] = {}
        self._shown: dict[int, list[tuple[int, int]]] = {}

    def admit(self, admin_id: int, now: float | None = None) -> str:
        """ "send" a request message, "more" (send the note once) or "skip"."""
        moment = time.monotonic() if now is None else now
        recent = [at for at in self._sent.get(admin_id, []) if moment - at < self.window_seconds]
        self._sent[admin_id] = recent
        if len(recent) < self.per_window:
            return "send"
        told = self._told_more.get(admin_id)
        if told is not None and moment - told < self.window_seconds:
            return "skip"
        self._told_more[admin_id] = moment
        return "more"

    def shown(self, user_id: int, admin_id: int, message_id: int, now: float | None = None) -> None:
        """A request message reached the admin (one that could not be sent does not count)."""
        self._sent.setdefault(admin_id, []).append(time.monotonic() if now is None else now)
        self._shown.setdefault(user_id, []).append((admin_id, message_id))

    def handled(self, user_id: int) -> list[tuple[int, int]]:
        """The (admin chat, message) pairs that showed ``user_id``'s request, forgotten now."""
        return self._shown.pop(user_id, [])


class AccessService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        admin_ids: Sequence[int],
        mode: AccessMode,
        allowed_ids: Sequence[int],
    ) -> None:
        self._db = Database(sessions)
        self.admin_ids = frozenset(admin_ids)
        self._mode = mode
        self._allowed_ids = frozenset(allowed_ids)
        self._cache: dict[int, tuple[Member, float, tuple[object, ...]]] = {}
        self.requests = AccessRequestDesk()

    def forget(self, user_id: int) -> None:
        self._cache.pop(user_id, None)

    async def see(
        self,
        user_id: int,
        *,
        username: str | None,
        first_name: str | None,
        last_name: str | None,
        language_code: str | None,
        chat_id: int,
        chat_type: str,
        chat_title: str | None,
    ) -> Member:
        """Record the user (and chat) and return what they may do."""
        profile = (username, first_name, last_name, language_code, chat_id)
        cached = self._cache.get(user_id)
        now = time.monotonic()
        if cached is not None and cached[2] == profile and now - cached[1] < RECORD_EVERY_SECONDS:
            return cached[0]
        async with self._db.unit() as session:
            before = await user_store.get_user(session, user_id)
            row = await user_store.record_user_seen(
                session,
                user_id,
                username=username,
                first_name=first_name,
                last_name=last_name,
                language_code=language_code,
            )
            await user_store.record_chat_seen(
                session, chat_id, chat_type=chat_type, title=chat_title
            )
            row = await self._apply_policy(session, row)
            member = _member(row, is_new=before is None)
        self._cache[user_id] = (member, now, profile)
        return member

    async def _apply_policy(self, session: AsyncSession, row: TelegramUser) -> TelegramUser:
        if row.id in self.admin_ids:
            if not row.is_admin:
                row = await user_store.set_admin(session, row.id, True)
            if row.access is not AccessState.ALLOWED:
                row = await user_store.set_user_access(session, row.id, AccessState.ALLOWED)
        elif (
            self._mode is AccessMode.ALLOWLIST
            and row.access is AccessState.PENDING
            and row.id in self._allowed_ids
        ):
            row = await user_store.set_user_access(session, row.id, AccessState.ALLOWED)
        return row

    async def ensure_admins(self) -> None:
        """Admins from settings exist as admins in the database before they ever write."""
        async with self._db.unit() as session:
            for admin_id in self.admin_ids:
                row = await user_store.get_user(session, admin_id)
                if row is None:
                    row = await user_store.record_user_seen(session, admin_id)
                await self._apply_policy(session, row)

    @property
    def mode(self) -> AccessMode:
        return self._mode

    async def set_access(self, admin_id: int, user_id: int, access: AccessState) -> Member | None:
        if admin_id not in self.admin_ids:
            return None
        async with self._db.unit() as session:
            if await user_store.get_user(session, user_id) is None:
                return None
            row = await user_store.set_user_access(session, user_id, access)
            member = _member(row)
        self.forget(user_id)
        return member

    async def assign_employee(
        self, admin_id: int, user_id: int, employee_id: int, phone: str | None
    ) -> Member | None:
        if admin_id not in self.admin_ids:
            return None
        async with self._db.unit() as session:
            if await user_store.get_user(session, user_id) is None:
                return None
            row = await user_store.assign_employee(session, user_id, employee_id, phone, admin_id)
            member = _member(row)
        self.forget(user_id)
        return member

    async def request_employee(self, user_id: int, employee_id: int) -> None:
        async with self._db.unit() as session:
            await user_store.request_employee(session, user_id, employee_id)

    async def members(self) -> list[Member]:
        async with self._db.unit() as session:
            return [_member(row) for row in await user_store.list_users(session)]

    async def member(self, user_id: int) -> Member | None:
        async with self._db.unit() as session:
            row = await user_store.get_user(session, user_id)
        return None if row is None else _member(row)
