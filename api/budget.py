"""Points budget: stop requests the account's Call API limits cannot cover, before sending them.

One :class:`PointsBudget` per UIS account, shared by every user of the deployment. It learns the
state of both counters (per minute, per day) from every reply's ``metadata.limits`` - remaining
points and seconds until reset - and keeps the reset moments on a monotonic clock (injectable).

* Requests in flight hold a :class:`Reservation`, so concurrent requests cannot together spend
  more than is left.
* A configurable ``reserve``: once no more than ``reserve`` points would be left, only in-call
  actions (hold, transfer, ...) and login.user are sent; list refreshes and new calls are refused
  so they can never starve a transfer.
* Recovery actions (unhold, restore, release) are never refused: UIS charges only successful
  requests, so sending one costs nothing when the account is out of points, while holding it
  back would leave a client on hold. An action that puts a call into such a state (hold,
  make.call) is sent only while ``exit_reserve`` points stay for the ways out. This is best
  effort: other integrations of the account spend the same points.
* Points are charged only for successful requests (per the reference). When a reply carries
  limits they are authoritative; when it does not, a success is deducted locally.
* Before anything is known (no reply yet) every request is allowed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Final, NamedTuple

from api.errors import BudgetExceededError
from api.metadata import Limits

__all__ = ["BudgetSnapshot", "PointsBudget", "Reservation", "WindowSnapshot"]

MINUTE_WINDOW_SECONDS: Final = 60.0
# When the day counter's reset time is unknown (a limit error without metadata, or limits
# without day_reset) we hold requests back this long and then probe again rather than block for
# a whole day.
_UNKNOWN_DAY_RESET_PROBE_SECONDS: Final = 300.0
# Two reset estimates further apart than this belong to different counter windows (the server
# reports whole seconds, so estimates of one window drift by a second or so).
_NEW_WINDOW_TOLERANCE_SECONDS: Final = 5.0


class WindowSnapshot(NamedTuple):
    """State of one counter as the budget sees it now."""

    limit: float | None
    remaining: float | None
    in_flight: int
    seconds_to_reset: float | None

    @property
    def available(self) -> float | None:
        """Points that may still be spent (remaining minus in-flight reservations)."""
        return None if self.remaining is None else self.remaining - self.in_flight


class BudgetSnapshot(NamedTuple):
    """Both counters and the configured reserve."""

    minute: WindowSnapshot
    day: WindowSnapshot
    reserve: int


class _Window:
    __slots__ = ("fallback_reset", "in_flight", "limit", "name", "remaining", "reset_at")

    def __init__(self, name: str, fallback_reset: float) -> None:
        self.name = name
        # Used when a reply gives remaining points but no reset time, so that an empty counter
        # is probed again after a while instead of blocking forever.
        self.fallback_reset = fallback_reset
        self.limit: float | None = None
        self.remaining: float | None = None
        self.reset_at: float | None = None
        self.in_flight = 0

    def roll_over(self, now: float) -> None:
        """After the reset moment the counter is full again (next reset learned from replies)."""
        if self.reset_at is not None and now >= self.reset_at:
            self.remaining = self.limit
            self.reset_at = None

    def learn(
        self, limit: float | None, remaining: float | None, reset_in: float | None, now: float
    ) -> None:
        # A changed limit (the account's plan was changed) starts over: the old window's low
        # remaining figure says nothing about the new limit.
        limit_changed = limit is not None and self.limit is not None and limit != self.limit
        if limit is not None:
            self.limit = limit
        if remaining is None:
            return
        new_reset_at = now + (reset_in if reset_in is not None else self.fallback_reset)
        same_window = (
            not limit_changed
            and self.remaining is not None
            and self.reset_at is not None
            and new_reset_at <= self.reset_at + _NEW_WINDOW_TOLERANCE_SECONDS
        )
        # Replies to concurrent requests can arrive out of order: within one window the lowest
        # remaining figure is the freshest one.
        self.remaining = (
            min(self.remaining, remaining)
            if same_window and self.remaining is not None
            else remaining
        )
        self.reset_at = new_reset_at

    def seconds_to_reset(self, now: float) -> float | None:
        return None if self.reset_at is None else max(0.0, self.reset_at - now)

    def snapshot(self, now: float) -> WindowSnapshot:
        return WindowSnapshot(
            self.limit, self.remaining, self.in_flight, self.seconds_to_reset(now)
        )


class Reservation:
    """Points held for one request in flight; settle it exactly once with the reply's outcome."""

    __slots__ = ("_budget", "_settled", "cost")

    def __init__(self, budget: PointsBudget, cost: int) -> None:
        self._budget = budget
        self.cost = cost
        self._settled = False

    def settle(self, *, limits: Limits | None, charged: bool) -> None:
        """Release the hold; learn ``limits`` if the reply had them, else deduct if charged."""
        if self._settled:
            return
        self._settled = True
        self._budget._settle(self.cost, limits=limits, charged=charged)

    def release(self) -> None:
        """Nothing was charged and nothing was learned (e.g. transport error)."""
        self.settle(limits=None, charged=False)


