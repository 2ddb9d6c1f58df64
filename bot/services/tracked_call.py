"""A ledger call as the running process knows it: the row, the latest snapshot, and what a
card drawn from it shows."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from api.models import LegState
from bot.services.call_view import CallView, LegRole, Phase, leg_number
from db.models import CallRecord


@dataclass(eq=False)
class TrackedCall:
    """A ledger call as the running process knows it (the row plus the latest snapshot)."""

    ledger_id: int
    call_session_id: int | None
    external_id: str | None
    employee_id: int | None
    phase: Phase
    contact_number: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    view: CallView | None = None
    # Set by our own record.call until list.calls confirms it.
    recording_hint: bool | None = None
    unanswered_by: LegRole | None = None  # who did not answer, for a call that ended ringing
    # Monotonic time of the newest fact the call reflects (rule 1).
    fresh_as_of: float = 0.0
    missed: int = 0
    # When we sent the start request (wall clock), to check UIS's start time against it.
    sent_at: datetime | None = None
    rings_me_first: bool = False  # an employee call rings the manager's phone first
    opened_at: datetime | None = None  # when the ledger row was made (a start: before it left)
    # A UIS event said the call ended: rule 3 then needs one snapshot without it, not two.
    end_announced: bool = False
    # Drawn from a UIS event (untrusted): list.calls must show the user's employee on it
    # before the first action (``confirmed``).
    from_event: bool = False
    confirmed: bool = True
    virtual_number: str | None = None
    contact_name: str | None = None  # told by an event (UIS's contact card), never guessed
    scenario_name: str | None = None
    calls_from_number: int | None = None  # the ledger's count, shown on a ringing card
    answered_by: str | None = None  # who took a call that rang here
    # For the summary a finished card ends with:
    talk_started_at: datetime | None = None  # first seen answered (our clock)
    tags_seen: list[str] = field(default_factory=list)  # names, in the order they appeared
    released_by: str | None = None  # who ended it from the bot (our release.call)
    # UIS's own figures from "call finished" (seconds), preferred to ours when told.
    uis_talk_seconds: float | None = None
    uis_total_seconds: float | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    @property
    def is_final(self) -> bool:
        return self.phase.is_final

    @property
    def recording(self) -> bool:
        if self.recording_hint is not None:
            return self.recording_hint
        return bool(self.view and self.view.recording)


def tracked_from(row: CallRecord) -> TrackedCall:
    try:
        phase = Phase(row.phase)
    except ValueError:
        phase = Phase.TALK  # a phase this version does not know: the call is assumed live
    return TrackedCall(
        ledger_id=row.id,
        call_session_id=row.call_session_id,
        external_id=row.external_id,
        employee_id=row.employee_id,
        phase=phase,
        contact_number=row.contact_number,
        started_at=row.started_at,
        ended_at=row.ended_at,
        missed=row.missed_snapshots,
        opened_at=row.created_at,
    )


def legs_record(view: CallView) -> list[dict[str, Any]]:
    snapshot = view.snapshot
    if snapshot is None:
        return []
    return [
        {
            "leg_id": leg.leg_id,
            "role": view.roles.get(leg.leg_id, LegRole.OTHER).value,
            "state": leg.state_kind.value,
            "employee_id": leg.employee_id,
            "number": leg_number(leg, snapshot),
        }
        for leg in snapshot.legs
    ]


def who_did_not_answer(last_seen: CallView | None) -> LegRole:
    """Whose phone was ringing when the call ended: the client's, unless only ours rang."""
    if last_seen is None or last_seen.snapshot is None:
        return LegRole.CONTACT
    ringing = {
        last_seen.roles.get(leg.leg_id)
        for leg in last_seen.active_legs
        if leg.state_kind is LegState.DIALING
    }
    return LegRole.ME if ringing == {LegRole.ME} else LegRole.CONTACT


def answered_by_in(view: CallView) -> str | None:
    """The employee talking with the caller, by name when list.calls gives it."""
    snapshot = view.snapshot
    if snapshot is None:
        return None
    for leg in view.legs_with_role(LegRole.EMPLOYEE):
        if leg.state_kind in (LegState.TALKING, LegState.OPERATORS_TALKING):
            return leg.employee_full_name or (str(leg.employee_id) if leg.employee_id else None)
    return None


def shown_state(call: TrackedCall) -> tuple[Any, ...]:
    """What a drawing of a card shows from the call's state: not the running duration nor the
    points footer, which alone are not worth a Telegram edit."""
    view = call.view
    legs: tuple[Any, ...] = ()
    tags: tuple[Any, ...] = ()
    if view is not None and view.snapshot is not None:
        legs = tuple(
            (
                leg.leg_id,
                leg.state,
                view.roles.get(leg.leg_id),
                leg.employee_id,
                leg.employee_full_name,
                leg.called_phone_number,
                leg.calling_phone_number,
            )
            for leg in view.active_legs
        )
        tags = tuple((tag.tag_id, tag.tag_name) for tag in view.snapshot.tags)
    return (
        call.phase,
        call.recording,
        call.contact_number,
        call.started_at is None,
        view is None,
        legs,
        tags,
    )


def note_tags(call: TrackedCall, names: list[str]) -> None:
    """Tags seen on the call (a snapshot's, or ours just added), kept for its summary."""
    for name in names:
        if name and name not in call.tags_seen:
            call.tags_seen.append(name)
