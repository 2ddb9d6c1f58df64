"""Calls and legs, moved through the Call API state diagram (README section 4, call_states).

Parties: A = the contact (put on hold), B = the operator/employee talking to A (has talk
options), C = the third party dialled by make.call, plus an optional coach. A call's ``state``
is one of the diagram states; every change is appended to ``history`` with what caused it, so
tests and demos can follow the diagram. Transient diagram states (RECORD_TALK, MARK_CALL, POST_TALK,
FINISHING) are passed through instantly and only show up in the history.

Time only moves with the clock: ringing legs carry ``answer_at`` (automatic answer) and
``fail_at`` (dialing timeout), a recorded call that ended carries ``recording_due_at``;
:meth:`CallEngine.run_due` fires whatever is due, in time order, each at its own instant.

The points UIS reports as event notifications (an inbound call, an employee's phone ringing,
the first talk, the end, a lost call, a recording) are handed to the engine's listener as
:class:`CallEvent` values the moment the call reaches them (see :mod:`sandbox.uis.notifier`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sandbox.uis.account import Account, Employee
from sandbox.uis.options import SimulatorOptions

logger = logging.getLogger(__name__)

FIRST_CALL_SESSION_ID = 2_500_000_001  # above 2**31 on purpose: ids are not int32
FIRST_LEG_ID = 700_000_001
_MAX_EVENTS_PER_RUN = 100_000


class CallState(StrEnum):
    """Diagram states (plus PLAYBACK for informer calls, which the diagram does not cover)."""

    SESSION = "SESSION"
    TALK = "TALK"
    CALL_COACH = "CALL_COACH"
    RECORD_TALK = "RECORD_TALK"
    MARK_CALL = "MARK_CALL"
    HOLD = "HOLD"
    WAITING_INPUT = "WAITING_INPUT"
    DIALING = "DIALING"
    OPERATOR_TALK = "OPERATOR_TALK"
    POST_TALK = "POST_TALK"
    FINISHING = "FINISHING"
    PLAYBACK = "PLAYBACK"
    ENDED = "ENDED"


class LegRole(StrEnum):
    """Who a leg belongs to."""

    CONTACT = "contact"  # A
    OPERATOR = "operator"  # B (after a transfer: whoever took over the conversation)
    THIRD = "third"  # C, dialled by make.call
    COACH = "coach"


class LegStatus(StrEnum):
    """Where a leg is in its own life."""

    RINGING = "ringing"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"


class LegLabel(StrEnum):
    """list.calls display states; the value indexes the reference's RU/EN label lists."""

    DIAL = "0"
    TALK = "1"
    NEXT_IN_LINE = "2"
    DISCONNECTED = "3"
    OPERATORS_TALK = "4"
    ON_HOLD = "5"
    TRANSFER = "6"
    SENDING_DTMF = "7"


class EventName(StrEnum):
    """Call events UIS can notify about; the values are the slugs of the bot's event URLs."""

    INBOUND_CALL = "inbound_call"  # Входящий звонок на виртуальный номер
    WAITING_FOR_ANSWER = "waiting_for_answer"  # Ожидание ответа: an employee's phone rings
    OUTBOUND_CALL = "outbound_call"  # Исходящий звонок: dialled from an employee's own phone
    TALK_STARTED = "talk_started"  # Начало разговора
    TALK_FINISHED = "talk_finished"  # Окончание разговора
    CALL_FINISHED = "call_finished"  # Завершение звонка
    LOST_CALL = "lost_call"  # Потерянный звонок
    CALL_RECORDING_READY = "call_recording_ready"  # Записанный разговор


class StateRefused(Exception):
    """The method is not allowed in the call's current state (-> invalid_state)."""


class LegNotFound(Exception):
    """No such active leg in this call (-> leg_not_found)."""


class TalkOptionFailed(Exception):
    """A talk option could not run because its configuration is broken (-> internal_error)."""


class RecordingLocked(Exception):
    """Recording is switched on in the employee settings and cannot be stopped (-> forbidden)."""


