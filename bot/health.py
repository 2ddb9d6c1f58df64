"""Liveness for both run modes.

Polling opens no port, so the running bot touches a heartbeat file; `callbot health` (the
Docker HEALTHCHECK) reports unhealthy when the file is missing or older than allowed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from bot.background import BackgroundTask


@dataclass(frozen=True)
class HealthReport:
    healthy: bool
    detail: str


def check_heartbeat(path: Path, max_age_seconds: float, now: float | None = None) -> HealthReport:
    try:
        modified = path.stat().st_mtime
    except FileNotFoundError:
        return HealthReport(False, f"no heartbeat at {path}: is `callbot run` running?")
    age = (time.time() if now is None else now) - modified
    if age > max_age_seconds:
        return HealthReport(False, f"heartbeat is {age:.0f}s old (limit {max_age_seconds:.0f}s)")
    return HealthReport(True, f"heartbeat {age:.0f}s old")


def touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    os.utime(path)


class Heartbeat:
    """Touches the heartbeat file every ``interval`` seconds while the event loop is alive.

    A blocked event loop stops the heartbeat, which is exactly what liveness should catch.
    """

    def __init__(self, path: Path, interval: float = 15.0) -> None:
        self._path = path
        self._interval = interval
        self._task = BackgroundTask("heartbeat", self._beat)

    async def _beat(self) -> None:
        while True:
            touch(self._path)
            await asyncio.sleep(self._interval)

    def start(self) -> None:
        self._task.start()

    async def stop(self) -> None:
        await self._task.stop()
        with contextlib.suppress(FileNotFoundError):
            self._path.unlink()
