"""Call-management methods: actions on a live call session and the two list.* methods."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BeforeValidator,
    Field,
    RootModel,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
)

from api.models.common import (
    CallDirection,
    CallSessionId,
    DialTarget,
    DtmfKey,
    E164Phone,
    EntityId,
    Message,
    ParamsModel,
    PhoneOrSip,
    ResultModel,
    SuccessResult,
)

__all__ = [
    "TALK_OPTION_MNEMONICS",
    "AddCoachParams",
    "AddCoachResult",
    "BlockContactParams",
    "BlockContactResult",
    "CallInfo",
    "CallLeg",
    "CallTag",
    "CallTalkOptionParams",
    "CallTalkOptionResult",
    "DisconnectLegParams",
    "DisconnectLegResult",
    "HoldCallParams",
    "HoldCallResult",
    "LegState",
    "ListCallsParams",
    "ListCallsResult",
    "ListTalkOptionsParams",
    "ListTalkOptionsResult",
    "MakeCallParams",
    "MakeCallResult",
    "RecordCallParams",
    "RecordCallResult",
    "ReleaseCallParams",
    "ReleaseCallResult",
    "RestoreTalkParams",
    "RestoreTalkResult",
    "SendDtmfParams",
    "SendDtmfResult",
    "TagCallParams",
    "TagCallResult",
    "TalkOption",
    "TalkOptionValue",
    "TransferTalkParams",
    "TransferTalkResult",
    "UnholdCallParams",
    "UnholdCallResult",
]


class _SessionParams(ParamsModel):
    """Every call-management action names the session it acts on."""

    access_token: StrictStr = Field(min_length=1, repr=False)
    call_session_id: CallSessionId


class MakeCallParams(_SessionParams):
    """make.call: while the client is on hold, dial a third party (consultation / transfer)."""

    to: DialTarget = Field(description="E.164, extension, employee's number or SIP")
    to_message: Message | None = None


class MakeCallResult(SuccessResult):
    """``success``."""


class TransferTalkParams(_SessionParams):
    """transfer.talk: connect the held client with the third party; the operator drops out."""


class TransferTalkResult(SuccessResult):
    """``success``."""


class RestoreTalkParams(_SessionParams):
    """restore.talk: drop the third party and reconnect the operator with the client."""


class RestoreTalkResult(SuccessResult):
    """``success``."""


class HoldCallParams(_SessionParams):
    """hold.call: put the client on hold with a message or music (required before make.call)."""

    contact_message: Message


class HoldCallResult(SuccessResult):
    """``success``."""


class UnholdCallParams(_SessionParams):
    """unhold.call: take the client off hold."""


class UnholdCallResult(SuccessResult):
    """``success``."""


class TagCallParams(_SessionParams):
    """tag.call: attach one of the account's tags to the live call."""

    tag_id: EntityId


class TagCallResult(SuccessResult):
    """``success``."""


class DisconnectLegParams(_SessionParams):
    """disconnect.leg: hang up one participant (leg ids come from list.calls)."""

    leg_id: EntityId


class DisconnectLegResult(SuccessResult):
    """``success``."""


class AddCoachParams(_SessionParams):
    """add.coach: bring in the configured coach, or the given number."""

    # The docs do not say which number forms are allowed; a coach is a person with a phone or a
    # SIP line, so we accept E.164 and SIP.
    phone_number: PhoneOrSip | None = None


class AddCoachResult(SuccessResult):
    """``success``."""


class RecordCallParams(_SessionParams):
    """record.call: start or stop recording the conversation."""

    action: Literal["on", "off"]


class RecordCallResult(SuccessResult):
    """``success``."""


class BlockContactParams(_SessionParams):
    """block.contact: add the call's contact to the account blacklist."""


class BlockContactResult(SuccessResult):
    """``success``."""


class CallTalkOptionParams(_SessionParams):
    """call.talk_option: trigger a talk option as if the operator pressed its key."""

    button: StrictStr = Field(min_length=1, description="key from list.talk_options")


class CallTalkOptionResult(SuccessResult):
    """``success``."""


class SendDtmfParams(_SessionParams):
    """send.dtmf: send ONE DTMF key on behalf of the employee."""

    dtmf_string: DtmfKey


class SendDtmfResult(SuccessResult):
    """``success``."""


class ReleaseCallParams(_SessionParams):
    """release.call: hang up the whole session."""


class ReleaseCallResult(SuccessResult):
    """``success``."""


class ListTalkOptionsParams(ParamsModel):
    """list.talk_options: which key does what in the account's PBX."""

    access_token: StrictStr = Field(min_length=1, repr=False)


# Documented option mnemonics; results keep any string so a new option does not break parsing.
TALK_OPTION_MNEMONICS: Final = frozenset(
    {
        "finish_conversation",
        "tag_call",
        "record_talk",
        "transfer_call",
        "run_scenario",
        "call_coach",
        "receive_fax",
        "save_numa",
    }
)


class TalkOptionValue(ResultModel):
    """The object a talk option is bound to (e.g. a tag or a scenario)."""

    id: StrictInt
    value: StrictStr | None = None


class TalkOption(ResultModel):
    """One talk option."""

    button: StrictStr
    mnemonic: StrictStr
    name: StrictStr | None = None
    button_value: TalkOptionValue | None = None

    @property
    def is_known(self) -> bool:
        """True when the mnemonic is one the docs list."""
        return self.mnemonic in TALK_OPTION_MNEMONICS


