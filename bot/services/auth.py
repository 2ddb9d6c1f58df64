"""Call API sign-in for Telegram users: permanent keys (recommended) and login sessions.

Tokens and passwords live only encrypted in the database; this service hands the api client a
credentials provider built from the stored row, and persists renewed session keys.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.client import BoundCallApi, CallApiClient
from api.credentials import (
    CredentialsProvider,
    LoginSessionCredentials,
    PermanentKeyCredentials,
)
from api.errors import CallApiClientError
from bot.background import BackgroundTask
from bot.logging_setup import SECRETS
from bot.services.actor import Actor
from bot.unit_of_work import Database
from db import credentials as stored
from db import users as user_store
from db.crypto import TokenCipher
from db.models import CredentialKind

# What a router needs to read a sign-in's outcome, without importing api or db itself.
__all__ = ["AuthService", "CallApiClientError", "CredentialKind", "GroupKeyBound", "SignedIn"]

log = logging.getLogger(__name__)

EXPIRY_WARNING = timedelta(minutes=10)


@dataclass(frozen=True)
class SignedIn:
    kind: CredentialKind
    fingerprint: str
    expires_at: datetime | None
    stay_signed_in: bool


@dataclass(frozen=True)
class ActingCredential:
    """What a request is sent with: the provider plus facts for audit and messages."""

    provider: CredentialsProvider
    login: str | None
    kind: CredentialKind
    fingerprint: str
    shared: bool  # a group chat's key, not the user's own


@dataclass(frozen=True)
class GroupKeyBound:
    fingerprint: str
    group_title: str


class AuthService:
    def __init__(
        self,
        client: CallApiClient,
        sessions: async_sessionmaker[AsyncSession],
        cipher: TokenCipher,
    ) -> None:
        self._client = client
        self._db = Database(sessions)
        self._cipher = cipher
        # One provider per stored credential, so concurrent presses share one re-login.
        self._providers: dict[tuple[int, str], CredentialsProvider] = {}
        # Who acts with what, per (user, chat): reading and decrypting it on every press
        # would be a database round trip before each request. Every change to stored
        # credentials goes through this service (or calls invalidate()), which clears it.
        self._acting: dict[tuple[int, int], ActingCredential] = {}

    # ------------------------------------------------------------------ acting

    def invalidate(self) -> None:
        """Forget cached credentials (after a sign-in, sign-out or a group key binding)."""
        self._acting = {}

    async def credential_for(self, actor: Actor) -> ActingCredential | None:
        cached = self._acting.get((actor.user_id, actor.chat_id))
        if cached is not None:
            return cached
        async with self._db.unit() as session:
            credential = await stored.resolve_credential(
                session, self._cipher, telegram_user_id=actor.user_id, chat_id=actor.chat_id
            )
        if credential is None:
            return None
        SECRETS.add_user_secret(credential.access_token, credential.password)
        key = (credential.id, credential.fingerprint)
        provider = self._providers.get(key)
        if provider is None:
            provider = self._provider_from(credential)
            self._providers = {
                k: v for k, v in self._providers.items() if k[0] != credential.id
            } | {key: provider}
        acting = ActingCredential(
            provider=provider,
            login=credential.login,
            kind=credential.kind,
            fingerprint=credential.fingerprint,
            shared=credential.telegram_user_id is None,
        )
        self._acting[(actor.user_id, actor.chat_id)] = acting
        return acting

    def bind(self, actor: Actor, credential: ActingCredential) -> BoundCallApi:
        return self._client.bind(credential.provider, context=actor.audit_context(credential.login))

    def _provider_from(self, credential: stored.CallApiCredential) -> CredentialsProvider:
        if credential.kind is CredentialKind.PERMANENT_KEY:
            return PermanentKeyCredentials(credential.access_token)
        credential_id = credential.id

        async def persist(token: str, expire_at: float) -> None:
            SECRETS.add_user_secret(token)
            async with self._db.unit() as session:
                await stored.renew_token(
                    session,
                    self._cipher,
                    credential_id,
                    access_token=token,
                    expires_at=datetime.fromtimestamp(expire_at, UTC),
                )

        return LoginSessionCredentials(
            credential.login or "",
            credential.password,
            access_token=credential.access_token,
            expire_at=None if credential.expires_at is None else credential.expires_at.timestamp(),
            on_new_token=persist,
        )

    # ------------------------------------------------------------------ signing in and out

    async def sign_in_with_key(self, actor: Actor, key: str) -> SignedIn:
        """Check the key with one cheap read (list.calls) and store it encrypted.

        Raises the api's errors unchanged (e.g. access_token_expired, ip_not_whitelisted):
        a key we could not verify is not stored.
        """
        await self._verify_key(actor, key)
        async with self._db.unit() as session:
            saved = await stored.save_user_credential(
                session,
                self._cipher,
                actor.user_id,
                kind=CredentialKind.PERMANENT_KEY,
                login=None,
                access_token=key,
                expires_at=None,
            )
        self._forget_cached(saved.id)
        return SignedIn(saved.kind, saved.fingerprint, None, False)

    async def _verify_key(self, actor: Actor, key: str) -> None:
        await self._client.bind(
            PermanentKeyCredentials(key), context=actor.audit_context()
        ).list_calls()
        SECRETS.add_user_secret(key)  # verified: from now on it is a secret we keep

    async def bind_group_key(self, actor: Actor, group_chat_id: int, key: str) -> GroupKeyBound:
        """An admin's key for a group chat: checked like a user's key, stored encrypted for the
        chat; everyone in the group acts with it. Raises the api's errors unchanged."""
        await self._verify_key(actor, key)
        async with self._db.unit() as session:
            chat = await user_store.get_chat(session, group_chat_id)
            if chat is None:
                await user_store.record_chat_seen(session, group_chat_id, chat_type="group")
            saved = await stored.bind_chat_credential(
                session,
                self._cipher,
                group_chat_id,
                login=None,
                access_token=key,
                expires_at=None,
                bound_by=actor.user_id,
                kind=CredentialKind.PERMANENT_KEY,
            )
        self.invalidate()
        title = chat.title if chat is not None and chat.title else str(group_chat_id)
        return GroupKeyBound(saved.fingerprint, title)

    async def sign_in_with_password(
        self, actor: Actor, login: str, password: str, *, stay_signed_in: bool
    ) -> SignedIn:
        reply = await self._client.bind(
            LoginSessionCredentials(login), context=actor.audit_context(login)
        ).login_user(login=login, password=password)
        token = reply.data.access_token
        # The password is a secret we keep only when it is stored (stay signed in).
        SECRETS.add_user_secret(token, password if stay_signed_in else None)
        expires_at = datetime.fromtimestamp(float(reply.data.expire_at), UTC)
        async with self._db.unit() as session:
            saved = await stored.save_user_credential(
                session,
                self._cipher,
                actor.user_id,
                kind=CredentialKind.LOGIN_SESSION,
                login=login,
                access_token=token,
                expires_at=expires_at,
                stay_signed_in=stay_signed_in,
                password=password if stay_signed_in else None,
            )
        self._forget_cached(saved.id)
        return SignedIn(saved.kind, saved.fingerprint, expires_at, stay_signed_in)

    async def sign_out(self, actor: Actor) -> CredentialKind | None:
        """Erase the user's stored token; log out in UIS only for a login session.

        A permanent key is never logged out: logout.user would delete a key other systems
        may use. A failing logout.user still erases the local copy (the user asked to forget it).
        """
        async with self._db.unit() as session:
            credential = await stored.load_user_credential(session, self._cipher, actor.user_id)
        if credential is None:
            return None
        if credential.kind is CredentialKind.LOGIN_SESSION and not credential.is_expired():
            provider = LoginSessionCredentials(
                credential.login or "",
                access_token=credential.access_token,
                expire_at=None
                if credential.expires_at is None
                else credential.expires_at.timestamp(),
            )
            try:
                await self._client.bind(
                    provider, context=actor.audit_context(credential.login)
                ).logout_user()
            except Exception as exc:  # the audit row has the details
                log.warning("logout.user failed (%s); erasing the local session anyway", exc)
        async with self._db.unit() as session:
            await stored.forget_user_credential(session, actor.user_id)
        self._forget_cached(credential.id)
        SECRETS.discard(credential.access_token, credential.password)
        return credential.kind

    async def status(self, user_id: int) -> stored.CallApiCredential | None:
        async with self._db.unit() as session:
            return await stored.load_user_credential(session, self._cipher, user_id)

    def _forget_cached(self, credential_id: int) -> None:
        self._providers = {k: v for k, v in self._providers.items() if k[0] != credential_id}
        self.invalidate()


