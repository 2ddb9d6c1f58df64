"""Durable intake of UIS events: stored raw first, then answered, then applied.

Every authenticated body is stored before the sender is answered: in PostgreSQL, or, while the
database is unreachable, in a local journal (one ``write(2)``, like audit rows) that is moved
into the database once it answers again. Only then is the event applied, once: a duplicate (the
same event and raw body) is stored once and applied once, and an event stored but not applied
when the process stopped is applied at the next start.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.events.parse import EventRejectedError, ParsedEvent, parse_event
from db import events as store
from db.events import EventState
from db.journal import Journal

log = logging.getLogger(__name__)

EventApplier = Callable[[ParsedEvent], Awaitable[None]]
REPLAY_INTERVAL = 5.0  # seconds between attempts to move journaled events into the database


@dataclass(frozen=True)
class IntakeReply:
    status: int
    text: str


@dataclass
class IntakeStats:
    stored: int = 0
    duplicates: int = 0
    dead: int = 0
    journaled: int = 0  # stored locally while the database was unreachable
    applied: int = 0
    apply_errors: int = 0


class EventIntake:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        journal_dir: Path,
        apply: EventApplier,
    ) -> None:
        self._sessions = sessions
        self._journal = Journal(journal_dir)
        self._apply = apply
        self._tasks: set[asyncio.Task[None]] = set()
        self._replayer: asyncio.Task[None] | None = None
        self._segments: list[int] = []  # sealed journal segments still to move
        self._active_written = False
        self._call_locks: dict[int, tuple[asyncio.Lock, int]] = {}  # lock, tasks using it
        self.stats = IntakeStats()

    async def start(self) -> None:
        """Take over what an earlier process left: journaled bodies, then unapplied events."""
        self._segments = self._journal.open()
        await self.move_journaled()
        await self._apply_unapplied()
        self._replayer = asyncio.create_task(self._replay_loop(), name="uis-event-replay")

    async def close(self) -> None:
        if self._replayer is not None:
            self._replayer.cancel()
        tasks = [*self._tasks, *([self._replayer] if self._replayer else [])]
        await asyncio.gather(*tasks, return_exceptions=True)
        self._journal.close()

    async def receive(
        self, event: str, body: bytes, content_type: str | None, source: str | None
    ) -> IntakeReply:
        received_at = datetime.now(UTC)
        try:
            parsed: ParsedEvent | None = parse_event(event, body, content_type)
            problem = None
        except EventRejectedError as exc:
            parsed, problem = None, str(exc)
        state = EventState.RECEIVED if parsed is not None else EventState.DEAD
        try:
            async with self._sessions.begin() as session:
                stored = await store.store_event(
                    session,
                    event=event,
                    body=body,
                    content_type=content_type,
                    source=source,
                    call_session_id=parsed.call_session_id if parsed else None,
                    state=state,
                    problem=problem,
                    received_at=received_at,
                )
        except (SQLAlchemyError, OSError) as exc:
            self._journal_body(event, body, content_type, source, received_at)
            log.warning(
                "UIS event %s kept in the local journal: database unavailable (%s)",
                event,
                type(exc).__name__,
            )
            return IntakeReply(200, "stored")
        if parsed is None:
            self.stats.dead += 1
            log.warning("UIS event %s refused and kept as a dead letter: %s", event, problem)
            return IntakeReply(400, f"not used: {problem}")
        if stored.duplicate:
            self.stats.duplicates += 1
            return IntakeReply(200, "duplicate")
        self.stats.stored += 1
        assert stored.id is not None
        self._spawn(self._apply_stored(stored.id, parsed))
        return IntakeReply(200, "stored")

    # ------------------------------------------------------------------ applying

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _apply_stored(self, event_id: int, parsed: ParsedEvent) -> None:
        # Events of one call are applied one at a time, in the order they arrived (the lock
        # wakes its waiters first come, first served): "waiting for answer" has drawn its card
        # before "talk started" moves it. Events of different calls do not wait for each other.
        key = parsed.call_session_id
        lock, users = self._call_locks.get(key, (asyncio.Lock(), 0))
        self._call_locks[key] = (lock, users + 1)
        try:
            async with lock:
                await self._apply_one(event_id, parsed)
        finally:
            lock, users = self._call_locks[key]
            if users == 1:
                del self._call_locks[key]  # nobody else holds or waits for it
            else:
                self._call_locks[key] = (lock, users - 1)

    async def _apply_one(self, event_id: int, parsed: ParsedEvent) -> None:
        try:
            await self._apply(parsed)
        except Exception:
            self.stats.apply_errors += 1
            log.exception(
                "applying UIS event %s of call %s failed", parsed.event, parsed.call_session_id
            )
        else:
            self.stats.applied += 1
        try:
            async with self._sessions.begin() as session:
                await store.mark_applied(session, event_id)
        except (SQLAlchemyError, OSError):
            log.warning("UIS event %s applied; its row says so at the next start", event_id)

    async def _apply_unapplied(self) -> None:
        try:
            async with self._sessions() as session:
                rows = await store.unapplied_events(session)
        except (SQLAlchemyError, OSError):
            return
        for row in rows:
            try:
                parsed = parse_event(row.event, row.body.encode("utf-8"), row.content_type)
            except EventRejectedError:
                continue
            await self._apply_stored(row.id, parsed)

    # ------------------------------------------------------------------ the local journal

    def _journal_body(
        self,
        event: str,
        body: bytes,
        content_type: str | None,
        source: str | None,
        received_at: datetime,
    ) -> None:
        line = {
            "event": event,
            "body": base64.b64encode(body).decode("ascii"),
            "content_type": content_type,
            "source": source,
            "received_at": received_at.isoformat(),
        }
        self._journal.append(json.dumps(line).encode() + b"\n")
        # The sender is answered 200 next and will not send it again: on disk first. (Rare:
        # only while the database is down, so the sync's few milliseconds are affordable.)
        self._journal.sync_now()
        self._active_written = True
        self.stats.journaled += 1

    async def _replay_loop(self) -> None:
        while True:
            await asyncio.sleep(REPLAY_INTERVAL)
            try:
                await self.move_journaled()
            except Exception:
                log.exception("moving journaled UIS events into the database failed")

    async def move_journaled(self) -> None:
        """Move journaled bodies into the database (a segment at a time), then apply them."""
        if self._active_written:
            self._segments.append(self._journal.rotate())
            self._active_written = False
        while self._segments:
            sequence = self._segments[0]
            lines = [line for batch in self._journal.read(sequence, 500) for line in batch]
            try:
                for raw in lines:
                    await self._store_journaled(raw)  # a line stored twice is a duplicate
            except (SQLAlchemyError, OSError):
                return  # still down: the segment stays for the next attempt
            self._journal.remove(sequence)
            self._segments.pop(0)

    async def _store_journaled(self, raw: bytes) -> None:
        try:
            line = json.loads(raw)
            body = base64.b64decode(line["body"])
            received_at = datetime.fromisoformat(line["received_at"])
            event = str(line["event"])
        except (ValueError, KeyError, TypeError):
            log.warning("skipped a damaged line in the UIS event journal")
            return
        try:
            parsed: ParsedEvent | None = parse_event(event, body, line.get("content_type"))
            problem = None
        except EventRejectedError as exc:
            parsed, problem = None, str(exc)
        async with self._sessions.begin() as session:
            stored = await store.store_event(
                session,
                event=event,
                body=body,
                content_type=line.get("content_type"),
                source=line.get("source"),
                call_session_id=parsed.call_session_id if parsed else None,
                state=EventState.RECEIVED if parsed else EventState.DEAD,
                problem=problem,
                received_at=received_at,
            )
        if parsed is not None and stored.id is not None:
            await self._apply_stored(stored.id, parsed)