@dataclass
class Dialable:
    """A party to ring: a number, and the employee it belongs to, if any."""

    number: str
    employee: Employee | None = None


@dataclass
class Leg:
    """One participant of a call."""

    leg_id: int
    role: LegRole
    number: str
    calling_phone_number: str
    called_phone_number: str
    is_operator: bool
    employee_id: int | None = None
    employee_full_name: str | None = None
    status: LegStatus = LegStatus.RINGING
    ring_started_at: float | None = None
    answer_at: float | None = None
    fail_at: float | None = None
    answered_at: float | None = None
    ended_at: float | None = None
    end_reason: str | None = None
    dtmf_until: float | None = None
    records_always: bool = False

    @property
    def active(self) -> bool:
        """Not disconnected."""
        return self.status is not LegStatus.DISCONNECTED


@dataclass
class Transition:
    """One move through the diagram."""

    at: float
    from_state: str
    to_state: str
    by: str


@dataclass
class Call:
    """One call session."""

    call_session_id: int
    kind: str  # employee | scenario | vnumber | informer | simple | inbound
    direction: str
    start_time: float
    virtual_phone_number: str
    contact_phone_number: str
    external_id: str | None
    first_call: str  # "operator" or "contact"
    state: CallState = CallState.SESSION
    legs: list[Leg] = field(default_factory=list)
    tags: list[tuple[int, str]] = field(default_factory=list)
    history: list[Transition] = field(default_factory=list)
    operator_queue: list[Dialable] = field(default_factory=list)
    contact_dtmf: str | None = None
    show_virtual_phone_number: bool = True
    blind_transfer: bool = False
    recording: bool = False
    dialing_timeout: float | None = None
    playback_ends_at: float | None = None
    ended_at: float | None = None
    end_reason: str | None = None
    dtmf_sent: list[str] = field(default_factory=list)
    talk_options_used: list[str] = field(default_factory=list)
    request: dict[str, Any] = field(default_factory=dict)
    scenario_id: int | None = None  # the PBX scenario that routed the call, if any
    communication_number: int = 1  # the how-many-th call with this contact
    talk_started_at: float | None = None  # the first TALK
    recording_started_at: float | None = None  # first moment recording was on after talk began
    recording_due_at: float | None = None  # when the recording of an ended call becomes ready
    recording_ready: bool = False

    @property
    def ended(self) -> bool:
        """The session is over (call_session_not_found from now on)."""
        return self.state is CallState.ENDED

    def leg(self, role: LegRole) -> Leg | None:
        """The active leg playing ``role`` (the newest one when several were dialled)."""
        for leg in reversed(self.legs):
            if leg.role is role and leg.active:
                return leg
        return None

    def connected(self, role: LegRole) -> Leg | None:
        """The connected leg playing ``role``."""
        leg = self.leg(role)
        return leg if leg is not None and leg.status is LegStatus.CONNECTED else None


@dataclass(frozen=True)
class CallEvent:
    """A point of a call's life that UIS reports as an event notification."""

    name: EventName
    call: Call
    at: float
    leg: Leg | None = None  # the leg the event is about (the ringing or dialling employee)


CallListener = Callable[[CallEvent], None]


