"""Calls from the chat: starting them, the live call card, and every button on it.

The service knows nothing of aiogram: it takes an ``Actor`` and plain values, and returns
``CardUpdate`` (text plus signed button payloads) for the bot layer to draw.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.client import BoundCallApi, CallApiClient
from api.errors import (
    BudgetExceededError,
    CallApiClientError,
    OutcomeUnknownError,
)
from api.models import CallInfo, LegState, Message
from api.phones import InvalidPhoneNumberError, PhoneKind, classify_dial_target
from bot.callbacks import Action, BadCallbackData, CallbackSigner, Press
from bot.logging_setup import redact
from bot.services.actor import Actor
from bot.services.auth import ActingCredential, AuthService
from bot.services.call_view import CallView, LegRole, Phase, derive_view
from bot.services.card_table import ACTIONS, Menu, accepts, opened_menu
from bot.services.cards import (
    DTMF_KEYS,
    Button,
    CardState,
    Names,
    TransferTarget,
    render_card,
)
from bot.services.failures import Failure, NotSignedInError, failure_from
from bot.services.live import CallsRefresher, Snapshot
from bot.services.presentation import display_phone, invalid_number_text, limits_footer
from bot.texts import Lang, explain_error, lang_for, t
from db import call_settings as settings_store
from db import cards as card_store
from db import catalog as catalog_store
from db.cards import DEFAULT_TOKEN_TTL, CardFacts, ConsumeStatus
from db.models import CallCard
from db.press_tokens import PressTokens

log = logging.getLogger(__name__)


class StartKind(enum.StrEnum):
    EMPLOYEE = "start.employee_call"
    SIMPLE = "start.simple_call"
    VNUMBER = "start.vnumber_call"
    SCENARIO = "start.scenario_call"
    INFORMER = "start.informer_call"


@dataclass(frozen=True)
class StartRequest:
    kind: StartKind
    contact: str
    virtual_number: str | None = None
    scenario_id: int | None = None
    operator: str | None = None  # simple_call: the number rung on our side
    message_text: str | None = None  # informer: TTS text
    media_id: int | None = None  # informer: media file


class MissingInput(enum.StrEnum):
    EMPLOYEE = "employee"
    VIRTUAL_NUMBER = "virtual_number"
    SCENARIO = "scenario"
    OPERATOR_NUMBER = "operator_number"
    MESSAGE = "message"


@dataclass(frozen=True)
class ButtonData:
    label: str
    data: str


@dataclass(frozen=True)
class CardUpdate:
    chat_id: int
    message_id: int
    text: str
    rows: list[list[ButtonData]]


@dataclass(frozen=True)
class StartOutcome:
    update: CardUpdate | None = None
    missing: MissingInput | None = None
    error: str | None = None  # rendered HTML when the input itself was wrong


@dataclass
class PressOutcome:
    alert: str | None = None  # shown as a pop-up; nothing was sent to UIS
    toast: str | None = None
    update: CardUpdate | None = None
    ask_transfer_number: int | None = None  # card id waiting for a typed number
    login_needed: bool = False
    # A one-shot button outside a card (start a call, approve a user): its action and the
    # payload stored with its token, for the bot layer to carry out.
    loose: tuple[Action, dict[str, Any]] | None = None


_DIGITS_FOR_ARGUMENT = {ord(key): key for key in DTMF_KEYS}

# UIS reports start times without a zone, in the account's time zone. A start time further than
# this from our own send time means the configured zone is not the account's.
START_TIME_TOLERANCE = timedelta(minutes=5)
TIMEZONE_SETTING = "CALLBOT_CALLAPI__TIMEZONE"

# A start whose reply was lost may still have happened, or happen late (UIS executing it after
# we gave up waiting): look for its external_id this many seconds after the request was sent,
# one list.calls each (shared with the live poll), before saying it is not among live calls.
LOST_START_LOOKUPS: tuple[float, ...] = (5.0, 15.0, 45.0, 120.0)

# Errors that mean the card is behind the call.
_RESYNC_AFTER = frozenset({"invalid_state", "call_session_not_found", "leg_not_found"})

CardPublisher = Callable[[CardUpdate], Awaitable[None]]
ExpiryCheck = Callable[[int], Awaitable[int]]


@dataclass
class _Catalog:
    names: Names | None = None
    loaded_at: float = 0.0
    virtual_numbers: list[str] = field(default_factory=list)


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
        default_region: str = "RU",
        account_zone: tzinfo | None = None,
    ) -> None:
        self._client = client
        self._zone = account_zone or ZoneInfo("Europe/Moscow")
        self._zone_warned = False
        self.lost_start_lookups = LOST_START_LOOKUPS
        self._lookups: dict[int, asyncio.Task[None]] = {}
        self._auth = auth
        self._sessions = sessions
        self._press_tokens = press_tokens
        self._signer = signer
        self._refresher = refresher
        self._region = default_region
        self.cards: dict[int, CardState] = {}
        self._card_locks: dict[int, asyncio.Lock] = {}
        self._actors: dict[int, Actor] = {}  # the last actor of each live card's owner
        self.publish: CardPublisher | None = None
        self.on_live: Callable[[], None] | None = None
        self.on_refresh_soon: Callable[[], None] | None = None
        self.on_card_live: ExpiryCheck | None = None
        self._catalog = _Catalog()
        # user id -> card whose press was refused for a dead sign-in (offered again after login)
        self._awaiting_login: dict[int, int] = {}

    # ------------------------------------------------------------------ helpers

    def invalidate_catalog(self) -> None:
        self._catalog = _Catalog()

    async def names_for(self, user_id: int, *, favourites: bool = True) -> Names:
        if not favourites and self._catalog.names is not None:
            return self._catalog.names
        async with self._sessions() as session:
            if self._catalog.names is None:
                employees = await catalog_store.list_employees(session)
                tags = await catalog_store.list_tags(session)
                numbers = await catalog_store.list_virtual_numbers(session)
                self._catalog.names = Names(
                    employees={row.id: row.full_name for row in employees},
                    employee_phones={row.id: str(row.phones[0]) for row in employees if row.phones},
                    tags=[(row.id, row.name) for row in tags],
                    favourites=[],
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
        )

    async def _api_for(self, actor: Actor) -> tuple[BoundCallApi, ActingCredential]:
        credential = await self._auth.credential_for(actor)
        if credential is None:
            raise NotSignedInError
        return self._auth.bind(actor, credential), credential

    def _footer(self, lang: Lang) -> str:
        return limits_footer(lang, self._client.budget.snapshot())

    def _explain(self, lang: Lang, failure: Failure) -> str:
        return explain_error(lang, failure.mnemonic, **failure.context).render()

    def _lock(self, card_id: int) -> asyncio.Lock:
        lock = self._card_locks.get(card_id)
        if lock is None:
            lock = self._card_locks[card_id] = asyncio.Lock()
        return lock

    async def _draw(self, card: CardState) -> CardUpdate:
        """Render the card. New buttons get a fresh one-shot token (the old ones stop working);
        the same buttons keep theirs, so a press racing a background redraw still counts."""
        names = await self.names_for(card.owner_id, favourites=card.menu is Menu.TRANSFER)
        rendered = render_card(card, names, self._footer(card.lang))
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
        facts = _unsaved_facts(card)
        if renew:
            async with self._sessions.begin() as session:
                card.token = await card_store.renew_card_token(
                    session,
                    card.card_id,
                    chat_id=card.chat_id,
                    telegram_user_id=card.owner_id,
                    facts=facts,
                    issue=bool(rendered.rows),
                )
            _mark_saved(card)
        elif facts:
            await self._save_facts(card)
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
            self.cards.pop(card.card_id, None)
        return CardUpdate(card.chat_id, card.message_id, rendered.text, rows)

    async def _save_facts(self, card: CardState) -> None:
        """Store what the row does not know yet (call id, phase, ...) at once: a process
        started after a crash serves the card from its row."""
        facts = _unsaved_facts(card)
        if facts:
            async with self._sessions.begin() as session:
                await card_store.record_card_facts(session, card.card_id, facts)
            _mark_saved(card)

    def _button(self, owner_id: int, card_id: int, button: Button, token: str) -> ButtonData:
        press = Press(card_id, button.action, button.argument, token)
        return ButtonData(button.label, self._signer.pack(owner_id, press))

    async def issue_button(
        self, actor: Actor, label: str, action: Action, payload: dict[str, Any]
    ) -> ButtonData:
        """A one-shot button outside a card (e.g. "Call +7…" under a message)."""
        async with self._sessions.begin() as session:
            token = await card_store.issue_action_token(
                session,
                chat_id=actor.chat_id,
                action=action.name.lower(),
                payload=payload,
                telegram_user_id=actor.user_id,
            )
        return ButtonData(label, self._signer.pack(actor.user_id, Press(0, action, 0, token)))

    # ------------------------------------------------------------------ state

    def _apply(self, card: CardState, call: CallInfo | None) -> None:
        previous = card.phase
        last_seen = card.view
        view = derive_view(card.call_session_id or 0, call, card.employee_id, previous)
        card.view = view
        card.phase = view.phase
        if call is not None:
            card.recording_hint = None
            card.contact_number = call.contact_phone_number or card.contact_number
            if call.start_time is not None:
                self._take_start_time(card, self.account_time(call.start_time))
        if card.phase is Phase.NO_ANSWER and card.unanswered_by is None:
            card.unanswered_by = _who_did_not_answer(last_seen)
        if card.phase.is_final and card.ended_at is None:
            card.ended_at = datetime.now(UTC)

    def account_time(self, value: datetime) -> datetime:
        """A time UIS reported: without a zone it is the account's local time."""
        return value if value.tzinfo is not None else value.replace(tzinfo=self._zone)

    def _take_start_time(self, card: CardState, start: datetime) -> None:
        if card.sent_at is not None:
            # Our own send time is the start of a call we placed; UIS's must agree with it.
            if not self._zone_warned and abs(start - card.sent_at) > START_TIME_TOLERANCE:
                self._zone_warned = True
                log.warning(
                    "UIS reports call %s as started at %s, but the bot sent it at %s: the "
                    "account's time zone is not %s. Set %s to the zone of the UIS account.",
                    card.call_session_id,
                    start.isoformat(timespec="seconds"),
                    card.sent_at.astimezone(self._zone).isoformat(timespec="seconds"),
                    self._zone,
                    TIMEZONE_SETTING,
                )
            card.sent_at = None  # checked once per call
        elif card.started_at is None:
            card.started_at = start

    async def _sync(self, card: CardState, api: BoundCallApi) -> Failure | None:
        """Refresh from list.calls; on failure keep what we knew and say why."""
        try:
            snapshot = await self._refresher.refresh(api)
        except CallApiClientError as exc:
            return failure_from(exc, "list.calls")
        self._apply(card, self._find(card, snapshot))
        card.fresh_as_of = max(card.fresh_as_of, snapshot.taken_at)
        return None

    def _find(self, card: CardState, snapshot: Snapshot) -> CallInfo | None:
        if card.call_session_id is not None:
            return snapshot.calls.get(card.call_session_id)
        if card.external_id:
            for call in snapshot.calls.values():
                if call.external_id == card.external_id:
                    card.call_session_id = call.call_session_id
                    return call
        return None

    def _refresh_soon(self) -> None:
        if self.on_refresh_soon is not None:
            self.on_refresh_soon()

    def _went_live(self, card: CardState) -> None:
        if not card.is_final:
            self.cards[card.card_id] = card
            if self.on_live is not None:
                self.on_live()

    # ------------------------------------------------------------------ starting calls

    async def prepare_start(self, actor: Actor, request: StartRequest) -> MissingInput | None:
        """What the user still has to choose before this call can start (None: ready)."""
        if request.kind is StartKind.EMPLOYEE and actor.employee_id is None:
            return MissingInput.EMPLOYEE
        if request.virtual_number is None:
            return MissingInput.VIRTUAL_NUMBER
        if request.kind is StartKind.SCENARIO and request.scenario_id is None:
            return MissingInput.SCENARIO
        if request.kind is StartKind.SIMPLE and not (request.operator or actor.employee_phone):
            return MissingInput.OPERATOR_NUMBER
        if (
            request.kind is StartKind.INFORMER
            and not request.message_text
            and request.media_id is None
        ):
            return MissingInput.MESSAGE
        return None

    async def default_virtual_number(self, actor: Actor) -> str | None:
        async with self._sessions() as session:
            effective = await settings_store.get_call_settings(
                session, actor.user_id, language_code=actor.language_code
            )
        return effective.default_virtual_number

    async def region_for(self, actor: Actor) -> str:
        async with self._sessions() as session:
            effective = await settings_store.get_call_settings(
                session, actor.user_id, language_code=actor.language_code
            )
        return effective.default_region or self._region

    def normalise_contact(self, text: str, region: str, field: str = "contact") -> str:
        kind, number = classify_dial_target(text, field=field, region=region)
        del kind
        return number

    async def start_call(
        self, actor: Actor, request: StartRequest, message_id: int
    ) -> StartOutcome:
        """Start a call and bind it to the card message ``message_id`` (already sent)."""
        missing = await self.prepare_start(actor, request)
        if missing is not None:
            return StartOutcome(missing=missing)
        region = await self.region_for(actor)
        try:
            contact = self.normalise_contact(request.contact, region)
        except InvalidPhoneNumberError:
            return StartOutcome(error=invalid_number_text(actor.lang, "field.contact"))
        external_id = f"tg-{secrets.token_hex(8)}"
        # The row exists before the request leaves: a process started after a crash finds
        # the start by its external_id and draws the card as what it turned out to be.
        async with self._sessions.begin() as session:
            row = await card_store.create_card(
                session,
                chat_id=actor.chat_id,
                message_id=message_id,
                telegram_user_id=actor.user_id,
                state=Phase.STARTING.value,
                employee_id=actor.employee_id,
                external_id=external_id,
                contact_number=contact,
            )
        card = _card_from(row, actor.lang, Phase.STARTING)
        card.rings_me_first = request.kind is StartKind.EMPLOYEE
        self._actors[actor.user_id] = actor
        async with self._lock(card.card_id):
            sent_at = datetime.now(UTC)
            sent = time.monotonic()
            try:
                api, _credential = await self._api_for(actor)
                call_session_id = await self._send_start(api, actor, request, contact, external_id)
            except OutcomeUnknownError as exc:
                card.note = self._explain(actor.lang, failure_from(exc))
                self.cards[card.card_id] = card
                self._look_for_start(card, since=sent)
                return StartOutcome(update=await self._draw(card))
            except (CallApiClientError, NotSignedInError) as exc:
                failure = failure_from(exc, request.kind.value)
                card.phase = Phase.NOT_STARTED
                card.note = self._explain(actor.lang, failure)
                return StartOutcome(update=await self._draw(card))
            card.call_session_id = call_session_id
            card.phase = Phase.DIALING
            card.started_at = card.sent_at = sent_at
            await self._save_facts(card)
            await self._sync(card, api)
            if card.view is not None and card.view.snapshot is None and card.phase.is_final:
                # Not listed yet (a call can take a moment to appear): trust the start reply.
                card.phase = Phase.DIALING
                card.view = None
                card.ended_at = None
            self._went_live(card)
            update = await self._draw(card)
        if self.on_card_live is not None:
            await self.on_card_live(actor.user_id)
        return StartOutcome(update=update)

    async def _send_start(
        self,
        api: BoundCallApi,
        actor: Actor,
        request: StartRequest,
        contact: str,
        external_id: str,
    ) -> int:
        assert request.virtual_number is not None
        common: dict[str, Any] = {
            "virtual_phone_number": request.virtual_number,
            "contact": contact,
            "external_id": external_id,
            "direction": "out",
        }
        match request.kind:
            case StartKind.EMPLOYEE:
                assert actor.employee_id is not None
                employee: dict[str, Any] = {"id": actor.employee_id}
                if actor.employee_phone:
                    employee["phone_number"] = actor.employee_phone
                reply = await api.start_employee_call(
                    first_call="employee", employee=employee, **common
                )
                return reply.data.call_session_id
            case StartKind.SIMPLE:
                operator = request.operator or actor.employee_phone
                assert operator is not None
                simple = await api.start_simple_call(
                    first_call="operator", operator=operator, **common
                )
                return simple.data.call_session_id
            case StartKind.VNUMBER:
                vnumber = await api.start_vnumber_call(first_call="contact", **common)
                return vnumber.data.call_session_id
            case StartKind.SCENARIO:
                assert request.scenario_id is not None
                scenario = await api.start_scenario_call(
                    first_call="contact", scenario_id=request.scenario_id, **common
                )
                return scenario.data.call_session_id
            case StartKind.INFORMER:
                message = (
                    Message(type="media", value=str(request.media_id))
                    if request.media_id is not None
                    else Message(type="tts", value=request.message_text or "")
                )
                informer = await api.start_informer_call(contact_message=message, **common)
                return informer.data.call_session_id

    def _look_for_start(self, card: CardState, *, since: float) -> None:
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
        try:
            for moment in schedule:
                await asyncio.sleep(max(0.0, moment - time.monotonic()))
                if card.phase is not Phase.STARTING or await self._look_up_start(card):
                    return  # found (here, or by the live poll meanwhile)
            async with self._lock(card.card_id):
                if card.phase is not Phase.STARTING:
                    return
                card.phase = Phase.NOT_FOUND
                card.ended_at = datetime.now(UTC)
                card.note = None
                update = await self._draw(card)
            await self._publish(update)
        except Exception:
            log.exception("looking for the lost start of card %s failed", card.card_id)

    async def _look_up_start(self, card: CardState) -> bool:
        """One list.calls: is the start there now? Draws the card as its call when it is."""
        try:
            api, _credential = await self._api_for(self._background_actor(card))
            snapshot = await self._refresher.refresh(api)
        except (CallApiClientError, NotSignedInError) as exc:
            log.info("lost start lookup skipped: %s", redact(str(exc)))
            return False
        async with self._lock(card.card_id):
            call = self._find(card, snapshot)
            if call is None or card.phase is not Phase.STARTING:
                return card.phase is not Phase.STARTING
            card.phase = Phase.DIALING
            self._apply(card, call)
            card.fresh_as_of = snapshot.taken_at
            card.note = t(card.lang, "call.outcome_found", call_id=call.call_session_id)
            self._went_live(card)
            update = await self._draw(card)
        await self._publish(update)
        return True

    def _background_actor(self, card: CardState) -> Actor:
        """Who a request made for nobody's update acts as: the card's owner, with no update id
        (audit rows must not borrow one)."""
        known = self._actors.get(card.owner_id)
        if known is not None:
            return dataclasses.replace(known, update_id=None)
        return Actor(user_id=card.owner_id, chat_id=card.chat_id, lang=card.lang)

    async def _publish(self, update: CardUpdate) -> None:
        if self.publish is None:
            return
        try:
            await self.publish(update)
        except Exception:
            log.exception("could not redraw card %s", update.message_id)

    async def stop_lookups(self) -> None:
        """At shutdown: a start still being looked for is taken over by the next process."""
        tasks = list(self._lookups.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # ------------------------------------------------------------------ cards for /calls

    async def my_active_calls(self, actor: Actor) -> list[CallInfo]:
        """Calls in progress where a leg is the user's employee, or that the user started."""
        api, _credential = await self._api_for(actor)
        snapshot = await self._refresher.refresh(api)
        async with self._sessions() as session:
            mine: set[str] = set()
            for call in snapshot.calls.values():
                if call.external_id:
                    rows = await card_store.cards_for_external_id(session, call.external_id)
                    if any(row.telegram_user_id == actor.user_id for row in rows):
                        mine.add(call.external_id)
        return [
            call
            for call in snapshot.calls.values()
            if (
                actor.employee_id is not None
                and any(leg.employee_id == actor.employee_id for leg in call.legs)
            )
            or (call.external_id in mine)
        ]

    async def open_card(self, actor: Actor, call: CallInfo, message_id: int) -> CardUpdate:
        async with self._sessions.begin() as session:
            row = await card_store.create_card(
                session,
                chat_id=actor.chat_id,
                message_id=message_id,
                telegram_user_id=actor.user_id,
                state=Phase.TALK.value,
                call_session_id=call.call_session_id,
                employee_id=actor.employee_id,
                external_id=call.external_id,
                contact_number=call.contact_phone_number,
                started_at=self.account_time(call.start_time) if call.start_time else None,
            )
        card = _card_from(row, actor.lang, Phase.TALK)
        self._actors[actor.user_id] = actor
        self._apply(card, call)
        self._went_live(card)
        async with self._lock(card.card_id):
            return await self._draw(card)

    def current_card(self, actor: Actor) -> CardState | None:
        """The user's most recent live card in this chat (for /block)."""
        candidates = [
            card
            for card in self.cards.values()
            if card.owner_id == actor.user_id and card.chat_id == actor.chat_id
        ]
        return max(candidates, key=lambda card: card.card_id, default=None)

    async def ask_block(self, actor: Actor) -> CardUpdate | None:
        card = self.current_card(actor)
        if card is None or card.phase is not Phase.TALK:
            return None
        async with self._lock(card.card_id):
            card.menu = Menu.BLOCK_CONFIRM
            card.note = None
            return await self._draw(card)

    # ------------------------------------------------------------------ button presses

    async def press(self, actor: Actor, data: str) -> PressOutcome:
        lang = actor.lang
        try:
            press = self._signer.unpack(actor.user_id, data)
        except BadCallbackData:
            return PressOutcome(alert=await self._why_refused(actor, data))
        claim = await self._press_tokens.claim(press.token, telegram_user_id=actor.user_id)
        consumed = claim.result
        if not consumed.won:
            key = {
                ConsumeStatus.ALREADY_USED: "alert.stale",
                ConsumeStatus.NOT_YOURS: "alert.not_your_button",
            }.get(consumed.status, "alert.stale")
            return PressOutcome(alert=t(lang, key))
        if press.card_id == 0:
            return PressOutcome(loose=(press.action, consumed.payload))
        card = self.cards.get(press.card_id) or await self._restore_card(actor, press.card_id)
        if card is None:
            return PressOutcome(alert=t(lang, "alert.call_finished"))
        if card.owner_id != actor.user_id or card.chat_id != actor.chat_id:
            return PressOutcome(alert=t(lang, "alert.not_your_call"))
        card.lang = lang
        self._actors[actor.user_id] = actor
        async with self._lock(card.card_id):
            if card.token is None or card.token == press.token:
                # Spent: the next drawing carries the token issued with the claim. (If a
                # background redraw renewed the card meanwhile, its shown token stays.)
                card.token = claim.next_token
                card.token_shown = False
            outcome = await self._act(actor, card, press)
        if outcome.login_needed:
            self._awaiting_login[actor.user_id] = card.card_id
        return outcome

    async def redraw_after_login(self, actor: Actor) -> CardUpdate | None:
        """Offer the card whose press failed for a dead sign-in again, with fresh buttons."""
        card_id = self._awaiting_login.pop(actor.user_id, None)
        card = self.cards.get(card_id) if card_id is not None else None
        if card is None or card.is_final:
            return None
        async with self._lock(card.card_id):
            try:
                api, _credential = await self._api_for(actor)
                await self._sync(card, api)
            except NotSignedInError:
                return None
            card.note = None
            return await self._draw(card)

    async def _why_refused(self, actor: Actor, data: str) -> str:
        card_id = CallbackSigner.card_id_of(data)
        if card_id:
            card = self.cards.get(card_id)
            owner = card.owner_id if card else None
            if owner is None:
                async with self._sessions() as session:
                    row = await card_store.get_card(session, card_id)
                owner = row.telegram_user_id if row else None
            if owner is not None and owner != actor.user_id:
                return t(actor.lang, "alert.not_your_call")
        return t(actor.lang, "alert.stale")

    async def _restore_card(self, actor: Actor, card_id: int) -> CardState | None:
        """A card from before a restart: rebuild its state from the database row."""
        async with self._sessions() as session:
            row = await card_store.get_card(session, card_id)
        if row is None:
            return None
        card = _restored(row, actor.lang)
        if card is None:
            return None
        self.cards[card.card_id] = card
        return card

    async def resume_live_cards(self) -> int:
        """At start-up: take over every card whose call was not over when the last process
        stopped (a start without a recorded outcome included) and let the live poll bring
        them up to date, with fresh buttons. Returns how many."""
        since = datetime.now(UTC) - DEFAULT_TOKEN_TTL
        async with self._sessions() as session:
            final = [phase.value for phase in Phase if phase.is_final]
            rows = await card_store.live_cards(session, final_states=final, since=since)
        for row, language_code in rows:
            if row.id in self.cards:
                continue
            card = _restored(row, lang_for(language_code))
            if card is None:
                continue
            self.cards[card.card_id] = card
            if card.phase is Phase.STARTING:
                # Cut off before its reply: the lookups count from when the row was made.
                age = (datetime.now(UTC) - row.created_at).total_seconds()
                self._look_for_start(card, since=time.monotonic() - max(0.0, age))
        if self.cards:
            # At once, not after a poll interval: resolves starts cut off by the restart and
            # gives every taken-over card fresh buttons.
            self._refresh_soon()
        return len(rows)

    async def _act(self, actor: Actor, card: CardState, press: Press) -> PressOutcome:
        lang = actor.lang
        action = press.action
        if action not in ACTIONS and action is not Action.BACK:
            return PressOutcome(alert=t(lang, "alert.stale"))
        if action is Action.REFRESH:
            return await self._refresh_card(actor, card)
        if not accepts(action, card.phase):
            # The card was behind the call: redraw it with what is valid now, send nothing.
            return await self._stale(actor, card)
        if opened_menu(action) is not None:
            return await self._switch_menu(actor, card, action)
        if action is Action.TRANSFER_TYPED:
            return PressOutcome(ask_transfer_number=card.card_id)
        return await self._perform(actor, card, action, press.argument)

    async def _stale(self, actor: Actor, card: CardState) -> PressOutcome:
        try:
            api, _credential = await self._api_for(actor)
            await self._sync(card, api)
        except NotSignedInError:
            pass
        card.menu = Menu.MAIN
        return PressOutcome(alert=t(actor.lang, "alert.stale"), update=await self._draw(card))

    async def _switch_menu(self, actor: Actor, card: CardState, action: Action) -> PressOutcome:
        if action is Action.TALK_OPTIONS:
            try:
                api, _credential = await self._api_for(actor)
                reply = await api.list_talk_options()
            except (CallApiClientError, NotSignedInError) as exc:
                failure = failure_from(exc, "list.talk_options")
                card.note = self._explain(actor.lang, failure)
                return PressOutcome(update=await self._draw(card), login_needed=failure.needs_login)
            card.talk_options = list(reply.data)
            card.menu = Menu.TALK_OPTIONS
        else:
            card.menu = opened_menu(action) or Menu.MAIN
        card.note = None
        return PressOutcome(update=await self._draw(card))

    async def _refresh_card(self, actor: Actor, card: CardState) -> PressOutcome:
        try:
            api, _credential = await self._api_for(actor)
        except NotSignedInError as exc:
            card.note = self._explain(actor.lang, failure_from(exc))
            return PressOutcome(update=await self._draw(card), login_needed=True)
        failure = await self._sync(card, api)
        card.note = None if failure is None else self._explain(actor.lang, failure)
        return PressOutcome(
            update=await self._draw(card),
            login_needed=bool(failure and failure.needs_login),
        )

    async def transfer_to_typed(self, actor: Actor, card_id: int, text: str) -> PressOutcome:
        card = self.cards.get(card_id)
        if card is None or card.owner_id != actor.user_id:
            return PressOutcome(alert=t(actor.lang, "alert.call_finished"))
        region = await self.region_for(actor)
        try:
            kind, number = classify_dial_target(
                text, field="to", region=region, allow_sip=True, allow_extension=True
            )
        except InvalidPhoneNumberError:
            return PressOutcome(alert=invalid_number_text(actor.lang, "field.transfer_target"))
        label = display_phone(number) if kind is PhoneKind.E164 else number
        async with self._lock(card.card_id):
            if card.phase is not Phase.HOLD:
                return await self._stale(actor, card)
            card.transfer_target = TransferTarget(number, label)
            return await self._perform(actor, card, Action.TRANSFER_TO, 0, target_ready=True)

    async def _perform(
        self,
        actor: Actor,
        card: CardState,
        action: Action,
        argument: int,
        *,
        target_ready: bool = False,
    ) -> PressOutcome:
        lang = actor.lang
        # Favourites (a query) matter only to a transfer; tags and employees are cached.
        names = await self.names_for(actor.user_id, favourites=action is Action.TRANSFER_TO)
        try:
            api, _credential = await self._api_for(actor)
        except NotSignedInError as exc:
            failure = failure_from(exc)
            card.note = self._explain(lang, failure)
            return PressOutcome(update=await self._draw(card), login_needed=True)
        if card.call_session_id is None:
            # A card whose start reply never arrived: find its call by our external id first.
            await self._sync(card, api)
            if card.call_session_id is None or not accepts(action, card.phase):
                card.menu = Menu.MAIN
                alert = t(lang, "alert.stale")
                return PressOutcome(alert=alert, update=await self._draw(card))
        session_id = card.call_session_id
        row = ACTIONS[action]
        if row.keeps_exit_reserve:
            api = api.keeping_exit_points(self._exit_points(card))
        try:
            done = await self._send_action(
                api, actor, card, action, argument, session_id, names, target_ready
            )
        except CallApiClientError as exc:
            failure = failure_from(exc)
            card.note = self._explain(lang, failure)
            card.menu = Menu.MAIN
            if failure.mnemonic in _RESYNC_AFTER or isinstance(exc, OutcomeUnknownError):
                # The card was wrong about the call (or we cannot tell): re-sync it, so it
                # shows what is possible now instead of a dead button.
                await self._sync(card, api)
            toast = explain_error(lang, failure.mnemonic, **failure.context).plain_title
            return PressOutcome(
                toast=toast[:190],
                update=await self._draw(card),
                login_needed=failure.needs_login,
            )
        except ValueError:
            # A forged argument (no such tag, leg, key or target): nothing was sent.
            return await self._stale(actor, card)
        card.fresh_as_of = time.monotonic()
        card.note = t(lang, "call.action_done", action=done)
        card.menu = row.stays_in
        # The state diagram says where a successful action leads; list.calls confirms it
        # shortly after in one shared refresh (one request for every card pressed meanwhile,
        # instead of one per press: points and latency).
        if row.leads_to is not None:
            card.phase = row.leads_to
        if action in (Action.RECORD_ON, Action.RECORD_OFF):
            card.recording_hint = action is Action.RECORD_ON
        if card.phase.is_final:
            card.ended_at = card.ended_at or datetime.now(UTC)
        elif row.confirm_by_refresh:
            self._refresh_soon()
        return PressOutcome(toast=done[:190], update=await self._draw(card))

    async def _send_action(
        self,
        api: BoundCallApi,
        actor: Actor,
        card: CardState,
        action: Action,
        argument: int,
        session_id: int,
        names: Names,
        target_ready: bool,
    ) -> str:
        """Send the action's request; returns the done-text. Raises the api's errors."""
        lang = actor.lang
        match action:
            case Action.RELEASE:
                await api.release_call(call_session_id=session_id)
                return t(lang, "done.cancel" if card.phase is Phase.DIALING else "done.release")
            case Action.HOLD:
                message = await self._hold_message(actor)
                await api.hold_call(call_session_id=session_id, contact_message=message)
                return t(lang, "done.hold")
            case Action.UNHOLD:
                await api.unhold_call(call_session_id=session_id)
                return t(lang, "done.unhold")
            case Action.RECORD_ON | Action.RECORD_OFF:
                on = action is Action.RECORD_ON
                await api.record_call(call_session_id=session_id, action="on" if on else "off")
                return t(lang, "done.record_on" if on else "done.record_off")
            case Action.TAG:
                tag_name = dict(names.tags).get(argument, str(argument))
                await api.tag_call(call_session_id=session_id, tag_id=argument)
                return t(lang, "done.tag", tag=tag_name)
            case Action.DTMF:
                digit = _DIGITS_FOR_ARGUMENT.get(argument)
                if digit is None:
                    raise ValueError("not a DTMF key")
                await api.send_dtmf(call_session_id=session_id, dtmf_string=digit)
                return t(lang, "done.dtmf", digit=digit)
            case Action.TALK_OPTION:
                if not 0 <= argument < len(card.talk_options):
                    raise ValueError("no such talk option")
                option = card.talk_options[argument]
                await api.call_talk_option(call_session_id=session_id, button=option.button)
                return t(lang, "done.talk_option", option=option.name or option.button)
            case Action.COACH:
                phone = names.employee_phones.get(argument) if argument else None
                await api.add_coach(call_session_id=session_id, phone_number=phone)
                return t(lang, "done.coach")
            case Action.DISCONNECT:
                leg_name = str(argument)
                if card.view is not None:
                    for leg in card.view.active_legs:
                        if leg.leg_id == argument:
                            role = card.view.roles.get(leg.leg_id, LegRole.OTHER)
                            leg_name = t(lang, f"card.role.{role.value}")
                await api.disconnect_leg(call_session_id=session_id, leg_id=argument)
                return t(lang, "done.disconnect_leg", name=leg_name)
            case Action.BLOCK_CONFIRM:
                await api.block_contact(call_session_id=session_id)
                return t(lang, "done.block")
            case Action.TRANSFER_TO:
                if not target_ready:
                    card.transfer_target = self._transfer_target(names, argument)
                if card.transfer_target is None:
                    raise ValueError("no such transfer target")
                await api.make_call(call_session_id=session_id, to=card.transfer_target.number)
                return t(lang, "done.make_call", target=card.transfer_target.label)
            case Action.TRANSFER_NOW | Action.COMPLETE_TRANSFER:
                await api.transfer_talk(call_session_id=session_id)
                return t(lang, "done.transfer")
            case Action.RESTORE:
                await api.restore_talk(call_session_id=session_id)
                return t(lang, "done.restore")
        raise ValueError(f"{action.name} is not an API action")

    def _exit_points(self, card: CardState) -> int:
        """Points to keep after an action that leaves this card's client waiting: one way out
        (unhold, restore or release) for each call of its owner that will then wait."""
        waiting = {
            other.call_session_id
            for other in self.cards.values()
            if other.owner_id == card.owner_id
            and other.phase.leaves_client_waiting
            and other.call_session_id is not None
        }
        return len(waiting | {card.call_session_id})

    def _transfer_target(self, names: Names, argument: int) -> TransferTarget | None:
        if argument < 0:
            for favourite_id, label, number in names.favourites:
                if favourite_id == -argument:
                    return TransferTarget(number, label)
            return None
        phone = names.employee_phones.get(argument)
        if phone is None:
            return None
        return TransferTarget(phone, names.employees.get(argument, display_phone(phone)))

    async def _hold_message(self, actor: Actor) -> Message:
        async with self._sessions() as session:
            effective = await settings_store.get_call_settings(
                session, actor.user_id, language_code=actor.language_code
            )
        hold = effective.hold_message
        return Message(type=hold.kind.value, value=hold.value)

    # ------------------------------------------------------------------ background poll

    async def poll_tick(self) -> bool:
        """One shared list.calls for every live card; redraw the cards that changed."""
        live = [card for card in self.cards.values() if not card.is_final]
        if not live:
            return False
        newest = max(live, key=lambda card: card.card_id)
        try:
            api, _credential = await self._api_for(self._background_actor(newest))
            snapshot = await self._refresher.refresh(api)
        except BudgetExceededError:
            return True
        except (CallApiClientError, NotSignedInError) as exc:
            log.info("live poll skipped: %s", redact(str(exc)))
            return True
        for card in live:
            await self._apply_snapshot(card, snapshot)
        # A start still being looked for has its own few lookups: it keeps no poll running.
        return any(
            not card.is_final and card.phase is not Phase.STARTING for card in self.cards.values()
        )

    async def _apply_snapshot(self, card: CardState, snapshot: Snapshot) -> None:
        async with self._lock(card.card_id):
            if snapshot.taken_at < card.fresh_as_of:
                # Older than what the card shows (our own action, or a newer refresh).
                return
            call = self._find(card, snapshot)
            if call is None and card.phase is Phase.STARTING:
                return  # not listed yet: its lookups decide when to give up
            card.fresh_as_of = snapshot.taken_at
            if call is not None and card.view is not None and card.view.snapshot == call:
                return  # nothing changed for this card: no work, no redraw
            before = _shown(card)
            self._apply(card, call)
            if _shown(card) == before:
                return
            if card.phase is not before[0]:
                # The note told the outcome of our last step; the call has moved on since.
                card.note = None
            update = await self._draw(card)
        await self._publish(update)


def _card_from(row: CallCard, lang: Lang, phase: Phase) -> CardState:
    """The in-memory state of a card row (the row knows who owns it and which call it shows)."""
    card = CardState(
        card_id=row.id,
        chat_id=row.chat_id,
        message_id=row.message_id,
        owner_id=row.telegram_user_id,
        employee_id=row.employee_id,
        lang=lang,
        # A private chat's id is its user's id; anywhere else numbers are masked.
        masked=row.chat_id != row.telegram_user_id,
        call_session_id=row.call_session_id,
        external_id=row.external_id,
        contact_number=row.contact_number,
        phase=phase,
        started_at=row.started_at,
    )
    _mark_saved(card)
    card.stored_phase = Phase(row.state) if row.state in _PHASE_VALUES else None
    return card


_PHASE_VALUES = frozenset(phase.value for phase in Phase)


def _restored(row: CallCard, lang: Lang) -> CardState | None:
    """A card of an earlier process, or None when its call was over."""
    try:
        phase = Phase(row.state)
    except ValueError:
        phase = Phase.TALK
    if phase.is_final:
        return None
    return _card_from(row, lang, phase)


def _unsaved_facts(card: CardState) -> CardFacts:
    def changed(value: Any, stored: Any) -> Any:
        return value if value is not None and value != stored else None

    return CardFacts(
        state=changed(card.phase.value, card.stored_phase),
        call_session_id=changed(card.call_session_id, card.stored_call_session_id),
        contact_number=changed(card.contact_number, card.stored_contact_number),
        started_at=changed(card.started_at, card.stored_started_at),
    )


def _mark_saved(card: CardState) -> None:
    card.stored_phase = card.phase
    card.stored_call_session_id = card.call_session_id
    card.stored_contact_number = card.contact_number
    card.stored_started_at = card.started_at


def _who_did_not_answer(last_seen: CallView | None) -> LegRole:
    """Whose phone was ringing when the call ended: the client's, unless only ours rang."""
    if last_seen is None or last_seen.snapshot is None:
        return LegRole.CONTACT
    ringing = {
        last_seen.roles.get(leg.leg_id)
        for leg in last_seen.active_legs
        if leg.state_kind is LegState.DIALING
    }
    return LegRole.ME if ringing == {LegRole.ME} else LegRole.CONTACT


def _shown(card: CardState) -> tuple[Any, ...]:
    """What a drawing of the card shows from the call's state: not the running duration nor
    the points footer, which alone are not worth a Telegram edit."""
    view = card.view
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
        card.phase,
        card.recording,
        card.contact_number,
        card.started_at is None,
        view is None,
        legs,
        tags,
    )


def parse_lang(language_code: str | None) -> Lang:
    return lang_for(language_code)


__all__: Sequence[str] = (
    "ButtonData",
    "CallService",
    "CardUpdate",
    "MissingInput",
    "PressOutcome",
    "StartKind",
    "StartOutcome",
    "StartRequest",
)
