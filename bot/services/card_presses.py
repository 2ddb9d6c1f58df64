"""Presses on a call card: the one-shot claim, the table's checks, the Call API request, and
the reply as a fact for the ledger."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.client import BoundCallApi
from api.errors import CallApiClientError, OutcomeUnknownError
from api.models import Message
from api.phones import InvalidPhoneNumberError, PhoneKind, classify_dial_target
from bot.callbacks import (
    ANYONE_ACTIONS,
    ANYONE_IN_CHAT,
    Action,
    BadCallbackData,
    CallbackSigner,
    Press,
)
from bot.services.actor import Actor
from bot.services.auth import AuthService
from bot.services.call_ledger import CallLedger
from bot.services.call_sync import CallSync, bound_api
from bot.services.call_types import CardUpdate, PressOutcome
from bot.services.call_view import LegRole, Phase
from bot.services.card_book import CardBook
from bot.services.card_table import ACTIONS, Menu, accepts, opened_menu
from bot.services.cards import DTMF_KEYS, CardState, Names, TransferTarget
from bot.services.failures import NotSignedInError, failure_from
from bot.services.presentation import display_phone, invalid_number_text
from bot.services.tracked_call import note_tags
from bot.texts import explain_error, t
from bot.unit_of_work import Database
from db import call_settings as settings_store
from db.cards import ConsumeStatus
from db.press_tokens import PressTokens

_DIGITS_FOR_ARGUMENT = {ord(key): key for key in DTMF_KEYS}

# Errors that mean the card is behind the call.
_RESYNC_AFTER = frozenset({"invalid_state", "leg_not_found"})


class CardPresses:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        auth: AuthService,
        press_tokens: PressTokens,
        signer: CallbackSigner,
        ledger: CallLedger,
        book: CardBook,
        sync: CallSync,
        default_region: str,
    ) -> None:
        self._db = Database(sessions)
        self._auth = auth
        self._press_tokens = press_tokens
        self._signer = signer
        self._ledger = ledger
        self._book = book
        self._sync = sync
        self._region = default_region
        # user id -> card whose press was refused for a dead sign-in (offered again after login)
        self._awaiting_login: dict[int, int] = {}

    async def ask_block(self, actor: Actor) -> CardUpdate | None:
        card = self._book.current_card(actor)
        if card is None or card.phase is not Phase.TALK:
            return None
        async with card.call.lock:
            card.menu = Menu.BLOCK_CONFIRM
            card.note = None
            return await self._book.draw(card)

    async def press(self, actor: Actor, data: str) -> PressOutcome:
        lang = actor.lang
        press: Press | None
        try:
            press = self._signer.unpack(actor.user_id, data)
        except BadCallbackData:
            press = self._for_anyone(data)
        if press is None:
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
        card = await self._book.card(press.card_id, lang)
        if card is None:
            return PressOutcome(alert=t(lang, "alert.call_finished"))
        if card.owner_id != actor.user_id or card.chat_id != actor.chat_id:
            return PressOutcome(alert=t(lang, "alert.not_your_call"))
        card.lang = lang
        self._book.remember(actor)
        async with card.call.lock:
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
        card = self._book.cards.get(card_id) if card_id is not None else None
        if card is None or card.is_final:
            return None
        async with card.call.lock:
            try:
                api = await bound_api(self._auth, actor)
                await self._sync.sync(card, api)
            except NotSignedInError:
                return None
            card.note = None
            return await self._book.draw(card)

    def _for_anyone(self, data: str) -> Press | None:
        """A button outside a card signed for anyone in its (group) chat, e.g. Call back on the
        on-call chat's missed call: its token, stored without an owner, is claimed as usual."""
        try:
            press = self._signer.unpack(ANYONE_IN_CHAT, data)
        except BadCallbackData:
            return None
        return press if press.card_id == 0 and press.action in ANYONE_ACTIONS else None

    async def _why_refused(self, actor: Actor, data: str) -> str:
        card_id = CallbackSigner.card_id_of(data)
        if card_id:
            owner = await self._book.owner_of(card_id)
            if owner is not None and owner != actor.user_id:
                return t(actor.lang, "alert.not_your_call")
        return t(actor.lang, "alert.stale")

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
            # Drawn again (fresh buttons): the press spent them, and the user may still go
            # Back or pick a favourite instead of typing.
            update = await self._book.draw(card)
            return PressOutcome(ask_transfer_number=card.card_id, update=update)
        return await self._perform(actor, card, action, press.argument)

    async def _stale(self, actor: Actor, card: CardState) -> PressOutcome:
        try:
            api = await bound_api(self._auth, actor)
            await self._sync.sync(card, api)
        except NotSignedInError:
            pass
        card.menu = Menu.MAIN
        return PressOutcome(alert=t(actor.lang, "alert.stale"), update=await self._book.draw(card))

    async def _switch_menu(self, actor: Actor, card: CardState, action: Action) -> PressOutcome:
        if action is Action.TALK_OPTIONS:
            try:
                api = await bound_api(self._auth, actor)
                reply = await api.list_talk_options()
            except (CallApiClientError, NotSignedInError) as exc:
                failure = failure_from(exc, "list.talk_options")
                card.note = self._book.explain(actor.lang, failure)
                return PressOutcome(
                    update=await self._book.draw(card), login_needed=failure.needs_login
                )
            card.talk_options = list(reply.data)
            card.menu = Menu.TALK_OPTIONS
        else:
            card.menu = opened_menu(action) or Menu.MAIN
        card.note = None
        return PressOutcome(update=await self._book.draw(card))

    async def _refresh_card(self, actor: Actor, card: CardState) -> PressOutcome:
        try:
            api = await bound_api(self._auth, actor)
        except NotSignedInError as exc:
            card.note = self._book.explain(actor.lang, failure_from(exc))
            return PressOutcome(update=await self._book.draw(card), login_needed=True)
        failure = await self._sync.sync(card, api)
        card.note = None if failure is None else self._book.explain(actor.lang, failure)
        return PressOutcome(
            update=await self._book.draw(card),
            login_needed=bool(failure and failure.needs_login),
        )

    async def transfer_to_typed(self, actor: Actor, card_id: int, text: str) -> PressOutcome:
        card = self._book.cards.get(card_id)
        if card is None or card.owner_id != actor.user_id:
            return PressOutcome(alert=t(actor.lang, "alert.call_finished"))
        region = await self._region_for(actor)
        try:
            kind, number = classify_dial_target(
                text, field="to", region=region, allow_sip=True, allow_extension=True
            )
        except InvalidPhoneNumberError:
            # The card's buttons still work: the "enter a number" press drew fresh ones.
            return PressOutcome(alert=invalid_number_text(actor.lang, "field.transfer_target"))
        label = display_phone(number) if kind is PhoneKind.E164 else number
        async with card.call.lock:
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
        names = await self._book.names_for(actor.user_id, favourites=action is Action.TRANSFER_TO)
        try:
            api = await bound_api(self._auth, actor)
        except NotSignedInError as exc:
            failure = failure_from(exc)
            card.note = self._book.explain(lang, failure)
            return PressOutcome(update=await self._book.draw(card), login_needed=True)
        if not card.call.confirmed:
            # Drawn from a UIS event, which anyone who learnt the URL could forge: UIS itself
            # must list the user's employee on this call before the first action goes out.
            await self._sync.sync(card, api)
            if not card.call.confirmed:
                return PressOutcome(alert=t(lang, "alert.not_your_call"))
            if not accepts(action, card.phase):
                return PressOutcome(
                    alert=t(lang, "alert.stale"), update=await self._book.draw(card)
                )
        if card.call_session_id is None:
            # A card whose start reply never arrived: find its call by our external id first.
            await self._sync.sync(card, api)
            if card.call_session_id is None or not accepts(action, card.phase):
                card.menu = Menu.MAIN
                alert = t(lang, "alert.stale")
                return PressOutcome(alert=alert, update=await self._book.draw(card))
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
            card.note = self._book.explain(lang, failure)
            card.menu = Menu.MAIN
            if failure.mnemonic == "call_session_not_found":
                # Rule 3 of the ledger: UIS says the call does not exist, so it is over.
                await self._ledger.gone(card.call, failure.mnemonic, drawn_by=card.card_id)
            elif failure.mnemonic in _RESYNC_AFTER or isinstance(exc, OutcomeUnknownError):
                # The card was wrong about the call (or we cannot tell): re-sync it, so it
                # shows what is possible now instead of a dead button.
                await self._sync.sync(card, api)
            toast = explain_error(lang, failure.mnemonic, **failure.context).plain_title
            return PressOutcome(
                toast=toast[:190],
                update=await self._book.draw(card),
                login_needed=failure.needs_login,
            )
        except ValueError:
            # A forged argument (no such tag, leg, key or target): nothing was sent.
            return await self._stale(actor, card)
        card.note = t(lang, "call.action_done", action=done)
        card.menu = row.stays_in
        if action is Action.RELEASE:
            card.call.released_by = actor.display_name or None
        elif action is Action.TAG:
            note_tags(card.call, [dict(names.tags).get(argument, str(argument))])
        # The state diagram says where a successful action leads; list.calls confirms it
        # shortly after in one shared refresh (one request for every card pressed meanwhile,
        # instead of one per press: points and latency).
        await self._ledger.acted(card.call, row, drawn_by=card.card_id)
        if row.confirm_by_refresh and not card.is_final:
            self._sync.refresh_soon(f"confirm {row.method}")
        return PressOutcome(toast=done[:190], update=await self._book.draw(card))

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
            for other in self._book.cards_owned_by(card.owner_id)
            if other.phase.leaves_client_waiting and other.call_session_id is not None
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

    async def _region_for(self, actor: Actor) -> str:
        async with self._db.unit() as session:
            effective = await settings_store.get_call_settings(
                session, actor.user_id, language_code=actor.language_code
            )
        return effective.default_region or self._region

    async def _hold_message(self, actor: Actor) -> Message:
        async with self._db.unit() as session:
            effective = await settings_store.get_call_settings(
                session, actor.user_id, language_code=actor.language_code
            )
        hold = effective.hold_message
        return Message(type=hold.kind.value, value=hold.value)
