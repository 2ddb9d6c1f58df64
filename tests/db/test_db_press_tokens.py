"""Claiming a press (consume + next card token in one transaction), on both backends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.cards import (
    ConsumeStatus,
    create_card,
    issue_action_token,
    renew_card_token,
)
from db.models import ActionToken
from db.press_tokens import (
    AsyncpgPressTokens,
    PressTokens,
    SessionPressTokens,
    open_press_tokens,
)
from db.types import utcnow

CHAT = -100300
MANAGER = 7101
INTRUDER = 7102


@pytest.fixture
async def press_tokens(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[PressTokens]:
    url = engine.url.render_as_string(hide_password=False)
    tokens = await open_press_tokens(url, sessions)
    expected = AsyncpgPressTokens if engine.dialect.name == "postgresql" else SessionPressTokens
    assert isinstance(tokens, expected)
    try:
        yield tokens
    finally:
        await tokens.aclose()


async def _card_with_token(
    sessions: async_sessionmaker[AsyncSession], message_id: int
) -> tuple[int, str]:
    async with sessions.begin() as session:
        card = await create_card(
            session, chat_id=CHAT, message_id=message_id, telegram_user_id=MANAGER, call_id=None
        )
        token = await renew_card_token(
            session, card.id, chat_id=CHAT, telegram_user_id=MANAGER, issue=True
        )
    assert token is not None
    return card.id, token


async def test_a_card_press_is_claimed_once_and_issues_the_next_token(
    sessions: async_sessionmaker[AsyncSession], press_tokens: PressTokens
) -> None:
    card_id, token = await _card_with_token(sessions, 301)

    foreign = await press_tokens.claim(token, telegram_user_id=INTRUDER)
    assert foreign.result.status is ConsumeStatus.NOT_YOURS
    assert foreign.next_token is None

    won = await press_tokens.claim(token, telegram_user_id=MANAGER)
    assert won.result.won
    assert (won.result.card_id, won.result.chat_id, won.result.action) == (card_id, CHAT, "card")
    assert won.next_token is not None
    assert won.next_token != token

    again = await press_tokens.claim(token, telegram_user_id=MANAGER)
    assert again.result.status is ConsumeStatus.ALREADY_USED
    assert again.next_token is None

    # The next token is the card's, belongs to the presser, and is itself one-shot.
    async with sessions() as session:
        row = await session.scalar(select(ActionToken).where(ActionToken.token == won.next_token))
    assert row is not None
    assert (row.card_id, row.chat_id, row.telegram_user_id) == (card_id, CHAT, MANAGER)
    assert row.consumed_at is None
    assert (await press_tokens.claim(won.next_token, telegram_user_id=INTRUDER)).next_token is None
    second = await press_tokens.claim(won.next_token, telegram_user_id=MANAGER)
    assert second.result.won

    unknown = await press_tokens.claim("no-such-token", telegram_user_id=MANAGER)
    assert unknown.result.status is ConsumeStatus.UNKNOWN


async def test_a_loose_button_carries_its_payload_and_issues_nothing(
    sessions: async_sessionmaker[AsyncSession], press_tokens: PressTokens
) -> None:
    async with sessions.begin() as session:
        token = await issue_action_token(
            session,
            chat_id=CHAT,
            action="start_call",
            payload={"number": "74951234567"},
            telegram_user_id=None,  # anyone in the chat may press it
        )
    claim = await press_tokens.claim(token, telegram_user_id=INTRUDER)
    assert claim.result.won
    assert claim.result.payload == {"number": "74951234567"}
    assert claim.result.card_id is None
    assert claim.next_token is None
    async with sessions() as session:
        count = len((await session.scalars(select(ActionToken.token))).all())
    assert count == 1


async def test_an_expired_token_is_refused(
    sessions: async_sessionmaker[AsyncSession], press_tokens: PressTokens
) -> None:
    now = utcnow()
    async with sessions.begin() as session:
        card = await create_card(
            session, chat_id=CHAT, message_id=302, telegram_user_id=MANAGER, call_id=None
        )
        token = await issue_action_token(
            session,
            chat_id=CHAT,
            card_id=card.id,
            telegram_user_id=MANAGER,
            action="card",
            ttl=timedelta(minutes=1),
            now=now,
        )
    late = await press_tokens.claim(token, telegram_user_id=MANAGER, now=now + timedelta(minutes=2))
    assert late.result.status is ConsumeStatus.EXPIRED
    assert late.next_token is None


@pytest.mark.parametrize("attempt", range(3))
async def test_concurrent_claims_on_postgresql_only_one_wins(
    pg_engine: AsyncEngine, attempt: int
) -> None:
    sessions = async_sessionmaker(pg_engine, expire_on_commit=False)
    card_id, token = await _card_with_token(sessions, 400 + attempt)
    url = pg_engine.url.render_as_string(hide_password=False)
    tokens = await AsyncpgPressTokens.connect(url, max_size=8)
    try:
        claims = await asyncio.gather(
            *(tokens.claim(token, telegram_user_id=MANAGER) for _ in range(8))
        )
    finally:
        await tokens.aclose()
    assert sum(claim.result.won for claim in claims) == 1
    assert sum(claim.next_token is not None for claim in claims) == 1
    async with sessions() as session:
        unused = (
            await session.scalars(
                select(ActionToken.token).where(
                    ActionToken.card_id == card_id, ActionToken.consumed_at.is_(None)
                )
            )
        ).all()
    assert len(unused) == 1


async def test_a_claim_survives_a_dropped_pool_connection(pg_engine: AsyncEngine) -> None:
    """The database restarted under the pool: the claim takes a fresh connection once."""
    sessions = async_sessionmaker(pg_engine, expire_on_commit=False)
    _card_id, token = await _card_with_token(sessions, 450)
    url = pg_engine.url.render_as_string(hide_password=False)
    tokens = await AsyncpgPressTokens.connect(url, max_size=1)
    try:
        async with tokens._pool.acquire() as connection:  # the pool's only connection
            backend_pid = connection.get_server_pid()
        killer = await asyncpg.connect(
            host=pg_engine.url.host,
            port=pg_engine.url.port,
            user=pg_engine.url.username,
            database=pg_engine.url.database,
        )
        try:
            assert await killer.fetchval("SELECT pg_terminate_backend($1)", backend_pid)
        finally:
            await killer.close()
        await asyncio.sleep(0.1)
        claim = await tokens.claim(token, telegram_user_id=MANAGER)
    finally:
        await tokens.aclose()
    assert claim.result.won
