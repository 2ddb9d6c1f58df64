"""The call card's one table: every button, the phases it is offered in, what it does.

Buttons, the presses a card accepts, the phase a successful action leads to (shown until
`list.calls` confirms it), the menus and the exit reserve all read this table; nothing else
decides them. A row's ``phases`` are also the phases in which a press is sent at all: a press
on a card that has moved on redraws the card and sends nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from bot.callbacks import Action
from bot.services.call_view import Phase


class Menu(enum.StrEnum):
    MAIN = "main"
    TAG = "tag"
    KEYPAD = "keypad"
    TALK_OPTIONS = "talk_options"
    COACH = "coach"
    DISCONNECT = "disconnect"
    TRANSFER = "transfer"
    TRANSFER_NOW_CONFIRM = "transfer_now_confirm"
    BLOCK_CONFIRM = "block_confirm"


@dataclass(frozen=True)
class CardAction:
    action: Action
    phases: frozenset[Phase]  # offered in, and accepted in
    menu: Menu = Menu.MAIN  # the menu whose buttons carry it
    opens: Menu | None = None  # a menu button: changes nothing in UIS
    method: str | None = None  # the Call API method a press sends
    leads_to: Phase | None = None  # the diagram's next phase after a successful reply
    # Leaves the client waiting for a later action of ours (unhold, restore, release): sent only
    # while the budget keeps a point for each such way out.
    keeps_exit_reserve: bool = False
    # A successful reply is confirmed by the next shared list.calls (DTMF keys are not: a
    # refresh per key would double what a number entry costs).
    confirm_by_refresh: bool = True
    # The main-menu button shows only while recording is (True) / is not (False) on.
    while_recording: bool | None = None
    stays_in: Menu = Menu.MAIN  # the menu shown after a successful press


_LIVE = frozenset({Phase.DIALING, Phase.TALK, Phase.HOLD, Phase.DIALING_THIRD, Phase.CONSULTING})
_TALK = frozenset({Phase.TALK})
_HOLD = frozenset({Phase.HOLD})
_THIRD = frozenset({Phase.DIALING_THIRD})
_THIRD_OR_CONSULTING = frozenset({Phase.DIALING_THIRD, Phase.CONSULTING})


# Main-menu rows are listed in display order: a phase shows the rows offered in it, in order.
CARD_ACTIONS: tuple[CardAction, ...] = (
    CardAction(
        Action.HOLD, _TALK, method="hold.call", leads_to=Phase.HOLD, keeps_exit_reserve=True
    ),
    CardAction(Action.UNHOLD, _HOLD, method="unhold.call", leads_to=Phase.TALK),
    CardAction(Action.TRANSFER_MENU, _HOLD, opens=Menu.TRANSFER),
    CardAction(Action.TRANSFER_NOW_ASK, _THIRD, opens=Menu.TRANSFER_NOW_CONFIRM),
    CardAction(
        Action.COMPLETE_TRANSFER,
        frozenset({Phase.CONSULTING}),
        method="transfer.talk",
        leads_to=Phase.TRANSFERRED,
    ),
    CardAction(Action.RESTORE, _THIRD_OR_CONSULTING, method="restore.talk", leads_to=Phase.TALK),
    CardAction(Action.RECORD_ON, _TALK, method="record.call", while_recording=False),
    CardAction(Action.RECORD_OFF, _TALK, method="record.call", while_recording=True),
    CardAction(Action.TAG_MENU, _TALK, opens=Menu.TAG),
    CardAction(Action.KEYPAD, _TALK, opens=Menu.KEYPAD),
    # Opening it costs a list.talk_options: the options are the account's, not the card's.
    CardAction(Action.TALK_OPTIONS, _TALK, opens=Menu.TALK_OPTIONS, method="list.talk_options"),
    CardAction(Action.COACH_MENU, _TALK, opens=Menu.COACH),
    CardAction(Action.DISCONNECT_MENU, _TALK, opens=Menu.DISCONNECT),
    CardAction(Action.BLOCK_ASK, _TALK, opens=Menu.BLOCK_CONFIRM),
    CardAction(Action.RELEASE, _LIVE, method="release.call", leads_to=Phase.FINISHED),
    CardAction(Action.REFRESH, _LIVE, method="list.calls", confirm_by_refresh=False),
    # Sub-menu buttons: one per tag, key, option, coach, leg or transfer target.
    CardAction(Action.TAG, _TALK, menu=Menu.TAG, method="tag.call"),
    CardAction(
        Action.DTMF,
        _TALK,
        menu=Menu.KEYPAD,
        method="send.dtmf",
        confirm_by_refresh=False,
        stays_in=Menu.KEYPAD,
    ),
    CardAction(Action.TALK_OPTION, _TALK, menu=Menu.TALK_OPTIONS, method="call.talk_option"),
    CardAction(Action.COACH, _TALK, menu=Menu.COACH, method="add.coach"),
    CardAction(Action.DISCONNECT, _TALK, menu=Menu.DISCONNECT, method="disconnect.leg"),
    CardAction(Action.BLOCK_CONFIRM, _TALK, menu=Menu.BLOCK_CONFIRM, method="block.contact"),
    CardAction(
        Action.TRANSFER_TO,
        _HOLD,
        menu=Menu.TRANSFER,
        method="make.call",
        leads_to=Phase.DIALING_THIRD,
        keeps_exit_reserve=True,
    ),
    # Asks for a typed number; the number then goes out as TRANSFER_TO.
    CardAction(Action.TRANSFER_TYPED, _HOLD, menu=Menu.TRANSFER),
    CardAction(
        Action.TRANSFER_NOW,
        _THIRD,
        menu=Menu.TRANSFER_NOW_CONFIRM,
        method="transfer.talk",
        leads_to=Phase.TRANSFERRED,
    ),
)

ACTIONS: Mapping[Action, CardAction] = {row.action: row for row in CARD_ACTIONS}

# The phase each sub-menu belongs to (its opening button's): a phase change drops back to MAIN.
MENU_PHASE: Mapping[Menu, Phase] = {
    row.opens: next(iter(row.phases)) for row in CARD_ACTIONS if row.opens is not None
}


def main_actions(phase: Phase, recording: bool) -> tuple[Action, ...]:
    """The main menu's buttons in ``phase``, in display order."""
    return tuple(
        row.action
        for row in CARD_ACTIONS
        if row.menu is Menu.MAIN
        and phase in row.phases
        and (row.while_recording is None or row.while_recording is recording)
    )


def accepts(action: Action, phase: Phase) -> bool:
    """Whether a press of ``action`` is sent in ``phase`` (``BACK`` is always accepted)."""
    if action is Action.BACK:
        return True
    row = ACTIONS.get(action)
    return row is not None and phase in row.phases


def opened_menu(action: Action) -> Menu | None:
    if action is Action.BACK:
        return Menu.MAIN
    row = ACTIONS.get(action)
    return None if row is None else row.opens


def sends_request(action: Action) -> bool:
    """A press that changes the call in UIS (not a menu, not a refresh)."""
    row = ACTIONS.get(action)
    return row is not None and row.opens is None and row.method not in (None, "list.calls")