class PointsBudget:
    """Per-account points budget shared by all users; safe for concurrent use."""

    def __init__(
        self,
        *,
        reserve: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if reserve < 0:
            raise ValueError("reserve must not be negative")
        self.reserve = reserve
        self._clock = clock
        self._minute = _Window("minute", MINUTE_WINDOW_SECONDS)
        self._day = _Window("day", _UNKNOWN_DAY_RESET_PROBE_SECONDS)
        self._lock = threading.Lock()

    def acquire(
        self,
        cost: int = 1,
        *,
        priority: bool = False,
        method: str = "request",
        recovery: bool = False,
        exit_reserve: int = 0,
    ) -> Reservation:
        """Hold ``cost`` points for a request about to be sent, or raise BudgetExceededError.

        ``priority`` requests (in-call actions, login) may dig into the reserve. ``recovery``
        requests are never refused. ``exit_reserve``: points that must stay after this request
        (one per call that will wait for a way out), instead of the general reserve.
        """
        with self._lock:
            now = self._clock()
            refusals: list[BudgetExceededError] = []
            kept = max(exit_reserve, 0 if priority else self.reserve)
            for window in (self._minute, self._day):
                window.roll_over(now)
                if window.remaining is None or recovery:
                    continue
                available = window.remaining - window.in_flight
                if available >= cost + kept:
                    continue
                refusals.append(
                    BudgetExceededError(
                        method=method,
                        window=window.name,
                        available=available,
                        needed=cost,
                        seconds_to_reset=window.seconds_to_reset(now),
                        reserve_applied=available >= cost,
                        exit_reserve=exit_reserve if available >= cost else 0,
                    )
                )
            if refusals:
                # Report the window that keeps us waiting longest.
                raise max(
                    refusals,
                    key=lambda e: (
                        float("inf") if e.seconds_to_reset is None else e.seconds_to_reset
                    ),
                )
            self._minute.in_flight += cost
            self._day.in_flight += cost
        return Reservation(self, cost)

    def observe(self, limits: Limits) -> None:
        """Learn the counters from a reply's ``metadata.limits``."""
        with self._lock:
            self._learn(limits, self._clock())

    def note_limit_exceeded(self, limit_type: str | None) -> None:
        """A limit_exceeded error without metadata: treat that counter as empty until it resets."""
        with self._lock:
            now = self._clock()
            is_day = limit_type is not None and "day" in limit_type.lower()
            window = self._day if is_day else self._minute
            window.remaining = 0.0
            if window.reset_at is None or window.reset_at <= now:
                window.reset_at = now + window.fallback_reset

    def snapshot(self) -> BudgetSnapshot:
        """Current view of both counters."""
        with self._lock:
            now = self._clock()
            self._minute.roll_over(now)
            self._day.roll_over(now)
            return BudgetSnapshot(self._minute.snapshot(now), self._day.snapshot(now), self.reserve)

    def _learn(self, limits: Limits, now: float) -> None:
        self._minute.learn(limits.minute_limit, limits.minute_remaining, limits.minute_reset, now)
        self._day.learn(limits.day_limit, limits.day_remaining, limits.day_reset, now)

    def _settle(self, cost: int, *, limits: Limits | None, charged: bool) -> None:
        with self._lock:
            now = self._clock()
            for window in (self._minute, self._day):
                window.in_flight = max(0, window.in_flight - cost)
            if limits is not None:
                self._learn(limits, now)
            elif charged:
                for window in (self._minute, self._day):
                    window.roll_over(now)
                    if window.remaining is not None:
                        window.remaining = max(0.0, window.remaining - cost)
