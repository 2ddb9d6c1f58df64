"""The five start.* methods that originate a call and return its call_session_id.

Optional parameters default to ``None`` and are left out of the request unless the caller sets
them, so the server's documented defaults apply (switch_at_once=false, direction=in, ...). The
client, not these models, fills in ``direction="out"`` and a fresh ``external_id`` for calls it
starts on a manager's behalf.

early_switching: the two doc editions state its allowed combination in opposite ways, so we do not
enforce it locally; the server answers ``invalid_parameters_combination`` if it disagrees.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Discriminator, Field, StrictBool, StrictInt, StrictStr, Tag

from api.models.common import (
    FORM_TAG_PREFIX,
    UNCERTAIN,
    CallDirection,
    CallSessionResult,
    DialTarget,
    DtmfSequence,
    E164Phone,
    EntityId,
    Message,
    OperatorConfirmation,
    ParamsModel,
    PhoneOrSip,
    VirtualPhoneUsageRule,
)

__all__ = [
    "EmployeeTarget",
    "OperatorTarget",
    "StartEmployeeCallParams",
    "StartEmployeeCallResult",
    "StartInformerCallParams",
    "StartInformerCallResult",
    "StartScenarioCallParams",
    "StartScenarioCallResult",
    "StartSimpleCallParams",
    "StartSimpleCallResult",
    "StartVnumberCallParams",
    "StartVnumberCallResult",
]

# start.informer_call dialing_timeout: "up to 120 seconds", default 30.
DialingTimeout = Annotated[StrictInt, Field(ge=1, le=120)]


class _StartCallParams(ParamsModel):
    """Parameters every start.* method shares."""

    access_token: StrictStr = Field(min_length=1, repr=False)
    virtual_phone_number: E164Phone = Field(
        description="the account's rented virtual number, caller id shown to the contact"
    )
    virtual_phone_usage_rule: VirtualPhoneUsageRule | None = Field(
        default=None, description="server default: fixed"
    )
    external_id: StrictStr | None = Field(
        default=None, min_length=1, description="our correlation id, echoed by list.calls"
    )
    dtmf_string: DtmfSequence | None = Field(
        default=None, description="digits for the contact after answer; '.' = 1 s pause"
    )
    direction: CallDirection | None = Field(default=None, description="server default: in")
    contact: PhoneOrSip = Field(description="the number to call: E.164 digits or a SIP number")


class EmployeeTarget(ParamsModel):
    """start.employee_call ``employee``: which employee (and optionally which of their numbers)."""

    id: EntityId
    phone_number: DialTarget | None = Field(
        default=None, description="SIP, extension or E.164; all active numbers when omitted"
    )


class OperatorTarget(ParamsModel):
    """start.simple_call ``operator`` in the object form of the documentation's request example
    (``{"id": 25, "phone_number": "79260000001"}``); the parameter table says a plain string.
    Both are accepted and sent as given."""

    id: EntityId | None = None
    phone_number: E164Phone


def _operator_form(value: object) -> str:
    return FORM_TAG_PREFIX + ("object" if isinstance(value, dict | OperatorTarget) else "digits")


class StartEmployeeCallParams(_StartCallParams):
    """start.employee_call: ring one employee and the contact (click-to-call)."""

    first_call: Literal["contact", "employee"]
    switch_at_once: StrictBool | None = Field(default=None, description="server default: false")
    early_switching: StrictBool | None = Field(default=None, description="server default: false")
    media_file_id: EntityId | None = Field(default=None, description="waiting music file id")
    virtual_number_group: StrictInt | None = Field(
        default=None,
        json_schema_extra=UNCERTAIN,
        description="UNCERTAIN (one stored doc edition only); never sent unless set",
    )
    show_virtual_phone_number: StrictBool | None = Field(
        default=None, description="server default: true"
    )
    employee: EmployeeTarget
    contact_message: Message | None = None
    employee_message: Message | None = None


class StartEmployeeCallResult(CallSessionResult):
    """The new call_session_id."""


class StartScenarioCallParams(_StartCallParams):
    """start.scenario_call: a PBX scenario rings the employee side, then the contact."""

    first_call: Literal["contact", "employee"]
    switch_at_once: StrictBool | None = Field(default=None, description="server default: false")
    early_switching: StrictBool | None = Field(default=None, description="server default: false")
    scenario_id: EntityId
    contact_message: Message | None = None
    employee_message: Message | None = None


class StartScenarioCallResult(CallSessionResult):
    """The new call_session_id."""


class StartVnumberCallParams(_StartCallParams):
    """start.vnumber_call: as if the contact had called the virtual number."""

    first_call: Literal["contact", "employee"]
    switch_at_once: StrictBool | None = Field(default=None, description="server default: false")
    early_switching: StrictBool | None = Field(default=None, description="server default: false")
    contact_message: Message | None = None


class StartVnumberCallResult(CallSessionResult):
    """The new call_session_id."""


class StartInformerCallParams(_StartCallParams):
    """start.informer_call: call the contact, play a message, hang up."""

    dialing_timeout: DialingTimeout | None = Field(
        default=None, description="seconds to wait for an answer, up to 120; server default 30"
    )
    contact_message: Message


class StartInformerCallResult(CallSessionResult):
    """The new call_session_id."""


class StartSimpleCallParams(_StartCallParams):
    """start.simple_call: connect an arbitrary operator number with the contact."""

    first_call: Literal["contact", "operator"]
    switch_at_once: StrictBool | None = Field(default=None, description="server default: false")
    early_switching: StrictBool | None = Field(default=None, description="server default: false")
    media_file_id: EntityId | None = Field(default=None, description="waiting music file id")
    show_virtual_phone_number: StrictBool | None = Field(
        default=None, description="server default: true"
    )
    operator: Annotated[
        Annotated[E164Phone, Tag(FORM_TAG_PREFIX + "digits")]
        | Annotated[OperatorTarget, Tag(FORM_TAG_PREFIX + "object")],
        Discriminator(_operator_form),
    ] = Field(description="the operator's number (not an employee): digits, or {id?, phone_number}")
    operator_confirmation: OperatorConfirmation | None = Field(
        default=None, description="key the operator must press first (0-9, *, # or 'any')"
    )
    contact_message: Message | None = None
    operator_message: Message | None = None


class StartSimpleCallResult(CallSessionResult):
    """The new call_session_id."""
