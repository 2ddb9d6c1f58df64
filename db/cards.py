"""Call cards (which Telegram message shows which call) and one-shot action tokens.

A button carries an action token. Pressing it consumes the token with a single conditional
UPDATE: whatever the number of concurrent presses or duplicate deliveries, exactly one caller
gets ``CONSUMED`` and may execute the action. The caller must commit the consume before
executing the action: the guarantee is "at most once".
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ActionToken, CallCard
from db.types import utcnow

DEFAULT_TOKEN_TTL = timedelta(hours=12)
TOKEN_BYTES = 16  # 22 url-safe characters: leaves room in Telegram's 64-byte callback_data


async def create_card(
    session: AsyncSession,
    *,
    chat_id: int,
    message_id: int,
    telegram_user_id: int,
    call_id: int | None,
    employee_id: int | None = None,
    now: datetime | None = None,
) -> CallCard:
    """The card ``message_id`` in ``chat_id`` shows ledger call ``call_id`` to its owner."""
    now = now or utcnow()
    card = CallCard(
        chat_id=chat_id,
        message_id=message_id,
        telegram_user_id=telegram_user_id,
        call_id=call_id,
        employee_id=employee_id,
        created_at=now,
        updated_at=now,
    )
    session.add(card)
    await session.flush()
    return card


async def get_card(session: AsyncSession, card_id: int) -> CallCard | None:
    return await session.get(CallCard, card_id)


async def cards_for_call(session: AsyncSession, call_id: int) -> Sequence[CallCard]:
    """Every message showing this ledger call (it may be shown to several users or chats)."""
    query = select(CallCard).where(CallCard.call_id == call_id).order_by(CallCard.id)
    return (await session.scalars(query)).all()


class ConsumeStatus(enum.StrEnum):
    CONSUMED = "consumed"  # this caller won: execute the action
    ALREADY_USED = "already_used"  # someone (or a duplicate delivery) got there first
    EXPIRED = "expired"
    NOT_YOURS = "not_yours"  # the button belongs to another user
    UNKNOWN = "unknown"  # no such token (forged, or purged)


@dataclass(frozen=True, slots=True)
class ConsumeResult:
    status: ConsumeStatus
    action: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    card_id: int | None = None
    chat_id: int | None = None

    @property
    def won(self) -> bool:
        return self.status is ConsumeStatus.CONSUMED


async def issue_action_token(
    session: AsyncSession,
    *,
    chat_id: int,
    action: str,
    payload: Mapping[str, Any] | None = None,
    card_id: int | None = None,
    telegram_user_id: int | None = None,
    ttl: timedelta = DEFAULT_TOKEN_TTL,
    now: datetime | None = None,
) -> str:
    """A fresh unguessable token for one button. ``telegram_user_id`` None: anyone may press."""
    now = now or utcnow()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        ActionToken(
            token=token,
            card_id=card_id,
            chat_id=chat_id,
            telegram_user_id=telegram_user_id,
            action=action,
            payload=dict(payload or {}),
            created_at=now,
            expires_at=now + ttl,
        )
    )
    await session.flush()
    return token


async def consume_action_token(
    session: AsyncSession, token: str, *, telegram_user_id: int, now: datetime | None = None
) -> ConsumeResult:
    """Atomically mark the token used by ``telegram_user_id``; only one caller ever wins.

    The UPDATE's WHERE re-checks ``consumed_at IS NULL`` after any concurrent writer commits
    (PostgreSQL re-evaluates it on the locked row; SQLite serialises writers), so a second
    consumer updates nothing. A loser gets the reason from a follow-up read.
    """
    now = now or utcnow()
    statement = (
        update(ActionToken)
        .where(
            ActionToken.token == token,
            ActionToken.consumed_at.is_(None),
            ActionToken.expires_at > now,
            or_(
                ActionToken.telegram_user_id.is_(None),
                ActionToken.telegram_user_id == telegram_user_id,
            ),
        )
        .values(consumed_at=now, consumed_by=telegram_user_id)
        .returning(
            ActionToken.action, ActionToken.payload, ActionToken.card_id, ActionToken.chat_id
        )
        .execution_options(synchronize_session=False)
    )
    won = (await session.execute(statement)).first()
    if won is not None:
        return ConsumeResult(
            ConsumeStatus.CONSUMED,
            action=won.action,
            payload=dict(won.payload or {}),
            card_id=won.card_id,
            chat_id=won.chat_id,
        )
    row = await session.scalar(
        select(ActionToken)
        .where(ActionToken.token == token)
        .execution_options(populate_existing=True)
    )
    if row is None:
        return ConsumeResult(ConsumeStatus.UNKNOWN)
    status = loser_status(row.consumed_at, row.telegram_user_id, telegram_user_id)
    return ConsumeResult(status, action=row.action, card_id=row.card_id, chat_id=row.chat_id)


def loser_status(
    consumed_at: datetime | None, owner_id: int | None, telegram_user_id: int
) -> ConsumeStatus:
    """Why a token that exists was not consumed by ``telegram_user_id``."""
    if consumed_at is not None:
        return ConsumeStatus.ALREADY_USED
    if owner_id is not None and owner_id != telegram_user_id:
        return ConsumeStatus.NOT_YOURS
    return ConsumeStatus.EXPIRED


async def revoke_action_token(
    session: AsyncSession, token: str, now: datetime | None = None
) -> bool:
    """Void one unused button token (its button was taken away). True when it was unused."""
    result = await session.execute(
        update(ActionToken)
        .where(ActionToken.token == token, ActionToken.consumed_at.is_(None))
        .values(consumed_at=now or utcnow())
        .returning(ActionToken.token)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


async def renew_card_token(
    session: AsyncSession,
    card_id: int,
    *,
    chat_id: int,
    telegram_user_id: int,
    issue: bool,
    ttl: timedelta = DEFAULT_TOKEN_TTL,
    now: datetime | None = None,
) -> str | None:
    """A card was redrawn with new buttons: void its unused tokens and issue the token the new
    buttons carry (when ``issue``).

    Plain statements without ORM objects: this runs on every button press.
    """
    now = now or utcnow()
    await session.execute(
        update(ActionToken)
        .where(ActionToken.card_id == card_id, ActionToken.consumed_at.is_(None))
        .values(consumed_at=now)
        .execution_options(synchronize_session=False)
    )
    if not issue:
        return None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    await session.execute(
        insert(ActionToken).values(
            token=token,
            card_id=card_id,
            chat_id=chat_id,
            telegram_user_id=telegram_user_id,
            action="card",
            payload={},
            created_at=now,
            expires_at=now + ttl,
        )
    )
    return token
