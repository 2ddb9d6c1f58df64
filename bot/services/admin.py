"""What admins do from the chat: link users to employees, the on-call chat, the audit export."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.access import AccessService, Member
from bot.services.actor import Actor
from bot.unit_of_work import Database
from db import catalog as catalog_store
from db import missed_calls as missed_store
from db.audit import export_audit_csv
from db.audit_writer import AuditWriter
from db.users import EmployeeAlreadyAssignedError

AUDIT_MAX_DAYS = 366


class Assignment(enum.Enum):
    DONE = "done"
    EMPLOYEE_NOT_FOUND = "employee_not_found"
    PHONE_INVALID = "phone_invalid"
    EMPLOYEE_TAKEN = "employee_taken"
    USER_NOT_FOUND = "user_not_found"


@dataclass(frozen=True)
class AssignResult:
    result: Assignment
    member: Member | None = None
    employee_name: str = ""


@dataclass(frozen=True)
class AuditExport:
    period: str
    rows: int
    content: bytes
    file_name: str


class AdminService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        access: AccessService,
        audit: AuditWriter,
        normalise_phone: Callable[[str], str],
    ) -> None:
        self._db = Database(sessions)
        self._access = access
        self._audit = audit
        # Raises ValueError for what is not a phone number (the calls' own normalisation).
        self._normalise_phone = normalise_phone

    async def assign(
        self, actor: Actor, user_id: int, employee_id: int, phone: str | None
    ) -> AssignResult:
        """Link a user to a catalog employee; the phone defaults to the employee's first."""
        async with self._db.unit() as session:
            employee = await catalog_store.get_employee(session, employee_id)
        if employee is None:
            return AssignResult(Assignment.EMPLOYEE_NOT_FOUND)
        if phone is None and employee.phones:
            phone = str(employee.phones[0])
        if phone is not None:
            try:
                phone = self._normalise_phone(phone)
            except ValueError:
                return AssignResult(Assignment.PHONE_INVALID)
        try:
            member = await self._access.assign_employee(actor.user_id, user_id, employee_id, phone)
        except EmployeeAlreadyAssignedError:
            return AssignResult(Assignment.EMPLOYEE_TAKEN)
        if member is None:
            return AssignResult(Assignment.USER_NOT_FOUND)
        return AssignResult(Assignment.DONE, member, employee.full_name)

    async def bind_oncall_chat(self, actor: Actor) -> None:
        """Missed calls nobody in particular was tried for go to the actor's group."""
        async with self._db.unit() as session:
            await missed_store.bind_oncall_chat(session, actor.chat_id, bound_by=actor.user_id)

    async def audit_export(self, days: int) -> AuditExport:
        """The audit log of the last ``days`` days as CSV (rows still queued included)."""
        end = datetime.now(UTC)
        start = end - timedelta(days=days)
        await self._audit.flush(max_wait=5.0)
        async with self._db.unit() as session:
            content = await export_audit_csv(session, start, end)
        return AuditExport(
            period=f"{start:%Y-%m-%d %H:%M} — {end:%Y-%m-%d %H:%M} UTC",
            rows=max(content.count(b"\n") - 1, 0),
            content=content,
            file_name=f"callbot-audit-{end:%Y%m%d-%H%M}.csv",
        )
