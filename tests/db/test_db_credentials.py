"""Call API credentials: per-user sessions, chat keys, the stay-signed-in password policy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.credentials import (
    bind_chat_credential,
    forget_user_credential,
    load_chat_credential,
    load_user_credential,
    renew_token,
    resolve_credential,
    save_user_credential,
    token_fingerprint,
)
from db.crypto import TokenCipher, generate_key
from db.models import CredentialKind, StoredCredential
from db.types import utcnow
from db.users import record_chat_seen, record_user_seen

USER = 4242
OTHER = 4343
TEAM_CHAT = -100777


@pytest.fixture
def cipher() -> TokenCipher:
    return TokenCipher([generate_key()])


async def seed(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        await record_user_seen(session, USER)
        await record_user_seen(session, OTHER)
        await record_chat_seen(session, TEAM_CHAT, chat_type="supergroup", title="On call")


async def test_login_session_without_opt_in_stores_no_password(
    sessions: async_sessionmaker[AsyncSession], cipher: TokenCipher
) -> None:
    await seed(sessions)
    expires = utcnow() + timedelta(hours=1)
    async with sessions.begin() as session:
        stored = await save_user_credential(
            session,
            cipher,
            USER,
            kind=CredentialKind.LOGIN_SESSION,
            login="demo.manager",
            access_token="session-token-1",
            expires_at=expires,
        )
        assert stored.password is None
        assert "session-token-1" not in repr(stored)
        assert stored.fingerprint == token_fingerprint("session-token-1")
        assert len(stored.fingerprint) == 8
    async with sessions() as session:
        row = await session.scalar(
            select(StoredCredential).where(StoredCredential.telegram_user_id == USER)
        )
        assert row is not None
        assert row.password_ciphertext is None
        loaded = await load_user_credential(session, cipher, USER)
        assert loaded is not None
        assert loaded.access_token == "session-token-1"
        assert loaded.expires_at == expires
        assert not loaded.is_expired()
        assert loaded.is_expired(margin=timedelta(hours=2))


async def test_password_is_kept_only_with_stay_signed_in(
    sessions: async_sessionmaker[AsyncSession], cipher: TokenCipher
) -> None:
    await seed(sessions)
    async with sessions.begin() as session:
        with pytest.raises(ValueError, match="only when the user opted in"):
            await save_user_credential(
                session,
                cipher,
                USER,
                kind=CredentialKind.LOGIN_SESSION,
                login="demo.manager",
                access_token="t",
                expires_at=None,
                password="demo-pass-manager",
            )
        with pytest.raises(ValueError, match="login sessions only"):
            await save_user_credential(
                session,
                cipher,
                USER,
                kind=CredentialKind.PERMANENT_KEY,
                login=None,
                access_token="demo-key-manager-0001",
                expires_at=None,
                stay_signed_in=True,
                password="x",
            )
        stored = await save_user_credential(
            session,
            cipher,
            USER,
            kind=CredentialKind.LOGIN_SESSION,
            login="demo.manager",
            access_token="t2",
            expires_at=utcnow() + timedelta(minutes=5),
            stay_signed_in=True,
            password="demo-pass-manager",
        )
        assert stored.password == "demo-pass-manager"
        assert "demo-pass-manager" not in repr(stored)


async def test_database_refuses_a_password_without_opt_in(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], cipher: TokenCipher
) -> None:
    """The rule holds even for code that bypasses save_user_credential (CHECK constraint)."""
    await seed(sessions)
    with pytest.raises(IntegrityError):
        async with sessions.begin() as session:
            session.add(
                StoredCredential(
                    telegram_user_id=USER,
                    kind=CredentialKind.PERMANENT_KEY,
                    token_ciphertext=cipher.encrypt("k"),
                    token_fingerprint="x",
                    stay_signed_in=False,
                    password_ciphertext=cipher.encrypt("p"),
                )
            )
    with pytest.raises(IntegrityError):
        async with sessions.begin() as session:
            session.add(
                StoredCredential(
                    telegram_user_id=USER,
                    chat_id=TEAM_CHAT,  # two owners
                    kind=CredentialKind.PERMANENT_KEY,
                    token_ciphertext=cipher.encrypt("k"),
                    token_fingerprint="x",
                )
            )


async def test_one_credential_per_user_replaced_on_new_login(
    sessions: async_sessionmaker[AsyncSession], cipher: TokenCipher
) -> None:
    await seed(sessions)
    for token in ("first", "second"):
        async with sessions.begin() as session:
            await save_user_credential(
                session,
                cipher,
                USER,
                kind=CredentialKind.PERMANENT_KEY,
                login="demo.manager",
                access_token=token,
                expires_at=None,
            )
    async with sessions() as session:
        rows = (await session.scalars(select(StoredCredential))).all()
        assert len(rows) == 1
        loaded = await load_user_credential(session, cipher, USER)
        assert loaded is not None
        assert loaded.access_token == "second"
        assert not loaded.is_expired()  # a key without an end date


async def test_chat_key_is_the_fallback_for_team_members(
    sessions: async_sessionmaker[AsyncSession], cipher: TokenCipher
) -> None:
    await seed(sessions)
    async with sessions.begin() as session:
        bound = await bind_chat_credential(
            session,
            cipher,
            TEAM_CHAT,
            login="demo.admin",
            access_token="demo-key-admin-0002",
            expires_at=None,
            bound_by=OTHER,
        )
        assert bound.kind is CredentialKind.PERMANENT_KEY
        await save_user_credential(
            session,
            cipher,
            USER,
            kind=CredentialKind.LOGIN_SESSION,
            login="demo.manager",
            access_token="own-session",
            expires_at=utcnow() + timedelta(hours=1),
        )
    async with sessions() as session:
        own = await resolve_credential(session, cipher, telegram_user_id=USER, chat_id=TEAM_CHAT)
        assert own is not None
        assert own.access_token == "own-session"
        team = await resolve_credential(session, cipher, telegram_user_id=OTHER, chat_id=TEAM_CHAT)
        assert team is not None
        assert team.access_token == "demo-key-admin-0002"
        assert await resolve_credential(session, cipher, telegram_user_id=OTHER, chat_id=1) is None
    async with sessions.begin() as session:
        stored = await load_chat_credential(session, cipher, TEAM_CHAT)
        assert stored is not None
        renewed = await renew_token(
            session, cipher, stored.id, access_token="rotated-key", expires_at=None
        )
        assert renewed is not None
        assert renewed.fingerprint == token_fingerprint("rotated-key")
        assert await forget_user_credential(session, USER)
        assert not await forget_user_credential(session, USER)
        assert await load_user_credential(session, cipher, USER) is None
