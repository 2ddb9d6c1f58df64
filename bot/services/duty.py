"""The on-duty watch: ringing cards for an account whose UIS events are not connected.

Without events the bot hears of an inbound call only through ``list.calls``. While at least one
signed-in user is on duty (``/duty on``), the live poll keeps running even with no card open,
with that user's credentials and within the poll's share of the points, and every call it
finds ringing one of the account's employees gives the Telegram user assigned to that employee
a ringing card (from then on the card is an ordinary card, moved by the same poll). It is
slower than events: a card appears within one poll interval (4 s at 60 points a minute).
While events flow the poll sends nothing on its own, so the watch stops with it.

A ringing card that ends unanswered is a missed call (``MissedCalls``, as a "lost call" event
would make it), with its Call back; one that is answered settles an earlier missed call from
that number, as "talk started" would.

Like a card drawn from the "waiting for answer" event, a call gets one ringing card: the first
employee the watch finds ringing (a scenario ringing several phones at once shows it to one).
"""

from __future__ import annotations

import dataclasses
import enum
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.models import LegState
from bot.events.parse import ParsedEvent
from bot.services.actor import Actor
from bot.services.auth import AuthService
from bot.services.call_ledger import CallLedger
from bot.services.call_view import Phase
from bot.services.card_book import CardBook
from bot.services.live import Snapshot
from bot.services.tracked_call import TrackedCall
from bot.texts import lang_for
from bot.unit_of_work import Database
from db import users as user_store
from db.models import AccessState

log = logging.getLogger(__name__)


class MissedCallSink(Protocol):
    """``bot.services.missed_calls.MissedCalls`` (which needs the call starter, so it is built
    after the call service and cannot be imported here)."""

    async def heard(self, event: ParsedEvent) -> None: ...


_ANSWERED_HERE = frozenset({Phase.TALK, Phase.HOLD, Phase.DIALING_THIRD, Phase.CONSULTING})

# Calls already given a ringing card (or skipped), remembered so that a card that ended is not
# drawn again while the call is still listed.
_SEEN_KEPT = 2000


@dataclasses.dataclass(frozen=True)
class OnDuty:
    user_id: int
    name: str
    language_code: str | None


