"""Which secrets the events receiver accepts while a rotation is stored, and how often it reads
them again (a prober sending wrong secrets must not turn into a query per request)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.events.secrets import AcceptedSecrets
from bot.logging_setup import SECRETS
from db.event_secrets import Rotation

OLD = "old-" + "o" * 40
NEW = "new-" + "n" * 40
AT = datetime(2026, 11, 30, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Store:
    """What `event_secrets` holds, as the loader the runtime passes reads it."""

    def __init__(self) -> None:
        self.rotation: Rotation | None = None
        self.reads = 0
        self.down = False

    async def load(self) -> Rotation | None:
        self.reads += 1
        if self.down:
            raise OSError("connection refused")
        return self.rotation


async def test_a_miss_reads_again_at_most_once_a_second() -> None:
    clock, store = Clock(), Store()
    accepted = AcceptedSecrets([OLD], store.load, reload_every=5, retry_after_miss=1, clock=clock)
    assert await accepted.matches(OLD)
    assert store.reads == 1
    for _ in range(50):
        assert not await accepted.matches("wrong-" + "w" * 40)
    assert store.reads == 1

    store.rotation = Rotation(next_secret=NEW, previous_secret=OLD, started_at=AT)
    assert not await accepted.matches(NEW)  # read under a second ago
    clock.now += 1
    assert await accepted.matches(NEW)  # the miss reads again
    assert store.reads == 2
    assert NEW in SECRETS  # masked in logs from now on


async def test_a_finished_rotation_is_dropped_unless_this_process_runs_the_old_secret() -> None:
    clock, store = Clock(), Store()
    store.rotation = Rotation(next_secret=NEW, previous_secret=OLD, started_at=AT)
    restarted = AcceptedSecrets([NEW], store.load, clock=clock)
    not_restarted = AcceptedSecrets([OLD], store.load, clock=clock)
    for accepted in (restarted, not_restarted):
        assert await accepted.matches(OLD)
        assert await accepted.matches(NEW)

    store.rotation = None  # `--finish`
    clock.now += 5
    assert not await restarted.matches(OLD)
    assert await restarted.matches(NEW)
    # Still on the old value: UIS posts the new one now, so it stays until a restart.
    assert await not_restarted.matches(NEW)
    assert await not_restarted.matches(OLD)


async def test_an_unreadable_store_keeps_what_was_accepted() -> None:
    clock, store = Clock(), Store()
    store.rotation = Rotation(next_secret=NEW, previous_secret=OLD, started_at=AT)
    accepted = AcceptedSecrets([OLD], store.load, clock=clock)
    assert await accepted.matches(NEW)
    store.down = True
    clock.now += 5
    assert await accepted.matches(NEW)
    assert store.reads == 2
