"""Call API credentials: a user's own session/key, or a shared key an admin binds to a chat.

Tokens are always stored encrypted (``TokenCipher``); passwords only when the user opted in to
"stay signed in" (so a login session can be renewed without asking), encrypted the same way.
Decrypted values live only in ``CallApiCredential`` objects whose repr hides them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from db.audit import AuditRecord, insert_audit_records
from db.crypto import DecryptionError, TokenCipher
from db.models import AuditOutcome, CredentialKind, StoredCredential
from db.types import utcnow

FINGERPRINT_LENGTH = 8


@dataclass(frozen=True, slots=True)
class CallApiCredential:
    """A decrypted credential. ``access_token`` and ``password`` never appear in its repr."""

    id: int
    kind: CredentialKind
    login: str | None
    access_token: str = field(repr=False)
    password: str | None = field(repr=False)
    expires_at: datetime | None
    fingerprint: str
    stay_signed_in: bool
    telegram_user_id: int | None
    chat_id: int | None

    def is_expired(self, now: datetime | None = None, margin: timedelta = timedelta(0)) -> bool:
        """True when the token is past (or within ``margin`` of) its expiry."""
        if self.expires_at is None:
            return False
        return self.expires_at - margin <= (now or utcnow())


@dataclass(frozen=True, slots=True)
class RotationReport:
    rotated: int
    already_current: int
    undecryptable_ids: tuple[int, ...]  # rows no configured key opens (left unchanged)


def token_fingerprint(token: str) -> str:
    """A short, non-reversible tag to show which token is stored (first hex of SHA-256)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]


def _decrypt(cipher: TokenCipher, row: StoredCredential) -> CallApiCredential:
    return CallApiCredential(
        id=row.id,
        kind=row.kind,
        login=row.login,
        access_token=cipher.decrypt(row.token_ciphertext),
        password=(
            None if row.password_ciphertext is None else cipher.decrypt(row.password_ciphertext)
        ),
        expires_at=row.expires_at,
        fingerprint=row.token_fingerprint,
        stay_signed_in=row.stay_signed_in,
        telegram_user_id=row.telegram_user_id,
        chat_id=row.chat_id,
    )


def _check_password_policy(
    kind: CredentialKind, stay_signed_in: bool, password: str | None
) -> None:
    if stay_signed_in and kind is not CredentialKind.LOGIN_SESSION:
        raise ValueError("stay_signed_in applies to login sessions only")
    if stay_signed_in and not password:
        raise ValueError("stay_signed_in needs the password to renew the session")
    if password is not None and not stay_signed_in:
        # The whole point of the opt-in: without it no password is stored anywhere.
        raise ValueError("a password is stored only when the user opted in to stay signed in")


async def _row_for_user(session: AsyncSession, telegram_user_id: int) -> StoredCredential | None:
    return await session.scalar(
        select(StoredCredential)
        .where(StoredCredential.telegram_user_id == telegram_user_id)
        .with_for_update()
    )


async def _row_for_chat(session: AsyncSession, chat_id: int) -> StoredCredential | None:
    return await session.scalar(
        select(StoredCredential).where(StoredCredential.chat_id == chat_id).with_for_update()
    )


async def save_user_credential(
    session: AsyncSession,
    cipher: TokenCipher,
    telegram_user_id: int,
    *,
    kind: CredentialKind,
    login: str | None,
    access_token: str,
    expires_at: datetime | None,
    stay_signed_in: bool = False,
    password: str | None = None,
) -> CallApiCredential:
    """Store (or replace) the user's own credential. The user row must exist."""
    _check_password_policy(kind, stay_signed_in, password)
    row = await _row_for_user(session, telegram_user_id)
    if row is None:
        row = StoredCredential(telegram_user_id=telegram_user_id)
        session.add(row)
    _fill(row, cipher, kind, login, access_token, expires_at, stay_signed_in, password)
    await session.flush()
    return _decrypt(cipher, row)


async def bind_chat_credential(
    session: AsyncSession,
    cipher: TokenCipher,
    chat_id: int,
    *,
    login: str | None,
    access_token: str,
    expires_at: datetime | None,
    bound_by: int,
    kind: CredentialKind = CredentialKind.PERMANENT_KEY,
) -> CallApiCredential:
    """Bind a shared key to a group chat (an on-call team). The chat row must exist.

    Shared credentials never keep a password: a group key must not depend on one person's
    secret, so it is a permanent key or a session that simply expires.
    """
    row = await _row_for_chat(session, chat_id)
    if row is None:
        row = StoredCredential(chat_id=chat_id)
        session.add(row)
    _fill(row, cipher, kind, login, access_token, expires_at, False, None)
    row.bound_by = bound_by
    await session.flush()
    return _decrypt(cipher, row)


