"""/limits and /history: the account's points as last seen, and a user's own audit rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.budget import BudgetSnapshot, PointsBudget
from bot.services.actor import Actor
from bot.unit_of_work import Database
from db.audit import recent_audit_entries
from db.audit_writer import AuditWriter
from db.models import AuditLogEntry, AuditOutcome

__all__ = ["AuditLogEntry", "AuditOutcome", "BudgetSnapshot", "InfoService"]


class InfoService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        budget: PointsBudget,
        audit: AuditWriter,
        zone: tzinfo,
        zone_name: str,
    ) -> None:
        self._db = Database(sessions)
        self._budget = budget
        self._audit = audit
        # Audit rows are stored in UTC; a manager reads them in the account's time zone.
        self.zone = zone
        self.zone_name = zone_name

    def points(self) -> BudgetSnapshot:
        """What the budget learned from the last replies; costs no points."""
        return self._budget.snapshot()

    async def history(self, actor: Actor, limit: int) -> Sequence[AuditLogEntry]:
        """The user's last ``limit`` audit rows, newest first (rows still queued included)."""
        await self._audit.flush(max_wait=2.0)
        async with self._db.unit() as session:
            return await recent_audit_entries(session, actor.user_id, limit=limit)
