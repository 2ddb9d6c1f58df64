"""Clocks the simulator reads time from: a manual one for tests, the wall clock for demos.

Everything time-dependent in the simulator (session expiry, points windows, ringing timeouts,
automatic answers) asks its clock, never ``time.time()`` directly, so tests can move time
forward deterministically with :meth:`ManualClock.advance`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

ClockListener = Callable[[float], None]

# 2025-06-15T16:40:00Z: an arbitrary fixed start so manual-clock runs are reproducible.
DEFAULT_MANUAL_START = 1_750_005_600.0


class Clock(Protocol):
    """A source of the current time as Unix seconds."""

    def now(self) -> float:
        """Return the current time in Unix seconds."""
        ...


class RealClock:
    """The wall clock. Timed events fire from the simulator's background ticker."""

    def now(self) -> float:
        """Return ``time.time()``."""
        return time.time()

    def __repr__(self) -> str:
        return "RealClock()"


class ManualClock:
    """A clock that only moves when told to.

    Listeners (the simulator subscribes itself) are called synchronously after every
    :meth:`advance`, so timed events due by then have fired when ``advance`` returns.
    """

    def __init__(self, start: float = DEFAULT_MANUAL_START) -> None:
        self._now = float(start)
        self._listeners: list[ClockListener] = []

    def now(self) -> float:
        """Return the manually set time in Unix seconds."""
        return self._now

    def advance(self, seconds: float) -> float:
        """Move the clock forward by ``seconds`` (>= 0), fire due events, return the new time."""
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        self._now += float(seconds)
        for listener in list(self._listeners):
            listener(self._now)
        return self._now

    def subscribe(self, listener: ClockListener) -> None:
        """Call ``listener(now)`` after every advance."""
        if listener not in self._listeners:
            self._listeners.append(listener)

    def unsubscribe(self, listener: ClockListener) -> None:
        """Stop calling ``listener``; unknown listeners are ignored."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def __repr__(self) -> str:
        return f"ManualClock(now={self._now!r})"
