"""Fetching a call recording from the link a UIS event gave, guarded.

The link comes from an event, and events are untrusted (anyone who learns the events URL can
post one): fetched carelessly it would make the bot read any address it can reach (SSRF) and
hand the answer to Telegram. So, before a byte is read:

* the scheme is ``https`` (the recording is personal data);
* the host is on the allowlist: exactly an allowed name, or a subdomain of one;
* the host is resolved once, and every address it resolves to must be public (no private,
  loopback, link-local, multicast, reserved or unspecified address, IPv4-mapped ones included);
* the request goes to the address that was checked: the URL's host is replaced by that address,
  the name travels in the ``Host`` header and in TLS SNI, and the certificate is verified against
  the name. There is no second lookup, so DNS rebinding between the check and the connection is
  impossible. ``trust_env=False``: no proxy from the environment sits in between;
* redirects are not followed by httpx: each ``Location`` goes through all the checks above
  again, at most :data:`MAX_REDIRECTS` hops;
* a ``Content-Length`` over the maximum is refused before the body is read, and a body without
  one (or lying about it) is read only up to the maximum.

Refusals raise :class:`RecordingRefused`; its message and :func:`url_for_log` never carry the
link's query string or user info (UIS links may carry a token there).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final
from urllib.parse import urljoin, urlsplit

import httpx

__all__ = [
    "DEFAULT_ALLOWED_HOSTS",
    "MAX_REDIRECTS",
    "TELEGRAM_UPLOAD_LIMIT",
    "DownloadPolicy",
    "Recording",
    "RecordingRefused",
    "Refusal",
    "Resolver",
    "download_recording",
    "host_allowed",
    "url_for_log",
]

# The domains of the UIS platform's sites (UIS, CoMagic, CallGear; shared/callapi/README.md):
# a recording link is on one of them or a subdomain.
DEFAULT_ALLOWED_HOSTS: Final = ("uiscom.ru", "comagic.ru", "callgear.com")
# What a bot may upload to Telegram (the Bot API's limit is 50 MB; decimal megabytes here
# leave room for the multipart envelope).
TELEGRAM_UPLOAD_LIMIT: Final = 50_000_000
MAX_REDIRECTS: Final = 3
_CHUNK: Final = 64 * 1024

# host, port -> the addresses it resolves to (a test may substitute its own).
Resolver = Callable[[str, int], Awaitable[list[str]]]


class Refusal(StrEnum):
    """Why a recording was not fetched (logged; the user hears only about ``TOO_BIG`` and
    ``UNAVAILABLE``)."""

    BAD_LINK = "bad_link"  # not a URL, user info in it, no host
    NOT_HTTPS = "not_https"
    HOST_NOT_ALLOWED = "host_not_allowed"
    ADDRESS_NOT_PUBLIC = "address_not_public"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    TOO_BIG = "too_big"
    UNAVAILABLE = "unavailable"  # no answer, an HTTP error, a timeout, a name that resolves not


class RecordingRefused(Exception):
    def __init__(
        self, reason: Refusal, url: str, detail: str = "", *, size: int | None = None
    ) -> None:
        self.reason = reason
        self.safe_url = url_for_log(url)
        self.detail = detail
        # TOO_BIG: the declared size, or None when the body ran past the maximum undeclared.
        self.size = size
        super().__init__(f"{reason.value}: {self.safe_url}" + (f" ({detail})" if detail else ""))


@dataclass(frozen=True)
class DownloadPolicy:
    allowed_hosts: tuple[str, ...] = DEFAULT_ALLOWED_HOSTS
    max_bytes: int = TELEGRAM_UPLOAD_LIMIT
    timeout_seconds: float = 20.0
    max_redirects: int = MAX_REDIRECTS
    # TEST ONLY. Loopback addresses (127.0.0.0/8, ::1) pass the address check, and plain http
    # is accepted to them, so that tests and the sandbox can serve recordings from a local
    # server. Not a setting: only sandbox code turns it on (see bot/services/recordings.py).
    # Other private ranges stay refused either way.
    loopback_for_tests: bool = False
    allowed: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        names = frozenset(_normal_host(host) for host in self.allowed_hosts if host.strip())
        object.__setattr__(self, "allowed", names)


@dataclass(frozen=True)
class Recording:
    content: bytes
    file_name: str
    content_type: str | None


def url_for_log(url: str) -> str:
    """The link without user info, query string and fragment (they may carry a token)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        return "<not a URL>"
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}{port}{parts.path}"


def _normal_host(host: str) -> str:
    return host.strip().strip(".").lower()


def host_allowed(host: str, allowed: Iterable[str]) -> bool:
    """``host`` is an allowed name or a subdomain of one (``rec.uiscom.ru`` for ``uiscom.ru``,
    never ``eviluiscom.ru``). IP literals only match themselves."""
    name = _normal_host(host)
    if not name:
        return False
    for domain in allowed:
        if name == domain or (not _is_ip(name) and name.endswith("." + domain)):
            return True
    return False


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _address_public(text: str, loopback_for_tests: bool) -> bool:
    address = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if loopback_for_tests and address.is_loopback:
        return True
    refused = (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )
    return not refused


