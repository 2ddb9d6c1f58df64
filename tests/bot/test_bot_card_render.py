"""Drawing one call card: what it says must be true at the moment it is drawn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from api.models import CallInfo
from bot.callbacks import Action
from bot.services.call_view import LegRole, Phase, derive_view
from bot.services.cards import CardState, Names, render_card
from bot.services.presentation import display_phone
from bot.services.tracked_call import TrackedCall
from bot.texts import Lang, format_duration, t

ME = 101
CALLER = "79037777777"
VIRTUAL = "74993720692"
NAMES = Names(employees={ME: "Иван Петров"}, employee_phones={}, tags=[], favourites=[])
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _card(phase: Phase, **fields: Any) -> CardState:
    """A card showing a ledger call; ``fields`` are the call's (phase, view, started_at, ...)."""
    values: dict[str, Any] = {
        "ledger_id": 1,
        "call_session_id": 9,
        "external_id": None,
        "employee_id": ME,
        "contact_number": CALLER,
        "phase": phase,
    }
    values.update(fields)
    call = TrackedCall(**values)
    return CardState(
        card_id=1,
        chat_id=1001,
        message_id=5,
        owner_id=1001,
        employee_id=ME,
        lang=Lang.RU,
        masked=False,
        call=call,
    )


def _inbound(my_state: str = "Разговор", caller_state: str = "Разговор") -> CallInfo:
    return CallInfo.model_validate(
        {
            "call_session_id": 9,
            "direction": "in",
            "virtual_phone_number": VIRTUAL,
            "contact_phone_number": CALLER,
            "legs": [
                {
                    "leg_id": 1,
                    "calling_phone_number": CALLER,
                    "called_phone_number": VIRTUAL,
                    "state": caller_state,
                },
                {"leg_id": 2, "employee_id": ME, "state": my_state},
            ],
        }
    )


def _text(card: CardState) -> str:
    return render_card(card, NAMES, None, NOW).text


def test_the_caller_of_an_inbound_call_is_the_client() -> None:
    call = _inbound()
    card = _card(Phase.TALK, view=derive_view(9, call, ME))
    client = t(Lang.RU, "card.role.contact")
    line = next(line for line in _text(card).splitlines() if client in line and "•" in line)
    assert display_phone(CALLER) in line
    assert display_phone(VIRTUAL) not in line


def test_right_after_hold_the_participants_do_not_contradict_the_header() -> None:
    talking = derive_view(9, _inbound(), ME)
    card = _card(Phase.HOLD, view=talking)  # our hold.call succeeded, list.calls not yet
    text = _text(card)
    assert t(Lang.RU, "card.phase.hold") in text
    assert t(Lang.RU, "card.leg_status.talking") not in text
    me = t(Lang.RU, "card.leg_unconfirmed", role=t(Lang.RU, "card.role.me"), name="Иван Петров")
    assert me in text.splitlines()
    confirmed = _card(Phase.HOLD, view=derive_view(9, _inbound(caller_state="На удержании"), ME))
    assert t(Lang.RU, "card.leg_status.on_hold") in _text(confirmed)


def test_a_refused_start_shows_no_duration_and_no_buttons() -> None:
    card = _card(Phase.NOT_STARTED, call_session_id=None, started_at=NOW - timedelta(seconds=1))
    rendered = render_card(card, NAMES, None, NOW)
    assert t(Lang.RU, "card.phase.not_started") in rendered.text
    assert t(Lang.RU, "card.duration", duration="").split(":")[0] not in rendered.text
    assert rendered.rows == []


def test_my_phone_rings_first_only_until_the_client_rings() -> None:
    only_me = CallInfo.model_validate(
        {"call_session_id": 9, "legs": [{"leg_id": 2, "employee_id": ME, "state": "Дозвон"}]}
    )
    card = _card(Phase.DIALING, view=derive_view(9, only_me, ME), rings_me_first=True)
    assert t(Lang.RU, "call.your_phone_first") in _text(card)
    both = _inbound(my_state="Разговор", caller_state="Дозвон")
    card.call.view = derive_view(9, both, ME)
    assert card.call.view.phase is Phase.DIALING
    assert t(Lang.RU, "call.your_phone_first") not in _text(card)


def test_a_card_taken_over_after_a_restart_keeps_its_buttons_before_any_list_calls() -> None:
    card = _card(Phase.HOLD, view=None)
    actions = {button.action for row in render_card(card, NAMES, None, NOW).rows for button in row}
    assert {Action.UNHOLD, Action.RELEASE} <= actions


def test_no_answer_says_whose_phone_did_not_answer() -> None:
    client = _card(Phase.NO_ANSWER, unanswered_by=LegRole.CONTACT)
    mine = _card(Phase.NO_ANSWER, unanswered_by=LegRole.ME)
    assert t(Lang.RU, "card.no_answer.contact") in _text(client)
    assert t(Lang.RU, "card.no_answer.me") in _text(mine)


def test_a_finished_card_ends_with_a_summary() -> None:
    card = _card(
        Phase.FINISHED,
        started_at=NOW - timedelta(seconds=95),
        ended_at=NOW,
        talk_started_at=NOW - timedelta(seconds=80),
        tags_seen=["Горячий", "Повторный"],
        released_by="Иван Петров",
    )
    lines = render_card(card, NAMES, None, NOW).text.splitlines()
    assert t(Lang.RU, "card.summary.total", duration=format_duration(Lang.RU, 95)) in lines
    assert t(Lang.RU, "card.summary.talk", duration=format_duration(Lang.RU, 80)) in lines
    assert t(Lang.RU, "card.tags", tags="Горячий, Повторный") in lines
    assert t(Lang.RU, "card.summary.released_by", name="Иван Петров") in lines
    assert not any(line.startswith(t(Lang.RU, "card.duration", duration="")) for line in lines)


def test_uis_figures_win_and_a_call_ended_elsewhere_names_nobody() -> None:
    card = _card(
        Phase.FINISHED,
        started_at=NOW - timedelta(seconds=95),
        ended_at=NOW,
        talk_started_at=NOW - timedelta(seconds=80),
        uis_talk_seconds=77.0,
        uis_total_seconds=93.0,
    )
    text = render_card(card, NAMES, None, NOW).text
    assert t(Lang.RU, "card.summary.total", duration=format_duration(Lang.RU, 93)) in text
    assert t(Lang.RU, "card.summary.talk", duration=format_duration(Lang.RU, 77)) in text
    assert t(Lang.RU, "card.summary.released_by", name="").split(":")[0] not in text
    never_talked = _card(Phase.FINISHED, started_at=NOW - timedelta(seconds=20), ended_at=NOW)
    assert (
        t(Lang.RU, "card.summary.talk", duration="").split(":")[0]
        not in render_card(never_talked, NAMES, None, NOW).text
    )
