"""Fresh call state for every open card at the lowest points cost.

`list.calls` returns every call of the account in one request, so one request serves every
card. Concurrent refresh requests are coalesced: a caller waits for the next request that
*starts after* it asked (so it never gets a snapshot older than its own action), and all
callers waiting at that moment share it.

The background poll runs only while a card is live, and its pace is bounded by the points
budget: it spends at most ``minute_share`` of the per-minute limit, and when the day's points
run low (below ``day_floor`` of the day limit) it spreads what is left over the rest of the day.
Polling is an ordinary (non-priority) request, so the budget's reserve keeps it from ever
taking the points an in-call action needs. A refresh asked for after an action comes after a
short debounce, but never sooner than half a poll interval after the previous request, so even
steady pressing costs at most twice the poll's share.

While UIS events flow (``bot.services.event_flow``) the poll sends nothing on its own: cards
follow the events, and a tick runs only when one is asked for (confirmations, second looks).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from api.budget import PointsBudget
from api.client import BoundCallApi
from api.models import CallInfo
from bot.background import BackgroundTask

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    calls: dict[int, CallInfo]
    taken_at: float  # monotonic


class CallsRefresher:
    """Single-flight `list.calls` shared by all cards and users."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = asyncio.Lock()
        self._latest: Snapshot | None = None
        self.requests_sent = 0

    @property
    def latest(self) -> Snapshot | None:
        return self._latest

    async def refresh(self, api: BoundCallApi) -> Snapshot:
        asked_at = self._clock()
        async with self._lock:
            # Someone else's request that started after we asked already answered for us.
            latest = self._latest
            if latest is not None and latest.taken_at >= asked_at:
                return latest
            started = self._clock()
            self.requests_sent += 1
            reply = await api.list_calls()
            snapshot = Snapshot({call.call_session_id: call for call in reply.data}, started)
            self._latest = snapshot
            return snapshot


def poll_interval(
    budget: PointsBudget,
    *,
    minute_share: float,
    day_floor: float,
    min_interval: float,
    max_interval: float,
) -> float:
    """Seconds between polls so that polling stays within its share of the points."""
    snapshot = budget.snapshot()
    interval = min_interval
    minute_limit = snapshot.minute.limit
    if minute_limit:
        interval = max(interval, 60.0 / max(minute_share * minute_limit, 1e-9))
    day = snapshot.day
    if day.limit and day.remaining is not None and day.remaining <= day_floor * day.limit:
        usable = max(day.remaining - budget.reserve, 0.0) * minute_share
        reset = day.seconds_to_reset if day.seconds_to_reset is not None else 86_400.0
        interval = max(interval, reset / usable if usable > 0 else max_interval)
    return min(interval, max_interval)


PollTick = Callable[[], Awaitable[bool]]


class LivePoller:
    """Runs ``tick`` while cards are live; ``tick`` returns False when none is left."""

    def __init__(
        self,
        budget: PointsBudget,
        tick: PollTick,
        *,
        minute_share: float = 0.25,
        day_floor: float = 0.2,
        min_interval: float = 3.0,
        max_interval: float = 300.0,
        debounce: float = 0.3,
        action_gap_share: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        events_flowing: Callable[[], bool] | None = None,
    ) -> None:
        self._budget = budget
        self._tick = tick
        self.minute_share = minute_share
        self.day_floor = day_floor
        self.min_interval = min_interval
        self.max_interval = max_interval
        self.debounce = debounce
        self.action_gap_share = action_gap_share
        self._clock = clock
        # While UIS events flow, cards follow them: no tick for freshness, only asked ones.
        self._events_flowing = events_flowing or (lambda: False)
        self._asked: set[str] = set()  # why ticks were asked for since the last one
        # Ticks by why they ran: "interval" (freshness), or the reasons asked for
        # ("confirm hold.call", "second look", "end announced", "restart"…), joined.
        self.ticks: Counter[str] = Counter()
        self._last_tick_at: float | None = None
        self._wake = asyncio.Event()
        self._soon = asyncio.Event()
        self._replan = asyncio.Event()
        self._task = BackgroundTask("live-card-poll", self._run)

    def interval(self) -> float:
        return poll_interval(
            self._budget,
            minute_share=self.minute_share,
            day_floor=self.day_floor,
            min_interval=self.min_interval,
            max_interval=self.max_interval,
        )

    def wake(self) -> None:
        """A card became live: start polling (no-op while already polling)."""
        self._wake.set()

    def refresh_soon(self, reason: str = "asked") -> None:
        """Someone acted on a call: refresh within ``debounce`` seconds instead of at the
        next interval. Everything asked for meanwhile shares that one request."""
        self._asked.add(reason)
        self._soon.set()
        self._wake.set()

    def action_delay(self) -> float:
        """How long a refresh asked for after an action waits: the debounce, and at least
        ``action_gap_share`` of the poll interval since the previous request. Without the gap,
        steady pressing would refresh every ``debounce`` seconds whatever the points: the card
        already shows where the action leads, so its confirmation can wait for its points."""
        delay = self.debounce
        if self._last_tick_at is not None:
            earliest = self._last_tick_at + self.action_gap_share * self.interval()
            delay = max(delay, earliest - self._clock())
        return delay

    def replan(self) -> None:
        """Whether events flow changed: the wait under way follows the new state at once."""
        self._replan.set()

    async def _wait_for_turn(self) -> str:
        """Wait for the next tick; returns why it runs."""
        while True:
            self._replan.clear()
            wait = None if self._events_flowing() else self.interval()
            try:
                async with asyncio.timeout(wait):
                    await _first_of(self._soon, self._replan)
            except TimeoutError:
                break
            if self._soon.is_set():
                await asyncio.sleep(self.action_delay())
                break
        self._soon.clear()
        reason = "+".join(sorted(self._asked)) if self._asked else "interval"
        self._asked.clear()
        return reason

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while True:
                reason = await self._wait_for_turn()
                self.ticks[reason] += 1
                self._last_tick_at = self._clock()
                try:
                    any_live = await self._tick()
                except Exception:
                    log.exception("live card poll failed")
                    any_live = True
                if not any_live:
                    break

    def start(self) -> None:
        self._task.start()

    async def stop(self) -> None:
        await self._task.stop()
        if self.ticks:
            # What the poll spent its list.calls on: freshness ("interval") apart from the
            # confirmations no UIS event could give (after hold, make.call, transfer...).
            spent = ", ".join(f"{reason} {count}" for reason, count in self.ticks.most_common())
            log.info("live poll ticks by reason: %s", spent)


async def _first_of(*events: asyncio.Event) -> None:
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
