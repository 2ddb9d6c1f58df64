"""The card's phase from list.calls legs, for both label languages."""

from __future__ import annotations

from typing import Any

import pytest

from api.models import CallInfo
from bot.callbacks import Action
from bot.services.call_view import (
    LegRole,
    Phase,
    classify_legs,
    derive_view,
    leg_number,
)
from bot.services.card_table import main_actions

ME = 101
CONTACT = "79031234567"
LABELS = {
    "ru": {
        "dial": "Дозвон",
        "talk": "Разговор",
        "queue": "На очереди",
        "hold": "На удержании",
        "ops": "Разговор операторов",
        "transfer": "Перевод вызова",
        "gone": "Разъединено",
    },
    "en": {
        "dial": "Dial",
        "talk": "Conversation",
        "queue": "Next in line",
        "hold": "On hold",
        "ops": "Operators talking",
        "transfer": "Call Transfer",
        "gone": "Disconnected",
    },
}


def _call(lang: str, **states: str) -> CallInfo:
    labels = LABELS[lang]
    legs: list[dict[str, Any]] = []
    if states.get("me", ""):
        legs.append(
            {"leg_id": 1, "employee_id": ME, "is_operator": True, "state": labels[states["me"]]}
        )
    if states.get("contact", ""):
        legs.append(
            {
                "leg_id": 2,
                "called_phone_number": CONTACT,
                "employee_id": None,
                "state": labels[states["contact"]],
            }
        )
    if states.get("third", ""):
        legs.append({"leg_id": 3, "employee_id": 102, "state": labels[states["third"]]})
    return CallInfo.model_validate(
        {"call_session_id": 9, "contact_phone_number": CONTACT, "legs": legs}
    )


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize(
    ("states", "phase"),
    [
        ({"me": "dial"}, Phase.DIALING),
        ({"me": "talk", "contact": "dial"}, Phase.DIALING),
        ({"me": "dial", "contact": "queue"}, Phase.DIALING),
        ({"me": "talk", "contact": "talk"}, Phase.TALK),
        ({"me": "talk", "contact": "hold"}, Phase.HOLD),
        ({"me": "transfer", "contact": "hold", "third": "dial"}, Phase.DIALING_THIRD),
        ({"me": "ops", "contact": "hold", "third": "ops"}, Phase.CONSULTING),
        ({"me": "gone", "contact": "talk", "third": "talk"}, Phase.TRANSFERRED),
        ({"me": "gone", "contact": "gone"}, Phase.FINISHED),
    ],
)
def test_phase_from_legs(lang: str, states: dict[str, str], phase: Phase) -> None:
    view = derive_view(9, _call(lang, **states), ME)
    assert view.phase is phase


def test_a_call_no_longer_listed_is_over() -> None:
    assert derive_view(9, None, ME).phase is Phase.FINISHED
    assert derive_view(9, None, ME, previous=Phase.TRANSFERRED).phase is Phase.TRANSFERRED


def test_roles_and_buttons() -> None:
    view = derive_view(9, _call("ru", me="talk", contact="talk", third="talk"), ME)
    assert view.roles == {1: LegRole.ME, 2: LegRole.CONTACT, 3: LegRole.EMPLOYEE}
    actions = main_actions(view.phase, view.recording)
    assert Action.HOLD in actions
    assert Action.RECORD_ON in actions


def test_recording_swaps_the_record_button() -> None:
    call = _call("ru", me="talk", contact="talk")
    recording = call.model_copy(
        update={"legs": [leg.model_copy(update={"record_call_enabled": True}) for leg in call.legs]}
    )
    view = derive_view(9, recording, ME)
    actions = main_actions(view.phase, view.recording)
    assert Action.RECORD_OFF in actions
    assert Action.RECORD_ON not in actions


@pytest.mark.parametrize(
    ("previous", "vanished_as"),
    [
        (Phase.STARTING, Phase.NOT_FOUND),  # a start we never confirmed
        (Phase.DIALING, Phase.NO_ANSWER),  # ended while still ringing
        (Phase.TALK, Phase.FINISHED),
        (Phase.HOLD, Phase.FINISHED),
        (Phase.TRANSFERRED, Phase.TRANSFERRED),
        (None, Phase.FINISHED),
    ],
)
def test_how_a_call_that_vanished_ended_depends_on_what_it_was(
    previous: Phase | None, vanished_as: Phase
) -> None:
    view = derive_view(9, None, ME, previous)
    assert view.phase is vanished_as
    assert view.phase.is_final


def test_phases_that_never_had_a_call_show_no_duration() -> None:
    assert not Phase.NOT_STARTED.had_a_call
    assert not Phase.NOT_FOUND.had_a_call
    assert Phase.NO_ANSWER.had_a_call
    assert {phase for phase in Phase if phase.leaves_client_waiting} == {
        Phase.HOLD,
        Phase.DIALING_THIRD,
        Phase.CONSULTING,
    }


def test_an_inbound_callers_leg_is_named_by_the_caller_not_the_virtual_number() -> None:
    caller, virtual = "79037777777", "74993720692"
    call = CallInfo.model_validate(
        {
            "call_session_id": 9,
            "direction": "in",
            "virtual_phone_number": virtual,
            "contact_phone_number": caller,
            "legs": [
                {"leg_id": 1, "calling_phone_number": caller, "called_phone_number": virtual},
                {"leg_id": 2, "employee_id": ME, "called_phone_number": "79160000101"},
                {"leg_id": 3, "called_phone_number": "79035550000...1.2"},
            ],
        }
    )
    roles = classify_legs(call, ME)
    assert roles == {1: LegRole.CONTACT, 2: LegRole.ME, 3: LegRole.OTHER}
    assert [leg_number(leg, call) for leg in call.legs] == [caller, "79160000101", "79035550000"]
