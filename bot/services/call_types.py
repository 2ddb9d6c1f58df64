"""The values the call services take and give: plain data, nothing of aiogram."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.callbacks import Action

if TYPE_CHECKING:
    from bot.services.tracked_call import TrackedCall


class StartKind(enum.StrEnum):
    EMPLOYEE = "start.employee_call"
    SIMPLE = "start.simple_call"
    VNUMBER = "start.vnumber_call"
    SCENARIO = "start.scenario_call"
    INFORMER = "start.informer_call"


@dataclass(frozen=True)
class StartRequest:
    kind: StartKind
    contact: str  # E.164 digits without '+' (normalised where the number was read)
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
    call: TrackedCall | None = None  # the ledger call of the start (its phase: what came of it)


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
