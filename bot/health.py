"""Liveness for both run modes.

Polling opens no port, so the running bot touches a heartbeat file; `callbot health` (the
Docker HEALTHCHECK) reports unhealthy when the file is missing or older than allowed.

With UIS events on, it also says how many events were kept as dead letters in the last day.
Those never make it unhealthy: a restart (what Docker does with an unhealthy container) does
not fix a notification body that UIS keeps sending wrong, the operator does (`callbot doctor`
says how). The count is read with a short timeout; a database that does not answer in time
leaves the answer to the heartbeat, with a word that the count is missing.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.background import BackgroundTask

if TYPE_CHECKING:
    from bot.settings import Settings

DEAD_LETTER_TIMEOUT = 3.0  # seconds; the Docker HEALTHCHECK gives the whole command 10


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


async def count_dead_letters(settings: Settings) -> int:
    """UIS events kept as dead letters in the last day (`db.events.DEAD_LETTER_WINDOW`)."""
    from datetime import UTC, datetime

    from db.engine import create_engine, session_factory, sqlite_path
    from db.events import DEAD_LETTER_WINDOW, dead_letters

    database_url = settings.database_url
    path = sqlite_path(database_url)
    if path is not None and not path.exists():
        raise FileNotFoundError("no database file yet")  # never create one as a side effect
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            return await dead_letters(session, datetime.now(UTC) - DEAD_LETTER_WINDOW)
    finally:
        await engine.dispose()


def dead_letter_detail(settings: Settings, timeout: float = DEAD_LETTER_TIMEOUT) -> str | None:
    """What `callbot health` adds about UIS events, or None when they are off."""
    if not settings.events.enabled:
        return None

    async def bounded() -> int:
        return await asyncio.wait_for(count_dead_letters(settings), timeout)

    try:
        dead = asyncio.run(bounded())
    except Exception as exc:  # any failure: the heartbeat still answers
        return f"could not count UIS dead letters ({type(exc).__name__})"
    if dead == 0:
        return "no UIS event kept as a dead letter in the last 24 h"
    return f"{dead} UIS event(s) kept as dead letters in the last 24 h: see `callbot doctor`"


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
