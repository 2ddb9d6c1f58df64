"""Building blocks shared by the per-method models: base classes, field types, message object.

Params models forbid unknown keys (the server answers ``unexpected_parameters``), use strict scalar
types (a string where a number is documented is a ``data_type_error`` on the server) and normalise
phone numbers through :mod:`api.phones`. The default region for bare national numbers comes from
the validation context key ``"phone_region"`` (the client passes its setting; RU when absent).

Result models are lenient the other way round: they ignore keys they do not know, accept what the
docs show (``success`` as the string ``"true"`` or boolean ``true``) and allow ``null`` where the
examples show it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Final, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationInfo,
    model_validator,
)
from pydantic.config import JsonDict

from api.phones import DEFAULT_REGION, normalize_phone

__all__ = [
    "CALL_DIRECTIONS",
    "FORM_TAG_PREFIX",
    "PHONE_REGION_CONTEXT_KEY",
    "UNCERTAIN",
    "CallDirection",
    "CallSessionId",
    "CallSessionResult",
    "DialTarget",
    "DtmfKey",
    "DtmfSequence",
    "E164Phone",
    "EntityId",
    "Message",
    "MessageInput",
    "MessageType",
    "OperatorConfirmation",
    "ParamsModel",
    "PhoneOrSip",
    "ResultModel",
    "SuccessFlag",
    "SuccessResult",
    "VirtualPhoneUsageRule",
]

PHONE_REGION_CONTEXT_KEY: Final = "phone_region"
# Marker put into json_schema_extra of parameters the reference marks "uncertain".
UNCERTAIN: Final[JsonDict] = {"doc_status": "uncertain"}

CallDirection = Literal["in", "out"]
CALL_DIRECTIONS: Final = ("in", "out")
MessageType = Literal["media", "tts"]
VirtualPhoneUsageRule = Literal[
    "fixed", "fixed_for_numa", "random", "regional_random", "regional_fixed_for_numa"
]

# Ids are JSON numbers; the docs never show zero or negative ids.
EntityId = Annotated[StrictInt, Field(gt=0)]
CallSessionId = Annotated[StrictInt, Field(gt=0)]

# start.* dtmf_string: digits 0-9, '*', '#'; each '.' is a one-second pause (".12.1..4").
DtmfSequence = Annotated[StrictStr, Field(pattern=r"^[0-9*#.]+$", max_length=255)]
# send.dtmf: exactly one key per request.
DtmfKey = Annotated[StrictStr, Field(pattern=r"^[0-9*#]$")]
# start.simple_call operator_confirmation: one key, or "any" for any key.
OperatorConfirmation = Annotated[StrictStr, Field(pattern=r"^(?:[0-9*#]|any)$")]


def _region(info: ValidationInfo) -> str:
    context = info.context
    if isinstance(context, dict):
        region = context.get(PHONE_REGION_CONTEXT_KEY)
        if isinstance(region, str) and region:
            return region
    return DEFAULT_REGION


def _phone_field(
    *, allow_sip: bool = False, allow_extension: bool = False
) -> Callable[[str, ValidationInfo], str]:
    def validate(value: str, info: ValidationInfo) -> str:
        return normalize_phone(
            value,
            field=info.field_name or "phone",
            region=_region(info),
            allow_sip=allow_sip,
            allow_extension=allow_extension,
        )

    return validate


# A public-network number: E.164 digits without '+'.
E164Phone = Annotated[StrictStr, AfterValidator(_phone_field())]
# start.* contact: E.164 or an employee's SIP number; never an extension.
PhoneOrSip = Annotated[StrictStr, AfterValidator(_phone_field(allow_sip=True))]
# make.call to / employee.phone_number: E.164, SIP or an internal extension.
DialTarget = Annotated[
    StrictStr, AfterValidator(_phone_field(allow_sip=True, allow_extension=True))
]


def _parse_success(value: object) -> object:
    """Accept boolean true/false and the strings "true"/"false" (management examples)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError("success must be true/false or the string 'true'/'false'")


SuccessFlag = Annotated[bool, BeforeValidator(_parse_success)]


# A parameter documented in two forms (digits or an object) is a tagged union; the tag names
# the form in a validation error's location, where it is no field: the client drops it.
FORM_TAG_PREFIX: Final = "form:"


class ParamsModel(BaseModel):
    """Base of every params model: unknown keys are refused before anything is sent."""

    # hide_input_in_errors: a "missing field" error would otherwise echo the whole params dict,
    # access_token included, in str(ValidationError).
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    def to_wire(self) -> dict[str, Any]:
        """The JSON-ready params: only what the caller set, never ``null`` placeholders."""
        return self.model_dump(mode="json", exclude_unset=True, exclude_none=True)


class ResultModel(BaseModel):
    """Base of every result model: tolerant of keys the docs do not list."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)


class Message(ParamsModel):
    """Message object used by contact_message, employee_message, operator_message, to_message."""

    type: MessageType = Field(description="media = stored audio file; tts = text to speech")
    value: StrictStr = Field(
        min_length=1, description="media file id (as a string) or the TTS text"
    )

    @model_validator(mode="after")
    def _media_value_is_an_id(self) -> Self:
        if self.type == "media" and not self.value.isdigit():
            raise ValueError("a media message value must be a media file id (digits)")
        return self

    @classmethod
    def tts(cls, text: str) -> Message:
        """A text-to-speech message."""
        return cls(type="tts", value=text)

    @classmethod
    def media(cls, media_file_id: int | str) -> Message:
        """A stored audio file, by its media file id."""
        return cls(type="media", value=str(media_file_id))


class SuccessResult(ResultModel):
    """``{"success": "true"}`` (string in the examples) or ``{"success": true}``."""

    success: SuccessFlag


class CallSessionResult(ResultModel):
    """Result of every start.* method."""

    call_session_id: StrictInt


# Convenience for signatures: a message may be given as a model or as a plain mapping.
MessageInput = Message | dict[str, str]
