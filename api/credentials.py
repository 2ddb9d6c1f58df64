"""Per-user credentials for the shared client.

The client asks a :class:`CredentialsProvider` for a token before each request and, when a login
session's token is rejected with ``access_token_invalid``, asks it once to renew. The provider
decides whether it can: a permanent key cannot be renewed (the user must supply a new key); a
login session can log in again only if it holds the password.

Two ready implementations: :class:`PermanentKeyCredentials` and :class:`LoginSessionCredentials`.
The bot may implement the protocol itself (e.g. reading an encrypted password from its database).
Secrets never appear in reprs.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Final, Protocol, runtime_checkable

from api.errors import CredentialsUnavailableError
from api.models import LoginUserResult

__all__ = [
    "CredentialKind",
    "CredentialsProvider",
    "LoginFunction",
    "LoginSessionCredentials",
    "PermanentKeyCredentials",
    "TokenListener",
]

# (login, password) -> login.user result. The client hands its own implementation to providers,
# so a re-login goes through the same budget, observer and error handling as any other call.
LoginFunction = Callable[[str, str], Awaitable[LoginUserResult]]
# Called with (access_token, expire_at) after each successful login, e.g. to persist the session.
TokenListener = Callable[[str, float], Awaitable[None] | None]

# Log in again this long before the documented 1-hour session expires.
DEFAULT_RENEW_MARGIN_SECONDS: Final = 60.0
# Documented lifetime of a login.user session key.
SESSION_LIFETIME_SECONDS: Final = 3600.0


class CredentialKind(StrEnum):
    """What kind of token a provider hands out."""

    PERMANENT_KEY = "permanent_key"
    LOGIN_SESSION = "login_session"


@runtime_checkable
class CredentialsProvider(Protocol):
    """Source of one user's access token."""

    @property
    def kind(self) -> CredentialKind:
        """Permanent key or login session."""
        ...

    @property
    def holds_password(self) -> bool:
        """True when the provider can log in again by itself."""
        ...

    async def get_token(self, login: LoginFunction) -> str:
        """A token to send now (logging in first if needed and possible).

        Raises :class:`~api.errors.CredentialsUnavailableError` when there is none.
        """
        ...

    async def renew_token(self, rejected_token: str, login: LoginFunction) -> str | None:
        """A token other than ``rejected_token``, or None when renewal is impossible."""
        ...

    async def discard_token(self, token: str) -> None:
        """Forget ``token`` (it was logged out)."""
        ...


class PermanentKeyCredentials:
    """A permanent API key from the user's settings. Never renewed, never logged out."""

    def __init__(self, key: str) -> None:
        if not key:
            raise ValueError("the API key is empty")
        self._key = key

    def __repr__(self) -> str:
        return "PermanentKeyCredentials(key=***)"

    @property
    def kind(self) -> CredentialKind:
        """Always a permanent key."""
        return CredentialKind.PERMANENT_KEY

    @property
    def holds_password(self) -> bool:
        """A key holder has no password."""
        return False

    async def get_token(self, login: LoginFunction) -> str:
        """The key itself."""
        return self._key

    async def renew_token(self, rejected_token: str, login: LoginFunction) -> str | None:
        """A rejected key cannot be renewed; the user must generate a new one."""
        return None

    async def discard_token(self, token: str) -> None:
        """Permanent keys are never logged out; nothing to forget."""


class LoginSessionCredentials:
    """A login.user session (key valid 1 hour), optionally holding the password to log in again.

    Concurrent callers share one login: renewals are serialised and a caller whose token was
    already replaced by another coroutine simply gets the new token.
    """

    def __init__(
        self,
        login: str,
        password: str | None = None,
        *,
        access_token: str | None = None,
        expire_at: float | None = None,
        on_new_token: TokenListener | None = None,
        renew_margin: float = DEFAULT_RENEW_MARGIN_SECONDS,
        wall_clock: Callable[[], float] = time.time,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not login:
            raise ValueError("login is empty")
        self.login = login
        self._password = password or None
        self._on_new_token = on_new_token
        self._renew_margin = renew_margin
        self._wall_clock = wall_clock
        self._clock = clock
        self._lock = asyncio.Lock()
        self._token: str | None = None
        self._expire_at: float | None = None
        self._expires_local: float | None = None
        if access_token:
            self._store(access_token, expire_at)

    def __repr__(self) -> str:
        password = "***" if self._password else None
        token = "***" if self._token else None
        return f"LoginSessionCredentials(login={self.login!r}, password={password}, token={token})"

    @property
    def kind(self) -> CredentialKind:
        """Always a login session."""
        return CredentialKind.LOGIN_SESSION

    @property
    def holds_password(self) -> bool:
        """True when a password was supplied."""
        return self._password is not None

    @property
    def expire_at(self) -> float | None:
        """Unix time the current session key expires (None: unknown or no session)."""
        return self._expire_at

    def _store(self, token: str, expire_at: float | None) -> None:
        """Keep the token and when it expires on our monotonic clock.

        expire_at is the server's Unix time. If our wall clock disagrees with the server's so much
        that the remaining lifetime looks impossible (<= 0 or beyond the documented hour), we fall
        back to the documented 1 hour rather than re-login on every request.
        """
        self._token = token
        self._expire_at = expire_at
        lifetime = SESSION_LIFETIME_SECONDS
        if expire_at is not None:
            remaining = expire_at - self._wall_clock()
            if 0 < remaining <= SESSION_LIFETIME_SECONDS + self._renew_margin:
                lifetime = remaining
        self._expires_local = self._clock() + lifetime

    def _token_is_fresh(self) -> bool:
        if self._token is None:
            return False
        if self._expires_local is None:
            return True
        return self._clock() < self._expires_local - self._renew_margin

    async def get_token(self, login: LoginFunction) -> str:
        """The current session key, logging in first when there is none or it is about to end."""
        if self._token_is_fresh():
            assert self._token is not None
            return self._token
        async with self._lock:
            if self._token_is_fresh():
                assert self._token is not None
                return self._token
            if self._password is not None:
                return await self._login(login)
            if (
                self._token is not None
                and self._expire_at is not None
                and (self._wall_clock() < self._expire_at)
            ):
                # Inside the renewal margin but still valid, and we cannot renew: use it.
                return self._token
            raise CredentialsUnavailableError(
                f"the Call API session of {self.login!r} has ended and no password is stored;"
                " log in again"
            )

    async def renew_token(self, rejected_token: str, login: LoginFunction) -> str | None:
        """Log in again (once per rejected token) if the password is held; else None."""
        async with self._lock:
            if self._token is not None and self._token != rejected_token:
                return self._token
            if self._password is None:
                self._token = None
                self._expires_local = None
                return None
            return await self._login(login)

    async def discard_token(self, token: str) -> None:
        """Forget the session key after logout.user."""
        async with self._lock:
            if self._token == token:
                self._token = None
                self._expire_at = None
                self._expires_local = None

    async def _login(self, login: LoginFunction) -> str:
        assert self._password is not None
        result = await login(self.login, self._password)
        expire_at = float(result.expire_at)
        self._store(result.access_token, expire_at)
        if self._on_new_token is not None:
            outcome = self._on_new_token(result.access_token, expire_at)
            if inspect.isawaitable(outcome):
                await outcome
        return result.access_token
