"""UIS events as facts for the call ledger.

What each event may say, by the ledger's rules: "talk started" moves a call that was ringing to
the talk, "waiting for answer" carrying our external_id settles a start whose reply was lost,
"call finished"/"lost call" announce the end (the next ``list.calls`` confirms it, one point),
the rest go to the history. A "lost call" is also a missed call to call back, and an answered
inbound call may settle one (``bot/services/missed_calls.py``). "Waiting for answer" (an
inbound call rings an employee) and "outbound call" (dialled from a desk phone) for a call no
card shows give the Telegram user assigned to that employee a card at once. Events are
untrusted: such a card is confirmed by ``list.calls`` before its first action.
"""

from __future__ import annotations

import logging
from collections import OrderedDict

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.events.parse import ParsedEvent
from bot.services.call_ledger import CallLedger
from bot.services.call_sync import CallSync
from bot.services.call_view import Phase
from bot.services.card_book import CardBook
from bot.services.event_flow import EventFlow
from bot.services.missed_calls import MissedCalls
from bot.services.recordings import RecordingDelivery
from bot.services.tracked_call import TrackedCall
from bot.texts import lang_for
from db import users as user_store
from db.models import AccessState

# Events that put a call on an employee's phone: its assigned user gets a card.
_OPENS_A_CARD = {"waiting_for_answer": Phase.RINGING, "outbound_call": Phase.DIALING}

# How many "inbound call" announcements wait for their ringing event (one per call in the
# account's queue at once is plenty; the oldest go first).
_ANNOUNCED_KEPT = 1000

log = logging.getLogger(__name__)


class CallEvents:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        ledger: CallLedger,
        book: CardBook,
        sync: CallSync,
        flow: EventFlow,
        recordings: RecordingDelivery | None = None,
        missed: MissedCalls | None = None,
    ) -> None:
        self._sessions = sessions
        self._missed = missed
        self._ledger = ledger
        self._book = book
        self._sync = sync
        self._flow = flow
        self._recordings = recordings  # None unless CALLBOT_RECORDINGS__ENABLED
        # "Inbound call" comes before the phone rings and names what "waiting for answer" does
        # not (the contact's name in UIS, the scenario): kept until the ringing card needs it.
        self._announced: OrderedDict[int, ParsedEvent] = OrderedDict()

    def _tracked(self, event: ParsedEvent) -> TrackedCall | None:
        return self._ledger.tracked(event.call_session_id, event.text("external_id"))

    async def apply(self, event: ParsedEvent) -> None:
        call = self._tracked(event)
        self._flow.heard(event.call_session_id, event.event, on_a_card=call is not None)
        if self._recordings is not None:
            self._recordings.heard(event)  # "call recording ready": sent in the background
        if self._missed is not None:
            # A lost call is told to whoever should call back; an answered one may settle it.
            await self._missed.heard(event)
        if event.event == "inbound_call":
            await self._announce(call, event)
        if call is None:
            if not await self._open_card(event):
                await self._ledger.event_for_untracked(event.call_session_id, event.event)
            return
        if event.event == "call_finished":
            call.uis_talk_seconds = _seconds(event.text("talk_time_duration"))
            call.uis_total_seconds = _seconds(event.text("total_time_duration"))
        async with call.lock:
            if call.call_session_id is None:
                # Our start whose reply was lost: UIS's own event names its call.
                self._ledger.name(call, event.call_session_id)
            await self._ledger.heard_event(
                call,
                event.event,
                self._leads_to(call, event),
                answered_by=event.text("employee_full_name"),
            )
        if call.end_announced and not call.is_final:
            self._sync.refresh_soon("end announced")  # rule 3: a snapshot confirms it

    async def _open_card(self, event: ParsedEvent) -> bool:
        """A call rings an employee (or one dials out from a desk phone): a card for the
        Telegram user assigned to that employee, at once. False when nobody is to get one."""
        phase = _OPENS_A_CARD.get(event.event)
        if phase is None or len(event.employee_ids) != 1:
            return False
        employee_id = event.employee_ids[0]
        async with self._sessions() as session:
            user = await user_store.user_for_employee(session, employee_id)
        if user is None or user.access is not AccessState.ALLOWED:
            return False
        announced = self._announced.pop(event.call_session_id, None)

        def told(name: str) -> str | None:
            return event.text(name) or (announced.text(name) if announced else None)

        call = await self._ledger.open_event(
            call_session_id=event.call_session_id,
            phase=phase,
            employee_id=employee_id,
            contact_number=told("contact_phone_number"),
            virtual_number=told("virtual_phone_number"),
            direction="in" if phase is Phase.RINGING else "out",
            external_id=event.text("external_id"),
            scenario_name=told("scenario_name"),
        )
        if call.is_final or self._book.cards_of(call):
            return True  # another event of the same call got here first
        call.contact_name = call.contact_name or told("contact_full_name")
        card = await self._book.post_new(user.id, lang_for(user.language_code), call)
        if card is not None:
            self._sync.went_live(card)
        return True

    async def _announce(self, call: TrackedCall | None, event: ParsedEvent) -> None:
        """What "inbound call" tells: kept for the ringing card, or (it came late) added to it."""
        if call is None:
            self._announced[event.call_session_id] = event
            while len(self._announced) > _ANNOUNCED_KEPT:
                self._announced.popitem(last=False)
            return
        async with call.lock:
            before = (call.contact_name, call.scenario_name, call.virtual_number)
            call.contact_name = call.contact_name or event.text("contact_full_name")
            call.scenario_name = call.scenario_name or event.text("scenario_name")
            call.virtual_number = call.virtual_number or event.text("virtual_phone_number")
            if (call.contact_name, call.scenario_name, call.virtual_number) != before:
                for card in self._book.cards_of(call):
                    await self._book.publish_card(card)

    @staticmethod
    def _leads_to(call: TrackedCall, event: ParsedEvent) -> Phase | None:
        mine = (
            call.employee_id is None
            or not event.employee_ids
            or (call.employee_id in event.employee_ids)
        )
        ringing_or_dialing = (Phase.STARTING, Phase.DIALING, Phase.RINGING)
        match event.event:
            case "talk_started" if mine and call.phase in ringing_or_dialing:
                return Phase.TALK
            case "talk_started" if not mine and call.phase is Phase.RINGING:
                return Phase.ANSWERED_ELSEWHERE
            case "waiting_for_answer" if call.phase is Phase.STARTING:
                return Phase.DIALING
        return None


def _seconds(value: str | None) -> float | None:
    """A duration UIS rendered (seconds, maybe "12" or "12.0"); None when absent or not one."""
    try:
        seconds = float(value) if value else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 <= seconds < 86_400 * 7 else None
