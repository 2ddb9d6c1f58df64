"""UIS events as facts for the call ledger.

What each event may say, by the ledger's rules: "talk started" moves a call that was ringing to
the talk, "waiting for answer" carrying our external_id settles a start whose reply was lost,
"call finished"/"lost call" announce the end (the next ``list.calls`` confirms it, one point),
the rest go to the history. An event for a call no live card shows is history only.
"""

from __future__ import annotations

import logging

from bot.events.parse import ParsedEvent
from bot.services.call_ledger import CallLedger, TrackedCall
from bot.services.call_sync import CallSync
from bot.services.call_view import Phase

log = logging.getLogger(__name__)


class CallEvents:
    def __init__(self, *, ledger: CallLedger, sync: CallSync) -> None:
        self._ledger = ledger
        self._sync = sync

    def _tracked(self, event: ParsedEvent) -> TrackedCall | None:
        external_id = event.text("external_id")
        for call in self._ledger.calls.values():
            if call.call_session_id == event.call_session_id:
                return call
            if call.call_session_id is None and external_id and call.external_id == external_id:
                return call
        return None

    async def apply(self, event: ParsedEvent) -> None:
        call = self._tracked(event)
        if call is None:
            await self._ledger.event_for_untracked(event.call_session_id, event.event)
            return
        async with call.lock:
            if call.call_session_id is None:
                # Our start whose reply was lost: UIS's own event names its call.
                call.call_session_id = event.call_session_id
            await self._ledger.heard_event(call, event.event, self._leads_to(call, event))
        if call.end_announced and not call.is_final:
            self._sync.refresh_soon()

    @staticmethod
    def _leads_to(call: TrackedCall, event: ParsedEvent) -> Phase | None:
        mine = (
            call.employee_id is None
            or not event.employee_ids
            or (call.employee_id in event.employee_ids)
        )
        match event.event:
            case "talk_started" if mine and call.phase in (Phase.STARTING, Phase.DIALING):
                return Phase.TALK
            case "waiting_for_answer" if call.phase is Phase.STARTING:
                return Phase.DIALING
        return None