def _fill(
    row: StoredCredential,
    cipher: TokenCipher,
    kind: CredentialKind,
    login: str | None,
    access_token: str,
    expires_at: datetime | None,
    stay_signed_in: bool,
    password: str | None,
) -> None:
    row.kind = kind
    row.login = login
    row.token_ciphertext = cipher.encrypt(access_token)
    row.token_fingerprint = token_fingerprint(access_token)
    row.expires_at = expires_at
    row.stay_signed_in = stay_signed_in
    row.password_ciphertext = None if password is None else cipher.encrypt(password)


async def renew_token(
    session: AsyncSession,
    cipher: TokenCipher,
    credential_id: int,
    *,
    access_token: str,
    expires_at: datetime | None,
) -> CallApiCredential | None:
    """Replace the token after a renewal, keeping everything else; None if the row is gone."""
    row = await session.get(StoredCredential, credential_id, with_for_update=True)
    if row is None:
        return None
    row.token_ciphertext = cipher.encrypt(access_token)
    row.token_fingerprint = token_fingerprint(access_token)
    row.expires_at = expires_at
    await session.flush()
    return _decrypt(cipher, row)


async def load_user_credential(
    session: AsyncSession, cipher: TokenCipher, telegram_user_id: int
) -> CallApiCredential | None:
    row = await session.scalar(
        select(StoredCredential).where(StoredCredential.telegram_user_id == telegram_user_id)
    )
    return None if row is None else _decrypt(cipher, row)


async def load_chat_credential(
    session: AsyncSession, cipher: TokenCipher, chat_id: int
) -> CallApiCredential | None:
    row = await session.scalar(select(StoredCredential).where(StoredCredential.chat_id == chat_id))
    return None if row is None else _decrypt(cipher, row)


async def resolve_credential(
    session: AsyncSession, cipher: TokenCipher, *, telegram_user_id: int, chat_id: int
) -> CallApiCredential | None:
    """The credential to act with: the user's own first, else the chat's shared key.

    The user's own session wins because it is who they are in UIS (their calls, their rights);
    the shared key is the fallback for team members who never signed in themselves.
    """
    own = await load_user_credential(session, cipher, telegram_user_id)
    if own is not None:
        return own
    return await load_chat_credential(session, cipher, chat_id)


async def forget_user_credential(session: AsyncSession, telegram_user_id: int) -> bool:
    """Sign out: delete the token and any stored password. True if something was deleted."""
    result = await session.execute(
        delete(StoredCredential)
        .where(StoredCredential.telegram_user_id == telegram_user_id)
        .returning(StoredCredential.id)
    )
    return result.first() is not None


async def count_undecryptable(session: AsyncSession, cipher: TokenCipher) -> int:
    """How many stored credentials no configured key opens (for a startup check)."""
    rows = (await session.scalars(select(StoredCredential))).all()
    broken = 0
    for row in rows:
        try:
            _decrypt(cipher, row)
        except DecryptionError:
            broken += 1
    return broken


async def rotate_keys(
    engine: AsyncEngine, cipher: TokenCipher, *, actor: str = "callbot rotate-keys"
) -> RotationReport:
    """Re-encrypt every token and password not yet under the newest key (``callbot rotate-keys``).

    One transaction with the rows locked, so a concurrent renewal cannot be overwritten with a
    stale token. Rows no key can open are left as they are and reported by id (the CLI should
    exit non-zero then). The run itself is recorded in the audit log.
    """
    rotated = current = 0
    undecryptable: list[int] = []
    async with engine.begin() as connection:
        session = AsyncSession(bind=connection, expire_on_commit=False)
        rows = (
            await session.scalars(
                select(StoredCredential).order_by(StoredCredential.id).with_for_update()
            )
        ).all()
        for row in rows:
            ciphertexts = [row.token_ciphertext, row.password_ciphertext]
            present = [value for value in ciphertexts if value is not None]
            if all(cipher.is_current(value) for value in present):
                current += 1
                continue
            try:
                row.token_ciphertext = cipher.rotate(row.token_ciphertext)
                if row.password_ciphertext is not None:
                    row.password_ciphertext = cipher.rotate(row.password_ciphertext)
            except DecryptionError:
                undecryptable.append(row.id)
                await session.refresh(row)  # drop a half-rotated token
                continue
            rotated += 1
        await session.flush()
        await insert_audit_records(
            connection,
            [
                AuditRecord.create(
                    method="callbot.rotate_keys",
                    outcome=AuditOutcome.OK,
                    params={
                        "actor": actor,
                        "rotated": rotated,
                        "already_current": current,
                        "undecryptable": len(undecryptable),
                        "keys_configured": cipher.key_count,
                    },
                )
            ],
        )
        await session.close()
    return RotationReport(rotated, current, tuple(undecryptable))
