"""One typed async method per Call API method, shared by the client and its per-user views.

Each method validates its arguments through the method's params model before anything is sent
(unknown values, bad enums, bad phone numbers and DTMF strings raise
:class:`~api.errors.ParamsValidationError`) and returns a :class:`~api.reply.Reply` whose ``data``
is the method's result model. ``access_token`` is never an argument: it comes from the
credentials provider. Arguments left as ``None`` are not sent (the server's defaults apply), except
that every start.* method sends ``direction="out"`` and a fresh ``external_id`` unless given.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from api.models import (
    AddCoachResult,
    BlockContactResult,
    CallDirection,
    CallTalkOptionResult,
    DisconnectLegResult,
    EmployeeTarget,
    HoldCallResult,
    ListCallsResult,
    ListTalkOptionsResult,
    LoginUserResult,
    LogoutUserResult,
    MakeCallResult,
    MessageInput,
    RecordCallResult,
    ReleaseCallResult,
    RestoreTalkResult,
    SendDtmfResult,
    StartEmployeeCallResult,
    StartInformerCallResult,
    StartScenarioCallResult,
    StartSimpleCallResult,
    StartVnumberCallResult,
    TagCallResult,
    TransferTalkResult,
    UnholdCallResult,
    VirtualPhoneUsageRule,
)
from api.reply import Reply

__all__ = ["TypedMethods"]

ResultT = TypeVar("ResultT", bound=BaseModel)


def _collect(**arguments: Any) -> dict[str, Any]:
    """The arguments the caller actually gave (None = leave it to the server's default)."""
    return {name: value for name, value in arguments.items() if value is not None}


class TypedMethods(ABC):
    """Typed wrappers around :meth:`_call_model`; subclasses decide whose credentials are used."""

    @abstractmethod
    async def _call_model(
        self, method: str, params: dict[str, Any], result_type: type[ResultT]
    ) -> Reply[ResultT]:
        """Send ``method`` with ``params`` and return the reply parsed as ``result_type``."""

    async def login_user(self, *, login: str, password: str) -> Reply[LoginUserResult]:
        """login.user: exchange a login and password for a one-hour session key."""
        return await self._call_model(
            "login.user", _collect(login=login, password=password), LoginUserResult
        )

    async def logout_user(self) -> Reply[LogoutUserResult]:
        """logout.user: delete a login.user session key (never a permanent key)."""
        return await self._call_model("logout.user", {}, LogoutUserResult)

    async def start_employee_call(
        self,
        *,
        virtual_phone_number: str,
        contact: str,
        first_call: Literal["contact", "employee"],
        employee: EmployeeTarget | dict[str, Any],
        virtual_phone_usage_rule: VirtualPhoneUsageRule | None = None,
        external_id: str | None = None,
        dtmf_string: str | None = None,
        direction: CallDirection | None = None,
        switch_at_once: bool | None = None,
        early_switching: bool | None = None,
        media_file_id: int | None = None,
        virtual_number_group: int | None = None,
        show_virtual_phone_number: bool | None = None,
        contact_message: MessageInput | None = None,
        employee_message: MessageInput | None = None,
    ) -> Reply[StartEmployeeCallResult]:
        """start.employee_call: ring one employee and the contact (click-to-call)."""
        return await self._call_model(
            "start.employee_call",
            _collect(
                virtual_phone_number=virtual_phone_number,
                virtual_phone_usage_rule=virtual_phone_usage_rule,
                external_id=external_id,
                dtmf_string=dtmf_string,
                direction=direction,
                contact=contact,
                first_call=first_call,
                switch_at_once=switch_at_once,
                early_switching=early_switching,
                media_file_id=media_file_id,
                virtual_number_group=virtual_number_group,
                show_virtual_phone_number=show_virtual_phone_number,
                employee=employee,
                contact_message=contact_message,
                employee_message=employee_message,
            ),
            StartEmployeeCallResult,
        )

    async def start_scenario_call(
        self,
        *,
        virtual_phone_number: str,
        contact: str,
        first_call: Literal["contact", "employee"],
        scenario_id: int,
        virtual_phone_usage_rule: VirtualPhoneUsageRule | None = None,
        external_id: str | None = None,
        dtmf_string: str | None = None,
        direction: CallDirection | None = None,
        switch_at_once: bool | None = None,
        early_switching: bool | None = None,
        contact_message: MessageInput | None = None,
        employee_message: MessageInput | None = None,
    ) -> Reply[StartScenarioCallResult]:
        """start.scenario_call: a PBX scenario rings the employee side, then the contact."""
        return await self._call_model(
            "start.scenario_call",
            _collect(
                virtual_phone_number=virtual_phone_number,
                virtual_phone_usage_rule=virtual_phone_usage_rule,
                external_id=external_id,
                dtmf_string=dtmf_string,
                direction=direction,
                contact=contact,
                first_call=first_call,
                switch_at_once=switch_at_once,
                early_switching=early_switching,
                scenario_id=scenario_id,
                contact_message=contact_message,
                employee_message=employee_message,
            ),
            StartScenarioCallResult,
        )

    async def start_vnumber_call(
        self,
        *,
        virtual_phone_number: str,
        contact: str,
        first_call: Literal["contact", "employee"],
        virtual_phone_usage_rule: VirtualPhoneUsageRule | None = None,
        external_id: str | None = None,
        dtmf_string: str | None = None,
        direction: CallDirection | None = None,
        switch_at_once: bool | None = None,
        early_switching: bool | None = None,
        contact_message: MessageInput | None = None,
    ) -> Reply[StartVnumberCallResult]:
        """start.vnumber_call: as if the contact had called the virtual number."""
        return await self._call_model(
            "start.vnumber_call",
            _collect(
                virtual_phone_number=virtual_phone_number,
                virtual_phone_usage_rule=virtual_phone_usage_rule,
                external_id=external_id,
                dtmf_string=dtmf_string,
                direction=direction,
                contact=contact,
                first_call=first_call,
                switch_at_once=switch_at_once,
                early_switching=early_switching,
                contact_message=contact_message,
            ),
            StartVnumberCallResult,
        )

    async def start_informer_call(
        self,
        *,
        virtual_phone_number: str,
        contact: str,
        contact_message: MessageInput,
        virtual_phone_usage_rule: VirtualPhoneUsageRule | None = None,
        external_id: str | None = None,
        dtmf_string: str | None = None,
        direction: CallDirection | None = None,
        dialing_timeout: int | None = None,
    ) -> Reply[StartInformerCallResult]:
        """start.informer_call: call the contact, play a message, hang up."""
        return await self._call_model(
            "start.informer_call",
            _collect(
                virtual_phone_number=virtual_phone_number,
                virtual_phone_usage_rule=virtual_phone_usage_rule,
                external_id=external_id,
                dtmf_string=dtmf_string,
                direction=direction,
                contact=contact,
                dialing_timeout=dialing_timeout,
                contact_message=contact_message,
            ),
            StartInformerCallResult,
        )

    async def start_simple_call(
        self,
        *,
        virtual_phone_number: str,
        contact: str,
        first_call: Literal["contact", "operator"],
        operator: str | Mapping[str, Any],
        virtual_phone_usage_rule: VirtualPhoneUsageRule | None = None,
        external_id: str | None = None,
        dtmf_string: str | None = None,
        direction: CallDirection | None = None,
        switch_at_once: bool | None = None,
        early_switching: bool | None = None,
        media_file_id: int | None = None,
        show_virtual_phone_number: bool | None = None,
        operator_confirmation: str | None = None,
        contact_message: MessageInput | None = None,
        operator_message: MessageInput | None = None,
    ) -> Reply[StartSimpleCallResult]:
        """start.simple_call: connect an arbitrary operator number with the contact."""
        return await self._call_model(
            "start.simple_call",
            _collect(
                virtual_phone_number=virtual_phone_number,
                virtual_phone_usage_rule=virtual_phone_usage_rule,
                external_id=external_id,
                dtmf_string=dtmf_string,
                direction=direction,
                contact=contact,
                first_call=first_call,
                switch_at_once=switch_at_once,
                early_switching=early_switching,
                media_file_id=media_file_id,
                show_virtual_phone_number=show_virtual_phone_number,
                operator=operator,
                operator_confirmation=operator_confirmation,
                contact_message=contact_message,
                operator_message=operator_message,
            ),
            StartSimpleCallResult,
        )

    async def make_call(
        self, *, call_session_id: int, to: str, to_message: MessageInput | None = None
    ) -> Reply[MakeCallResult]:
        """make.call: while the client is on hold, dial a third party (consultation / transfer)."""
        return await self._call_model(
            "make.call",
            _collect(call_session_id=call_session_id, to=to, to_message=to_message),
            MakeCallResult,
        )

    async def transfer_talk(self, *, call_session_id: int) -> Reply[TransferTalkResult]:
        """transfer.talk: connect the held client with the third party; the operator drops out."""
        return await self._call_model(
            "transfer.talk", _collect(call_session_id=call_session_id), TransferTalkResult
        )

    async def restore_talk(self, *, call_session_id: int) -> Reply[RestoreTalkResult]:
        """restore.talk: drop the third party and reconnect the operator with the client."""
        return await self._call_model(
            "restore.talk", _collect(call_session_id=call_session_id), RestoreTalkResult
        )

    async def hold_call(
        self, *, call_session_id: int, contact_message: MessageInput
    ) -> Reply[HoldCallResult]:
        """hold.call: put the client on hold with a message or music (required before make.call)."""
        return await self._call_model(
            "hold.call",
            _collect(call_session_id=call_session_id, contact_message=contact_message),
            HoldCallResult,
        )

    async def unhold_call(self, *, call_session_id: int) -> Reply[UnholdCallResult]:
        """unhold.call: take the client off hold."""
        return await self._call_model(
            "unhold.call", _collect(call_session_id=call_session_id), UnholdCallResult
        )

    async def tag_call(self, *, call_session_id: int, tag_id: int) -> Reply[TagCallResult]:
        """tag.call: attach one of the account's tags to the live call."""
        return await self._call_model(
            "tag.call", _collect(call_session_id=call_session_id, tag_id=tag_id), TagCallResult
        )

    async def disconnect_leg(
        self, *, call_session_id: int, leg_id: int
    ) -> Reply[DisconnectLegResult]:
        """disconnect.leg: hang up one participant (leg ids come from list.calls)."""
        return await self._call_model(
            "disconnect.leg",
            _collect(call_session_id=call_session_id, leg_id=leg_id),
            DisconnectLegResult,
        )

    async def add_coach(
        self, *, call_session_id: int, phone_number: str | None = None
    ) -> Reply[AddCoachResult]:
        """add.coach: bring in the configured coach, or the given number."""
        return await self._call_model(
            "add.coach",
            _collect(call_session_id=call_session_id, phone_number=phone_number),
            AddCoachResult,
        )

    async def record_call(
        self, *, call_session_id: int, action: Literal["on", "off"]
    ) -> Reply[RecordCallResult]:
        """record.call: start or stop recording the conversation."""
        return await self._call_model(
            "record.call",
            _collect(call_session_id=call_session_id, action=action),
            RecordCallResult,
        )

    async def block_contact(self, *, call_session_id: int) -> Reply[BlockContactResult]:
        """block.contact: add the call's contact to the account blacklist."""
        return await self._call_model(
            "block.contact", _collect(call_session_id=call_session_id), BlockContactResult
        )

    async def call_talk_option(
        self, *, call_session_id: int, button: str
    ) -> Reply[CallTalkOptionResult]:
        """call.talk_option: trigger a talk option as if the operator pressed its key."""
        return await self._call_model(
            "call.talk_option",
            _collect(call_session_id=call_session_id, button=button),
            CallTalkOptionResult,
        )

    async def send_dtmf(self, *, call_session_id: int, dtmf_string: str) -> Reply[SendDtmfResult]:
        """send.dtmf: send ONE DTMF key on behalf of the employee."""
        return await self._call_model(
            "send.dtmf",
            _collect(call_session_id=call_session_id, dtmf_string=dtmf_string),
            SendDtmfResult,
        )

    async def list_talk_options(self) -> Reply[ListTalkOptionsResult]:
        """list.talk_options: which key does what in the account's PBX."""
        return await self._call_model("list.talk_options", {}, ListTalkOptionsResult)

    async def list_calls(
        self, *, direction: CallDirection | None = None, virtual_phone_number: str | None = None
    ) -> Reply[ListCallsResult]:
        """list.calls: calls in progress right now."""
        return await self._call_model(
            "list.calls",
            _collect(direction=direction, virtual_phone_number=virtual_phone_number),
            ListCallsResult,
        )

    async def release_call(self, *, call_session_id: int) -> Reply[ReleaseCallResult]:
        """release.call: hang up the whole session."""
        return await self._call_model(
            "release.call", _collect(call_session_id=call_session_id), ReleaseCallResult
        )
