"""The card book: which messages show which ledger call, drawing them, and their one-shot tokens.

Cards are views of ledger calls: when the ledger applies a fact, ``call_changed`` redraws every
card showing that call (except the one a press is drawing itself). A card is drawn with a fresh
one-shot token whenever its buttons change; the same buttons keep theirs.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.client import CallApiClient
from bot.callbacks import Action, CallbackSigner, Press
from bot.services.actor import Actor
from bot.services.call_ledger import CallLedger
from bot.services.call_types import ButtonData, CardUpdate
from bot.services.call_view import Phase
from bot.services.card_table import Menu
from bot.services.cards import Button, CardState, Names, render_card
from bot.services.failures import Failure
from bot.services.presentation import limits_footer
from bot.services.tracked_call import TrackedCall
from bot.texts import Lang, explain_error, lang_for, t
from bot.unit_of_work import Database
from db import call_settings as settings_store
from db import cards as card_store
from db import catalog as catalog_store
from db import ledger as ledger_store
from db.cards import DEFAULT_TOKEN_TTL
from db.models import CallCard

log = logging.getLogger(__name__)

CardPublisher = Callable[[CardUpdate], Awaitable[None]]
# Sends a new message (chat id, text) and returns its message id.
CardPoster = Callable[[int, str], Awaitable[int]]


@dataclasses.dataclass
class _Catalog:
    names: Names | None = None
    virtual_numbers: list[str] = dataclasses.field(default_factory=list)


class CardBook:
    def __init__(
        self,
        *,
        client: CallApiClient,
        sessions: async_sessionmaker[AsyncSession],
        signer: CallbackSigner,
        ledger: CallLedger,
    ) -> None:
        self._client = client
        self._db = Database(sessions)
        self._signer = signer
        self._ledger = ledger
        self.cards: dict[int, CardState] = {}  # card id -> live card
        # ledger id -> {card id: card}, and owner -> {card id: card}: a change of one call or
        # one user's press must not scan every live card (1,000 in the benchmark).
        self._by_call: dict[int, dict[int, CardState]] = {}
        self._by_owner: dict[int, dict[int, CardState]] = {}
        self._actors: dict[int, Actor] = {}  # the last actor of each live card's owner
        self._catalog = _Catalog()
        self.publish: CardPublisher | None = None
        self.post: CardPoster | None = None
        ledger.watch(self.call_changed)

    # ------------------------------------------------------------------ names

    def invalidate_catalog(self) -> None:
        self._catalog = _Catalog()

    async def names_for(self, user_id: int, *, favourites: bool = True) -> Names:
        if not favourites and self._catalog.names is not None:
            return self._catalog.names
        async with self._db.unit() as session:
            if self._catalog.names is None:
                employees = await catalog_store.list_employees(session)
                tags = await catalog_store.list_tags(session)
                numbers = await catalog_store.list_virtual_numbers(session)
                self._catalog.names = Names(
                    employees={row.id: row.full_name for row in employees},
                    employee_phones={row.id: str(row.phones[0]) for row in employees if row.phones},
                    tags=[(row.id, row.name) for row in tags],
                    favourites=[],
                    virtual_numbers={row.number: row.name for row in numbers if row.name},
                )
                self._catalog.virtual_numbers = [row.number for row in numbers]
            if not favourites:
                return self._catalog.names
            rows = await settings_store.list_favourites(session, user_id)
        base = self._catalog.names
        return Names(
            employees=base.employees,
            employee_phones=base.employee_phones,
            tags=base.tags,
            favourites=[(row.id, row.label, row.target) for row in rows],
            virtual_numbers=base.virtual_numbers,
        )

    # ------------------------------------------------------------------ cards

    def remember(self, actor: Actor) -> None:
        self._actors[actor.user_id] = actor

    def background_actor(self, card: CardState) -> Actor:
        """Who a request made for nobody's update acts as: the card's owner, with no update id
        (audit rows must not borrow one)."""
        known = self._actors.get(card.owner_id)
        if known is not None:
            return dataclasses.replace(known, update_id=None)
        return Actor(user_id=card.owner_id, chat_id=card.chat_id, lang=card.lang)

    async def add(self, actor: Actor, call: TrackedCall, message_id: int) -> CardState:
        """A new message showing ``call`` to ``actor``."""
        async with self._db.unit() as session:
            row = await card_store.create_card(
                session,
                chat_id=actor.chat_id,
                message_id=message_id,
                telegram_user_id=actor.user_id,
                call_id=call.ledger_id,
                employee_id=actor.employee_id,
            )
        card = self._keep(_card_from(row, actor.lang, call))
        self.remember(actor)
        return card

    async def post_new(self, user_id: int, lang: Lang, call: TrackedCall) -> CardState | None:
        """A card nobody asked for (a UIS event: the user's phone rings): a new message in the
        user's private chat, then drawn in place like every card."""
        if self.post is None:
            return None
        owner = Actor(user_id=user_id, chat_id=user_id, lang=lang)
        names = await self.names_for(user_id, favourites=False)
        provisional = CardState(
            card_id=0,
            chat_id=user_id,
            message_id=0,
            owner_id=user_id,
            employee_id=call.employee_id,
            lang=lang,
            masked=False,
            call=call,
        )
        text = render_card(provisional, names, None).text
        try:
            message_id = await self.post(user_id, text)
        except Exception:
            log.exception("could not send a card to user %s", user_id)
            return None
        async with self._db.unit() as session:
            row = await card_store.create_card(
                session,
                chat_id=user_id,
                message_id=message_id,
                telegram_user_id=user_id,
                call_id=call.ledger_id,
                employee_id=call.employee_id,
            )
        card = self._keep(_card_from(row, lang, call))
        self._actors.setdefault(user_id, owner)
        await self.publish_card(card)  # with its buttons (a ringing card has none) and footer
        return card

    def cards_of(self, call: TrackedCall) -> list[CardState]:
        shown = self._by_call.get(call.ledger_id, {})
        return [card for card in shown.values() if card.call is call]

    def cards_owned_by(self, user_id: int) -> list[CardState]:
        return list(self._by_owner.get(user_id, {}).values())

    def current_card(self, actor: Actor) -> CardState | None:
        """The user's most recent live card in this chat (for /block)."""
        candidates = [
            card for card in self.cards_owned_by(actor.user_id) if card.chat_id == actor.chat_id
        ]
        return max(candidates, key=lambda card: card.card_id, default=None)

    def live_cards(self) -> list[CardState]:
        return [card for card in self.cards.values() if not card.is_final]

    async def card(self, card_id: int, lang: Lang) -> CardState | None:
        """A live card, from memory or (a card of an earlier process) from its rows."""
        known = self.cards.get(card_id)
        if known is not None:
            return known
        async with self._db.unit() as session:
            row = await card_store.get_card(session, card_id)
        if row is None or row.call_id is None:
            return None
        call = await self._ledger.load(row.call_id)
        if call is None:
            return None
        if call.is_final:
            self._ledger.forget(call)
            return None
        return self._keep(_card_from(row, lang, call))

    async def owner_of(self, card_id: int) -> int | None:
        card = self.cards.get(card_id)
        if card is not None:
            return card.owner_id
        async with self._db.unit() as session:
            row = await card_store.get_card(session, card_id)
        return row.telegram_user_id if row else None

    async def resume(self) -> list[CardState]:
        """At start-up: take over every card whose call was not over when the last process
        stopped (a start without a recorded outcome included). Returns them."""
        since = datetime.now(UTC) - DEFAULT_TOKEN_TTL
        async with self._db.unit() as session:
            final = [phase.value for phase in Phase if phase.is_final]
            rows = await ledger_store.live_cards(session, final_phases=final, since=since)
        resumed = []
        for row, call_row, language_code in rows:
            if row.id in self.cards:
                continue
            call = self._ledger.adopt(call_row)
            if call.is_final:
                continue
            resumed.append(self._keep(_card_from(row, lang_for(language_code), call)))
        return resumed

    # ------------------------------------------------------------------ drawing

    def footer(self, lang: Lang) -> str:
        return limits_footer(lang, self._client.budget.snapshot())

    async def draw(self, card: CardState) -> CardUpdate:
        """Render the card. New buttons get a fresh one-shot token (the old ones stop working);
        the same buttons keep theirs, so a press racing a background redraw still counts."""
        names = await self.names_for(card.owner_id, favourites=card.menu is Menu.TRANSFER)
        rendered = render_card(card, names, self.footer(card.lang))
        key = tuple(
            (button.label, int(button.action), button.argument)
            for row in rendered.rows
            for button in row
        )
        # A token nobody has seen yet (issued with a press's claim) may go on any buttons;
        # a final card without buttons voids whatever token is left.
        renew = card.token is None or (
            key != card.buttons_key and (card.token_shown or not rendered.rows)
        )
        if renew:
            async with self._db.unit() as session:
                card.token = await card_store.renew_card_token(
                    session,
                    card.card_id,
                    chat_id=card.chat_id,
                    telegram_user_id=card.owner_id,
                    issue=bool(rendered.rows),
                )
        card.buttons_key = key
        card.token_shown = card.token is not None and bool(rendered.rows)
        token = card.token
        rows = (
            [
                [self._button(card.owner_id, card.card_id, button, token) for button in row]
                for row in rendered.rows
            ]
            if token is not None
            else []
        )
        if card.is_final:
            self._drop(card)
        return CardUpdate(card.chat_id, card.message_id, rendered.text, rows)

    def _button(self, owner_id: int, card_id: int, button: Button, token: str) -> ButtonData:
        press = Press(card_id, button.action, button.argument, token)
        return ButtonData(button.label, self._signer.pack(owner_id, press))

    async def issue_button(
        self, actor: Actor, label: str, action: Action, payload: dict[str, Any]
    ) -> ButtonData:
        """A one-shot button outside a card (e.g. "Call +7…" under a message)."""
        async with self._db.unit() as session:
            token = await card_store.issue_action_token(
                session,
                chat_id=actor.chat_id,
                action=action.name.lower(),
                payload=payload,
                telegram_user_id=actor.user_id,
            )
        return ButtonData(label, self._signer.pack(actor.user_id, Press(0, action, 0, token)))

    async def call_changed(self, call: TrackedCall, before: Phase, drawn_by: int | None) -> None:
        """The ledger moved ``call``: redraw every card showing it but the one a press draws."""
        for card in self.cards_of(call):
            if card.card_id == drawn_by:
                continue
            if before is Phase.STARTING and not call.is_final:
                # A start whose outcome was unknown turned up (a lookup or the live poll).
                card.note = t(card.lang, "call.outcome_found", call_id=call.call_session_id)
            elif call.phase is not before:
                # The note told the outcome of our last step; the call has moved on since.
                card.note = None
            await self.publish_card(card)
        if call.is_final:
            self._ledger.forget(call)

    def _keep(self, card: CardState) -> CardState:
        self.cards[card.card_id] = card
        self._by_call.setdefault(card.call.ledger_id, {})[card.card_id] = card
        self._by_owner.setdefault(card.owner_id, {})[card.card_id] = card
        return card

    def _drop(self, card: CardState) -> None:
        if self.cards.get(card.card_id) is card:
            del self.cards[card.card_id]
        for index, key in ((self._by_call, card.call.ledger_id), (self._by_owner, card.owner_id)):
            group = index.get(key)
            if group is not None and group.get(card.card_id) is card:
                del group[card.card_id]
                if not group:
                    del index[key]

    async def publish_card(self, card: CardState) -> None:
        try:
            update = await self.draw(card)
        except Exception:
            log.exception("could not draw card %s", card.card_id)
            return
        await self.send(update)

    async def send(self, update: CardUpdate) -> None:
        if self.publish is None:
            return
        try:
            await self.publish(update)
        except Exception:
            log.exception("could not redraw card %s", update.message_id)

    def explain(self, lang: Lang, failure: Failure) -> str:
        return explain_error(lang, failure.mnemonic, **failure.context).render()


def _card_from(row: CallCard, lang: Lang, call: TrackedCall) -> CardState:
    """The in-memory state of a card row (the row knows who owns it and which call it shows)."""
    return CardState(
        card_id=row.id,
        chat_id=row.chat_id,
        message_id=row.message_id,
        owner_id=row.telegram_user_id,
        employee_id=row.employee_id,
        lang=lang,
        # A private chat's id is its user's id; anywhere else numbers are masked.
        masked=row.chat_id != row.telegram_user_id,
        call=call,
    )
