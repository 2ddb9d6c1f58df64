"""Calls from the chat: the one entry the routers use, wired from the parts that do the work.

- ``call_ledger``: the one writer of what the bot knows of each call (PostgreSQL rows + history);
- ``card_book``: which messages show which call, drawing them and their one-shot tokens;
- ``call_sync``: ``list.calls`` for the live poll, a card's refresh and lost-start lookups;
- ``call_starts``: starting calls; ``card_presses``: every button on a card.

The service knows nothing of aiogram: it takes an ``Actor`` and plain values, and returns
``CardUpdate`` (text plus signed button payloads) for the bot layer to draw.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.client import CallApiClient
from api.models import CallInfo, LegState
from bot.callbacks import Action, CallbackSigner
from bot.services.actor import Actor
from bot.services.auth import AuthService
from bot.services.call_ledger import START_TIME_TOLERANCE, TIMEZONE_SETTING, CallLedger
from bot.services.call_starts import CallStarter
from bot.services.call_sync import LOST_START_LOOKUPS, CallSync, PollControl, bound_api
from bot.services.call_types import (
    ButtonData,
    CardUpdate,
    MissingInput,
    PressOutcome,
    StartKind,
    StartOutcome,
    StartRequest,
)
from bot.services.call_view import Phase
from bot.services.card_book import CardBook, CardPoster, CardPublisher
from bot.services.card_presses import CardPresses
from bot.services.cards import CardState, Names
from bot.services.duty import DutyWatch
from bot.services.live import CallsRefresher
from bot.texts import Lang, lang_for
from bot.unit_of_work import Database
from db import ledger as ledger_store
from db.press_tokens import PressTokens

ExpiryCheck = Callable[[int], Awaitable[int]]


def transferred_away(call: CallInfo, actor: Actor) -> bool:
    """The user's employee has left a call another employee now takes (it was transferred):
    no longer the user's call, although the user started it."""
    if actor.employee_id is None or not call.legs:
        return False
    still_mine = any(
        leg.employee_id == actor.employee_id and leg.state_kind is not LegState.DISCONNECTED
        for leg in call.legs
    )
    someone_else = any(
        leg.employee_id not in (None, actor.employee_id)
        and leg.state_kind is not LegState.DISCONNECTED
        for leg in call.legs
    )
    return not still_mine and someone_else


