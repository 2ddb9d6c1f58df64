"""Claiming a pressed button's one-shot token: the one database round trip of a button press.

A press on a card consumes the token its buttons carry and, in the same transaction, issues the
token the redrawn card will carry (the press changes the card, so it needs new buttons anyway).
The guarantee is the one of ``db.cards.consume_action_token``: exactly one caller wins, and the
claim is committed before the caller acts (at most once, even if Telegram delivers the press
again after a crash).

On PostgreSQL the claim is a single statement over a small plain asyncpg pool. The same work
through an ORM session (two transactions, five statements) was the largest share of the bot's
own CPU per press in ``benchmarks/bench_bot.py``. SQLite, the embedded demo database, uses the
ORM statements of ``db.cards``.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.cards import (
    DEFAULT_TOKEN_TTL,
    TOKEN_BYTES,
    ConsumeResult,
    ConsumeStatus,
    consume_action_token,
    issue_action_token,
    loser_status,
)
from db.engine import is_postgresql
from db.types import utcnow

# The card's next token belongs to the presser: only the owner's presses win a card token.
_CLAIM = """
WITH won AS (
    UPDATE action_tokens
    SET consumed_at = $2, consumed_by = $3
    WHERE token = $1
      AND consumed_at IS NULL
      AND expires_at > $2
      AND (telegram_user_id IS NULL OR telegram_user_id = $3)
    RETURNING action, payload, card_id, chat_id
), next AS (
    INSERT INTO action_tokens
        (token, card_id, chat_id, telegram_user_id, action, payload, created_at, expires_at)
    SELECT $4, won.card_id, won.chat_id, $3, 'card', '{}'::jsonb, $2, $5
    FROM won
    WHERE won.card_id IS NOT NULL
    RETURNING token
)
SELECT won.action, won.payload::text AS payload, won.card_id, won.chat_id,
       (SELECT token FROM next) AS next_token
FROM won
"""

_WHY_NOT = """
SELECT action, card_id, chat_id, telegram_user_id, consumed_at
FROM action_tokens
WHERE token = $1
"""

# A broken pooled connection (database restarted): the pool drops it, one retry takes another.
# Retrying a claim is safe: if the lost attempt had committed, the retry finds the token used.
_RECONNECT_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.CannotConnectNowError,
    ConnectionError,
)


async def _no_reset(connection: Any) -> None:
    return None


@dataclass(frozen=True, slots=True)
class PressClaim:
    result: ConsumeResult
    # Issued for the card in the same transaction (None: a button outside a card, or lost).
    next_token: str | None = None


class PressTokens(Protocol):
    async def claim(
        self, token: str, *, telegram_user_id: int, now: datetime | None = None
    ) -> PressClaim: ...

    async def aclose(self) -> None: ...


class SessionPressTokens:
    """The claim through ORM sessions, for SQLite (and any other backend)."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], ttl: timedelta = DEFAULT_TOKEN_TTL
    ) -> None:
        self._sessions = sessions
        self._ttl = ttl

    async def claim(
        self, token: str, *, telegram_user_id: int, now: datetime | None = None
    ) -> PressClaim:
        now = now or utcnow()
        async with self._sessions.begin() as session:
            result = await consume_action_token(
                session, token, telegram_user_id=telegram_user_id, now=now
            )
            if not result.won or result.card_id is None or result.chat_id is None:
                return PressClaim(result)
            next_token = await issue_action_token(
                session,
                chat_id=result.chat_id,
                action="card",
                card_id=result.card_id,
                telegram_user_id=telegram_user_id,
                ttl=self._ttl,
                now=now,
            )
        return PressClaim(result, next_token)

    async def aclose(self) -> None:
        return None


class AsyncpgPressTokens:
    """The claim as one PostgreSQL statement over a plain asyncpg pool."""

    def __init__(self, pool: Any, ttl: timedelta = DEFAULT_TOKEN_TTL) -> None:
        self._pool = pool
        self._ttl = ttl

    @classmethod
    async def connect(cls, database_url: str, *, max_size: int = 4) -> AsyncpgPressTokens:
        url = make_url(database_url)
        ssl = url.query.get("ssl") or url.query.get("sslmode")
        pool = await asyncpg.create_pool(
            host=url.host,
            port=url.port,
            user=url.username,
            password=url.password,
            database=url.database,
            ssl=ssl if isinstance(ssl, str) else None,
            min_size=1,
            max_size=max_size,
            # Claims are single autocommitted statements that leave no session state behind,
            # so a connection needs no reset (a round trip) before it goes back to the pool.
            reset=_no_reset,
        )
        return cls(pool)

    async def claim(
        self, token: str, *, telegram_user_id: int, now: datetime | None = None
    ) -> PressClaim:
        now = now or utcnow()
        next_token = secrets.token_urlsafe(TOKEN_BYTES)
        try:
            row = await self._claim(token, now, telegram_user_id, next_token)
        except _RECONNECT_ERRORS:
            row = await self._claim(token, now, telegram_user_id, next_token)
        if row is not None:
            payload = json.loads(row["payload"]) if row["payload"] else {}
            result = ConsumeResult(
                ConsumeStatus.CONSUMED,
                action=row["action"],
                payload=dict(payload),
                card_id=row["card_id"],
                chat_id=row["chat_id"],
            )
            return PressClaim(result, row["next_token"])
        found = await self._pool.fetchrow(_WHY_NOT, token)
        if found is None:
            return PressClaim(ConsumeResult(ConsumeStatus.UNKNOWN))
        status = loser_status(found["consumed_at"], found["telegram_user_id"], telegram_user_id)
        return PressClaim(
            ConsumeResult(
                status, action=found["action"], card_id=found["card_id"], chat_id=found["chat_id"]
            )
        )

    async def _claim(
        self, token: str, now: datetime, telegram_user_id: int, next_token: str
    ) -> Any:
        return await self._pool.fetchrow(
            _CLAIM, token, now, telegram_user_id, next_token, now + self._ttl
        )

    async def aclose(self) -> None:
        await self._pool.close()


async def open_press_tokens(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> PressTokens:
    """The fastest claim the configured database supports."""
    if is_postgresql(database_url):
        return await AsyncpgPressTokens.connect(database_url)
    return SessionPressTokens(sessions)
