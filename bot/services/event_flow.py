"""Whether UIS events reach the bot, so that cards can follow calls without spending points.

While events flow, a card moves on them ("talk started", "call finished"…) and the live poll
sends no ``list.calls`` for freshness: it runs only when something asks for one (a
confirmation after an action no event reports — hold, make.call, transfer —, the confirmation
the ledger's rule 3 wants before an announced end counts, the second look at a call a snapshot
missed, a restart).

Events count as flowing when a call the ledger saw got an event within ``PROBE_SECONDS``:
  - a call we started (its start reply arrived): UIS announces it ("outbound call", "waiting
    for answer"…) as soon as it rings;
  - a call that ended without an event having said so (our release reply, a snapshot that
    missed it twice): "call finished" or "lost call" should follow.
Any authenticated event for a call the bot expects one for satisfies the probe, and so does
any event for a call a card already shows (a desk that only takes inbound calls has no call of
ours to probe: the "talk started" of its first ringing card proves it). A probe that
expires unmet means events are not (or no longer all) reaching us: the state goes silent, the
poll carries on as it did without events, and the admins are warned once per process.
Until the first probe is settled the state is "waiting" and the poll works as without events:
the bot never stops polling on the strength of configuration alone.

A call without any event while events flow (UIS lost one notification) stays as it was shown
until the next event, a press, or Refresh; the next probe that fails turns polling back on.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Awaitable, Callable

from bot.services.call_view import Phase
from bot.services.tracked_call import TrackedCall

log = logging.getLogger(__name__)

PROBE_SECONDS = 30.0
# Events that announce a call's end: they settle an end probe (others settle a start probe).
END_EVENTS = frozenset({"call_finished", "lost_call"})
# Final phases no end event follows from: told by an event already, or the call never ran.
_ENDED_BY_EVENTS_OR_NEVER_RAN = frozenset(
    {Phase.ANSWERED_ELSEWHERE, Phase.NOT_STARTED, Phase.NOT_FOUND}
)


class FlowState(enum.StrEnum):
    OFF = "off"  # events are not configured
    WAITING = "waiting"  # configured; no probe settled yet
    FLOWING = "flowing"
    SILENT = "silent"  # a probe expired unmet


class EventFlow:
    def __init__(
        self,
        *,
        enabled: bool,
        probe_seconds: float = PROBE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.state = FlowState.WAITING if enabled else FlowState.OFF
        self.probe_seconds = probe_seconds
        self._clock = clock
        # call_session_id -> (kind "start" | "end", timer)
        self._probes: dict[int, tuple[str, asyncio.TimerHandle]] = {}
        self._ended_heard: set[int] = set()  # calls whose end an event announced (bounded)
        self._warned = False
        # Warns the admins (the call that got no event, the probe's seconds).
        self.on_silent: Callable[[int, float], Awaitable[None]] | None = None
        self.on_change: Callable[[FlowState], None] | None = None  # the poll re-plans
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def enabled(self) -> bool:
        return self.state is not FlowState.OFF

    @property
    def flowing(self) -> bool:
        return self.state is FlowState.FLOWING

    # ------------------------------------------------------------------ evidence

    def expect_start(self, call_session_id: int) -> None:
        """A call we started is ringing: UIS should tell us about it shortly."""
        self._expect(call_session_id, "start")

    def expect_end(self, call_session_id: int) -> None:
        """A call ended and no event has said so yet: "call finished" should follow."""
        if call_session_id in self._ended_heard:
            self._ended_heard.discard(call_session_id)
            self._set(FlowState.FLOWING)
            return
        self._expect(call_session_id, "end")

    def heard(self, call_session_id: int, event: str, *, on_a_card: bool = False) -> None:
        """An authenticated event arrived about ``call_session_id`` (``on_a_card``: a call a
        live card shows)."""
        if not self.enabled:
            return
        if on_a_card:
            # A call a card already shows got an event (not the one that drew the card):
            # events about calls in progress arrive. An inbound-only desk (no call of ours to
            # probe) gets there with its first ringing call's "talk started" or end.
            self._set(FlowState.FLOWING)
        probe = self._probes.get(call_session_id)
        if event in END_EVENTS and (probe is None or probe[0] != "end"):
            if len(self._ended_heard) > 10_000:
                self._ended_heard.clear()
            self._ended_heard.add(call_session_id)  # for an end probe that comes later
        if probe is None:
            return
        kind, timer = probe
        if kind == "end" and event not in END_EVENTS:
            return
        timer.cancel()
        del self._probes[call_session_id]
        self._set(FlowState.FLOWING)

    async def call_changed(self, call: TrackedCall, before: Phase, drawn_by: int | None) -> None:
        """A ledger listener: the moments at which an event is due."""
        call_session_id = call.call_session_id
        if call_session_id is None or not self.enabled:
            return
        if before is Phase.STARTING and call.phase is Phase.DIALING and not call.from_event:
            self.expect_start(call_session_id)  # our start reply arrived: the phone rings
        elif (
            call.is_final
            and not before.is_final
            and before is not Phase.STARTING
            and call.phase not in _ENDED_BY_EVENTS_OR_NEVER_RAN
            and not call.end_announced
        ):
            self.expect_end(call_session_id)  # our release, or two snapshots without it

    # ------------------------------------------------------------------ state

    def _expect(self, call_session_id: int, kind: str) -> None:
        if not self.enabled:
            return
        old = self._probes.pop(call_session_id, None)
        if old is not None:
            old[1].cancel()
        timer = asyncio.get_running_loop().call_later(
            self.probe_seconds, self._expired, call_session_id, kind
        )
        self._probes[call_session_id] = (kind, timer)

    def _expired(self, call_session_id: int, kind: str) -> None:
        if self._probes.get(call_session_id, ("", None))[0] != kind:
            return
        del self._probes[call_session_id]
        log.warning(
            "no UIS event for call %s within %.0f s of its %s: polling list.calls again",
            call_session_id,
            self.probe_seconds,
            kind,
        )
        self._set(FlowState.SILENT)
        if not self._warned and self.on_silent is not None:
            self._warned = True
            task = asyncio.create_task(
                self._warn(self.on_silent, call_session_id), name="events-silent-warning"
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _warn(self, warn: Callable[[int, float], Awaitable[None]], call_id: int) -> None:
        try:
            await warn(call_id, self.probe_seconds)
        except Exception:
            log.exception("could not warn the admins that UIS events stopped")

    def _set(self, state: FlowState) -> None:
        if state is self.state:
            return
        if state is FlowState.FLOWING:
            log.info("UIS events are flowing: cards follow them, the poll spends no points")
        self.state = state
        if self.on_change is not None:
            self.on_change(state)

    def close(self) -> None:
        for _kind, timer in self._probes.values():
            timer.cancel()
        self._probes.clear()