class CallService:
    def __init__(
        self,
        *,
        client: CallApiClient,
        auth: AuthService,
        sessions: async_sessionmaker[AsyncSession],
        press_tokens: PressTokens,
        signer: CallbackSigner,
        refresher: CallsRefresher,
        poll: PollControl | None = None,
        default_region: str = "RU",
        account_zone: tzinfo | None = None,
        events_flowing: Callable[[], bool] = lambda: False,
    ) -> None:
        self._db = Database(sessions)
        self._auth = auth
        self._refresher = refresher
        self.ledger = CallLedger(sessions, account_zone=account_zone or ZoneInfo("Europe/Moscow"))
        self.book = CardBook(client=client, sessions=sessions, signer=signer, ledger=self.ledger)
        self.duty = DutyWatch(
            sessions=sessions,
            ledger=self.ledger,
            book=self.book,
            auth=auth,
            events_flowing=events_flowing,
        )
        self.sync = CallSync(
            ledger=self.ledger,
            book=self.book,
            refresher=refresher,
            auth=auth,
            poll=poll,
            duty=self.duty,
        )
        self.starter = CallStarter(
            sessions=sessions,
            auth=auth,
            ledger=self.ledger,
            book=self.book,
            sync=self.sync,
            default_region=default_region,
        )
        self.presses = CardPresses(
            sessions=sessions,
            auth=auth,
            press_tokens=press_tokens,
            signer=signer,
            ledger=self.ledger,
            book=self.book,
            sync=self.sync,
            default_region=default_region,
        )

    # ------------------------------------------------------------------ wiring from the bot

    @property
    def publish(self) -> CardPublisher | None:
        return self.book.publish

    @publish.setter
    def publish(self, value: CardPublisher | None) -> None:
        self.book.publish = value

    @property
    def post(self) -> CardPoster | None:
        return self.book.post

    @post.setter
    def post(self, value: CardPoster | None) -> None:
        self.book.post = value

    @property
    def on_card_live(self) -> ExpiryCheck | None:
        return self.starter.on_card_live

    @on_card_live.setter
    def on_card_live(self, value: ExpiryCheck | None) -> None:
        self.starter.on_card_live = value

    @property
    def lost_start_lookups(self) -> tuple[float, ...]:
        return self.sync.lost_start_lookups

    @lost_start_lookups.setter
    def lost_start_lookups(self, value: tuple[float, ...]) -> None:
        self.sync.lost_start_lookups = value

    @property
    def cards(self) -> dict[int, CardState]:
        return self.book.cards

    # ------------------------------------------------------------------ names and settings

    def invalidate_catalog(self) -> None:
        self.book.invalidate_catalog()

    async def names_for(self, user_id: int, *, favourites: bool = True) -> Names:
        return await self.book.names_for(user_id, favourites=favourites)

    def account_time(self, value: datetime) -> datetime:
        return self.ledger.account_time(value)

    async def issue_button(
        self, actor: Actor, label: str, action: Action, payload: dict[str, Any]
    ) -> ButtonData:
        return await self.book.issue_button(actor, label, action, payload)

    # ------------------------------------------------------------------ starting calls

    async def prepare_start(self, actor: Actor, request: StartRequest) -> MissingInput | None:
        return await self.starter.prepare_start(actor, request)

    async def default_virtual_number(self, actor: Actor) -> str | None:
        return await self.starter.default_virtual_number(actor)

    async def region_for(self, actor: Actor) -> str:
        return await self.starter.region_for(actor)

    def normalise_contact(self, text: str, region: str, field: str = "contact") -> str:
        return self.starter.normalise_contact(text, region, field)

    async def start_call(
        self, actor: Actor, request: StartRequest, message_id: int
    ) -> StartOutcome:
        return await self.starter.start_call(actor, request, message_id)

    # ------------------------------------------------------------------ cards for /calls

    async def my_active_calls(self, actor: Actor) -> list[CallInfo]:
        """Calls in progress where a leg is the user's employee, or that the user started."""
        api = await bound_api(self._auth, actor)
        snapshot = await self._refresher.refresh(api)
        calls: list[CallInfo] = list(snapshot.calls.values())
        external_ids = {call.external_id for call in calls if call.external_id}
        async with self._db.unit() as session:
            mine = await ledger_store.started_by(session, actor.user_id, external_ids)
        return [
            call
            for call in calls
            if (
                actor.employee_id is not None
                and any(leg.employee_id == actor.employee_id for leg in call.legs)
            )
            or (call.external_id in mine)
        ]

    async def my_calls_now(self, actor: Actor) -> list[CallInfo]:
        """What /calls shows: the user's active calls, but those transferred away from them."""
        return [
            call for call in await self.my_active_calls(actor) if not transferred_away(call, actor)
        ]

    async def signed_in(self, actor: Actor) -> bool:
        return await self._auth.credential_for(actor) is not None

    async def open_card(self, actor: Actor, info: CallInfo, message_id: int) -> CardUpdate:
        call = await self.ledger.open_listed(info, actor.employee_id)
        card = await self.book.add(actor, call, message_id)
        self.sync.went_live(card)
        async with call.lock:
            return await self.book.draw(card)

    def current_card(self, actor: Actor) -> CardState | None:
        return self.book.current_card(actor)

    async def ask_block(self, actor: Actor) -> CardUpdate | None:
        return await self.presses.ask_block(actor)

    # ------------------------------------------------------------------ presses

    async def press(self, actor: Actor, data: str) -> PressOutcome:
        return await self.presses.press(actor, data)

    async def redraw_after_login(self, actor: Actor) -> CardUpdate | None:
        return await self.presses.redraw_after_login(actor)

    async def transfer_to_typed(self, actor: Actor, card_id: int, text: str) -> PressOutcome:
        return await self.presses.transfer_to_typed(actor, card_id, text)

    # ------------------------------------------------------------------ process life

    async def resume_live_cards(self) -> int:
        """At start-up: take over every card whose call was not over when the last process
        stopped and let the live poll bring them up to date, with fresh buttons (a card whose
        press was cut off after its token was claimed included). Returns how many."""
        resumed = await self.book.resume()
        for card in resumed:
            if card.phase is Phase.STARTING:
                # Cut off before its reply: the lookups count from when the call was opened.
                opened = card.call.opened_at or datetime.now(UTC)
                age = (datetime.now(UTC) - opened).total_seconds()
                self.sync.look_for_start(card, since=time.monotonic() - max(0.0, age))
        if resumed:
            # At once, not after a poll interval: resolves starts cut off by the restart and
            # gives every taken-over card fresh buttons.
            self.sync.refresh_soon("restart")
        elif self.sync.poll is not None and await self.duty.on_duty():
            self.sync.poll.wake()  # someone is on duty: the watch goes on after a restart
        return len(resumed)

    async def poll_tick(self) -> bool:
        return await self.sync.poll_tick()

    async def set_duty(self, actor: Actor, on_duty: bool) -> None:
        """``/duty on``/``off``; going on duty starts the poll (it watches for ringing calls)."""
        await self.duty.set(actor.user_id, on_duty)
        if on_duty and self.sync.poll is not None:
            self.sync.poll.wake()

    async def stop(self) -> None:
        """At shutdown: hand unfinished lookups to the next process, store the queued facts."""
        await self.sync.stop_lookups()
        await self.ledger.close()


def parse_lang(language_code: str | None) -> Lang:
    return lang_for(language_code)


__all__ = [
    "LOST_START_LOOKUPS",
    "START_TIME_TOLERANCE",
    "TIMEZONE_SETTING",
    "ButtonData",
    "CallService",
    "CardUpdate",
    "MissingInput",
    "PressOutcome",
    "StartKind",
    "StartOutcome",
    "StartRequest",
]
