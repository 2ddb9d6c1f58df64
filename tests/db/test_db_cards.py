"""Call cards and one-shot action tokens (atomic consume, also under real concurrency)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.cards import (
    ConsumeResult,
    ConsumeStatus,
    cards_for_call,
    consume_action_token,
    create_card,
    get_card,
    issue_action_token,
    renew_card_token,
)
from db.engine import create_engine
from db.ledger import open_call
from db.types import utcnow

CHAT = -100200
MANAGER = 7001
INTRUDER = 7002


async def test_card_lifecycle(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        call = await open_call(
            session, phase="starting", source="start", external_id="tg-7001-1", started_by=MANAGER
        )
        card = await create_card(
            session,
            chat_id=CHAT,
            message_id=55,
            telegram_user_id=MANAGER,
            call_id=call.id,
            employee_id=101,
        )
        card_id = card.id
        call_id = call.id
    async with sessions() as session:
        found = await get_card(session, card_id)
        assert found is not None
        assert (found.chat_id, found.message_id) == (CHAT, 55)
        assert found.call_id == call_id
        assert found.employee_id == 101
        assert [c.id for c in await cards_for_call(session, call_id)] == [card_id]


async def test_token_is_consumed_exactly_once(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        card = await create_card(
            session, chat_id=CHAT, message_id=56, telegram_user_id=MANAGER, call_id=None
        )
        token = await issue_action_token(
            session,
            chat_id=CHAT,
            card_id=card.id,
            telegram_user_id=MANAGER,
            action="hold",
            payload={"call_session_id": 1},
        )
        assert len(token) <= 32
    async with sessions.begin() as session:
        refused = await consume_action_token(session, token, telegram_user_id=INTRUDER)
        assert refused.status is ConsumeStatus.NOT_YOURS
        won = await consume_action_token(session, token, telegram_user_id=MANAGER)
        assert won.won
        assert won.action == "hold"
        assert won.payload == {"call_session_id": 1}
    async with sessions.begin() as session:
        again = await consume_action_token(session, token, telegram_user_id=MANAGER)
        assert again.status is ConsumeStatus.ALREADY_USED
        unknown = await consume_action_token(session, "no-such-token", telegram_user_id=MANAGER)
        assert unknown.status is ConsumeStatus.UNKNOWN


async def test_expired_tokens(sessions: async_sessionmaker[AsyncSession]) -> None:
    now = utcnow()
    async with sessions.begin() as session:
        old = await issue_action_token(
            session, chat_id=CHAT, action="hold", ttl=timedelta(minutes=1), now=now
        )
    async with sessions.begin() as session:
        late = await consume_action_token(
            session, old, telegram_user_id=INTRUDER, now=now + timedelta(minutes=2)
        )
        assert late.status is ConsumeStatus.EXPIRED


async def race(engine: AsyncEngine, token: str, contenders: int) -> list[ConsumeResult]:
    """Every contender holds its own connection and transaction; the winner keeps its row lock
    a moment before committing, so the others really wait on it and re-check afterwards."""
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    start = asyncio.Event()

    async def contender(user_id: int) -> ConsumeResult:
        async with sessions.begin() as session:
            await session.connection()  # transaction open before the race starts
            await start.wait()
            result = await consume_action_token(session, token, telegram_user_id=user_id)
            if result.won:
                await asyncio.sleep(0.05)
            return result

    tasks = [asyncio.create_task(contender(MANAGER + index)) for index in range(contenders)]
    await asyncio.sleep(0.05)
    start.set()
    return await asyncio.gather(*tasks)


@pytest.mark.parametrize("attempt", range(5))
async def test_concurrent_consumers_on_postgresql_only_one_wins(
    pg_engine: AsyncEngine, attempt: int
) -> None:
    sessions = async_sessionmaker(pg_engine, expire_on_commit=False)
    async with sessions.begin() as session:
        token = await issue_action_token(session, chat_id=CHAT, action="release")
    results = await race(pg_engine, token, contenders=8)
    statuses = sorted(result.status for result in results)
    assert statuses.count(ConsumeStatus.CONSUMED) == 1, statuses
    assert statuses.count(ConsumeStatus.ALREADY_USED) == 7, statuses


async def test_concurrent_consumers_on_sqlite_only_one_wins(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        async with sessions.begin() as session:
            token = await issue_action_token(session, chat_id=CHAT, action="release")
        results = await race(engine, token, contenders=6)
    finally:
        await engine.dispose()
    assert sum(result.won for result in results) == 1


async def test_renewing_a_card_token_voids_the_old_one(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        card = await create_card(
            session, chat_id=CHAT, message_id=91, telegram_user_id=MANAGER, call_id=None
        )
        card_id = card.id
        first = await renew_card_token(
            session, card_id, chat_id=CHAT, telegram_user_id=MANAGER, issue=True
        )
    assert first is not None
    async with sessions.begin() as session:
        second = await renew_card_token(
            session,
            card_id,
            chat_id=CHAT,
            telegram_user_id=MANAGER,
            issue=True,
        )
    assert second is not None
    assert second != first
    async with sessions.begin() as session:
        stale = await consume_action_token(session, first, telegram_user_id=MANAGER)
        foreign = await consume_action_token(session, second, telegram_user_id=INTRUDER)
        fresh = await consume_action_token(session, second, telegram_user_id=MANAGER)
        finished = await renew_card_token(
            session,
            card_id,
            chat_id=CHAT,
            telegram_user_id=MANAGER,
            issue=False,
        )
        row = await get_card(session, card_id)
    assert stale.status is ConsumeStatus.ALREADY_USED
    assert foreign.status is ConsumeStatus.NOT_YOURS
    assert fresh.won
    assert finished is None
    assert row is not None