async def _system_resolver(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True)
class _Target:
    url: httpx.URL  # with the checked address in place of the name
    host_header: str
    server_name: str | None  # TLS SNI and certificate name (https)


async def _checked_target(url: str, policy: DownloadPolicy, resolver: Resolver) -> _Target:
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        raise RecordingRefused(Refusal.BAD_LINK, url) from None
    if not host or parts.username is not None or parts.password is not None:
        raise RecordingRefused(Refusal.BAD_LINK, url)
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise RecordingRefused(Refusal.NOT_HTTPS, url)
    if not host_allowed(host, policy.allowed):
        raise RecordingRefused(Refusal.HOST_NOT_ALLOWED, url)
    port = port or (443 if scheme == "https" else 80)
    try:
        addresses = await resolver(host, port)
    except (OSError, UnicodeError) as exc:
        raise RecordingRefused(Refusal.UNAVAILABLE, url, f"name not resolved: {exc}") from None
    if not addresses:
        raise RecordingRefused(Refusal.UNAVAILABLE, url, "name not resolved")
    # Every address must pass: which one a connection would pick is not ours to choose.
    if not all(_address_public(address, policy.loopback_for_tests) for address in addresses):
        raise RecordingRefused(Refusal.ADDRESS_NOT_PUBLIC, url)
    if scheme == "http":
        # Plain http only to a loopback test server (every address passed the loopback check).
        loopback = all(
            ipaddress.ip_address(address.split("%", 1)[0]).is_loopback for address in addresses
        )
        if not (policy.loopback_for_tests and loopback):
            raise RecordingRefused(Refusal.NOT_HTTPS, url)
    address = addresses[0].split("%", 1)[0]
    default_port = port == (443 if scheme == "https" else 80)
    host_header = host if default_port else f"{host}:{port}"
    if ":" in host and not default_port:
        host_header = f"[{host}]:{port}"
    elif ":" in host:
        host_header = f"[{host}]"
    try:
        pinned = httpx.URL(url).copy_with(host=address, port=port)
    except (httpx.InvalidURL, ValueError):
        raise RecordingRefused(Refusal.BAD_LINK, url) from None
    return _Target(pinned, host_header, host if scheme == "https" else None)


async def download_recording(
    url: str,
    policy: DownloadPolicy,
    *,
    resolver: Resolver | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Recording:
    """The recording's bytes, or :class:`RecordingRefused`. ``transport`` is for tests that
    need to trust their own TLS certificate; by default httpx's own, verifying certificates."""
    resolve = resolver or _system_resolver
    try:
        async with asyncio.timeout(policy.timeout_seconds):
            return await _download(url, policy, resolve, transport)
    except TimeoutError:
        raise RecordingRefused(Refusal.UNAVAILABLE, url, "timed out") from None


async def _download(
    url: str,
    policy: DownloadPolicy,
    resolver: Resolver,
    transport: httpx.AsyncBaseTransport | None,
) -> Recording:
    timeout = httpx.Timeout(policy.timeout_seconds)
    async with httpx.AsyncClient(
        follow_redirects=False, trust_env=False, timeout=timeout, transport=transport
    ) as client:
        current = url
        for _hop in range(policy.max_redirects + 1):
            target = await _checked_target(current, policy, resolver)
            extensions = {"sni_hostname": target.server_name} if target.server_name else {}
            request = client.build_request(
                "GET",
                target.url,
                headers={"Host": target.host_header, "Accept-Encoding": "identity"},
                extensions=extensions,
            )
            try:
                response = await client.send(request, stream=True)
            except httpx.HTTPError as exc:
                detail = type(exc).__name__
                raise RecordingRefused(Refusal.UNAVAILABLE, current, detail) from None
            try:
                if response.is_redirect:
                    location = response.headers.get("Location", "")
                    if not location:
                        raise RecordingRefused(Refusal.UNAVAILABLE, current, "empty redirect")
                    current = urljoin(current, location)
                    continue
                if response.status_code != 200:
                    detail = f"HTTP {response.status_code}"
                    raise RecordingRefused(Refusal.UNAVAILABLE, current, detail)
                content = await _bounded_body(response, current, policy.max_bytes)
            finally:
                await response.aclose()
            content_type = response.headers.get("Content-Type")
            return Recording(content, _file_name(current), content_type)
    raise RecordingRefused(Refusal.TOO_MANY_REDIRECTS, url)


async def _bounded_body(response: httpx.Response, url: str, max_bytes: int) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            size = None
        if size is not None and size > max_bytes:
            raise RecordingRefused(Refusal.TOO_BIG, url, f"{size} bytes declared", size=size)
    body = bytearray()
    try:
        async for chunk in response.aiter_raw(_CHUNK):
            body.extend(chunk)
            if len(body) > max_bytes:
                raise RecordingRefused(Refusal.TOO_BIG, url, f"over {max_bytes} bytes")
    except httpx.HTTPError as exc:
        raise RecordingRefused(Refusal.UNAVAILABLE, url, type(exc).__name__) from None
    return bytes(body)


def _file_name(url: str) -> str:
    try:
        path = urlsplit(url).path
    except ValueError:
        path = ""
    name = path.rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in name if ch.isalnum() or ch in "._-")[:80]
    return cleaned or "recording"
