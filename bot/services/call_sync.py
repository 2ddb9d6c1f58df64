"""Bringing ledger calls up to date from ``list.calls``: the shared live poll, a card's own
refresh, and the few lookups that settle a start whose outcome is unknown."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Protocol

from api.client import BoundCallApi
from api.errors import BudgetExceededError, CallApiClientError
from api.models import CallInfo
from bot.logging_setup import redact
from bot.services.actor import Actor
from bot.services.auth import AuthService
from bot.services.call_ledger import CallLedger
from bot.services.call_view import Phase
from bot.services.card_book import CardBook
from bot.services.cards import CardState
from bot.services.duty import DutyWatch
from bot.services.failures import Failure, NotSignedInError, failure_from
from bot.services.live import CallsRefresher, Snapshot
from bot.services.tracked_call import TrackedCall

log = logging.getLogger(__name__)

# A start whose reply was lost may still have happened, or happen late (UIS executing it after
# we gave up waiting): look for its external_id this many seconds after the request was sent,
# one list.calls each (shared with the live poll), before saying it is not among live calls.
LOST_START_LOOKUPS: tuple[float, ...] = (5.0, 15.0, 45.0, 120.0)


class PollControl(Protocol):
    def wake(self) -> None: ...

    def refresh_soon(self, reason: str = ...) -> None: ...


async def bound_api(auth: AuthService, actor: Actor) -> BoundCallApi:
    credential = await auth.credential_for(actor)
    if credential is None:
        raise NotSignedInError
    return auth.bind(actor, credential)


def find_in(call: TrackedCall, snapshot: Snapshot) -> CallInfo | None:
    if call.call_session_id is not None:
        return snapshot.calls.get(call.call_session_id)
    if call.external_id:
        for info in snapshot.calls.values():
            if info.external_id == call.external_id:
                return info
    return None


class CallSync:
    def __init__(
        self,
        *,
        ledger: CallLedger,
        book: CardBook,
        refresher: CallsRefresher,
        auth: AuthService,
        poll: PollControl | None = None,
        duty: DutyWatch | None = None,
    ) -> None:
        self._ledger = ledger
        self._book = book
        self._refresher = refresher
        self._auth = auth
        self.poll = poll
        self.lost_start_lookups = LOST_START_LOOKUPS
        self.duty = duty  # the on-duty watch: the poll runs for it with no card open
        self._lookups: dict[int, asyncio.Task[None]] = {}

    def refresh_soon(self, reason: str) -> None:
        if self.poll is not None:
            self.poll.refresh_soon(reason)

    def went_live(self, card: CardState) -> None:
        if not card.is_final and self.poll is not None:
            self.poll.wake()

    async def apply(
        self,
        call: TrackedCall,
        snapshot: Snapshot,
        *,
        drawn_by: int | None = None,
        poll_again: bool = True,
    ) -> None:
        """One snapshot's fact about one call (the caller holds the call's lock)."""
        info = find_in(call, snapshot)
        if info is None:
            if await self._ledger.missed_by(call, snapshot.taken_at, drawn_by=drawn_by):
                return
            if poll_again and call.missed and not call.is_final:
                self.refresh_soon("second look")  # decides whether it is over (rule 3)
            return
        if call.call_session_id is None:
            await self._ledger.found(call, info, snapshot.taken_at, drawn_by=drawn_by)
            return
        await self._ledger.listed(call, info, snapshot.taken_at, drawn_by=drawn_by)

    async def sync(
        self, card: CardState, api: BoundCallApi, *, second_look: bool = True
    ) -> Failure | None:
        """Refresh from list.calls for a card being drawn by its caller; on failure keep what
        we knew and say why. A call the snapshot misses gets a second look at once (rule 3
        needs two misses), unless the caller expects it not to be listed yet (a fresh start)."""
        for _look in range(2 if second_look else 1):
            try:
                snapshot = await self._refresher.refresh(api)
            except CallApiClientError as exc:
                return failure_from(exc, "list.calls")
            await self.apply(card.call, snapshot, drawn_by=card.card_id, poll_again=not second_look)
            if card.call.missed == 0 or card.is_final:
                break
        return None

    # ------------------------------------------------------------------ background poll

    async def poll_tick(self) -> bool:
        """One shared list.calls for every live card's call; cards redraw as their call moves.
        While someone is on duty (``duty``) it also runs with no card open, for ringing calls."""
        live = self._book.live_cards()
        watching = self.duty is not None and await self.duty.active()
        if not live and not watching:
            return False
        if live:
            newest = max(live, key=lambda card: card.card_id)
            actor: Actor | None = self._book.background_actor(newest)
        else:
            assert self.duty is not None
            actor = await self.duty.poll_actor()
        try:
            if actor is None:
                raise NotSignedInError
            api = await bound_api(self._auth, actor)
            snapshot = await self._refresher.refresh(api)
        except BudgetExceededError:
            return True
        except (CallApiClientError, NotSignedInError) as exc:
            log.info("live poll skipped: %s", redact(str(exc)))
            return True
        for call in {card.call.ledger_id: card.call for card in live}.values():
            if call.phase is Phase.STARTING and find_in(call, snapshot) is None:
                continue  # not listed yet: its lookups decide when to give up
            async with call.lock:
                await self.apply(call, snapshot)
        if watching and self.duty is not None:
            await self.duty.watch(snapshot)
        # A start still being looked for has its own few lookups: it keeps no poll running.
        return watching or any(card.phase is not Phase.STARTING for card in self._book.live_cards())

    # ------------------------------------------------------------------ lost starts

    def look_for_start(self, card: CardState, *, since: float) -> None:
        """Settle a start whose outcome is unknown by its external_id, in the background."""
        if card.card_id in self._lookups:
            return
        task = asyncio.create_task(
            self._lookup_loop(card, since), name=f"lost-start-{card.card_id}"
        )
        self._lookups[card.card_id] = task
        task.add_done_callback(lambda _task: self._lookups.pop(card.card_id, None))

    async def _lookup_loop(self, card: CardState, since: float) -> None:
        due = [since + delay for delay in self.lost_start_lookups]
        # Lookups whose time has passed (the reply took that long to fail) collapse into one.
        upcoming = [moment for moment in due if moment > time.monotonic()]
        schedule = ([time.monotonic()] if len(upcoming) < len(due) else []) + upcoming
        call = card.call
        try:
            for moment in schedule:
                await asyncio.sleep(max(0.0, moment - time.monotonic()))
                if call.phase is not Phase.STARTING or await self._look_up_start(card):
                    return  # found (here, or by the live poll meanwhile)
            async with call.lock:
                if call.phase is Phase.STARTING:
                    await self._ledger.not_found(call)
        except Exception:
            log.exception("looking for the lost start of card %s failed", card.card_id)

    async def _look_up_start(self, card: CardState) -> bool:
        """One list.calls: is the start there now? The card becomes its call when it is."""
        try:
            api = await bound_api(self._auth, self._book.background_actor(card))
            snapshot = await self._refresher.refresh(api)
        except (CallApiClientError, NotSignedInError) as exc:
            log.info("lost start lookup skipped: %s", redact(str(exc)))
            return False
        call = card.call
        async with call.lock:
            info = find_in(call, snapshot)
            if info is None or call.phase is not Phase.STARTING:
                return call.phase is not Phase.STARTING
            await self._ledger.found(call, info, snapshot.taken_at)
        self.went_live(card)
        return True

    async def stop_lookups(self) -> None:
        """At shutdown: a start still being looked for is taken over by the next process."""
        tasks = list(self._lookups.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
