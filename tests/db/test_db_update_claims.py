"""Update claims: a redelivered update acts at most once, on both backends."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.types import utcnow
from db.update_claims import (
    CLAIM_TTL,
    ClaimState,
    claim_update,
    finish_update,
    purge_update_claims,
)

BOT = 424242
FINGERPRINT = "message:1001:17"


async def _claim(
    sessions: async_sessionmaker[AsyncSession],
    update_id: int = 5,
    fingerprint: str = FINGERPRINT,
    now: datetime | None = None,
) -> tuple[bool, ClaimState | None]:
    async with sessions.begin() as session:
        outcome = await claim_update(
            session, bot_id=BOT, update_id=update_id, fingerprint=fingerprint, now=now
        )
    return outcome.won, outcome.earlier


async def test_the_first_delivery_wins_and_a_redelivery_learns_how_far_it_got(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    assert await _claim(sessions) == (True, None)
    # Redelivered while (or after a crash while) the first one was being handled.
    assert await _claim(sessions) == (False, ClaimState.TAKEN)
    async with sessions.begin() as session:
        await finish_update(session, bot_id=BOT, update_id=5)
    assert await _claim(sessions) == (False, ClaimState.DONE)
    # Another bot's update 5 is another update.
    async with sessions.begin() as session:
        other = await claim_update(session, bot_id=BOT + 1, update_id=5, fingerprint=FINGERPRINT)
    assert other.won


async def test_a_reused_id_with_another_fingerprint_is_a_new_update(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    assert (await _claim(sessions, 9))[0]
    async with sessions.begin() as session:
        await finish_update(session, bot_id=BOT, update_id=9)
    assert await _claim(sessions, 9, "message:1001:250") == (True, None)
    assert await _claim(sessions, 9, "message:1001:250") == (False, ClaimState.TAKEN)


async def test_claims_expire(sessions: async_sessionmaker[AsyncSession]) -> None:
    long_ago = utcnow() - CLAIM_TTL - timedelta(minutes=1)
    assert (await _claim(sessions, 11, now=long_ago))[0]
    assert (await _claim(sessions, 12))[0]
    async with sessions.begin() as session:
        assert await purge_update_claims(session) == 1
    assert (await _claim(sessions, 11))[0]
    assert not (await _claim(sessions, 12))[0]


async def test_concurrent_deliveries_one_winner(sessions: async_sessionmaker[AsyncSession]) -> None:
    results = await asyncio.gather(*(_claim(sessions, 77) for _ in range(8)))
    assert sum(won for won, _ in results) == 1
