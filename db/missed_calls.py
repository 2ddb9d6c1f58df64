"""Missed calls, the messages that show them, their one call-back owner, and the on-call chat.

The claim is one conditional UPDATE (``state = 'open'`` re-checked on the locked row after any
concurrent writer commits, as in ``db.cards.consume_action_token``): however many users press
Call back at the same moment, exactly one gets the row back. Nothing here knows of Telegram
beyond the ids it stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import MissedCallMessage, MissedCallRecord, MissedCallState, OnCallChat
from db.types import utcnow

# A lost call from a number updates its unresolved row for this long after the last one.
UPDATE_WINDOW = timedelta(hours=24)

_OPEN = MissedCallState.OPEN.value
_CLAIMED = MissedCallState.CLAIMED.value
_RESOLVED = MissedCallState.RESOLVED.value


async def record_missed(
    session: AsyncSession,
    *,
    contact_number: str,
    virtual_number: str | None,
    contact_name: str | None,
    wait_seconds: int | None,
    call_session_id: int | None,
    now: datetime | None = None,
    window: timedelta = UPDATE_WINDOW,
) -> tuple[MissedCallRecord, bool]:
    """A lost call from ``contact_number``: the number's unresolved row of the last ``window``
    counts it, or a new row is made. Returns the row and whether it changed (the same call's
    event delivered again changes nothing)."""
    now = now or utcnow()
    row = await session.scalar(
        select(MissedCallRecord)
        .where(
            MissedCallRecord.contact_number == contact_number,
            MissedCallRecord.state != _RESOLVED,
            MissedCallRecord.last_missed_at > now - window,
        )
        .order_by(MissedCallRecord.id.desc())
        .limit(1)
        .with_for_update()
    )
    if row is None:
        row = MissedCallRecord(
            contact_number=contact_number,
            contact_name=contact_name,
            virtual_number=virtual_number,
            first_missed_at=now,
            last_missed_at=now,
            missed_count=1,
            wait_seconds=wait_seconds,
            last_call_session_id=call_session_id,
            state=_OPEN,
            updated_at=now,
        )
        session.add(row)
        await session.flush()
        return row, True
    if call_session_id is not None and row.last_call_session_id == call_session_id:
        return row, False
    row.missed_count += 1
    row.last_missed_at = now
    row.last_call_session_id = call_session_id
    row.wait_seconds = wait_seconds if wait_seconds is not None else row.wait_seconds
    row.contact_name = contact_name or row.contact_name
    row.virtual_number = virtual_number or row.virtual_number
    row.updated_at = now
    await session.flush()
    return row, True


async def get_missed(session: AsyncSession, missed_id: int) -> MissedCallRecord | None:
    return await session.scalar(
        select(MissedCallRecord)
        .where(MissedCallRecord.id == missed_id)
        .execution_options(populate_existing=True)
    )


async def claim(
    session: AsyncSession,
    missed_id: int,
    *,
    telegram_user_id: int,
    name: str,
    now: datetime | None = None,
) -> bool:
    """Take the call-back for ``telegram_user_id``: True for exactly one caller per open row."""
    now = now or utcnow()
    won = await session.execute(
        update(MissedCallRecord)
        .where(MissedCallRecord.id == missed_id, MissedCallRecord.state == _OPEN)
        .values(
            state=_CLAIMED,
            claimed_by=telegram_user_id,
            claimed_by_name=name[:256],
            claimed_at=now,
            callback_call_id=None,
            updated_at=now,
        )
        .returning(MissedCallRecord.id)
        .execution_options(synchronize_session=False)
    )
    return won.first() is not None


async def release(
    session: AsyncSession,
    missed_id: int,
    *,
    outcome: str | None,
    telegram_user_id: int | None = None,
    now: datetime | None = None,
) -> bool:
    """The call-back did not happen (refused: ``outcome`` None) or nobody answered it: open
    again. Only the claim of ``telegram_user_id`` (when given) is released."""
    conditions = [MissedCallRecord.id == missed_id, MissedCallRecord.state == _CLAIMED]
    if telegram_user_id is not None:
        conditions.append(MissedCallRecord.claimed_by == telegram_user_id)
    values: dict[str, object] = {
        "state": _OPEN,
        "outcome": outcome,
        "claimed_by": None,
        "claimed_at": None,
        "callback_call_id": None,
        "updated_at": now or utcnow(),
    }
    if outcome is None:
        values["claimed_by_name"] = None  # with an outcome it names who tried
    result = await session.execute(
        update(MissedCallRecord)
        .where(*conditions)
        .values(**values)
        .returning(MissedCallRecord.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


async def set_callback_call(session: AsyncSession, missed_id: int, call_id: int) -> None:
    await session.execute(
        update(MissedCallRecord)
        .where(MissedCallRecord.id == missed_id, MissedCallRecord.state == _CLAIMED)
        .values(callback_call_id=call_id, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


async def resolve(
    session: AsyncSession, missed_id: int, *, outcome: str, now: datetime | None = None
) -> bool:
    """Called back and talked, or the like: resolved (once)."""
    result = await session.execute(
        update(MissedCallRecord)
        .where(MissedCallRecord.id == missed_id, MissedCallRecord.state != _RESOLVED)
        .values(state=_RESOLVED, outcome=outcome, updated_at=now or utcnow())
        .returning(MissedCallRecord.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


async def resolve_number(
    session: AsyncSession,
    contact_number: str,
    *,
    outcome: str,
    now: datetime | None = None,
    window: timedelta = UPDATE_WINDOW,
) -> list[int]:
    """The client got through on their own: every unresolved row of the number is resolved.
    Returns their ids."""
    now = now or utcnow()
    result = await session.execute(
        update(MissedCallRecord)
        .where(
            MissedCallRecord.contact_number == contact_number,
            MissedCallRecord.state != _RESOLVED,
            MissedCallRecord.last_missed_at > now - window,
        )
        .values(state=_RESOLVED, outcome=outcome, updated_at=now)
        .returning(MissedCallRecord.id)
        .execution_options(synchronize_session=False)
    )
    return [row[0] for row in result.all()]


async def claimed_with_callback(session: AsyncSession) -> Sequence[MissedCallRecord]:
    """Rows whose call-back is under way (to follow its call after a restart)."""
    query = select(MissedCallRecord).where(
        MissedCallRecord.state == _CLAIMED, MissedCallRecord.callback_call_id.is_not(None)
    )
    return (await session.scalars(query)).all()


async def add_message(
    session: AsyncSession,
    missed_id: int,
    *,
    chat_id: int,
    message_id: int,
    telegram_user_id: int | None,
    language: str,
    masked: bool,
    token: str | None,
) -> MissedCallMessage:
    row = MissedCallMessage(
        missed_call_id=missed_id,
        chat_id=chat_id,
        message_id=message_id,
        telegram_user_id=telegram_user_id,
        language=language,
        masked=masked,
        token=token,
    )
    session.add(row)
    await session.flush()
    return row


async def messages(session: AsyncSession, missed_id: int) -> Sequence[MissedCallMessage]:
    query = (
        select(MissedCallMessage)
        .where(MissedCallMessage.missed_call_id == missed_id)
        .order_by(MissedCallMessage.id)
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(query)).all()


async def set_message_token(session: AsyncSession, message_row_id: int, token: str | None) -> None:
    await session.execute(
        update(MissedCallMessage)
        .where(MissedCallMessage.id == message_row_id)
        .values(token=token)
        .execution_options(synchronize_session=False)
    )


async def delete_missed_before(session: AsyncSession, before: datetime) -> int:
    """Housekeeping with the ledger: forget missed calls last changed before ``before``."""
    result = await session.execute(
        delete(MissedCallRecord)
        .where(MissedCallRecord.updated_at < before)
        .returning(MissedCallRecord.id)
    )
    return len(result.all())


async def bind_oncall_chat(
    session: AsyncSession, chat_id: int, *, bound_by: int, now: datetime | None = None
) -> None:
    """The on-call group chat (one for the deployment; a new binding replaces the old)."""
    row = await session.get(OnCallChat, 1)
    if row is None:
        session.add(OnCallChat(id=1, chat_id=chat_id, bound_by=bound_by, bound_at=now or utcnow()))
    else:
        row.chat_id = chat_id
        row.bound_by = bound_by
        row.bound_at = now or utcnow()
    await session.flush()


async def oncall_chat(session: AsyncSession) -> int | None:
    row = await session.get(OnCallChat, 1)
    return row.chat_id if row is not None else None