class ListTalkOptionsResult(RootModel[list[TalkOption]]):
    """``result.data`` is an array of talk options."""

    def __iter__(self) -> Iterator[TalkOption]:  # type: ignore[override]
        return iter(self.root)

    def __len__(self) -> int:
        return len(self.root)

    def __getitem__(self, index: int) -> TalkOption:
        return self.root[index]


class ListCallsParams(ParamsModel):
    """list.calls: calls in progress right now."""

    access_token: StrictStr = Field(min_length=1, repr=False)
    direction: CallDirection | None = None
    virtual_phone_number: E164Phone | None = Field(
        default=None, description="the docs say it must start with 7"
    )

    @field_validator("virtual_phone_number")
    @classmethod
    def _starts_with_seven(cls, number: str | None) -> str | None:
        # Documented rule, checked on the normalised number.
        if number is not None and not number.startswith("7"):
            raise ValueError("list.calls only accepts a virtual_phone_number starting with 7")
        return number


class LegState(StrEnum):
    """Canonical participant state behind list.calls' localized ``legs[].state`` labels."""

    DIALING = "dialing"
    TALKING = "talking"
    QUEUED = "queued"
    DISCONNECTED = "disconnected"
    OPERATORS_TALKING = "operators_talking"
    ON_HOLD = "on_hold"
    TRANSFERRING = "transferring"
    SENDING_DTMF = "sending_dtmf"
    RECEIVING_FAX = "receiving_fax"
    FAX_RECEIVED = "fax_received"
    SENDING_FAX = "sending_fax"
    FAX_SENT = "fax_sent"
    UNKNOWN = "unknown"

    @classmethod
    def from_label(cls, label: str | None) -> LegState:
        """Map a RU or EN label (case-insensitive) to a state; UNKNOWN for anything else."""
        if label is None:
            return cls.UNKNOWN
        return _LEG_STATE_LABELS.get(label.strip().casefold(), cls.UNKNOWN)


_LEG_STATE_LABELS: Final[dict[str, LegState]] = {
    label.casefold(): state
    for state, labels in {
        LegState.DIALING: ("Дозвон", "Dial", "Dialing"),
        # "Talking" is what the EN example shows although the EN list says "Conversation".
        LegState.TALKING: ("Разговор", "Conversation", "Talking"),
        LegState.QUEUED: ("На очереди", "Next in line"),
        LegState.DISCONNECTED: ("Разъединено", "Disconnected"),
        LegState.OPERATORS_TALKING: ("Разговор операторов", "Operators talking"),
        LegState.ON_HOLD: ("На удержании", "On hold"),
        LegState.TRANSFERRING: ("Перевод вызова", "Call Transfer"),
        LegState.SENDING_DTMF: ("Отправка dtmf", "Sending DTMF"),
        LegState.RECEIVING_FAX: ("Получение факса", "Receiving a fax"),
        LegState.FAX_RECEIVED: ("Факс получен", "Fax received"),
        LegState.SENDING_FAX: ("Отправка факса", "Sending a fax"),
        LegState.FAX_SENT: ("Факс отправлен", "Fax sent"),
    }.items()
    for label in labels
}


class CallTag(ResultModel):
    """A tag set on a call."""

    tag_id: StrictInt
    tag_name: StrictStr | None = None


class CallLeg(ResultModel):
    """One participant of a call. The example shows nulls for non-employee legs."""

    leg_id: StrictInt
    calling_phone_number: StrictStr | None = None
    # May carry a DTMF tail, e.g. "74959268686...9.2.3.3".
    called_phone_number: StrictStr | None = None
    is_operator: StrictBool | None = None
    employee_id: StrictInt | None = None
    employee_full_name: StrictStr | None = None
    record_call_enabled: StrictBool | None = None
    state: StrictStr | None = Field(default=None, description="localized display label")

    @property
    def state_kind(self) -> LegState:
        """The canonical state behind the localized label."""
        return LegState.from_label(self.state)


class CallInfo(ResultModel):
    """A call in progress."""

    call_session_id: StrictInt
    direction: CallDirection | None = None
    # Documented 'YYYY-MM-DD hh:mm:ss', example '2016-10-19T12:26:48.418'; both parse.
    start_time: datetime | None = None
    virtual_phone_number: StrictStr | None = None
    contact_phone_number: StrictStr | None = None
    external_id: StrictStr | None = None
    tags: list[CallTag] = Field(default_factory=list)
    legs: list[CallLeg] = Field(default_factory=list)


def _one_call_as_a_list(value: Any) -> Any:
    # A public client's fixtures show `data` as the one call object itself, not an array of
    # one; the reference shows an array. Both mean the same list of calls.
    return [value] if isinstance(value, dict) else value


class ListCallsResult(RootModel[Annotated[list[CallInfo], BeforeValidator(_one_call_as_a_list)]]):
    """``result.data``: the calls in progress, an array (or, as seen in the wild, one object)."""

    def __iter__(self) -> Iterator[CallInfo]:  # type: ignore[override]
        return iter(self.root)

    def __len__(self) -> int:
        return len(self.root)

    def __getitem__(self, index: int) -> CallInfo:
        return self.root[index]

    def find_by_external_id(self, external_id: str) -> CallInfo | None:
        """The call started with this external_id, if it is still in progress."""
        return next((call for call in self.root if call.external_id == external_id), None)

    def find_by_session(self, call_session_id: int) -> CallInfo | None:
        """The call with this session id, if it is still in progress."""
        return next((call for call in self.root if call.call_session_id == call_session_id), None)