class DutyWatch:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        ledger: CallLedger,
        book: CardBook,
        auth: AuthService,
        events_flowing: Callable[[], bool] = lambda: False,
    ) -> None:
        self._db = Database(sessions)
        self._ledger = ledger
        self._book = book
        self._auth = auth
        self._events_flowing = events_flowing
        self._on_duty: list[OnDuty] | None = None  # read from the database once, then kept
        self._seen: OrderedDict[int, None] = OrderedDict()
        # Ringing cards the watch drew (ledger id -> when it rang), followed to the end: one
        # that ends unanswered is a missed call, one answered may settle an earlier one.
        self._watched: dict[int, datetime] = {}
        # Set by the runtime, which builds the missed calls after the call service.
        self.missed: MissedCallSink | None = None
        ledger.watch(self._call_changed)

    async def on_duty(self) -> list[OnDuty]:
        if self._on_duty is None:
            async with self._db.unit() as session:
                rows = await user_store.users_on_duty(session)
            self._on_duty = [
                OnDuty(
                    row.id,
                    " ".join(part for part in (row.first_name, row.last_name) if part)
                    or str(row.id),
                    row.language_code,
                )
                for row in rows
            ]
        return self._on_duty

    async def set(self, user_id: int, on_duty: bool) -> None:
        async with self._db.unit() as session:
            await user_store.set_on_duty(session, user_id, on_duty)
        self._on_duty = None  # read again: names and order as stored

    async def poll_actor(self) -> Actor | None:
        """Whose credentials the watch polls with: the first on-duty user who is signed in.
        None when nobody on duty is (the watch then waits: ``/duty`` says so)."""
        for member in await self.on_duty():
            actor = Actor(
                user_id=member.user_id,
                chat_id=member.user_id,
                lang=lang_for(member.language_code),
                language_code=member.language_code,
            )
            if await self._auth.credential_for(actor) is not None:
                return actor
        return None

    async def active(self) -> bool:
        """Whether the watch wants the poll to run: someone signed in is on duty and events
        do not flow."""
        if self._events_flowing() or not await self.on_duty():
            return False
        return await self.poll_actor() is not None

    async def watch(self, snapshot: Snapshot) -> None:
        """Ringing cards for the calls of ``snapshot`` that ring an assigned employee."""
        for info in snapshot.calls.values():
            if info.call_session_id in self._seen or info.direction == "out":
                continue
            if self._ledger.tracked(info.call_session_id, info.external_id) is not None:
                continue  # a card shows it already (ours, or one opened with /calls)
            ringing = [
                leg.employee_id
                for leg in info.legs
                if leg.employee_id is not None and leg.state_kind is LegState.DIALING
            ]
            if not ringing:
                continue
            self._remember(info.call_session_id)
            for employee_id in ringing:
                if await self._ring(info.call_session_id, employee_id, snapshot):
                    break

    async def _ring(self, call_session_id: int, employee_id: int, snapshot: Snapshot) -> bool:
        info = snapshot.calls[call_session_id]
        async with self._db.unit() as session:
            user = await user_store.user_for_employee(session, employee_id)
        if user is None or user.access is not AccessState.ALLOWED:
            return False
        call = await self._ledger.open_event(
            call_session_id=call_session_id,
            phase=Phase.RINGING,
            employee_id=employee_id,
            contact_number=info.contact_phone_number,
            virtual_number=info.virtual_phone_number,
            direction="in",
            external_id=info.external_id,
            scenario_name=None,
        )
        call.confirmed = True  # list.calls itself lists the employee on this call
        if call.is_final or self._book.cards_of(call):
            return True
        card = await self._book.post_new(user.id, lang_for(user.language_code), call)
        if card is not None:
            self._watched[call.ledger_id] = datetime.now(UTC)
        return card is not None

    async def _call_changed(self, call: TrackedCall, before: Phase, drawn_by: int | None) -> None:
        """What a "lost call" or "talk started" event would have told, from the poll."""
        rang_at = self._watched.get(call.ledger_id)
        if rang_at is None or self.missed is None or call.call_session_id is None:
            return
        if call.phase is Phase.RINGING or before is not Phase.RINGING:
            return
        del self._watched[call.ledger_id]
        employees = (call.employee_id,) if call.employee_id is not None else ()
        fields: dict[str, str | None] = {
            "contact_phone_number": call.contact_number,
            "virtual_phone_number": call.virtual_number,
            "direction": "in",
        }
        if call.phase in _ANSWERED_HERE:
            event = "talk_started"  # the client got through: an earlier missed call is settled
        elif call.is_final and call.phase is not Phase.ANSWERED_ELSEWHERE:
            event = "lost_call"
            waited = (datetime.now(UTC) - rang_at).total_seconds()
            fields["wait_time_duration"] = str(round(waited))
        else:
            return
        await self.missed.heard(
            ParsedEvent(
                event=event,
                call_session_id=call.call_session_id,
                leg_ids=(),
                employee_ids=employees,
                fields=fields,
                salvaged=False,
            )
        )

    def _remember(self, call_session_id: int) -> None:
        self._seen[call_session_id] = None
        while len(self._seen) > _SEEN_KEPT:
            self._seen.popitem(last=False)


class DutyStart(enum.Enum):
    EVENTS_FLOW = "events_flow"  # UIS events bring ringing calls: nothing to poll
    NOT_SIGNED_IN = "not_signed_in"  # nobody on duty is signed in: the watch waits
    POLLING = "polling"


class DutyDesk:
    """/duty as the chat sees it: going on and off duty, and who is on it."""

    def __init__(
        self,
        watch: DutyWatch,
        *,
        set_duty: Callable[[Actor, bool], Awaitable[None]],
        events_flowing: Callable[[], bool],
        poll_interval: Callable[[], float],
    ) -> None:
        self._watch = watch
        self._set_duty = set_duty
        self._events_flowing = events_flowing
        self.poll_interval = poll_interval

    async def go_on(self, actor: Actor) -> DutyStart:
        await self._set_duty(actor, True)
        if self._events_flowing():
            return DutyStart.EVENTS_FLOW
        if await self._watch.poll_actor() is None:
            return DutyStart.NOT_SIGNED_IN
        return DutyStart.POLLING

    async def go_off(self, actor: Actor) -> bool:
        """Off duty; whether anyone is left on it."""
        await self._set_duty(actor, False)
        return bool(await self._watch.on_duty())

    async def on_duty(self) -> list[OnDuty]:
        return await self._watch.on_duty()
