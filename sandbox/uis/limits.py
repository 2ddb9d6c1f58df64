"""Call API points: per-minute and per-day windows, charged only for successful requests.

Windows are fixed and aligned to the account's local clock: the minute counter resets at every
full minute, the day counter at local midnight (UIS accounts live on Moscow time, UTC+3). The
docs report ``minute_reset``/``day_reset`` as "seconds until the counter resets", which fits
aligned windows better than rolling ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sandbox.uis.account import Limits

MAX_CHARGES_KEPT = 100_000  # for inspection only; the counters do not depend on it


@dataclass
class Charge:
    """One successful, charged request."""

    at: float
    method: str
    day_points: int
    minute_points: int


@dataclass
class PointsMeter:
    """Counts points used in the current minute and day windows."""

    utc_offset_seconds: float
    _minute_window: int = -1
    _day_window: int = -1
    minute_used: int = 0
    day_used: int = 0
    charges: list[Charge] = field(default_factory=list)

    def _local(self, now: float) -> float:
        return now + self.utc_offset_seconds

    def _roll(self, now: float) -> None:
        local = self._local(now)
        minute_window = math.floor(local / 60)
        day_window = math.floor(local / 86400)
        if minute_window != self._minute_window:
            self._minute_window = minute_window
            self.minute_used = 0
        if day_window != self._day_window:
            self._day_window = day_window
            self.day_used = 0

    def exceeded(self, now: float, limits: Limits, day_cost: int, minute_cost: int) -> str | None:
        """Which window ('day' or 'minute') cannot afford the cost, if any. Day is checked first:
        it is the longer-lasting refusal and the more useful one to report."""
        self._roll(now)
        if self.day_used + day_cost > limits.points_per_day:
            return "day"
        if self.minute_used + minute_cost > limits.points_per_minute:
            return "minute"
        return None

    def charge(self, now: float, method: str, day_cost: int, minute_cost: int) -> None:
        """Record a successful request."""
        self._roll(now)
        self.day_used += day_cost
        self.minute_used += minute_cost
        self.charges.append(Charge(now, method, day_cost, minute_cost))
        if len(self.charges) > MAX_CHARGES_KEPT:
            del self.charges[: len(self.charges) - MAX_CHARGES_KEPT]

    def snapshot(self, now: float, limits: Limits) -> dict[str, int]:
        """The metadata.limits object: limits, remaining points and seconds until each reset."""
        self._roll(now)
        local = self._local(now)
        minute_reset = math.ceil((math.floor(local / 60) + 1) * 60 - local)
        day_reset = math.ceil((math.floor(local / 86400) + 1) * 86400 - local)
        return {
            "day_limit": limits.points_per_day,
            "day_remaining": max(0, limits.points_per_day - self.day_used),
            "day_reset": day_reset,
            "minute_limit": limits.points_per_minute,
            "minute_remaining": max(0, limits.points_per_minute - self.minute_used),
            "minute_reset": minute_reset,
        }

    def report(self, now: float, limits: Limits) -> dict[str, Any]:
        """Inspection view for the control interface."""
        return {
            "limits": self.snapshot(now, limits),
            "minute_used": self.minute_used,
            "day_used": self.day_used,
            "charges": [
                {"at": c.at, "method": c.method, "day": c.day_points, "minute": c.minute_points}
                for c in self.charges
            ],
        }
