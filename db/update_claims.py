"""Claims on Telegram updates: an update that may reach UIS is handled at most once.

Telegram delivers an update again when the webhook did not answer in time, or when polling
stopped before it confirmed the update's offset; a restart in between must not place a second
call. The first delivery claims the update (state ``taken``) in its own committed statement
before anything is sent, and marks it ``done`` once its handler returned. A later delivery of
the same update finds the claim: ``done`` means nothing is left to do; ``taken`` means the
process handling it died midway, and the outcome is unknown.

Telegram restarts update ids after a quiet week: the same id with another fingerprint (update
type, chat, message or callback query id) is a new update, and claims older than ``CLAIM_TTL``
no longer count.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.dialect import upsert_insert
from db.models import UpdateClaim
from db.types import utcnow

CLAIM_TTL = timedelta(hours=48)


class ClaimState(enum.StrEnum):
    TAKEN = "taken"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class ClaimOutcome:
    won: bool
    # For a lost claim: how far the earlier delivery got.
    earlier: ClaimState | None = None


async def claim_update(
    session: AsyncSession,
    *,
    bot_id: int,
    update_id: int,
    fingerprint: str,
    now: datetime | None = None,
) -> ClaimOutcome:
    """Claim the update for this delivery. One statement: of concurrent deliveries exactly
    one wins (the primary key serialises them); commit before acting on it."""
    now = now or utcnow()
    insert = upsert_insert(session, UpdateClaim).values(
        bot_id=bot_id,
        update_id=update_id,
        fingerprint=fingerprint,
        state=ClaimState.TAKEN.value,
        claimed_at=now,
        done_at=None,
    )
    statement = insert.on_conflict_do_update(
        index_elements=[UpdateClaim.bot_id, UpdateClaim.update_id],
        set_={
            "fingerprint": insert.excluded.fingerprint,
            "state": ClaimState.TAKEN.value,
            "claimed_at": now,
            "done_at": None,
        },
        # Only a reused id (another update) or an expired claim is taken over.
        where=or_(
            UpdateClaim.fingerprint != insert.excluded.fingerprint,
            UpdateClaim.claimed_at < now - CLAIM_TTL,
        ),
    ).returning(UpdateClaim.update_id)
    if (await session.execute(statement)).first() is not None:
        return ClaimOutcome(won=True)
    earlier = await session.scalar(
        select(UpdateClaim.state)
        .where(UpdateClaim.bot_id == bot_id, UpdateClaim.update_id == update_id)
        .execution_options(populate_existing=True)
    )
    return ClaimOutcome(won=False, earlier=ClaimState(earlier) if earlier else None)


async def finish_update(
    session: AsyncSession, *, bot_id: int, update_id: int, now: datetime | None = None
) -> None:
    """The update's handler returned: a later delivery of it does nothing."""
    await session.execute(
        update(UpdateClaim)
        .where(UpdateClaim.bot_id == bot_id, UpdateClaim.update_id == update_id)
        .values(state=ClaimState.DONE.value, done_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )


async def purge_update_claims(session: AsyncSession, now: datetime | None = None) -> int:
    """Housekeeping: forget claims that no longer count."""
    result = await session.execute(
        delete(UpdateClaim)
        .where(UpdateClaim.claimed_at < (now or utcnow()) - CLAIM_TTL)
        .returning(UpdateClaim.update_id)
    )
    return len(result.all())
