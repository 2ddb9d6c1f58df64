"""The guarded recording download against real local HTTP(S) servers.

Each refusal is checked on the servers' own request logs: a link the guard refuses reaches no
server at all, and a body over the maximum is not read to its end. Loopback servers need the
policy's test-only ``loopback_for_tests``; the refusal of loopback without it is tested too.
A stub resolver (name -> addresses) stands in for DNS where a test needs a name.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from api.recording_download import (
    DownloadPolicy,
    RecordingRefused,
    Refusal,
    download_recording,
    host_allowed,
    url_for_log,
)

AUDIO = b"ID3" + bytes(range(256)) * 3
MAX = 1000


@dataclass
class Server:
    base: str
    port: int
    log: list[tuple[str, str]] = field(default_factory=list)  # (path, Host header)
    sent: list[int] = field(default_factory=list)  # bytes written by streaming handlers


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def serving(
    routes: dict[str, Callable[[Server], Handler]], ssl_context: ssl.SSLContext | None = None
) -> AsyncIterator[Server]:
    app = web.Application()
    server = Server("", 0)

    @web.middleware
    async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
        server.log.append((request.path_qs, request.headers.get("Host", "")))
        return await handler(request)

    app.middlewares.append(record)
    for path, make in routes.items():
        app.router.add_get(path, make(server))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
    await site.start()
    port = runner.addresses[0][1]
    server.port = port
    server.base = f"{'https' if ssl_context else 'http'}://127.0.0.1:{port}"
    try:
        yield server
    finally:
        await runner.cleanup()


def audio(_server: Server) -> Handler:
    async def handle(_request: web.Request) -> web.StreamResponse:
        return web.Response(body=AUDIO, content_type="audio/mpeg")

    return handle


def redirect_to(location: Callable[[], str]) -> Callable[[Server], Handler]:
    def make(_server: Server) -> Handler:
        async def handle(_request: web.Request) -> web.StreamResponse:
            raise web.HTTPFound(location())

        return handle

    return make


def streaming(declared: int | None) -> Callable[[Server], Handler]:
    """Writes up to 20 MB in 64 KiB chunks, declaring ``declared`` (None: chunked, no length);
    ``server.sent`` tells how much it got to write before the client went away."""

    def make(server: Server) -> Handler:
        async def handle(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": "audio/mpeg"})
            if declared is not None:
                response.content_length = declared
            else:
                response.enable_chunked_encoding()
            await response.prepare(request)
            written = 0
            try:
                while written < 20_000_000:
                    await response.write(b"\0" * 65536)
                    written += 65536
                    await asyncio.sleep(0)
            except (ConnectionError, RuntimeError):
                pass
            finally:
                server.sent.append(written)
            return response

        return handle

    return make


def loopback_policy(**changes: object) -> DownloadPolicy:
    base: dict[str, object] = {
        "allowed_hosts": ("127.0.0.1",),
        "max_bytes": MAX * 10,
        "timeout_seconds": 5.0,
        "loopback_for_tests": True,
    }
    base.update(changes)
    return DownloadPolicy(**base)  # type: ignore[arg-type]


def resolving(table: dict[str, list[str]], calls: list[str] | None = None) -> object:
    async def resolve(host: str, _port: int) -> list[str]:
        if calls is not None:
            calls.append(host)
        if host not in table:
            raise OSError("unknown name")
        return table[host]

    return resolve


async def refused(url: str, policy: DownloadPolicy, **kwargs: object) -> RecordingRefused:
    with pytest.raises(RecordingRefused) as caught:
        await download_recording(url, policy, **kwargs)  # type: ignore[arg-type]
    return caught.value


async def test_a_recording_on_an_allowed_host_is_downloaded() -> None:
    async with serving({"/rec/{name}": audio}) as server:
        got = await download_recording(f"{server.base}/rec/5.mp3?token=abc", loopback_policy())
    assert got.content == AUDIO
    assert got.file_name == "5.mp3"
    assert got.content_type == "audio/mpeg"
    assert server.log == [("/rec/5.mp3?token=abc", f"127.0.0.1:{server.port}")]


async def test_the_connection_goes_to_the_checked_address_with_the_name_in_host() -> None:
    """Resolved once; the request reaches the address that was checked (no second lookup:
    the system resolver does not know this name at all)."""
    lookups: list[str] = []
    resolver = resolving({"rec.uiscom.ru": ["127.0.0.1"]}, lookups)
    policy = loopback_policy(allowed_hosts=("uiscom.ru",))
    async with serving({"/rec/{name}": audio}) as server:
        got = await download_recording(
            f"http://rec.uiscom.ru:{server.port}/rec/1.mp3",
            policy,
            resolver=resolver,  # type: ignore[arg-type]
        )
    assert got.content == AUDIO
    assert lookups == ["rec.uiscom.ru"]
    assert server.log == [("/rec/1.mp3", f"rec.uiscom.ru:{server.port}")]


async def test_loopback_is_refused_without_the_test_only_switch() -> None:
    async with serving({"/rec/{name}": audio}) as server:
        error = await refused(f"{server.base}/rec/5.mp3", loopback_policy(loopback_for_tests=False))
    assert error.reason is Refusal.ADDRESS_NOT_PUBLIC
    assert server.log == []


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "192.168.1.5",
        "172.16.0.9",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # shared address space
        "0.0.0.0",  # noqa: S104 - an address to refuse, nothing binds to it
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "::ffff:10.0.0.1",
        "fe80::1",
        "fc00::1",
    ],
)
async def test_a_name_resolving_to_a_private_address_is_refused(address: str) -> None:
    resolver = resolving({"rec.uiscom.ru": [address]})
    error = await refused("https://rec.uiscom.ru/rec/5.mp3", DownloadPolicy(), resolver=resolver)
    assert error.reason is Refusal.ADDRESS_NOT_PUBLIC
    if not ipaddress.ip_address(address).is_loopback:
        # The test-only switch lets loopback through, never another range.
        policy = DownloadPolicy(loopback_for_tests=True)
        error = await refused("https://rec.uiscom.ru/rec/5.mp3", policy, resolver=resolver)
        assert error.reason is Refusal.ADDRESS_NOT_PUBLIC


async def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    resolver = resolving({"rec.uiscom.ru": ["93.184.216.34", "10.0.0.5"]})
    error = await refused("https://rec.uiscom.ru/x.mp3", DownloadPolicy(), resolver=resolver)
    assert error.reason is Refusal.ADDRESS_NOT_PUBLIC


async def test_an_unknown_host_is_refused_before_any_lookup() -> None:
    lookups: list[str] = []
    resolver = resolving({"evil.example": ["127.0.0.1"]}, lookups)
    for url in (
        "https://evil.example/rec.mp3",
        "https://uiscom.ru.evil.example/rec.mp3",
        "https://eviluiscom.ru/rec.mp3",
    ):
        error = await refused(url, DownloadPolicy(loopback_for_tests=True), resolver=resolver)
        assert error.reason is Refusal.HOST_NOT_ALLOWED
    assert lookups == []


def test_allowed_hosts_are_the_names_and_their_subdomains() -> None:
    allowed = DownloadPolicy().allowed
    assert host_allowed("uiscom.ru", allowed)
    assert host_allowed("Media.App.UISCOM.ru.", allowed)
    assert host_allowed("rec.comagic.ru", allowed)
    assert not host_allowed("eviluiscom.ru", allowed)
    assert not host_allowed("uiscom.ru.evil.example", allowed)
    assert not host_allowed("127.0.0.1", allowed)
    assert not host_allowed("", allowed)


async def test_plain_http_is_refused_unless_to_loopback_in_tests() -> None:
    public = resolving({"rec.uiscom.ru": ["93.184.216.34"]})
    for policy in (DownloadPolicy(), DownloadPolicy(loopback_for_tests=True)):
        error = await refused("http://rec.uiscom.ru/5.mp3", policy, resolver=public)
        assert error.reason is Refusal.NOT_HTTPS
    async with serving({"/rec/{name}": audio}) as server:
        local = resolving({"rec.uiscom.ru": ["127.0.0.1"]})
        error = await refused(
            f"http://rec.uiscom.ru:{server.port}/rec/5.mp3",
            DownloadPolicy(loopback_for_tests=False),
            resolver=local,
        )
    assert error.reason is Refusal.ADDRESS_NOT_PUBLIC
    assert server.log == []
    for url in (
        "ftp://uiscom.ru/x",
        "file:///etc/passwd",
        "https://user:pw@uiscom.ru/x",
        "https://uiscom.ru:99999/x",
        "https://[::1/x",
        "not a link",
    ):
        error = await refused(url, DownloadPolicy())
        assert error.reason in (Refusal.NOT_HTTPS, Refusal.BAD_LINK)


async def test_a_redirect_off_the_list_is_not_followed() -> None:
    async with serving({"/rec/{name}": audio}) as elsewhere:
        target = f"http://localhost:{elsewhere.port}/rec/5.mp3"
        async with serving({"/r": redirect_to(lambda: target)}) as first:
            error = await refused(f"{first.base}/r?token=secret", loopback_policy())
    assert error.reason is Refusal.HOST_NOT_ALLOWED
    assert [path for path, _host in first.log] == ["/r?token=secret"]
    assert elsewhere.log == []


async def test_a_redirect_to_a_private_address_is_not_followed() -> None:
    async with serving({"/r": redirect_to(lambda: "https://10.0.0.7/rec.mp3")}) as first:
        policy = loopback_policy(allowed_hosts=("127.0.0.1", "10.0.0.7"))
        error = await refused(f"{first.base}/r", policy)
    assert error.reason is Refusal.ADDRESS_NOT_PUBLIC


async def test_a_redirect_on_the_list_is_followed_a_few_times_at_most() -> None:
    async with serving({"/rec/{name}": audio}) as final:
        target = f"{final.base}/rec/7.mp3"
        async with serving({"/r": redirect_to(lambda: target)}) as first:
            got = await download_recording(f"{first.base}/r", loopback_policy())
        assert got.content == AUDIO
        assert got.file_name == "7.mp3"

    loop_to: list[str] = []
    async with serving({"/loop": redirect_to(lambda: loop_to[0])}) as looping:
        loop_to.append(f"{looping.base}/loop")
        error = await refused(f"{looping.base}/loop", loopback_policy(max_redirects=3))
    assert error.reason is Refusal.TOO_MANY_REDIRECTS
    assert len(looping.log) == 4  # the link and three hops


async def test_a_declared_length_over_the_maximum_is_refused_before_the_body() -> None:
    declared = 10_000_000
    async with serving({"/big.mp3": streaming(declared)}) as server:
        error = await refused(f"{server.base}/big.mp3?token=secret", loopback_policy())
        await asyncio.sleep(0.2)
    assert error.reason is Refusal.TOO_BIG
    assert error.size == declared
    assert len(server.log) == 1
    assert server.sent
    assert server.sent[0] < declared  # the client went away early
    assert "secret" not in str(error)


async def test_a_body_without_length_stops_at_the_maximum() -> None:
    async with serving({"/endless.mp3": streaming(None)}) as server:
        error = await refused(f"{server.base}/endless.mp3", loopback_policy())
        await asyncio.sleep(0.2)
    assert error.reason is Refusal.TOO_BIG
    assert error.size is None
    assert server.sent
    assert server.sent[0] < 20_000_000


async def test_a_body_longer_than_its_declared_length_is_cut_at_the_length() -> None:
    """A server lying low about the length: only the declared bytes are read (HTTP framing)."""
    requests: list[bytes] = []

    async def lying(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        requests.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"x" * 50_000)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(lying, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        got = await download_recording(f"http://127.0.0.1:{port}/lie.mp3", loopback_policy())
    finally:
        server.close()
        await server.wait_closed()
    assert got.content == b"x" * 100
    assert len(requests) == 1


async def test_a_slow_server_times_out() -> None:
    def slow(_server: Server) -> Handler:
        async def handle(_request: web.Request) -> web.StreamResponse:
            await asyncio.sleep(1)
            return web.Response(body=AUDIO)

        return handle

    async with serving({"/slow.mp3": slow}) as server:
        error = await refused(f"{server.base}/slow.mp3", loopback_policy(timeout_seconds=0.3))
    assert error.reason is Refusal.UNAVAILABLE


def test_logged_links_have_no_query_string_or_user_info() -> None:
    assert (
        url_for_log("https://u:p@rec.uiscom.ru:8443/a/b.mp3?token=s3cret#frag")
        == "https://rec.uiscom.ru:8443/a/b.mp3"
    )
    error = RecordingRefused(Refusal.HOST_NOT_ALLOWED, "https://evil.example/x?token=s3cret")
    assert "s3cret" not in str(error)


# --------------------------------------------------------------------------- https


def _certificate(tmp_path: Path, name: str) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


async def test_https_to_the_checked_address_verifies_the_certificate_for_the_name(
    tmp_path: Path,
) -> None:
    """The pinned address does not weaken TLS: SNI and the certificate check use the name."""
    cert_file, key_file = _certificate(tmp_path, "rec.uiscom.ru")
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(cert_file, key_file)
    trusting = ssl.create_default_context(cafile=str(cert_file))
    resolver = resolving({"rec.uiscom.ru": ["127.0.0.1"], "other.uiscom.ru": ["127.0.0.1"]})
    policy = loopback_policy(allowed_hosts=("uiscom.ru",))
    async with serving({"/rec/{name}": audio}, ssl_context=served) as server:
        got = await download_recording(
            f"https://rec.uiscom.ru:{server.port}/rec/9.mp3",
            policy,
            resolver=resolver,  # type: ignore[arg-type]
            transport=httpx.AsyncHTTPTransport(verify=trusting),
        )
        assert got.content == AUDIO
        # The same server under a name its certificate does not carry: refused by TLS.
        error = await refused(
            f"https://other.uiscom.ru:{server.port}/rec/9.mp3",
            policy,
            resolver=resolver,
            transport=httpx.AsyncHTTPTransport(verify=trusting),
        )
    assert error.reason is Refusal.UNAVAILABLE
    assert server.log == [("/rec/9.mp3", f"rec.uiscom.ru:{server.port}")]
