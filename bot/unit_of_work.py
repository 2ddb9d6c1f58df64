"""The database session of one update: opened on first use, closed when the update ends.

``UpdateSession`` (an outer middleware on updates) marks the update's task; services ask
``Database.unit()`` for a unit of work. Inside that task every unit shares the update's one
session, opened lazily (an update that reads nothing opens nothing). Each unit commits when it
ends and forgets what it loaded, so:

- a service that calls UIS has committed before the request and commits again after the reply
  in a unit of its own: no connection is held across a Call API request, and no rollback of a
  later failure can erase the record of what UIS already did;
- a later unit never sees rows a former one cached (it reads the database again).

Work outside an update (the poll, the ledger writer, the event applier) and any task an update
spawns get a session of their own per unit: a session is never shared between tasks.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


class _UpdateScope:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions
        self.owner = asyncio.current_task()
        self.session: AsyncSession | None = None
        self.busy = False
        self.units = 0

    def shared_session(self) -> AsyncSession | None:
        """The update's session for a unit starting now, or None when it cannot be shared."""
        if self.busy or asyncio.current_task() is not self.owner:
            return None  # a nested unit, or another task: a session of its own
        if self.session is None:
            self.session = self.sessions()
        return self.session

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()


_scope: ContextVar[_UpdateScope | None] = ContextVar("callbot_update_scope", default=None)


class Database:
    """Units of work for services (see the module docstring)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[AsyncSession]:
        """A session whose changes are committed when the block ends (rolled back on error)."""
        scope = _scope.get()
        shared = scope.shared_session() if scope is not None else None
        if scope is None or shared is None:
            async with self._sessions() as own:
                try:
                    yield own
                    await own.commit()
                except BaseException:
                    await own.rollback()
                    raise
            return
        scope.busy = True
        scope.units += 1
        try:
            yield shared
            await shared.commit()
        except BaseException:
            await shared.rollback()
            raise
        finally:
            shared.expunge_all()  # the next unit reads the database again
            scope.busy = False


def update_units() -> int:
    """How many units of work the current update has run on its session (for tests)."""
    scope = _scope.get()
    return 0 if scope is None else scope.units


class UpdateSession(BaseMiddleware):
    """Gives each update its lazily opened session; closes it when the update is handled."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self.opened = 0  # sessions actually opened (for tests and benchmarks)

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        scope = _UpdateScope(self._sessions)
        token = _scope.set(scope)
        try:
            return await handler(event, data)
        finally:
            _scope.reset(token)
            if scope.session is not None:
                self.opened += 1
            await scope.close()
