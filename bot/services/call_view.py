"""What a call looks like to one manager: its phase and the buttons that phase allows.

The Call API has no "get state" method. `list.calls` shows per-leg display labels (Russian
or English, not the diagram's state names), and a finished call simply disappears from it.
So the phase is derived from the legs, refined by what our own successful actions tell us
(hold vs. waiting-for-input is invisible in the legs).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from api.models import CallInfo, CallLeg, LegState


class Phase(enum.StrEnum):
    STARTING = "starting"  # our start request is out, its reply not in yet
    DIALING = "dialing"  # the first party is being rung
    TALK = "talk"
    HOLD = "hold"  # includes the diagram's WAITING_INPUT: same buttons
    DIALING_THIRD = "dialing_third"  # make.call is ringing C
    CONSULTING = "consulting"  # OPERATOR_TALK: B and C talk, A on hold
    FINISHED = "finished"
    TRANSFERRED = "transferred"  # the call goes on without this manager
    NOT_STARTED = "not_started"  # UIS or the bot refused the start: there was no call
    NO_ANSWER = "no_answer"  # it ended while still ringing: nobody talked
    # A start whose outcome is unknown, and list.calls does not show it: it never happened,
    # or it rang and ended before we looked. Either way nothing is left to act on.
    NOT_FOUND = "not_found"
    # An inbound call ringing the manager's phone (a UIS event drew the card): no Call API
    # button yet, hold needs a talk and release would hang up on the caller.
    RINGING = "ringing"
    ANSWERED_ELSEWHERE = "answered_elsewhere"  # it rang here, another employee took it

    @property
    def is_final(self) -> bool:
        return self in _FINAL_PHASES

    @property
    def had_a_call(self) -> bool:
        """False when the card never showed a call UIS confirmed (no duration to show)."""
        return self not in (Phase.STARTING, Phase.NOT_STARTED, Phase.NOT_FOUND)

    @property
    def leaves_client_waiting(self) -> bool:
        """The client waits for a later action of ours (unhold, restore, release) to go on."""
        return self in (Phase.HOLD, Phase.DIALING_THIRD, Phase.CONSULTING)


_FINAL_PHASES = frozenset(
    {
        Phase.FINISHED,
        Phase.TRANSFERRED,
        Phase.NOT_STARTED,
        Phase.NO_ANSWER,
        Phase.NOT_FOUND,
        Phase.ANSWERED_ELSEWHERE,
    }
)


class LegRole(enum.StrEnum):
    CONTACT = "contact"  # A
    ME = "me"  # the manager's own employee leg (B)
    EMPLOYEE = "employee"  # another employee (C, a coach)
    OTHER = "other"  # an outside third party


@dataclass(frozen=True)
class CallView:
    call_session_id: int
    phase: Phase
    snapshot: CallInfo | None
    roles: dict[int, LegRole] = field(default_factory=dict)

    @property
    def recording(self) -> bool:
        return bool(self.snapshot and any(leg.record_call_enabled for leg in self.snapshot.legs))

    @property
    def active_legs(self) -> list[CallLeg]:
        if self.snapshot is None:
            return []
        return [leg for leg in self.snapshot.legs if leg.state_kind is not LegState.DISCONNECTED]

    def legs_with_role(self, *roles: LegRole) -> list[CallLeg]:
        return [leg for leg in self.active_legs if self.roles.get(leg.leg_id) in roles]


def _leg_numbers(leg: CallLeg) -> set[str]:
    # called_phone_number may carry a DTMF tail ("74959268686...9.2.3.3").
    return {
        number.split(".", 1)[0]
        for number in (leg.called_phone_number, leg.calling_phone_number)
        if number
    }


def classify_legs(snapshot: CallInfo, my_employee_id: int | None) -> dict[int, LegRole]:
    roles: dict[int, LegRole] = {}
    contact = snapshot.contact_phone_number
    for leg in snapshot.legs:
        if my_employee_id is not None and leg.employee_id == my_employee_id:
            roles[leg.leg_id] = LegRole.ME
        elif leg.employee_id is not None:
            roles[leg.leg_id] = LegRole.EMPLOYEE
        elif contact and contact in _leg_numbers(leg):
            roles[leg.leg_id] = LegRole.CONTACT
        else:
            roles[leg.leg_id] = LegRole.OTHER
    # An inbound or API call may list the contact without a matching number; the first
    # non-employee leg is then the contact.
    if LegRole.CONTACT not in roles.values():
        for leg in snapshot.legs:
            if roles[leg.leg_id] is LegRole.OTHER:
                roles[leg.leg_id] = LegRole.CONTACT
                break
    return roles


def derive_view(
    call_session_id: int,
    snapshot: CallInfo | None,
    my_employee_id: int | None,
    previous: Phase | None = None,
) -> CallView:
    """The manager's view of a call from the latest list.calls entry (None = not listed)."""
    if snapshot is None:
        # list.calls shows only calls in progress: a call that vanished is over. Say how: handed
        # over, never answered, or a start we could not confirm at all.
        return CallView(call_session_id, _vanished_as(previous), None)
    roles = classify_legs(snapshot, my_employee_id)
    live = {leg.leg_id: leg for leg in snapshot.legs if leg.state_kind is not LegState.DISCONNECTED}
    if not live:
        return CallView(call_session_id, Phase.FINISHED, snapshot, roles)

    def with_role(*wanted: LegRole) -> list[CallLeg]:
        return [leg for leg in live.values() if roles[leg.leg_id] in wanted]

    mine = with_role(LegRole.ME)
    contact = with_role(LegRole.CONTACT)
    third = with_role(LegRole.EMPLOYEE, LegRole.OTHER)
    had_me = LegRole.ME in roles.values()
    answered_by_me = any(leg.state_kind is not LegState.DIALING for leg in mine)
    if previous is Phase.RINGING and not answered_by_me:
        # An inbound call that rang here: until this manager answers it stays ringing (other
        # phones may ring too), unless someone else already talks with the caller.
        talking = {LegState.TALKING, LegState.OPERATORS_TALKING}
        elsewhere = any(leg.state_kind in talking for leg in third)
        phase = Phase.ANSWERED_ELSEWHERE if elsewhere else Phase.RINGING
        return CallView(call_session_id, phase, snapshot, roles)
    if had_me and not mine and contact:
        # Our leg is gone while the contact talks on: the call was handed over.
        return CallView(call_session_id, Phase.TRANSFERRED, snapshot, roles)

    statuses = {leg.state_kind for leg in contact}
    third_statuses = {leg.state_kind for leg in third}
    if LegState.ON_HOLD in statuses or LegState.TRANSFERRING in statuses:
        if LegState.DIALING in third_statuses:
            phase = Phase.DIALING_THIRD
        elif third_statuses & {LegState.TALKING, LegState.OPERATORS_TALKING}:
            phase = Phase.CONSULTING
        else:
            phase = Phase.HOLD
    elif LegState.OPERATORS_TALKING in third_statuses:
        phase = Phase.CONSULTING
    elif any(leg.state_kind is LegState.DIALING for leg in (*contact, *mine)) or (
        contact and all(leg.state_kind is LegState.QUEUED for leg in contact)
    ):
        phase = Phase.DIALING
    else:
        phase = Phase.TALK
    return CallView(call_session_id, phase, snapshot, roles)


def _vanished_as(previous: Phase | None) -> Phase:
    match previous:
        case Phase.TRANSFERRED | Phase.NOT_STARTED | Phase.NO_ANSWER | Phase.NOT_FOUND:
            return previous
        case Phase.STARTING:
            return Phase.NOT_FOUND
        case Phase.DIALING | Phase.RINGING:
            return Phase.NO_ANSWER
        case Phase.ANSWERED_ELSEWHERE:
            return previous
    return Phase.FINISHED


def leg_number(leg: CallLeg, snapshot: CallInfo | None) -> str | None:
    """The number that tells who a leg is: not the call's virtual number (an inbound caller's
    leg is "called" at the virtual number) and without a DTMF tail."""
    virtual = snapshot.virtual_phone_number if snapshot is not None else None
    numbers = [
        number.split(".", 1)[0]
        for number in (leg.called_phone_number, leg.calling_phone_number)
        if number
    ]
    return next((number for number in numbers if number != virtual), None) or (
        numbers[0] if numbers else None
    )