ExpiryNotifier = Callable[[int, datetime], Awaitable[None]]


class SessionExpiryWatch:
    """Warns users whose login session (without stay-signed-in) ends within 10 minutes."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        notify: ExpiryNotifier,
        interval: float = 30.0,
    ) -> None:
        self._sessions = sessions
        self._notify = notify
        self._interval = interval
        self._warned: set[tuple[int, datetime]] = set()
        self._task = BackgroundTask("session-expiry-watch", self._loop)

    async def check_now(self, only_user: int | None = None) -> int:
        from sqlalchemy import select

        from db.models import StoredCredential

        horizon = datetime.now(UTC) + EXPIRY_WARNING
        query = select(StoredCredential.telegram_user_id, StoredCredential.expires_at).where(
            StoredCredential.kind == CredentialKind.LOGIN_SESSION,
            StoredCredential.stay_signed_in.is_(False),
            StoredCredential.telegram_user_id.is_not(None),
            StoredCredential.expires_at.is_not(None),
            StoredCredential.expires_at < horizon,
            StoredCredential.expires_at > datetime.now(UTC),
        )
        if only_user is not None:
            query = query.where(StoredCredential.telegram_user_id == only_user)
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
        sent = 0
        for user_id, expires_at in rows:
            if user_id is None or expires_at is None or (user_id, expires_at) in self._warned:
                continue
            self._warned.add((user_id, expires_at))
            try:
                await self._notify(user_id, expires_at)
                sent += 1
            except Exception:
                log.exception("could not send a session expiry warning")
        return sent

    async def _loop(self) -> None:
        while True:
            try:
                await self.check_now()
            except Exception:
                log.exception("session expiry check failed")
            await asyncio.sleep(self._interval)

    def start(self) -> None:
        self._task.start()

    async def stop(self) -> None:
        await self._task.stop()
