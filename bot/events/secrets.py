"""Which secrets an event URL may carry: the configured one, and a rotation's stored ones.

``callbot events rotate-secret`` runs in another process (the operator's shell) and stores the
new secret (and the old one) in the database; the running bot must pick that up without a
restart, or the URLs the operator pastes into UIS would be refused until it restarts. So the
stored secrets are read again:

- before a request, when the last read is older than ``reload_every`` (5 s): a finished
  rotation stops accepting the old secret within seconds;
- in the background every ``reload_every`` while the bot runs (``start``/``stop``), so the
  bot has seen a rotation even when no notification arrived while it was in progress;
- after a request whose secret matched nothing, when the last read is older than
  ``retry_after_miss`` (1 s): the first notification with a freshly generated secret is taken
  at once. A prober sending wrong secrets costs at most one small query a second (and the
  rate limiter stands before all of this).

Matching stays constant time over every accepted secret (``hmac.compare_digest`` on each, no
early exit), and a wrong secret is still a 404 to the caller. No secret is ever logged; the
stored ones join the log redaction list as soon as they are read.

One case needs care: ``--finish`` deletes the stored secrets once the operator's environment
holds the new secret, but this process may still run with the OLD ``CALLBOT_EVENTS__SECRET``
(not restarted yet). Dropping the stored new secret then would refuse every notification UIS
now sends. So when a rotation disappears whose new secret is not this process's configured
one, that secret stays accepted until the process restarts (and a warning says to restart);
the old one stays too, being this process's configuration. A bot restarted with the new value
before ``--finish`` accepts only the new secret once the rotation is finished.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from bot.background import BackgroundTask
from bot.logging_setup import SECRETS
from db.event_secrets import Rotation

log = logging.getLogger(__name__)

RotationLoader = Callable[[], Awaitable[Rotation | None]]
RELOAD_EVERY = 5.0
RETRY_AFTER_MISS = 1.0


class AcceptedSecrets:
    def __init__(
        self,
        configured: Sequence[str],
        load: RotationLoader | None = None,
        *,
        reload_every: float = RELOAD_EVERY,
        retry_after_miss: float = RETRY_AFTER_MISS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._configured = [secret for secret in configured if secret]
        self._load = load
        self._reload_every = reload_every
        self._retry_after_miss = retry_after_miss
        self._clock = clock
        self._rotation: Rotation | None = None
        self._kept: str | None = None  # a finished rotation's new secret, see the docstring
        self._loaded_at: float | None = None
        self._lock = asyncio.Lock()
        self._failing = False
        self._accepted = self._encode()
        self._watch = BackgroundTask("uis-event-secrets", self._watch_loop)

    def start(self) -> None:
        if self._load is not None:
            self._watch.start()

    async def stop(self) -> None:
        await self._watch.stop()

    async def _watch_loop(self) -> None:
        while True:
            await self.reload(self._reload_every)
            await asyncio.sleep(self._reload_every)

    def _encode(self) -> list[bytes]:
        values = list(self._configured)
        if self._rotation is not None:
            values.extend(self._rotation.secrets())
        if self._kept is not None:
            values.append(self._kept)
        return [value.encode() for value in dict.fromkeys(values)]

    def _match(self, candidate: str) -> bool:
        given = candidate.encode()
        # Every accepted secret is compared, so the time taken tells nothing either.
        matches = [hmac.compare_digest(given, secret) for secret in self._accepted]
        return any(matches)

    def _older_than(self, seconds: float) -> bool:
        return self._loaded_at is None or self._clock() - self._loaded_at >= seconds

    async def matches(self, candidate: str) -> bool:
        if self._load is not None and self._older_than(self._reload_every):
            await self.reload(self._reload_every)
        if self._match(candidate):
            return True
        if self._load is not None and self._older_than(self._retry_after_miss):
            await self.reload(self._retry_after_miss)
            return self._match(candidate)
        return False

    async def reload(self, unless_younger_than: float = 0.0) -> None:
        """Read the stored rotation again (once for concurrent callers)."""
        if self._load is None:
            return
        async with self._lock:
            if not self._older_than(unless_younger_than):
                return  # another request read it while this one waited
            try:
                rotation = await self._load()
            except Exception as exc:
                self._loaded_at = self._clock()  # tried: the next try after the same pause
                # The database is down (or a key is missing): keep what was accepted so far.
                if not self._failing:
                    log.warning(
                        "cannot read the stored UIS events secrets (%s): accepting the ones "
                        "read before",
                        type(exc).__name__,
                    )
                self._failing = True
                return
            # Only now: a request arriving while the read is under way waits for it (the lock)
            # instead of being matched against what was accepted before.
            self._loaded_at = self._clock()
            if self._failing:
                log.info("reading the stored UIS events secrets works again")
            self._failing = False
            self._apply(rotation)

    def _apply(self, rotation: Rotation | None) -> None:
        before = self._rotation
        if rotation is not None:
            SECRETS.add(*rotation.secrets())
            if before is None:
                log.info("UIS events secret rotation in progress: the old and the new accepted")
        elif before is not None:
            stale = not any(
                hmac.compare_digest(before.next_secret.encode(), mine.encode())
                for mine in self._configured
            )
            if stale:
                self._kept = before.next_secret
                log.warning(
                    "UIS events secret rotation finished, but this bot still runs with the old "
                    "CALLBOT_EVENTS__SECRET: it accepts both until restarted; restart it"
                )
            else:
                log.info("UIS events secret rotation finished: only the configured one accepted")
        self._rotation = rotation
        self._accepted = self._encode()
