"""The HTTP side of UIS events: `POST /uis/events/{secret}/{event}`.

One URL per event, the secret in the path (UIS offers no signature). A wrong secret or an
unknown event is 404 (nothing tells a prober which part was wrong), a body over 64 KB is 413,
a sender over its rate is 429 (a generous rate for UIS's bursts, a small one for requests
with a wrong secret). The secret never reaches a log line: the access log prints the
path with the secret masked.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from bot.events.catalog import BY_SLUG
from bot.events.intake import EventIntake
from bot.events.parse import MAX_BODY_BYTES
from bot.events.secrets import AcceptedSecrets

EVENTS_PREFIX = "/uis/events/"
ROUTE = EVENTS_PREFIX + "{secret}/{event}"


def masked_path(path: str) -> str:
    if not path.startswith(EVENTS_PREFIX):
        return path
    rest = path[len(EVENTS_PREFIX) :]
    _secret, _slash, event = rest.partition("/")
    return f"{EVENTS_PREFIX}***/{event}"


class MaskingAccessLogger(AbstractAccessLogger):
    """aiohttp's access log line, with an event URL's secret masked."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s" %s %.3fs',
            request.remote,
            request.method,
            masked_path(request.path),
            response.status,
            time,
        )


class RateLimiter:
    """A token bucket per source address."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, source: str) -> bool:
        now = self._clock()
        tokens, last = self._buckets.get(source, (self._burst, now))
        tokens = min(self._burst, tokens + (now - last) * self._rate)
        if len(self._buckets) > 10_000:  # forget idle senders; a full bucket is the default
            self._buckets = {
                key: value for key, value in self._buckets.items() if now - value[1] < 60
            }
        if tokens < 1.0:
            self._buckets[source] = (tokens, now)
            return False
        self._buckets[source] = (tokens - 1.0, now)
        return True


PROBE_RATE_PER_SECOND = 2.0
PROBE_BURST = 30


class EventReceiver:
    def __init__(
        self,
        intake: EventIntake,
        secrets: Sequence[str] | AcceptedSecrets,
        limiter: RateLimiter,
        probe_limiter: RateLimiter | None = None,
    ) -> None:
        self._intake = intake
        # A plain list: those secrets only. AcceptedSecrets: also a rotation's stored ones
        # (`callbot events rotate-secret`), read again without a restart (bot/events/secrets.py).
        self.secrets = secrets if isinstance(secrets, AcceptedSecrets) else AcceptedSecrets(secrets)
        self._limiter = limiter
        # Wrong secrets (someone guessing URLs) get a much smaller allowance than UIS, whose
        # bursts must pass: 429 instead of 404 once a prober is over it.
        self._probes = probe_limiter or RateLimiter(PROBE_RATE_PER_SECOND, PROBE_BURST)

    def register(self, app: web.Application) -> None:
        app.router.add_post(ROUTE, self.handle)

    def start(self) -> None:
        """Watch the stored secrets of a rotation (in the background, while the bot runs)."""
        self.secrets.start()

    async def close(self) -> None:
        await self.secrets.stop()

    async def _known_secret(self, candidate: str) -> bool:
        return await self.secrets.matches(candidate)

    async def handle(self, request: web.Request) -> web.Response:
        source = request.remote or "unknown"
        if not self._limiter.allow(source):
            return web.Response(status=429, text="Too Many Requests")
        if not await self._known_secret(request.match_info["secret"]):
            if not self._probes.allow(source):
                return web.Response(status=429, text="Too Many Requests")
            return web.Response(status=404, text="Not Found")
        event = request.match_info["event"]
        if event not in BY_SLUG:
            return web.Response(status=404, text="Not Found")
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            return web.Response(status=413, text="Payload Too Large")
        body = await _read_at_most(request, MAX_BODY_BYTES)
        if body is None:
            return web.Response(status=413, text="Payload Too Large")
        reply = await self._intake.receive(event, body, request.headers.get("Content-Type"), source)
        return web.Response(status=reply.status, text=reply.text)


async def _read_at_most(request: web.Request, limit: int) -> bytes | None:
    """The body, or None once it grows past ``limit`` (chunked bodies have no length)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await request.content.read(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)


async def serve_events(receiver: EventReceiver, host: str, port: int) -> web.AppRunner:
    """Polling mode: a listener of its own for UIS events (webhook mode shares its server)."""
    app = web.Application(client_max_size=MAX_BODY_BYTES + 1024)
    receiver.register(app)
    runner = web.AppRunner(app, access_log_class=MaskingAccessLogger)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
