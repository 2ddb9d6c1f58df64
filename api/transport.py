"""The shared httpx.AsyncClient and the classification of its failures.

Two transports behind the same httpx API: httpx's own (httpcore) and httpx-aiohttp's
``AiohttpTransport``. benchmarks/bench_callapi.py measures both; see benchmarks/README.md for the
figures behind :data:`DEFAULT_TRANSPORT`.

Classification matters for safety: a failure before the request left us (connection refused,
connect timeout, no free pooled connection) is harmless; anything later may mean the server got
and executed the request. httpx-aiohttp maps every ``aiohttp.ClientConnectionError`` - including a
server disconnect AFTER the request was sent - to ``httpx.ConnectTimeout``, so we look at the
original aiohttp exception in ``__cause__`` before trusting the httpx class.
"""

from __future__ import annotations

import errno
from enum import StrEnum
from http.cookiejar import CookieJar
from typing import Any, Final

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

from api.errors import TransportErrorKind

__all__ = [
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TRANSPORT",
    "TransportChoice",
    "classify_transport_exception",
    "create_http_client",
]


class TransportChoice(StrEnum):
    """Which transport the shared httpx.AsyncClient uses."""

    HTTPX = "httpx"
    AIOHTTP = "aiohttp"


# Chosen from the benchmark figures (benchmarks/README.md, section "Call API client").
DEFAULT_TRANSPORT: Final = TransportChoice.AIOHTTP

# Explicit timeouts: connecting to UIS and getting a pooled connection must be quick; a start.*
# reply may take a few seconds while the platform sets the call up.
DEFAULT_TIMEOUT: Final = httpx.Timeout(connect=5.0, read=20.0, write=10.0, pool=5.0)
DEFAULT_MAX_CONNECTIONS: Final = 100


class _NoCookies(CookieJar):
    """The Call API authenticates by token in the request body and sets no cookies; httpx would
    still run every reply's headers through the standard library's cookie parser."""

    def extract_cookies(self, response: Any, request: Any) -> None:
        return None

    def add_cookie_header(self, request: Any) -> None:
        return None


def create_http_client(
    *,
    transport: TransportChoice = DEFAULT_TRANSPORT,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
) -> httpx.AsyncClient:
    """One httpx.AsyncClient for the whole deployment (connection pool shared by all users)."""
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    cookies = _NoCookies()
    if transport is TransportChoice.AIOHTTP:
        return httpx.AsyncClient(
            transport=AiohttpTransport(limits=limits),
            timeout=timeout,
            follow_redirects=False,
            cookies=cookies,
        )
    return httpx.AsyncClient(
        limits=limits, timeout=timeout, follow_redirects=False, cookies=cookies
    )


def _is_refused(error: BaseException) -> bool:
    current: BaseException | None = error
    while current is not None:
        if isinstance(current, ConnectionRefusedError):
            return True
        if isinstance(current, OSError) and current.errno == errno.ECONNREFUSED:
            return True
        current = current.__cause__ or current.__context__
    return "refused" in str(error).lower()


def _classify_aiohttp(error: aiohttp.ClientError) -> TransportErrorKind:
    if isinstance(error, aiohttp.ClientConnectorError):
        return (
            TransportErrorKind.CONNECT_REFUSED
            if _is_refused(error.os_error)
            else TransportErrorKind.CONNECT_ERROR
        )
    if isinstance(error, aiohttp.ConnectionTimeoutError):
        return TransportErrorKind.CONNECT_TIMEOUT
    if isinstance(error, aiohttp.ServerTimeoutError):
        return TransportErrorKind.READ_TIMEOUT
    if isinstance(error, aiohttp.ClientPayloadError):
        return TransportErrorKind.TRUNCATED_REPLY
    return TransportErrorKind.CONNECTION_LOST


def _aiohttp_cause(error: BaseException) -> aiohttp.ClientError | None:
    current: BaseException | None = error.__cause__
    while current is not None:
        if isinstance(current, aiohttp.ClientError):
            return current
        current = current.__cause__
    return None


def classify_transport_exception(error: Exception) -> tuple[TransportErrorKind, str]:
    """Map an httpx (or aiohttp-through-httpx) exception to ``(kind, detail)``."""
    detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    original = _aiohttp_cause(error)
    if original is not None:
        detail = f"{type(original).__name__}: {original}" if str(original) else detail
        return _classify_aiohttp(original), detail
    if isinstance(error, aiohttp.ClientError):
        return _classify_aiohttp(error), detail
    if isinstance(error, httpx.ConnectTimeout):
        return TransportErrorKind.CONNECT_TIMEOUT, detail
    if isinstance(error, httpx.PoolTimeout):
        return TransportErrorKind.POOL_TIMEOUT, detail
    if isinstance(error, httpx.WriteTimeout):
        return TransportErrorKind.WRITE_TIMEOUT, detail
    if isinstance(error, httpx.TimeoutException):
        return TransportErrorKind.READ_TIMEOUT, detail
    if isinstance(error, httpx.ConnectError):
        kind = (
            TransportErrorKind.CONNECT_REFUSED
            if _is_refused(error)
            else TransportErrorKind.CONNECT_ERROR
        )
        return kind, detail
    if isinstance(error, httpx.UnsupportedProtocol):
        return TransportErrorKind.CONNECT_ERROR, detail
    if isinstance(error, httpx.RemoteProtocolError) and "complete message body" in str(error):
        return TransportErrorKind.TRUNCATED_REPLY, detail
    if isinstance(error, httpx.DecodingError):
        return TransportErrorKind.TRUNCATED_REPLY, detail
    if isinstance(error, TimeoutError):
        # A bare asyncio timeout that a transport did not map.
        return TransportErrorKind.READ_TIMEOUT, detail
    return TransportErrorKind.CONNECTION_LOST, detail
