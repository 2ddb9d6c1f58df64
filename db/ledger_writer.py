"""Storing ledger facts off the caller's path: decided in memory, stored in batches, in order.

The bot's ledger writer decides what a fact does to a call and moves the call in memory at
once; the row and the history line follow here. Storing each fact in its own transaction made
a button press wait for two statements and a commit, and a ``list.calls`` snapshot of 1,000
live calls open 1,000 transactions one after another: with 1,000 chats pressing, the bot
stalled on its connection pool (``benchmarks/bench_bot.py``). Here a press only queues its
fact; one background task stores everything queued meanwhile in one transaction.

What a crash can lose: the facts queued in the last moment (normally milliseconds; longer
while the database is down). The call row then shows an older phase, and the next process
re-synchronises every live card from ``list.calls`` at start-up, so a card never stays wrong;
the lost lines are missing from the history. A call that ended meanwhile is not listed any
more and is judged by its row, so the caller waits (``flush``) for the one fact that changes
that judgement, the answer, before showing it. Facts that must exist before a request leaves
(a start's row, keyed by its external id) are not written here but in the caller's own
transaction.

While the database is down facts wait in memory (at most ``max_queued``; the oldest are
dropped beyond that, with an error in the log) and are stored when it is back.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.ledger import CallChanges, DecidedFact, Fact, record_facts
from db.types import utcnow

log = logging.getLogger(__name__)

DEFAULT_BATCH = 500
DEFAULT_RETRY_SECONDS = 1.0
DEFAULT_MAX_QUEUED = 100_000


class FactWriter:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        batch_size: int = DEFAULT_BATCH,
        retry_seconds: float = DEFAULT_RETRY_SECONDS,
        max_queued: int = DEFAULT_MAX_QUEUED,
    ) -> None:
        self._sessions = sessions
        self._batch_size = batch_size
        self._retry_seconds = retry_seconds
        self._max_queued = max_queued
        # (sequence number, fact): facts up to ``_settled`` are stored or given up.
        self._queue: deque[tuple[int, DecidedFact]] = deque()
        self._submitted = 0
        self._settled = 0
        self._dropped = 0
        self._wakeup = asyncio.Event()
        self._progress = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self._failing = False

    @property
    def queued(self) -> int:
        return len(self._queue)

    @property
    def dropped(self) -> int:
        return self._dropped

    @property
    def failing(self) -> bool:
        """The last attempt to store found the database unreachable (it is being retried)."""
        return self._failing

    def submit(
        self,
        call_id: int,
        fact: Fact,
        changes: CallChanges | None = None,
        *,
        now: datetime | None = None,
    ) -> None:
        """Queue a fact (stamped with when it was decided); never waits, never raises."""
        if fact.received_at is None:
            fact = replace(fact, received_at=now or utcnow())
        self._submitted += 1
        self._queue.append((self._submitted, DecidedFact(call_id, fact, changes)))
        if len(self._queue) > self._max_queued:
            sequence, _dropped = self._queue.popleft()
            self._dropped += 1
            self._settled = max(self._settled, sequence)
            if self._dropped == 1 or self._dropped % 1000 == 0:
                log.error(
                    "ledger facts dropped (%s so far): the database has been unreachable for "
                    "too long; cards still follow their calls, the history has a gap",
                    self._dropped,
                )
        self._wakeup.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="ledger-fact-writer")

    async def flush(self, max_wait: float | None = None) -> bool:
        """Wait until every fact queued so far is stored (or given up). False on timeout."""
        target = self._submitted
        if self._settled >= target:
            return True
        self._wakeup.set()
        try:
            async with asyncio.timeout(max_wait):
                async with self._progress:
                    await self._progress.wait_for(lambda: self._settled >= target)
        except TimeoutError:
            return False
        return True

    async def close(self, max_wait: float = 5.0) -> None:
        """Store what is queued (within ``max_wait`` seconds), then stop the background task."""
        if not await self.flush(max_wait) and self._queue:
            log.error("ledger facts not stored at shutdown: %s", len(self._queue))
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    # ------------------------------------------------------------------ background work

    async def _run(self) -> None:
        while True:
            if not self._queue:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            taken = [self._queue[index] for index in range(min(self._batch_size, len(self._queue)))]
            try:
                await self._store([fact for _sequence, fact in taken])
            except Exception as exc:
                if not _database_unreachable(exc):
                    raise
                if not self._failing:
                    log.error("cannot store ledger facts, retrying: %s", type(exc).__name__)
                self._failing = True
                await asyncio.sleep(self._retry_seconds)
                continue
            if self._failing:
                log.info("ledger facts stored again")
                self._failing = False
            last = taken[-1][0]
            # ``submit`` may have dropped some of them from the queue meanwhile (stored anyway).
            while self._queue and self._queue[0][0] <= last:
                self._queue.popleft()
            self._settled = max(self._settled, last)
            async with self._progress:
                self._progress.notify_all()

    async def _store(self, batch: Sequence[DecidedFact]) -> None:
        try:
            async with self._sessions.begin() as session:
                await record_facts(session, batch)
        except Exception as exc:
            if _database_unreachable(exc):
                raise
            # A call pruned meanwhile (its facts have no row to belong to), or a fact the
            # database refuses: store the others call by call and give up on that call's.
            await self._store_call_by_call(batch)

    async def _store_call_by_call(self, batch: Sequence[DecidedFact]) -> None:
        by_call: dict[int, list[DecidedFact]] = {}
        for item in batch:
            by_call.setdefault(item.call_id, []).append(item)
        for call_id, items in by_call.items():
            try:
                async with self._sessions.begin() as session:
                    await record_facts(session, items)
            except Exception as exc:
                if _database_unreachable(exc):
                    raise
                log.warning(
                    "ledger facts of call %s dropped (%s): the call is gone or the database "
                    "refused them",
                    call_id,
                    type(exc).__name__,
                )


def _database_unreachable(exc: BaseException) -> bool:
    """Whether to retry the same batch later. Only an error about the facts themselves (a call
    row gone, a value the column refuses) is not worth retrying; everything else (refused or
    dropped connections, a database shutting down, timeouts) passes."""
    return not isinstance(exc, IntegrityError | DataError)
