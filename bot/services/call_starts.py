"""Starting calls from the chat: what is still missing, the start request, and its card.

The ledger row exists before the request leaves (keyed by our external_id), so a start whose
reply is lost, or a process killed meanwhile, is found later rather than forgotten.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.client import BoundCallApi
from api.errors import CallApiClientError, OutcomeUnknownError
from api.models import Message
from api.phones import InvalidPhoneNumberError, classify_dial_target
from bot.services.actor import Actor
from bot.services.auth import AuthService
from bot.services.call_ledger import CallLedger
from bot.services.call_sync import CallSync, bound_api
from bot.services.call_types import MissingInput, StartKind, StartOutcome, StartRequest
from bot.services.card_book import CardBook
from bot.services.failures import NotSignedInError, failure_from
from bot.services.presentation import invalid_number_text
from bot.unit_of_work import Database
from db import call_settings as settings_store

ExpiryCheck = Callable[[int], Awaitable[int]]


class CallStarter:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        auth: AuthService,
        ledger: CallLedger,
        book: CardBook,
        sync: CallSync,
        default_region: str,
    ) -> None:
        self._db = Database(sessions)
        self._auth = auth
        self._ledger = ledger
        self._book = book
        self._sync = sync
        self._region = default_region
        self.on_card_live: ExpiryCheck | None = None

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
        async with self._db.unit() as session:
            effective = await settings_store.get_call_settings(
                session, actor.user_id, language_code=actor.language_code
            )
        return effective.default_virtual_number

    async def region_for(self, actor: Actor) -> str:
        async with self._db.unit() as session:
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
            # Checked again (a stored conversation step or a button may be old), as the E.164
            # number it is: read as digits alone, a user's region other than RU made
            # 79031234567 a German 7903 number.
            contact = self.normalise_contact("+" + request.contact.lstrip("+"), region)
        except InvalidPhoneNumberError:
            return StartOutcome(error=invalid_number_text(actor.lang, "field.contact"))
        external_id = f"tg-{secrets.token_hex(8)}"
        call = await self._ledger.open_start(
            external_id=external_id,
            contact_number=contact,
            virtual_number=request.virtual_number,
            scenario_id=request.scenario_id,
            employee_id=actor.employee_id,
            started_by=actor.user_id,
            rings_me_first=request.kind is StartKind.EMPLOYEE,
        )
        card = await self._book.add(actor, call, message_id)
        async with call.lock:
            call.sent_at = datetime.now(UTC)
            sent = time.monotonic()
            try:
                api = await bound_api(self._auth, actor)
                call_session_id = await self._send_start(api, actor, request, contact, external_id)
            except OutcomeUnknownError as exc:
                card.note = self._book.explain(actor.lang, failure_from(exc))
                self._sync.look_for_start(card, since=sent)
                return StartOutcome(update=await self._book.draw(card), call=call)
            except (CallApiClientError, NotSignedInError) as exc:
                failure = failure_from(exc, request.kind.value)
                card.note = self._book.explain(actor.lang, failure)
                await self._ledger.start_refused(call, failure.mnemonic, drawn_by=card.card_id)
                return StartOutcome(update=await self._book.draw(card), call=call)
            await self._ledger.start_replied(call, call_session_id, drawn_by=card.card_id)
            # A call can take a moment to appear in list.calls: one miss changes nothing.
            await self._sync.sync(card, api, second_look=False)
            self._sync.went_live(card)
            update = await self._book.draw(card)
        if self.on_card_live is not None:
            await self.on_card_live(actor.user_id)
        return StartOutcome(update=update, call=call)

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
