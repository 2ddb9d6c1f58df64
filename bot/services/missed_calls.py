"""Missed calls: who is told, one owner for the call-back, and how it ends.

A "lost call" event (UIS: an inbound call nobody answered) becomes a message to the Telegram
users assigned to the employees who were tried; when none was tried (the caller hung up in the
voice menu) or none of them uses the bot, to the on-call group chat (``/oncall_chat``), else to
the admins. Another lost call from the same number while it is unresolved (up to 24 h) edits
those messages with the count instead of sending new ones.

**Call back** is a one-shot button on every copy. The first press claims the call-back in the
database (one conditional UPDATE: exactly one winner); every copy then says who is calling back
and loses its button, and only the claimer's phone is rung, through the same start as ``/call``
(a call card, the ledger), from the virtual number the client dialled when it is one of ours.
A number ``/call`` would not take, a premium-rate or an international number (a forged event)
is refused before anything goes to UIS. A refused start opens the call again; a start whose
outcome is unknown keeps the claim. The call-back's ledger call decides the end: a talk resolves
it, a call nobody picked up offers Call back again; an answered inbound call from the number
resolves it too (the client got through on their own).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta, tzinfo
from typing import Any

import phonenumbers
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.phones import InvalidPhoneNumberError, PhoneKind, classify_dial_target
from bot.callbacks import ANYONE_IN_CHAT, Action, CallbackSigner, Press
from bot.events.parse import ParsedEvent
from bot.services.actor import Actor
from bot.services.auth import AuthService
from bot.services.call_ledger import CallLedger
from bot.services.call_starts import CallStarter
from bot.services.call_types import ButtonData, CardUpdate, StartKind, StartRequest
from bot.services.call_view import Phase
from bot.services.card_book import CardBook
from bot.services.presentation import display_phone
from bot.services.tracked_call import TrackedCall
from bot.texts import DEFAULT_LANG, Lang, format_duration, lang_for, t
from bot.unit_of_work import Database
from db import cards as card_store
from db import catalog as catalog_store
from db import missed_calls as store
from db import users as user_store
from db.models import AccessState, MissedCallMessage, MissedCallRecord, MissedCallState

log = logging.getLogger(__name__)

# Sends a new message (chat id, HTML text, inline buttons) and returns its message id.
MessagePoster = Callable[[int, str, list[list[ButtonData]]], Awaitable[int]]

TOKEN_ACTION = "call_back"  # noqa: S105 - an action name, not a secret
# A missed call's button lives as long as the call may be updated, and then some.
TOKEN_TTL = timedelta(hours=48)

OUTCOME_TALKED = "talked"
OUTCOME_UNANSWERED = "unanswered"
OUTCOME_GOT_THROUGH = "got_through"
# A call-back whose start reply was lost and that list.calls never showed: it may have rung the
# client and ended, or never started. Kept claimed it would block every later call-back.
OUTCOME_UNCONFIRMED = "unconfirmed"

# Phases of the call-back that prove a talk, and those that end it without one.
_TALKED = frozenset(
    {
        Phase.TALK,
        Phase.HOLD,
        Phase.DIALING_THIRD,
        Phase.CONSULTING,
        Phase.TRANSFERRED,
        Phase.FINISHED,  # a call only vanishes as "finished" after it was talked in
    }
)
_UNANSWERED = frozenset({Phase.NO_ANSWER})


@dataclass(frozen=True)
class Recipient:
    chat_id: int
    owner_id: int | None  # None: anyone in the (group) chat may press
    lang: Lang
    masked: bool


@dataclass(frozen=True)
class CallBackResult:
    alert: str | None = None  # a pop-up: nothing was sent to UIS
    toast: str | None = None


def _digits(value: str | None) -> str:
    return re.sub(r"\D", "", value or "")


def _seconds(value: str | None) -> int | None:
    try:
        return max(0, round(float(value))) if value else None
    except ValueError:
        return None


def callback_refusal(number: str, region: str) -> tuple[str, str] | None:
    """Why a call-back to ``number`` is refused: (alert key, the number as shown), or None.

    The number must be one ``/call`` takes (a possible E.164 number), and neither premium-rate
    nor in another country than ``region``: a lost call event is no proof of who called."""
    try:
        kind, digits = classify_dial_target(number, field="contact", region=region)
    except InvalidPhoneNumberError:
        return "alert.missed_bad_number", number[:32]
    if kind is not PhoneKind.E164:
        return "alert.missed_bad_number", number[:32]
    parsed = phonenumbers.parse("+" + digits, None)
    shown = display_phone(digits)
    if phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.PREMIUM_RATE:
        return "alert.missed_premium", shown
    home = phonenumbers.country_code_for_region(region.upper())
    if home and parsed.country_code != home:
        return "alert.missed_international", shown
    return None


class MissedCalls:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        ledger: CallLedger,
        book: CardBook,
        starter: CallStarter,
        auth: AuthService,
        signer: CallbackSigner,
        admin_ids: Iterable[int],
        account_zone: tzinfo,
    ) -> None:
        self._db = Database(sessions)
        self._ledger = ledger
        self._book = book
        self._starter = starter
        self._auth = auth
        self._signer = signer
        self._admin_ids = sorted(set(admin_ids))
        self._zone = account_zone
        self.post: MessagePoster | None = None
        # ledger call id of a call-back -> its missed call
        self._following: dict[int, int] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._arrivals = asyncio.Lock()  # one lost call at a time: one set of messages each
        ledger.watch(self._call_changed)

    # ------------------------------------------------------------------ events

    async def heard(self, event: ParsedEvent) -> None:
        """A UIS event: "lost call" tells of a missed call, an answered inbound call may
        resolve one. Never raises (the ledger's own handling of the event goes on)."""
        try:
            if event.event == "lost_call":
                await self._lost(event)
            elif event.event == "talk_started":
                await self._answered(event)
        except Exception:
            log.exception("missed calls: could not handle %s", event.event)

    async def _lost(self, event: ParsedEvent) -> None:
        number = _digits(event.text("contact_phone_number"))
        if not number:
            log.info("lost call %s without the caller's number: nobody to call back", event)
            return
        async with self._arrivals:
            async with self._db.unit() as session:
                row, changed = await store.record_missed(
                    session,
                    contact_number=number,
                    virtual_number=_digits(event.text("virtual_phone_number")) or None,
                    contact_name=event.text("contact_full_name"),
                    wait_seconds=_seconds(event.text("wait_time_duration")),
                    call_session_id=event.call_session_id,
                )
                missed_id = row.id
                shown = list(await store.messages(session, missed_id))
            if not changed:
                return
            if shown:
                await self._redraw(missed_id)
            # Everyone this call tried sees it; a repeat call may have rung someone new (those
            # who already have a copy got it redrawn with the count).
            showing = {message.chat_id for message in shown}
            for recipient in await self._recipients(event.employee_ids):
                if recipient.chat_id not in showing:
                    await self._send(missed_id, recipient)

    async def _answered(self, event: ParsedEvent) -> None:
        if (event.text("direction") or "in") != "in":
            return  # our own calls (a call-back among them) are followed through the ledger
        number = _digits(event.text("contact_phone_number"))
        if not number:
            return
        async with self._db.unit() as session:
            resolved = await store.resolve_number(session, number, outcome=OUTCOME_GOT_THROUGH)
        for missed_id in resolved:
            self._stop_following(missed_id)
            await self._redraw(missed_id)

    async def _recipients(self, employee_ids: Sequence[int]) -> list[Recipient]:
        """The users of the employees tried; else the on-call chat; else the admins."""
        recipients: list[Recipient] = []
        async with self._db.unit() as session:
            for employee_id in dict.fromkeys(employee_ids):
                user = await user_store.user_for_employee(session, employee_id)
                if user is None or user.access is not AccessState.ALLOWED:
                    continue
                if any(known.chat_id == user.id for known in recipients):
                    continue
                recipients.append(Recipient(user.id, user.id, lang_for(user.language_code), False))
            if recipients:
                return recipients
            oncall = await store.oncall_chat(session)
            if oncall is not None:
                return [Recipient(oncall, None, DEFAULT_LANG, True)]
            for admin_id in self._admin_ids:
                admin = await user_store.get_user(session, admin_id)
                lang = lang_for(admin.language_code if admin else None)
                recipients.append(Recipient(admin_id, admin_id, lang, False))
        return recipients

    async def _send(self, missed_id: int, recipient: Recipient) -> None:
        if self.post is None:
            return
        async with self._lock(missed_id):
            async with self._db.unit() as session:
                row = await store.get_missed(session, missed_id)
                if row is None:
                    return
                token = None
                if row.state == MissedCallState.OPEN.value:
                    token = await self._issue(session, recipient.chat_id, recipient.owner_id, row)
                text = await self._text(row, recipient.lang, masked=recipient.masked, viewer=None)
                rows = self._buttons(recipient.lang, recipient.owner_id, token)
            try:
                message_id = await self.post(recipient.chat_id, text, rows)
            except Exception:
                log.warning("could not tell chat %s of a missed call", recipient.chat_id)
                if token is not None:
                    async with self._db.unit() as session:
                        await card_store.revoke_action_token(session, token)
                return
            async with self._db.unit() as session:
                await store.add_message(
                    session,
                    missed_id,
                    chat_id=recipient.chat_id,
                    message_id=message_id,
                    telegram_user_id=recipient.owner_id,
                    language=recipient.lang.value,
                    masked=recipient.masked,
                    token=token,
                )

    # ------------------------------------------------------------------ Call back

    async def call_back(self, actor: Actor, payload: dict[str, Any]) -> CallBackResult:
        """A press on Call back (its one-shot token already consumed by this press)."""
        lang = actor.lang
        missed_id = payload.get("missed")
        if not isinstance(missed_id, int):
            return CallBackResult(alert=t(lang, "alert.stale"))
        # The message is in the chat before its copy is stored (its id comes from Telegram), and
        # ``_send`` holds the lock until it is: a press that quick waits for it instead of
        # being told its button is stale.
        async with self._lock(missed_id), self._db.unit() as session:
            row = await store.get_missed(session, missed_id)
            copies = list(await store.messages(session, missed_id)) if row is not None else []
        if row is None or not any(copy.chat_id == actor.chat_id for copy in copies):
            return CallBackResult(alert=t(lang, "alert.stale"))
        if row.state == MissedCallState.RESOLVED.value:
            await self._redraw(missed_id)
            return CallBackResult(alert=t(lang, "alert.missed_resolved"))
        if row.state == MissedCallState.CLAIMED.value:
            return CallBackResult(alert=t(lang, "alert.missed_taken", name=self._who(row)))
        refusal, request = await self._request_for(actor, row)
        if refusal is not None or request is None:
            # Nothing was claimed: this chat's copy gets a fresh button (the press spent it).
            await self._redraw(missed_id, renew_chat=actor.chat_id)
            return CallBackResult(alert=refusal or t(lang, "alert.missed_failed"))
        name = actor.display_name or str(actor.user_id)
        async with self._db.unit() as session:
            won = await store.claim(session, missed_id, telegram_user_id=actor.user_id, name=name)
        if not won:
            async with self._db.unit() as session:
                row = await store.get_missed(session, missed_id)
            if row is not None and row.state == MissedCallState.CLAIMED.value:
                return CallBackResult(alert=t(lang, "alert.missed_taken", name=self._who(row)))
            return CallBackResult(alert=t(lang, "alert.missed_resolved"))
        await self._redraw(missed_id)
        try:
            call = await self._start(actor, request)
        except Exception:
            log.exception("missed call %s: the call-back could not be started", missed_id)
            call = None
        if call is None or call.phase is Phase.NOT_STARTED:
            # UIS or the bot refused the start: no call, the next one may try.
            async with self._db.unit() as session:
                await store.release(
                    session, missed_id, outcome=None, telegram_user_id=actor.user_id
                )
            await self._redraw(missed_id)
            return CallBackResult()
        self._following[call.ledger_id] = missed_id
        async with self._db.unit() as session:
            await store.set_callback_call(session, missed_id, call.ledger_id)
        await self._follow(call)  # it may have moved on already
        return CallBackResult(toast=t(lang, "alert.missed_calling"))

    async def _request_for(
        self, actor: Actor, row: MissedCallRecord
    ) -> tuple[str | None, StartRequest | None]:
        """The start request of this call-back, or why there is none (before any claim)."""
        lang = actor.lang
        if actor.employee_id is None:
            return t(lang, "alert.missed_employee_missing"), None
        if await self._auth.credential_for(actor) is None:
            return t(lang, "alert.missed_sign_in"), None
        region = await self._starter.region_for(actor)
        refused = callback_refusal(row.contact_number, region)
        if refused is not None:
            key, shown = refused
            return t(lang, key, number=shown), None
        contact = self._starter.normalise_contact(row.contact_number, region)
        virtual_number = None
        async with self._db.unit() as session:
            ours = {vn.number for vn in await catalog_store.list_virtual_numbers(session)}
        if row.virtual_number and row.virtual_number in ours:
            virtual_number = row.virtual_number  # the number the client dialled
        else:
            virtual_number = await self._starter.default_virtual_number(actor)
        if virtual_number is None:
            return t(lang, "alert.missed_no_virtual_number"), None
        return None, StartRequest(StartKind.EMPLOYEE, contact, virtual_number=virtual_number)

    async def _start(self, actor: Actor, request: StartRequest) -> TrackedCall | None:
        """``start.employee_call`` as ``/call`` sends it: a card in the presser's chat."""
        if self.post is None:
            return None
        text = t(
            actor.lang,
            "call.starting",
            number=display_phone(request.contact, masked=not actor.is_private_chat),
        )
        message_id = await self.post(actor.chat_id, text, [])
        outcome = await self._starter.start_call(actor, request, message_id)
        if outcome.update is not None:
            await self._book.send(outcome.update)
        return outcome.call

    # ------------------------------------------------------------------ the call-back's call

    async def resume(self) -> None:
        """At start-up: follow the call-backs under way again."""
        async with self._db.unit() as session:
            rows = await store.claimed_with_callback(session)
        for row in rows:
            if row.callback_call_id is not None:
                self._following[row.callback_call_id] = row.id

    async def _call_changed(self, call: TrackedCall, before: Phase, drawn_by: int | None) -> None:
        del before, drawn_by
        if call.ledger_id in self._following:
            try:
                await self._follow(call)
            except Exception:
                log.exception("missed calls: could not follow call %s", call.ledger_id)

    async def _follow(self, call: TrackedCall) -> None:
        missed_id = self._following.get(call.ledger_id)
        if missed_id is None:
            return
        if call.phase in _TALKED:
            self._following.pop(call.ledger_id, None)
            async with self._db.unit() as session:
                changed = await store.resolve(session, missed_id, outcome=OUTCOME_TALKED)
            if changed:
                await self._redraw(missed_id)
        elif call.phase in _UNANSWERED or call.phase is Phase.NOT_STARTED:
            self._following.pop(call.ledger_id, None)
            outcome = OUTCOME_UNANSWERED if call.phase in _UNANSWERED else None
            async with self._db.unit() as session:
                released = await store.release(session, missed_id, outcome=outcome)
            if released:
                await self._redraw(missed_id)
        elif call.phase is Phase.NOT_FOUND:
            # The ledger's lookups never saw the start (its outcome stayed unknown): the claim
            # is released, with a word that it may have rung, so somebody can call back.
            self._following.pop(call.ledger_id, None)
            async with self._db.unit() as session:
                released = await store.release(session, missed_id, outcome=OUTCOME_UNCONFIRMED)
            if released:
                await self._redraw(missed_id)
        elif call.is_final:
            self._following.pop(call.ledger_id, None)

    def _stop_following(self, missed_id: int) -> None:
        for ledger_id, followed in list(self._following.items()):
            if followed == missed_id:
                del self._following[ledger_id]

    # ------------------------------------------------------------------ drawing

    def _lock(self, missed_id: int) -> asyncio.Lock:
        lock = self._locks.get(missed_id)
        if lock is None:
            if len(self._locks) > 10_000:
                self._locks = {key: value for key, value in self._locks.items() if value.locked()}
            lock = self._locks[missed_id] = asyncio.Lock()
        return lock

    async def _issue(
        self, session: AsyncSession, chat_id: int, owner_id: int | None, row: MissedCallRecord
    ) -> str:
        return await card_store.issue_action_token(
            session,
            chat_id=chat_id,
            action=TOKEN_ACTION,
            payload={"missed": row.id},
            telegram_user_id=owner_id,
            ttl=TOKEN_TTL,
        )

    def _buttons(
        self, lang: Lang, owner_id: int | None, token: str | None
    ) -> list[list[ButtonData]]:
        if token is None:
            return []
        press = Press(0, Action.CALL_BACK, 0, token)
        data = self._signer.pack(ANYONE_IN_CHAT if owner_id is None else owner_id, press)
        return [[ButtonData(t(lang, "btn.call_back"), data)]]

    async def _redraw(self, missed_id: int, *, renew_chat: int | None = None) -> None:
        """Every copy shows the row as it is now; open rows keep (or get) a Call back button,
        ``renew_chat``'s copy a fresh one (its press spent the old)."""
        async with self._lock(missed_id):
            updates: list[CardUpdate] = []
            async with self._db.unit() as session:
                row = await store.get_missed(session, missed_id)
                if row is None:
                    return
                is_open = row.state == MissedCallState.OPEN.value
                for copy in await store.messages(session, missed_id):
                    token = copy.token
                    if token is not None and (not is_open or copy.chat_id == renew_chat):
                        await card_store.revoke_action_token(session, token)
                        token = None
                    if is_open and token is None:
                        token = await self._issue(session, copy.chat_id, copy.telegram_user_id, row)
                    if token != copy.token:
                        await store.set_message_token(session, copy.id, token)
                    lang = lang_for(copy.language)
                    text = await self._text(row, lang, masked=copy.masked, viewer=copy)
                    rows = self._buttons(lang, copy.telegram_user_id, token)
                    updates.append(CardUpdate(copy.chat_id, copy.message_id, text, rows))
            for update in updates:
                await self._book.send(update)

    @staticmethod
    def _who(row: MissedCallRecord) -> str:
        return row.claimed_by_name or str(row.claimed_by or "—")

    async def _text(
        self,
        row: MissedCallRecord,
        lang: Lang,
        *,
        masked: bool,
        viewer: MissedCallMessage | None,
    ) -> str:
        if row.missed_count > 1:
            at = row.last_missed_at.astimezone(self._zone).strftime("%H:%M")
            lines = [t(lang, "missed.title_count", count=row.missed_count, time=at)]
        else:
            lines = [t(lang, "missed.title")]
        contact = display_phone(row.contact_number, masked=masked)
        if row.contact_name:
            lines.append(t(lang, "missed.from_named", name=row.contact_name, contact=contact))
        else:
            lines.append(t(lang, "missed.from", contact=contact))
        if row.virtual_number:
            names = await self._book.names_for(0, favourites=False)
            number = display_phone(row.virtual_number)
            line_name = names.virtual_numbers.get(row.virtual_number)
            if line_name:
                lines.append(t(lang, "missed.to_named", number=number, name=line_name))
            else:
                lines.append(t(lang, "missed.to", number=number))
        if row.wait_seconds is not None:
            lines.append(t(lang, "missed.waited", duration=format_duration(lang, row.wait_seconds)))
        status = self._status(row, lang, viewer)
        if status:
            lines.append("")
            lines.append(status)
        return "\n".join(lines)

    def _status(self, row: MissedCallRecord, lang: Lang, viewer: MissedCallMessage | None) -> str:
        state, outcome = row.state, row.outcome
        if state == MissedCallState.CLAIMED.value:
            if viewer is not None and viewer.chat_id == row.claimed_by:
                return t(lang, "missed.claimed_you")  # the claimer's own private chat
            return t(lang, "missed.claimed", name=self._who(row))
        if state == MissedCallState.RESOLVED.value:
            if outcome == OUTCOME_GOT_THROUGH:
                return t(lang, "missed.got_through")
            return t(lang, "missed.talked", name=self._who(row))
        if outcome == OUTCOME_UNANSWERED:
            return t(lang, "missed.unanswered", name=row.claimed_by_name or "—")
        if outcome == OUTCOME_UNCONFIRMED:
            return t(lang, "missed.unconfirmed", name=row.claimed_by_name or "—")
        return ""
