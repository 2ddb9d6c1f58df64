"""The call card's one table agrees with itself and with the Call API reference."""

from __future__ import annotations

import pytest

from api.methods import METHODS
from bot.callbacks import Action
from bot.services.call_view import Phase
from bot.services.card_table import (
    ACTIONS,
    CARD_ACTIONS,
    MENU_PHASE,
    Menu,
    accepts,
    main_actions,
    opened_menu,
)

LIVE = [Phase.DIALING, Phase.TALK, Phase.HOLD, Phase.DIALING_THIRD, Phase.CONSULTING]


def test_every_row_names_a_real_method_and_appears_once() -> None:
    assert len(ACTIONS) == len(CARD_ACTIONS)
    for row in CARD_ACTIONS:
        assert row.method is None or row.method in METHODS, row
        assert row.phases, row
        assert not any(phase.is_final for phase in row.phases), row


def test_the_exit_reserve_follows_the_methods_that_leave_the_client_waiting() -> None:
    for row in CARD_ACTIONS:
        if row.method is not None and row.opens is None:
            assert row.keeps_exit_reserve == METHODS[row.method].leaves_call_waiting, row


def test_a_way_out_is_offered_in_every_phase_that_leaves_the_client_waiting() -> None:
    for phase in LIVE:
        actions = main_actions(phase, recording=False)
        assert Action.RELEASE in actions
        assert Action.REFRESH in actions
        if phase.leaves_client_waiting:
            assert {Action.UNHOLD, Action.RESTORE} & set(actions), phase
            for action in actions:
                method = ACTIONS[action].method
                assert method is None or not METHODS[method].leaves_call_waiting


def test_every_leads_to_phase_offers_its_way_back() -> None:
    for row in CARD_ACTIONS:
        if row.leads_to is not None and not row.leads_to.is_final:
            assert main_actions(row.leads_to, recording=False), row


def test_each_menu_belongs_to_one_phase_and_has_buttons_there() -> None:
    for row in CARD_ACTIONS:
        if row.opens is not None:
            assert len(row.phases) == 1, row
    for menu in Menu:
        if menu is Menu.MAIN:
            continue
        phase = MENU_PHASE[menu]
        carried = [row for row in CARD_ACTIONS if row.menu is menu]
        assert carried, menu
        assert all(phase in row.phases for row in carried), menu


@pytest.mark.parametrize("phase", list(Phase))
def test_buttons_are_exactly_the_accepted_main_actions(phase: Phase) -> None:
    for recording in (False, True):
        shown = set(main_actions(phase, recording))
        accepted_main = {
            row.action
            for row in CARD_ACTIONS
            if row.menu is Menu.MAIN
            and accepts(row.action, phase)
            and row.while_recording in (None, recording)
        }
        assert shown == accepted_main


def test_recording_shows_exactly_one_record_button() -> None:
    on = main_actions(Phase.TALK, recording=False)
    off = main_actions(Phase.TALK, recording=True)
    assert Action.RECORD_ON in on
    assert Action.RECORD_OFF not in on
    assert Action.RECORD_OFF in off
    assert Action.RECORD_ON not in off


def test_back_always_returns_to_the_main_menu() -> None:
    assert opened_menu(Action.BACK) is Menu.MAIN
    assert all(accepts(Action.BACK, phase) for phase in Phase)
    assert not accepts(Action.TALK_OPTIONS_PAGE, Phase.TALK)
