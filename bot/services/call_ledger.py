"""The call ledger's one writer: every fact about a call goes through here, from any source.

Sources: our own action replies (the state diagram of ``card_table``), ``list.calls``
snapshots, the lost-start lookups, and UIS events (once they flow in). The rules:

1. Facts are ordered by when the bot received them (monotonic clock). A snapshot counts from
   when its request left: it cannot show anything later. A fact older than what the call
   already reflects is history, not a change. UIS's own times are shown, never used to order.
2. A transition the state diagram forbids goes to the history, not to the call: a final call
   never comes back, nothing returns to STARTING, a call someone answered never becomes
   unanswered or "not started".
3. A call is finished only by our release reply, ``call_session_not_found``, a snapshot that
   has missed it twice in a row, or an event confirmed by the next ``list.calls``.
4. A successful action proves the call alive: it resets the missed-snapshot count.

Every fact is queued for storage (call row + history line, in order, by ``FactWriter``) before
listeners hear of it; listeners (the card book) redraw every card showing the call, through
that one path. The answer is the one fact stored before listeners hear of it (see
``ANSWER_STORE_WAIT``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.models import CallInfo
from bot.services.call_view import CallView, LegRole, Phase, derive_view
from bot.services.card_table import CardAction
from bot.services.tracked_call import (
    TrackedCall,
    answered_by_in,
    legs_record,
    note_tags,
    shown_state,
    tracked_from,
    who_did_not_answer,
)
from db import ledger as store
from db.ledger import CallChanges, Fact
from db.ledger_writer import FactWriter
from db.models import CallRecord

log = logging.getLogger(__name__)

# UIS reports start times without a zone, in the account's time zone. A start time further than
# this from our own send time means the configured zone is not the account's.
START_TIME_TOLERANCE = timedelta(minutes=5)
TIMEZONE_SETTING = "CALLBOT_CALLAPI__TIMEZONE"
# Snapshots in a row that must miss a call before it counts as over (one miss may be a call
# not listed yet, or a snapshot taken in the instant of a transfer).
MISSES_TO_FINISH = 2

_ANSWERED = frozenset({Phase.TALK, Phase.HOLD, Phase.DIALING_THIRD, Phase.CONSULTING})
_NOT_ANSWERED_YET = frozenset({Phase.STARTING, Phase.DIALING, Phase.RINGING})

# How long the answer may hold a card's redraw while it is being stored. A lost fact usually
# costs nothing: the next process reads every live call again from list.calls. The answer is
# the exception. A call answered and then ended while the bot restarts is not listed any more,
# so the next process judges it by the stored phase: still "dialing" or "ringing" would say
# "no answer" (and announce an inbound call as missed) about a call the card showed in talk.
# So no card shows an answer before the row has it, unless the database is down or slow,
# when the card goes on without waiting (it follows the call; the writer retries).
ANSWER_STORE_WAIT = 2.0


def transition_allowed(before: Phase, after: Phase) -> bool:
    """Rule 2: the moves the state diagram forbids, whatever source claims them."""
    if before is after:
        return True
    if before.is_final or after is Phase.STARTING:
        return False
    if before in _ANSWERED and after in (Phase.NO_ANSWER, Phase.NOT_STARTED, Phase.NOT_FOUND):
        return False
    if after is Phase.RINGING and before is not Phase.STARTING:
        return False  # a card starts ringing or never does
    return not (before is not Phase.STARTING and after in (Phase.NOT_STARTED, Phase.NOT_FOUND))


# (the call, its phase before the fact, the card the caller draws itself or None): redraw the
# other cards showing it.
ChangeListener = Callable[[TrackedCall, Phase, int | None], Awaitable[None]]


class CallLedger:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, account_zone: tzinfo) -> None:
        self._sessions = sessions
        self._zone = account_zone
        self._zone_warned = False
        self.calls: dict[int, TrackedCall] = {}  # ledger id -> call, for calls with cards
        self._by_session: dict[int, TrackedCall] = {}  # call_session_id -> one of ``calls``
        self._by_external: dict[str, TrackedCall] = {}  # our external_id -> one of ``calls``
        self._listeners: list[ChangeListener] = []
        # Call rows and history lines are stored in the background, in order (see its module).
        self.facts = FactWriter(sessions)

    def watch(self, listener: ChangeListener) -> None:
        self._listeners.append(listener)

    def account_time(self, value: datetime) -> datetime:
        """A time UIS reported: without a zone it is the account's local time."""
        return value if value.tzinfo is not None else value.replace(tzinfo=self._zone)

    # ------------------------------------------------------------------ opening calls

    async def open_start(
        self,
        *,
        external_id: str,
        contact_number: str,
        virtual_number: str | None,
        scenario_id: int | None,
        employee_id: int | None,
        started_by: int,
        rings_me_first: bool,
    ) -> TrackedCall:
        """The ledger row of a start, made before its request leaves: a process started after a
        crash finds the start by its external_id."""
        async with self._sessions.begin() as session:
            row = await store.open_call(
                session,
                phase=Phase.STARTING.value,
                source="start",
                external_id=external_id,
                contact_number=contact_number,
                virtual_number=virtual_number,
                direction="out",
                scenario_id=scenario_id,
                employee_id=employee_id,
                started_by=started_by,
            )
            call = tracked_from(row)
        call.rings_me_first = rings_me_first
        return self._track(call)

    async def open_listed(self, info: CallInfo, employee_id: int | None) -> TrackedCall:
        """A call found in list.calls (or, later, an event): the one ledger row for it."""
        known = self._by_session.get(info.call_session_id)
        if known is not None:
            return known
        async with self._sessions.begin() as session:
            row = await store.open_call(
                session,
                phase=Phase.TALK.value,
                source="snapshot",
                call_session_id=info.call_session_id,
                external_id=info.external_id,
                contact_number=info.contact_phone_number,
                virtual_number=info.virtual_phone_number,
                direction=info.direction,
                employee_id=employee_id,
                started_at=self.account_time(info.start_time) if info.start_time else None,
            )
            call = self.calls.get(row.id) or tracked_from(row)
        self._track(call)
        await self.listed(call, info, time.monotonic())
        return call

    async def open_event(
        self,
        *,
        call_session_id: int,
        phase: Phase,
        employee_id: int,
        contact_number: str | None,
        virtual_number: str | None,
        direction: str | None,
        external_id: str | None,
        scenario_name: str | None,
    ) -> TrackedCall:
        """A call first heard of through a UIS event (an inbound call ringing an employee, or
        one dialled from a desk phone): its ledger row, marked unconfirmed."""
        async with self._sessions.begin() as session:
            row = await store.open_call(
                session,
                phase=phase.value,
                source="event",
                call_session_id=call_session_id,
                external_id=external_id,
                contact_number=contact_number,
                virtual_number=virtual_number,
                direction=direction,
                employee_id=employee_id,
                started_at=datetime.now(UTC),
            )
            count = (
                await store.calls_from_number(session, contact_number) if contact_number else None
            )
            call = self.calls.get(row.id) or tracked_from(row)
        call.from_event = True
        call.confirmed = False
        call.virtual_number = virtual_number
        call.scenario_name = scenario_name
        call.calls_from_number = count
        call.fresh_as_of = time.monotonic()
        return self._track(call)

    async def load(self, call_id: int) -> TrackedCall | None:
        known = self.calls.get(call_id)
        if known is not None:
            return known
        async with self._sessions() as session:
            row = await store.get_call(session, call_id)
        if row is None:
            return None
        return self.adopt(row)

    def adopt(self, row: CallRecord) -> TrackedCall:
        """Track a call a card of an earlier process showed (restart)."""
        call = self.calls.get(row.id)
        return call if call is not None else self._track(tracked_from(row))

    def tracked(self, call_session_id: int, external_id: str | None = None) -> TrackedCall | None:
        """The tracked call with this id, or our start with this external id whose reply (and
        so its call id) has not arrived."""
        call = self._by_session.get(call_session_id)
        if call is None and external_id:
            call = self._by_external.get(external_id)
            if call is not None and call.call_session_id is not None:
                return None
        return call

    def name(self, call: TrackedCall, call_session_id: int) -> None:
        """UIS told us the call id of ``call``."""
        call.call_session_id = call_session_id
        if self.calls.get(call.ledger_id) is call:
            self._by_session[call_session_id] = call

    def forget(self, call: TrackedCall) -> None:
        """A finished call: no card follows it any more."""
        if self.calls.get(call.ledger_id) is call:
            del self.calls[call.ledger_id]
        if call.call_session_id is not None and self._by_session.get(call.call_session_id) is call:
            del self._by_session[call.call_session_id]
        if call.external_id and self._by_external.get(call.external_id) is call:
            del self._by_external[call.external_id]

    def _track(self, call: TrackedCall) -> TrackedCall:
        self.calls[call.ledger_id] = call
        if call.call_session_id is not None:
            self._by_session[call.call_session_id] = call
        if call.external_id:
            self._by_external[call.external_id] = call
        return call

    # ------------------------------------------------------------------ facts

    async def start_replied(
        self, call: TrackedCall, call_session_id: int, *, drawn_by: int | None = None
    ) -> None:
        """Our start request returned the call id: UIS is ringing the first party."""
        self.name(call, call_session_id)
        call.sent_at = call.sent_at or datetime.now(UTC)
        call.started_at = call.sent_at
        call.fresh_as_of = time.monotonic()
        await self._apply(
            call,
            "reply",
            "start ok",
            Phase.DIALING,
            CallChanges(call_session_id=call_session_id, started_at=call.started_at),
            drawn_by=drawn_by,
        )

    async def start_refused(
        self, call: TrackedCall, mnemonic: str, *, drawn_by: int | None = None
    ) -> None:
        await self._apply(call, "reply", f"start {mnemonic}", Phase.NOT_STARTED, drawn_by=drawn_by)

    async def acted(self, call: TrackedCall, row: CardAction, drawn_by: int | None) -> None:
        """Our action succeeded: the call is alive and (rule 1) newer than any earlier snapshot."""
        call.fresh_as_of = time.monotonic()
        call.missed = 0
        if row.method == "record.call":
            call.recording_hint = row.while_recording is False
        after = row.leads_to or call.phase
        await self._apply(
            call,
            "reply",
            f"{row.method} ok",
            after,
            CallChanges(missed_snapshots=0),
            drawn_by=drawn_by,
        )

    async def gone(self, call: TrackedCall, mnemonic: str, drawn_by: int | None) -> None:
        """UIS answered that the call does not exist (call_session_not_found): it is over."""
        await self._apply(call, "reply", mnemonic, self._vanished_as(call), drawn_by=drawn_by)

    async def not_found(self, call: TrackedCall) -> None:
        """The lost-start lookups are done and never saw the start."""
        await self._apply(call, "lookup", "start not listed", Phase.NOT_FOUND)

    async def found(
        self, call: TrackedCall, info: CallInfo, taken_at: float, *, drawn_by: int | None = None
    ) -> None:
        """A start whose outcome was unknown turned up in list.calls."""
        self.name(call, info.call_session_id)
        await self.listed(call, info, taken_at, source="lookup", drawn_by=drawn_by)

    async def listed(
        self,
        call: TrackedCall,
        info: CallInfo,
        taken_at: float,
        *,
        source: str = "snapshot",
        drawn_by: int | None = None,
    ) -> bool:
        """A list.calls snapshot shows the call. Returns whether anything shown changed."""
        if taken_at < call.fresh_as_of:
            # Rule 1: older than what the call already reflects (our own action, or a newer
            # snapshot): history, not a change.
            self._record(call, Fact(source, "listed", call.phase.value, None, False, "older"))
            return False
        call.fresh_as_of = taken_at
        if call.view is not None and call.view.snapshot == info:
            call.missed = 0
            return False  # nothing changed: no work, no redraw
        call.missed = 0
        view = derive_view(info.call_session_id, info, call.employee_id, call.phase)
        after = view.phase
        if not transition_allowed(call.phase, after):
            await self._forbidden(call, source, "listed", after)
            return False
        before_shown = shown_state(call)
        call.view = view
        note_tags(call, [tag.tag_name or str(tag.tag_id) for tag in info.tags])
        if LegRole.ME in view.roles.values():
            call.confirmed = True  # UIS itself lists the user's employee on this call
        if after is Phase.ANSWERED_ELSEWHERE and call.answered_by is None:
            call.answered_by = answered_by_in(view)
        call.recording_hint = None
        call.contact_number = info.contact_phone_number or call.contact_number
        # A ringing card drawn from an event may lack it; list.calls names it.
        call.virtual_number = call.virtual_number or info.virtual_phone_number
        started = None
        if info.start_time is not None:
            started = self._take_start_time(call, self.account_time(info.start_time))
        changes = CallChanges(
            call_session_id=info.call_session_id,
            contact_number=call.contact_number,
            legs=legs_record(view),
            started_at=started,
            missed_snapshots=0,
        )
        changed = after is not call.phase or shown_state(call) != before_shown
        if not changed:
            return False
        await self._apply(call, source, "listed", after, changes, drawn_by=drawn_by, force=True)
        return True

    async def missed_by(
        self, call: TrackedCall, taken_at: float, *, drawn_by: int | None = None
    ) -> bool:
        """A snapshot does not list the call: rule 3 finishes it at the second miss in a row.
        Returns whether the call changed (a first miss changes nothing shown)."""
        if call.call_session_id is None:
            return False  # a start not listed yet: its lookups decide when to give up
        if taken_at < call.fresh_as_of:
            self._record(call, Fact("snapshot", "missed", call.phase.value, None, False, "older"))
            return False
        call.fresh_as_of = taken_at
        call.missed += 1
        if call.missed < MISSES_TO_FINISH and not call.end_announced:
            self._record(call, Fact("snapshot", "missed once", call.phase.value, None, False))
            return False
        after = self._vanished_as(call)
        await self._apply(
            call,
            "snapshot",
            f"missed {call.missed} times",
            after,
            CallChanges(missed_snapshots=call.missed, legs=[]),
            drawn_by=drawn_by,
        )
        return True

    async def heard_event(
        self, call: TrackedCall, event: str, phase: Phase | None, answered_by: str | None = None
    ) -> None:
        """A UIS event about ``call``: moves it when it says where (and the diagram allows),
        always a history line. Events are untrusted and unordered: they never finish a call by
        themselves (rule 3), an ended call only waits for one snapshot to confirm it."""
        if event in ("call_finished", "lost_call"):
            call.end_announced = True
        if phase is Phase.ANSWERED_ELSEWHERE:
            call.answered_by = answered_by
        if phase is None or phase is call.phase:
            detail = "end announced" if call.end_announced and phase is None else None
            self._record(call, Fact("event", event, call.phase.value, None, False, detail))
            return
        await self._apply(call, "event", event, phase, CallChanges(missed_snapshots=0))

    async def event_for_untracked(self, call_session_id: int, event: str) -> bool:
        """History for a call the ledger has a row of but no live card shows; False: no row."""
        async with self._sessions() as session:
            row = await store.find_call(session, call_session_id=call_session_id)
        if row is None:
            return False
        call = tracked_from(row)
        self._record(call, Fact("event", event, row.phase, None, False, "no live card"))
        return True

    # ------------------------------------------------------------------ applying

    async def _apply(
        self,
        call: TrackedCall,
        source: str,
        kind: str,
        after: Phase,
        changes: CallChanges | None = None,
        *,
        drawn_by: int | None = None,
        force: bool = False,
    ) -> None:
        before = call.phase
        if not transition_allowed(before, after):
            await self._forbidden(call, source, kind, after)
            return
        answered = before in _NOT_ANSWERED_YET and (
            after in _ANSWERED or after is Phase.ANSWERED_ELSEWHERE
        )
        call.phase = after
        if after in _ANSWERED and call.talk_started_at is None:
            call.talk_started_at = datetime.now(UTC)
        if after is Phase.NO_ANSWER and call.unanswered_by is None:
            call.unanswered_by = who_did_not_answer(call.view)
        if after.is_final:
            call.ended_at = call.ended_at or datetime.now(UTC)
            call.view = CallView(call.call_session_id or 0, after, None)
        values = changes.values() if changes is not None else {}
        values["phase"] = after.value
        if after.is_final:
            values["ended_at"] = call.ended_at
        fact = Fact(source, kind, before.value, after.value, True)
        self._record(call, fact, CallChanges(**values))
        if answered:
            await self._store_answer(call)
        if force or before is not after or changes is not None:
            for listener in self._listeners:
                await listener(call, before, drawn_by)

    async def _forbidden(self, call: TrackedCall, source: str, kind: str, after: Phase) -> None:
        detail = f"forbidden: {call.phase.value} -> {after.value}"
        self._record(call, Fact(source, kind, call.phase.value, after.value, False, detail))

    async def _store_answer(self, call: TrackedCall) -> None:
        if self.facts.failing:
            return
        if not await self.facts.flush(ANSWER_STORE_WAIT):
            log.warning(
                "the answer of call %s is not stored after %.0f s; its card shows it anyway",
                call.ledger_id,
                ANSWER_STORE_WAIT,
            )

    def _record(self, call: TrackedCall, fact: Fact, changes: CallChanges | None = None) -> None:
        # Queued, not awaited: a press or a snapshot never waits for the database here, and
        # the card moves with the call even while the database is down.
        self.facts.submit(call.ledger_id, fact, changes)

    async def flush(self, max_wait: float | None = None) -> bool:
        """Wait until every fact decided so far is stored."""
        return await self.facts.flush(max_wait)

    async def close(self) -> None:
        await self.facts.close()

    def _vanished_as(self, call: TrackedCall) -> Phase:
        view = derive_view(call.call_session_id or 0, None, call.employee_id, call.phase)
        return view.phase

    def _take_start_time(self, call: TrackedCall, start: datetime) -> datetime | None:
        if call.sent_at is not None:
            # Our own send time is the start of a call we placed; UIS's must agree with it.
            if not self._zone_warned and abs(start - call.sent_at) > START_TIME_TOLERANCE:
                self._zone_warned = True
                log.warning(
                    "UIS reports call %s as started at %s, but the bot sent it at %s: the "
                    "account's time zone is not %s. Set %s to the zone of the UIS account.",
                    call.call_session_id,
                    start.isoformat(timespec="seconds"),
                    call.sent_at.astimezone(self._zone).isoformat(timespec="seconds"),
                    self._zone,
                    TIMEZONE_SETTING,
                )
            call.sent_at = None  # checked once per call
            return None
        if call.started_at is None:
            call.started_at = start
            return start
        return None