class CallEngine:
    """Owns every call of the simulator and moves them along the diagram."""

    def __init__(
        self,
        account: Callable[[], Account],
        options: Callable[[], SimulatorOptions],
        listener: CallListener | None = None,
    ) -> None:
        self._account = account
        self._options = options
        self._listener = listener
        self._calls_per_contact: dict[str, int] = {}
        self.calls: dict[int, Call] = {}
        self._active: dict[int, Call] = {}  # calls not ended
        # Calls that may have a timer (a ringing leg, a playback, a recording being processed
        # after the end): only they are scanned for
        # due events. Each request runs the due events first, so scanning every active call
        # made a request cost O(calls); with a thousand calls that was a third of the world's
        # CPU in benchmarks/bench_bot.py. A call joins when a timer is set (_ring, playback,
        # _finish of a recorded call) and leaves when a scan finds none left.
        self._timed: dict[int, Call] = {}
        self._next_call_id = FIRST_CALL_SESSION_ID
        self._next_leg_id = FIRST_LEG_ID

    # -- creation ---------------------------------------------------------------------------

    def _new_call(self, at: float, **fields: Any) -> Call:
        call = Call(call_session_id=self._next_call_id, start_time=at, **fields)
        self._next_call_id += 1
        number = self._calls_per_contact.get(call.contact_phone_number, 0) + 1
        self._calls_per_contact[call.contact_phone_number] = number
        call.communication_number = number
        self.calls[call.call_session_id] = call
        self._active[call.call_session_id] = call
        return call

    def _new_leg(
        self, call: Call, role: LegRole, party: Dialable, calling: str, called: str
    ) -> Leg:
        employee = party.employee
        leg = Leg(
            leg_id=self._next_leg_id,
            role=role,
            number=party.number,
            calling_phone_number=calling,
            called_phone_number=called,
            is_operator=role is LegRole.OPERATOR,
            employee_id=employee.id if employee else None,
            employee_full_name=employee.full_name if employee else None,
            records_always=bool(employee and employee.record_all_calls),
        )
        self._next_leg_id += 1
        call.legs.append(leg)
        if leg.records_always:
            call.recording = True
        return leg

    def start_outbound(
        self,
        at: float,
        *,
        kind: str,
        direction: str,
        virtual_phone_number: str,
        contact: str,
        external_id: str | None,
        first_call: str,
        operators: list[Dialable],
        contact_dtmf: str | None = None,
        show_virtual_phone_number: bool = True,
        dialing_timeout: float | None = None,
        request: dict[str, Any] | None = None,
        scenario_id: int | None = None,
    ) -> Call:
        """A call started through the API (start.*). ``operators`` is the hunt list for the
        B side (empty for informer calls); ``first_call`` says which side rings first."""
        call = self._new_call(
            at,
            kind=kind,
            direction=direction,
            virtual_phone_number=virtual_phone_number,
            contact_phone_number=contact,
            external_id=external_id,
            first_call="contact" if first_call == "contact" or kind == "informer" else "operator",
            operator_queue=list(operators),
            contact_dtmf=contact_dtmf,
            show_virtual_phone_number=show_virtual_phone_number,
            dialing_timeout=dialing_timeout,
            request=request or {},
            scenario_id=scenario_id,
        )
        call.history.append(
            Transition(at, "(start)", CallState.SESSION.value, f"start.{kind}_call")
        )
        if call.first_call == "contact":
            self._ring_contact(call, at)
        else:
            self._ring_next_operator(call, at)
        return call

    def start_inbound(
        self,
        at: float,
        *,
        contact: str,
        virtual_phone_number: str,
        operators: list[Dialable],
        scenario_id: int | None = None,
    ) -> Call:
        """A call from the contact to the account (not started through the API)."""
        call, _ = self._call_from(
            at,
            "inbound call",
            LegRole.CONTACT,
            Dialable(contact),
            called=virtual_phone_number,
            kind="inbound",
            direction="in",
            virtual_phone_number=virtual_phone_number,
            contact_phone_number=contact,
            first_call="contact",
            operator_queue=list(operators),
            scenario_id=scenario_id,
        )
        self._emit(EventName.INBOUND_CALL, call, at)
        self._ring_next_operator(call, at)
        return call

    def start_from_phone(
        self, at: float, *, employee: Dialable, contact: str, virtual_phone_number: str
    ) -> Call:
        """An employee dials ``contact`` from their own phone (desk phone or softphone), not
        through the API: the employee is on the line at once (B), the contact rings (A)."""
        call, leg = self._call_from(
            at,
            "outbound call",
            LegRole.OPERATOR,
            employee,
            called=contact,
            kind="outbound",
            direction="out",
            virtual_phone_number=virtual_phone_number,
            contact_phone_number=contact,
            first_call="operator",
        )
        self._emit(EventName.OUTBOUND_CALL, call, at, leg)
        self._ring_contact(call, at)
        return call

    def _call_from(
        self, at: float, by: str, role: LegRole, party: Dialable, called: str, **fields: Any
    ) -> tuple[Call, Leg]:
        """A call someone places from their own phone: their leg is on the line at once."""
        call = self._new_call(at, external_id=None, **fields)
        call.history.append(Transition(at, "(start)", CallState.SESSION.value, by))
        leg = self._new_leg(call, role, party, party.number, called)
        leg.status = LegStatus.CONNECTED
        leg.answered_at = at
        return call, leg

    # -- ringing and answering ------------------------------------------------------------

    def _ring(self, call: Call, leg: Leg, at: float) -> None:
        options = self._options()
        timeout = call.dialing_timeout if leg.role is LegRole.CONTACT else None
        leg.status = LegStatus.RINGING
        self._timed[call.call_session_id] = call
        leg.ring_started_at = at
        leg.fail_at = at + (timeout if timeout is not None else options.dialing_timeout_seconds)
        never = leg.number in self._account().never_answer
        if options.auto_answer_seconds is not None and not never:
            leg.answer_at = at + options.auto_answer_seconds
        else:
            leg.answer_at = None
        # "Waiting for the answer": an employee's phone (or the B side's) starts ringing.
        if leg.role is LegRole.OPERATOR or (
            leg.role is not LegRole.CONTACT and leg.employee_id is not None
        ):
            self._emit(EventName.WAITING_FOR_ANSWER, call, at, leg)

    def _ring_contact(self, call: Call, at: float) -> None:
        called = call.contact_phone_number + (call.contact_dtmf or "")
        leg = self._new_leg(
            call,
            LegRole.CONTACT,
            Dialable(call.contact_phone_number),
            call.virtual_phone_number,
            called,
        )
        self._ring(call, leg, at)

    def _ring_next_operator(self, call: Call, at: float) -> None:
        if not call.operator_queue:
            self._finish(call, at, "no operator answered")
            return
        party = call.operator_queue.pop(0)
        # The operator sees the contact's number on inbound calls; on API calls it sees the
        # virtual number unless show_virtual_phone_number=false.
        if call.kind == "inbound" or not call.show_virtual_phone_number:
            calling = call.contact_phone_number
        else:
            calling = call.virtual_phone_number
        leg = self._new_leg(call, LegRole.OPERATOR, party, calling, party.number)
        self._ring(call, leg, at)

    def answer(self, call: Call, leg: Leg, at: float) -> None:
        """A ringing leg picks up."""
        if leg.status is not LegStatus.RINGING:
            raise LegNotFound(leg.leg_id)
        leg.status = LegStatus.CONNECTED
        leg.answered_at = at
        leg.answer_at = None
        leg.fail_at = None
        if leg.role is LegRole.CONTACT:
            if call.contact_dtmf:
                # '.' is a 1 s pause; count roughly one second per burst of digits as well.
                leg.dtmf_until = at + 1 + call.contact_dtmf.count(".")
            if call.kind == "informer":
                call.playback_ends_at = at + self._options().informer_playback_seconds
                self._timed[call.call_session_id] = call
                self._transition(call, at, CallState.PLAYBACK, "contact answered")
            elif call.connected(LegRole.OPERATOR) is not None:
                self._transition(call, at, CallState.TALK, "parties connected")
            else:
                self._ring_next_operator(call, at)
        elif leg.role is LegRole.OPERATOR:
            if call.connected(LegRole.CONTACT) is not None:
                self._transition(call, at, CallState.TALK, "parties connected")
            else:
                self._ring_contact(call, at)
        elif leg.role is LegRole.THIRD:
            if call.blind_transfer:
                self._promote_third(call, leg)
                self._transition(call, at, CallState.TALK, "transfer.talk && call_success")
            else:
                self._transition(call, at, CallState.OPERATOR_TALK, "C answered")
        elif leg.role is LegRole.COACH and call.state is CallState.CALL_COACH:
            self._transition(call, at, CallState.TALK, "coach answered")

    def fail(self, call: Call, leg: Leg, at: float, reason: str = "call_failed") -> None:
        """A ringing leg is not reached (no answer, busy, unreachable)."""
        if leg.status is not LegStatus.RINGING:
            raise LegNotFound(leg.leg_id)
        self._drop(leg, at, reason)
        if leg.role is LegRole.CONTACT:
            self._finish(call, at, "contact not reached")
        elif leg.role is LegRole.OPERATOR:
            self._ring_next_operator(call, at)
        elif leg.role is LegRole.THIRD:
            if call.blind_transfer:
                self._transition(call, at, CallState.FINISHING, "transfer.talk (B) && call_failed")
                self._finish(call, at, "blind transfer not answered")
            else:
                self._transition(call, at, CallState.HOLD, "call.failed (C)")
        elif leg.role is LegRole.COACH and call.state is CallState.CALL_COACH:
            self._transition(call, at, CallState.TALK, "call_failed (coach)")

    def hang_up(self, call: Call, leg: Leg, at: float, by: str) -> None:
        """A party leaves: disconnect.leg, or the person hanging up (control interface)."""
        if not leg.active:
            raise LegNotFound(leg.leg_id)
        if leg.status is LegStatus.RINGING:
            # Cancelling a ringing party behaves like the attempt failing.
            self.fail(call, leg, at, reason=by)
            return
        self._drop(leg, at, by)
        state = call.state
        if leg.role is LegRole.CONTACT:
            # "Dropping the contact's leg ends the whole call session."
            self._end_conversation(call, at, by)
        elif leg.role is LegRole.OPERATOR:
            if state is CallState.DIALING:
                # B leaves while C rings: A waits for C, as after a blind transfer.
                call.blind_transfer = True
                self._transition(call, at, CallState.DIALING, f"{by} (B) during dialing")
            elif state is CallState.OPERATOR_TALK:
                # B leaves the consultation: the others stay connected, so A talks to C.
                third = call.connected(LegRole.THIRD)
                assert third is not None
                self._promote_third(call, third)
                self._transition(call, at, CallState.TALK, f"{by} (B): C + A conversation")
            else:
                self._end_conversation(call, at, by)
        elif leg.role is LegRole.THIRD:
            # C is only ever connected in OPERATOR_TALK (after a transfer it becomes the
            # operator): B is back, A stays on hold.
            self._transition(call, at, CallState.HOLD, f"{by} (C)")
        elif leg.role is LegRole.COACH and state is CallState.CALL_COACH:
            self._transition(call, at, CallState.TALK, f"{by} (coach)")

    # -- management methods ----------------------------------------------------------------

    def hold(self, call: Call, at: float) -> None:
        """hold.call: only in TALK."""
        if call.state is not CallState.TALK:
            raise StateRefused(call.state)
        self._transition(call, at, CallState.HOLD, "hold.call")

    def unhold(self, call: Call, at: float) -> None:
        """unhold.call: only in HOLD."""
        if call.state is not CallState.HOLD:
            raise StateRefused(call.state)
        self._transition(call, at, CallState.TALK, "unhold.call")

    def make_call(self, call: Call, party: Dialable, at: float) -> Leg:
        """make.call: only after hold.call (HOLD or WAITING_INPUT); C starts ringing."""
        if call.state not in (CallState.HOLD, CallState.WAITING_INPUT):
            raise StateRefused(call.state)
        leg = self._new_leg(call, LegRole.THIRD, party, call.virtual_phone_number, party.number)
        self._ring(call, leg, at)
        self._transition(call, at, CallState.DIALING, "make.call")
        return leg

    def transfer(self, call: Call, at: float) -> None:
        """transfer.talk: in OPERATOR_TALK (attended) or DIALING (blind); B drops out."""
        if call.blind_transfer or call.state not in (CallState.DIALING, CallState.OPERATOR_TALK):
            raise StateRefused(call.state)
        operator = call.leg(LegRole.OPERATOR)
        if operator is not None:
            self._drop(operator, at, "transfer.talk")
        if call.state is CallState.OPERATOR_TALK:
            third = call.connected(LegRole.THIRD)
            assert third is not None
            self._promote_third(call, third)
            self._transition(call, at, CallState.TALK, "transfer.talk")
        else:
            call.blind_transfer = True
            self._transition(call, at, CallState.DIALING, "transfer.talk (blind)")

    def restore(self, call: Call, at: float) -> None:
        """restore.talk: in DIALING or OPERATOR_TALK; C is dropped, B is back with A."""
        if call.blind_transfer or call.state not in (CallState.DIALING, CallState.OPERATOR_TALK):
            raise StateRefused(call.state)
        third = call.leg(LegRole.THIRD)
        if third is not None:
            self._drop(third, at, "restore.talk")
        self._transition(call, at, CallState.TALK, "restore.talk")

    def add_coach(self, call: Call, party: Dialable, at: float) -> Leg:
        """add.coach: the coach rings; in TALK the call goes to CALL_COACH until it answers."""
        leg = self._new_leg(call, LegRole.COACH, party, call.virtual_phone_number, party.number)
        self._ring(call, leg, at)
        if call.state is CallState.TALK:
            self._transition(call, at, CallState.CALL_COACH, "add.coach")
        return leg

    def set_recording(self, call: Call, on: bool, at: float, by: str) -> None:
        """record.call / the record_talk talk option. Raises RecordingLocked when stopping a
        recording that the employee settings force on."""
        if not on and any(leg.records_always and leg.active for leg in call.legs):
            raise RecordingLocked
        call.recording = on
        self._note_recording(call, at)
        self._pass_through(call, at, CallState.RECORD_TALK, by)

    def tag(self, call: Call, tag_id: int, tag_name: str, at: float, by: str) -> None:
        """tag.call / the tag_call talk option."""
        call.tags.append((tag_id, tag_name))
        self._pass_through(call, at, CallState.MARK_CALL, by)

    def send_dtmf(self, call: Call, digit: str, at: float) -> None:
        """send.dtmf: '*' while waiting for a transfer number cancels back to HOLD."""
        call.dtmf_sent.append(digit)
        if call.state is CallState.WAITING_INPUT and digit == "*":
            self._transition(call, at, CallState.HOLD, "send.dtmf (*)")
            return
        contact = call.connected(LegRole.CONTACT)
        if contact is not None and call.state is CallState.TALK:
            contact.dtmf_until = at + 1

    def start_keypad_transfer(self, call: Call, at: float) -> None:
        """The transfer_call talk option: A goes on hold, then the PBX waits for B's digits."""
        self._transition(call, at, CallState.HOLD, "call.talk_option (transfer_call)")
        self._transition(call, at, CallState.WAITING_INPUT, "automatic")

    def release(self, call: Call, at: float, by: str) -> None:
        """Hang up everything."""
        self._finish(call, at, by)

    def active_calls(self) -> list[Call]:
        """Calls in progress, oldest first."""
        return list(self._active.values())

    # -- timed events ----------------------------------------------------------------------

    def next_due(self) -> float | None:
        """The earliest pending event time, if any."""
        times = [at for at, _, _ in self._timed_events()]
        return min(times) if times else None

    def _timed_events(self) -> list[tuple[float, int, Callable[[float], None]]]:
        """Every pending event as (time, call id, action); calls without a timer left are
        forgotten until a timer is set on them again."""
        events: list[tuple[float, int, Callable[[float], None]]] = []
        for call in list(self._timed.values()):
            pending = self._pending(call)
            if not pending:
                del self._timed[call.call_session_id]
            events.extend((at, call.call_session_id, action) for at, action in pending)
        return events

    def _pending(self, call: Call) -> list[tuple[float, Callable[[float], None]]]:
        if call.ended:
            if call.recording_due_at is not None:
                return [(call.recording_due_at, lambda at: self._recording_done(call, at))]
            return []
        events: list[tuple[float, Callable[[float], None]]] = []
        for leg in call.legs:
            if leg.status is not LegStatus.RINGING:
                continue
            answer_at, fail_at = leg.answer_at, leg.fail_at
            if answer_at is not None and (fail_at is None or answer_at < fail_at):
                events.append((answer_at, _bind(self.answer, call, leg)))
            elif fail_at is not None:
                events.append((fail_at, _bind(self.fail, call, leg)))
        if call.playback_ends_at is not None and call.state is CallState.PLAYBACK:
            events.append((call.playback_ends_at, lambda at: self._finish(call, at, "played")))
        return events

    def run_due(self, now: float) -> int:
        """Fire every event due at or before ``now`` in time order; return how many fired."""
        fired = 0
        while fired < _MAX_EVENTS_PER_RUN:
            due = [event for event in self._timed_events() if event[0] <= now]
            if not due:
                break
            at, _, action = min(due, key=lambda item: (item[0], item[1]))
            action(at)
            fired += 1
        return fired

    # -- helpers ---------------------------------------------------------------------------

    def _promote_third(self, call: Call, third: Leg) -> None:
        """After a transfer C talks to A and takes over B's role (and its talk options)."""
        third.role = LegRole.OPERATOR
        third.is_operator = True
        call.blind_transfer = False

    def _drop(self, leg: Leg, at: float, reason: str) -> None:
        leg.status = LegStatus.DISCONNECTED
        leg.ended_at = at
        leg.end_reason = reason
        leg.answer_at = None
        leg.fail_at = None

    def _transition(self, call: Call, at: float, to: CallState, by: str) -> None:
        call.history.append(Transition(at, call.state.value, to.value, by))
        call.state = to
        if to is CallState.TALK and call.talk_started_at is None:
            call.talk_started_at = at
            self._note_recording(call, at)
            self._emit(EventName.TALK_STARTED, call, at)

    def _note_recording(self, call: Call, at: float) -> None:
        """Remember when the talk first went on record (a recording will be ready at the end)."""
        talking = call.talk_started_at is not None and not call.ended
        if call.recording and talking and call.recording_started_at is None:
            call.recording_started_at = at

    def _recording_done(self, call: Call, at: float) -> None:
        call.recording_due_at = None
        call.recording_ready = True
        self._emit(EventName.CALL_RECORDING_READY, call, at)

    def _emit(self, name: EventName, call: Call, at: float, leg: Leg | None = None) -> None:
        if self._listener is None:
            return
        try:
            self._listener(CallEvent(name, call, at, leg))
        except Exception:  # a listener's bug must not break the call
            logger.exception("call event listener failed on %s", name.value)

    def _pass_through(self, call: Call, at: float, transient: CallState, by: str) -> None:
        """RECORD_TALK / MARK_CALL: entered from TALK and left automatically."""
        if call.state is not CallState.TALK:
            return
        self._transition(call, at, transient, by)
        self._transition(call, at, CallState.TALK, "automatic")

    def _end_conversation(self, call: Call, at: float, by: str) -> None:
        if call.state is CallState.TALK:
            self._transition(call, at, CallState.POST_TALK, by)
        self._finish(call, at, by)

    def _finish(self, call: Call, at: float, reason: str) -> None:
        if call.ended:
            return
        if call.state is not CallState.FINISHING:
            self._transition(call, at, CallState.FINISHING, reason)
        for leg in call.legs:
            if leg.active:
                self._drop(leg, at, reason)
        call.playback_ends_at = None
        call.ended_at = at
        call.end_reason = reason
        self._transition(call, at, CallState.ENDED, "automatic")
        self._active.pop(call.call_session_id, None)
        if call.talk_started_at is not None:
            self._emit(EventName.TALK_FINISHED, call, at)
        self._emit(EventName.CALL_FINISHED, call, at)
        if call.kind == "inbound" and call.talk_started_at is None:
            self._emit(EventName.LOST_CALL, call, at)
        if call.recording_started_at is not None:
            delay = self._options().recording_ready_seconds
            if delay <= 0:
                self._recording_done(call, at)
            else:
                call.recording_due_at = at + delay
                self._timed[call.call_session_id] = call

    # -- views -----------------------------------------------------------------------------

    def leg_label(self, call: Call, leg: Leg, now: float) -> LegLabel:
        """The list.calls display state of a leg."""
        if not leg.active:
            return LegLabel.DISCONNECTED
        if leg.status is LegStatus.RINGING:
            return LegLabel.DIAL
        if leg.dtmf_until is not None and now < leg.dtmf_until:
            return LegLabel.SENDING_DTMF
        state = call.state
        held_states = (
            CallState.HOLD,
            CallState.WAITING_INPUT,
            CallState.DIALING,
            CallState.OPERATOR_TALK,
        )
        if leg.role is LegRole.CONTACT:
            if state in held_states:
                return LegLabel.ON_HOLD
            if state is CallState.SESSION:
                return LegLabel.NEXT_IN_LINE
            return LegLabel.TALK
        if leg.role is LegRole.OPERATOR:
            if state is CallState.SESSION:
                return LegLabel.DIAL  # hears the contact being dialled
            if state in (CallState.WAITING_INPUT, CallState.DIALING):
                return LegLabel.TRANSFER
            if state is CallState.OPERATOR_TALK:
                return LegLabel.OPERATORS_TALK
            return LegLabel.TALK
        if leg.role is LegRole.THIRD and state is CallState.OPERATOR_TALK:
            return LegLabel.OPERATORS_TALK
        return LegLabel.TALK

    def list_view(self, call: Call, now: float, labels: tuple[str, ...]) -> dict[str, Any]:
        """A list.calls entry."""
        options = self._options()
        local = datetime.fromtimestamp(call.start_time, UTC) + timedelta(
            hours=options.utc_offset_hours
        )
        if options.start_time_format == "table":
            start_time = local.strftime("%Y-%m-%d %H:%M:%S")
        else:
            start_time = local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}"
        return {
            "call_session_id": call.call_session_id,
            "direction": call.direction,
            "start_time": start_time,
            "virtual_phone_number": call.virtual_phone_number,
            "contact_phone_number": call.contact_phone_number,
            "external_id": call.external_id,
            "tags": [{"tag_id": tag_id, "tag_name": name} for tag_id, name in call.tags],
            "legs": [
                {
                    "leg_id": leg.leg_id,
                    "calling_phone_number": leg.calling_phone_number,
                    "called_phone_number": leg.called_phone_number,
                    "is_operator": leg.is_operator,
                    "employee_id": leg.employee_id,
                    "employee_full_name": leg.employee_full_name,
                    "record_call_enabled": call.recording and leg.active,
                    "state": labels[int(self.leg_label(call, leg, now).value)],
                }
                for leg in call.legs
            ],
        }

    def inspect(self, call: Call, now: float, labels: tuple[str, ...]) -> dict[str, Any]:
        """Everything about a call, for the control interface."""
        view = self.list_view(call, now, labels)
        roles = {leg.leg_id: leg for leg in call.legs}
        for entry in view["legs"]:
            leg = roles[entry["leg_id"]]
            entry.update(
                role=leg.role.value,
                status=leg.status.value,
                number=leg.number,
                answer_at=leg.answer_at,
                fail_at=leg.fail_at,
                end_reason=leg.end_reason,
            )
        view.update(
            kind=call.kind,
            state=call.state.value,
            first_call=call.first_call,
            blind_transfer=call.blind_transfer,
            recording=call.recording,
            ended_at=call.ended_at,
            end_reason=call.end_reason,
            scenario_id=call.scenario_id,
            talk_started_at=call.talk_started_at,
            recording_started_at=call.recording_started_at,
            recording_ready=call.recording_ready,
            dtmf_sent=list(call.dtmf_sent),
            talk_options_used=list(call.talk_options_used),
            request=call.request,
            history=[
                {"at": t.at, "from": t.from_state, "to": t.to_state, "by": t.by}
                for t in call.history
            ],
        )
        return view


def _bind(
    method: Callable[[Call, Leg, float], None], call: Call, leg: Leg
) -> Callable[[float], None]:
    return lambda at: method(call, leg, at)
