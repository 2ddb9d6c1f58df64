"""A call card: one chat message per call, redrawn in place with the buttons its phase allows.

This module only builds text and button specifications; turning them into Telegram markup
(and issuing the one-shot token the buttons carry) is the caller's job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from api.models import CallLeg, LegState, TalkOption
from bot.callbacks import Action
from bot.services.call_view import CallView, LegRole, Phase, leg_number
from bot.services.card_table import MENU_PHASE, Menu, main_actions
from bot.services.presentation import display_phone
from bot.services.tracked_call import TrackedCall
from bot.texts import Lang, Raw, format_duration, t

DTMF_KEYS = "123456789*0#"

_BUTTON_TEXT: Mapping[Action, str] = {
    Action.REFRESH: "btn.refresh",
    Action.HOLD: "btn.hold",
    Action.UNHOLD: "btn.unhold",
    Action.RECORD_ON: "btn.record_on",
    Action.RECORD_OFF: "btn.record_off",
    Action.TAG_MENU: "btn.tag",
    Action.KEYPAD: "btn.keypad",
    Action.TALK_OPTIONS: "btn.talk_options",
    Action.COACH_MENU: "btn.coach",
    Action.DISCONNECT_MENU: "btn.disconnect_leg",
    Action.BLOCK_ASK: "btn.block",
    Action.TRANSFER_MENU: "btn.transfer",
    Action.TRANSFER_NOW_ASK: "btn.transfer_now",
    Action.RESTORE: "btn.restore",
    Action.COMPLETE_TRANSFER: "btn.complete_transfer",
}


@dataclass(frozen=True)
class Button:
    label: str
    action: Action
    argument: int = 0


@dataclass(frozen=True)
class RenderedCard:
    text: str
    rows: list[list[Button]]


@dataclass
class TransferTarget:
    number: str  # what make.call gets: E.164 digits, extension or SIP
    label: str


@dataclass
class CardState:
    """One message showing a ledger call to its owner: the call's facts are the ledger's, the
    menu, the note and the buttons' one-shot token are the card's own."""

    card_id: int
    chat_id: int
    message_id: int
    owner_id: int
    employee_id: int | None
    lang: Lang
    masked: bool
    call: TrackedCall
    menu: Menu = Menu.MAIN
    transfer_target: TransferTarget | None = None
    note: str | None = None  # outcome of the last action (HTML), shown under the card
    talk_options: list[TalkOption] = field(default_factory=list)
    # The one-shot token the drawn buttons carry, and what they were: a redraw with the same
    # buttons keeps the token, so a press on the previous drawing of the card still counts.
    token: str | None = None
    token_shown: bool = False  # False: issued with a press's claim, on no message yet
    buttons_key: tuple[tuple[str, int, int], ...] = ()

    @property
    def phase(self) -> Phase:
        return self.call.phase

    @property
    def view(self) -> CallView | None:
        return self.call.view

    @property
    def call_session_id(self) -> int | None:
        return self.call.call_session_id

    @property
    def contact_number(self) -> str | None:
        return self.call.contact_number

    @property
    def started_at(self) -> datetime | None:
        return self.call.started_at

    @property
    def ended_at(self) -> datetime | None:
        return self.call.ended_at

    @property
    def rings_me_first(self) -> bool:
        return self.call.rings_me_first

    @property
    def unanswered_by(self) -> LegRole | None:
        return self.call.unanswered_by

    @property
    def is_final(self) -> bool:
        return self.call.is_final

    @property
    def recording(self) -> bool:
        return self.call.recording


@dataclass(frozen=True)
class Names:
    """Catalog lookups for display (the Call API cannot list these)."""

    employees: Mapping[int, str]
    employee_phones: Mapping[int, str]
    tags: Sequence[tuple[int, str]]
    favourites: Sequence[tuple[int, str, str]]  # (id, label, number)
    virtual_numbers: Mapping[str, str] = field(default_factory=dict)  # number -> catalog name


def _phase_key(card: CardState) -> str:
    return f"card.phase.{card.phase.value}"


def _leg_name(leg: CallLeg, role: LegRole, card: CardState, names: Names) -> str:
    if leg.employee_full_name:
        return leg.employee_full_name
    if leg.employee_id is not None and leg.employee_id in names.employees:
        return names.employees[leg.employee_id]
    snapshot = card.view.snapshot if card.view is not None else None
    number = (card.contact_number if role is LegRole.CONTACT else None) or leg_number(leg, snapshot)
    return display_phone(number, masked=card.masked and role is not LegRole.ME)


def _leg_status_key(leg: CallLeg) -> str:
    state = leg.state_kind
    if state in (LegState.RECEIVING_FAX, LegState.FAX_RECEIVED, LegState.SENDING_FAX):
        return "card.leg_status.fax"
    if state is LegState.FAX_SENT:
        return "card.leg_status.fax"
    return f"card.leg_status.{state.value}"


def card_text(card: CardState, names: Names, footer: str | None, now: datetime) -> str:
    lang = card.lang
    lines = [t(lang, "card.title", phase=Raw(t(lang, _phase_key(card))))]
    call = card.call
    contact = display_phone(card.contact_number, masked=card.masked)
    if call.contact_name and not card.masked:
        lines.append(t(lang, "card.contact_named", name=call.contact_name, contact=contact))
    else:
        lines.append(t(lang, "card.contact", contact=contact))
    if call.from_event:
        # What the events told of a call that came to the manager (an inbound call ringing).
        if call.virtual_number:
            number = display_phone(call.virtual_number)
            line_name = names.virtual_numbers.get(call.virtual_number)
            if line_name:
                lines.append(t(lang, "card.virtual_number_named", number=number, name=line_name))
            else:
                lines.append(t(lang, "card.virtual_number", number=number))
        if call.scenario_name:
            lines.append(t(lang, "card.scenario", name=call.scenario_name))
        if call.calls_from_number and call.calls_from_number > 1:
            lines.append(t(lang, "card.calls_from_number", count=call.calls_from_number))
    if card.call_session_id is not None:
        lines.append(t(lang, "card.call_id", call_id=card.call_session_id))
    view = card.view
    if card.phase is Phase.FINISHED:
        lines.extend(_summary(card))
    elif card.started_at is not None and card.phase.had_a_call:
        end = card.ended_at if card.is_final and card.ended_at else now
        seconds = max(0.0, (end - card.started_at).total_seconds())
        lines.append(t(lang, "card.duration", duration=format_duration(lang, seconds)))
    if card.phase is Phase.NO_ANSWER:
        who = "me" if card.unanswered_by is LegRole.ME else "contact"
        lines.append(t(lang, f"card.no_answer.{who}"))
    elif card.phase is Phase.NOT_FOUND:
        lines.append(t(lang, "card.not_found"))
    elif card.phase is Phase.RINGING:
        lines.append(t(lang, "card.ringing_hint"))
    elif card.phase is Phase.ANSWERED_ELSEWHERE and call.answered_by:
        lines.append(t(lang, "card.answered_by", name=call.answered_by))
    elif (
        card.phase is Phase.DIALING
        and card.rings_me_first
        and (view is None or not view.legs_with_role(LegRole.CONTACT))
    ):
        # Only until the client's phone rings: then it is no longer what happens next.
        lines.append(t(lang, "call.your_phone_first"))
    if view is not None and view.snapshot is not None and not card.is_final:
        legs = view.active_legs
        # Right after our own action the card shows the phase it leads to before list.calls
        # confirms it: the legs' statuses are then older than the header, so leave them out.
        confirmed = view.phase is card.phase
        if legs:
            lines.append(t(lang, "card.legs_title"))
            for leg in legs:
                role = view.roles.get(leg.leg_id, LegRole.OTHER)
                role_text = t(lang, f"card.role.{role.value}")
                name = _leg_name(leg, role, card, names)
                if confirmed:
                    status = t(lang, _leg_status_key(leg))
                    lines.append(t(lang, "card.leg", role=role_text, name=name, status=status))
                else:
                    lines.append(t(lang, "card.leg_unconfirmed", role=role_text, name=name))
        if view.snapshot.tags:
            tags = ", ".join(tag.tag_name or str(tag.tag_id) for tag in view.snapshot.tags)
            lines.append(t(lang, "card.tags", tags=tags))
        if card.recording:
            lines.append(t(lang, "card.recording_on"))
    if card.transfer_target is not None and card.phase in (
        Phase.DIALING_THIRD,
        Phase.CONSULTING,
    ):
        lines.append(t(lang, "card.transfer_target", target=card.transfer_target.label))
    prompt = _menu_prompt(card, names)
    if prompt:
        lines.append("")
        lines.append(prompt)
    if card.note:
        lines.append("")
        lines.append(card.note)
    if footer:
        lines.append(f"<i>{footer}</i>")
    return "\n".join(lines)


def _summary(card: CardState) -> list[str]:
    """How a finished call went: total and talk time (UIS's figures when an event told them),
    the tags it got, and who ended it from the bot."""
    lang, call = card.lang, card.call
    lines = []
    total = call.uis_total_seconds
    if total is None and card.started_at is not None and card.ended_at is not None:
        total = max(0.0, (card.ended_at - card.started_at).total_seconds())
    talk = call.uis_talk_seconds
    if talk is None and call.talk_started_at is not None and card.ended_at is not None:
        talk = max(0.0, (card.ended_at - call.talk_started_at).total_seconds())
    if total is not None:
        lines.append(t(lang, "card.summary.total", duration=format_duration(lang, total)))
    if talk is not None and talk > 0:
        lines.append(t(lang, "card.summary.talk", duration=format_duration(lang, talk)))
    if call.tags_seen:
        lines.append(t(lang, "card.tags", tags=", ".join(call.tags_seen)))
    if call.released_by:
        lines.append(t(lang, "card.summary.released_by", name=call.released_by))
    return lines


def _menu_prompt(card: CardState, names: Names) -> str | None:
    lang = card.lang
    match card.menu:
        case Menu.TAG:
            return t(lang, "card.ask_tag") if names.tags else t(lang, "card.no_tags")
        case Menu.KEYPAD:
            return t(lang, "card.ask_dtmf")
        case Menu.TALK_OPTIONS:
            return (
                t(lang, "card.ask_talk_option")
                if card.talk_options
                else t(lang, "card.no_talk_options")
            )
        case Menu.COACH:
            return t(lang, "card.ask_coach")
        case Menu.DISCONNECT:
            return t(lang, "card.ask_leg")
        case Menu.TRANSFER:
            return t(lang, "card.ask_transfer_target")
        case Menu.TRANSFER_NOW_CONFIRM:
            target = card.transfer_target.label if card.transfer_target else "?"
            return t(lang, "card.transfer_now_warning", target=target)
        case Menu.BLOCK_CONFIRM:
            return t(
                lang,
                "card.block_confirm",
                contact=display_phone(card.contact_number, masked=card.masked),
            )
    return None


def _pairs(buttons: list[Button]) -> list[list[Button]]:
    return [buttons[index : index + 2] for index in range(0, len(buttons), 2)]


def card_buttons(card: CardState, names: Names) -> list[list[Button]]:
    lang = card.lang
    # The phase alone decides the buttons: a card taken over after a restart has no list.calls
    # view yet, and must keep its buttons (a press is checked against UIS anyway).
    if card.is_final:
        return []
    back = Button(t(lang, "btn.back"), Action.BACK)
    match card.menu:
        case Menu.TAG:
            tags = [Button(name[:40], Action.TAG, tag_id) for tag_id, name in names.tags]
            return [*_pairs(tags), [back]]
        case Menu.KEYPAD:
            keys = [Button(key, Action.DTMF, ord(key)) for key in DTMF_KEYS]
            return [keys[0:3], keys[3:6], keys[6:9], keys[9:12], [back]]
        case Menu.TALK_OPTIONS:
            options = [
                Button((option.name or option.button)[:40], Action.TALK_OPTION, index)
                for index, option in enumerate(card.talk_options)
            ]
            return [*_pairs(options), [back]]
        case Menu.COACH:
            coaches = [Button(t(lang, "btn.coach_default"), Action.COACH, 0)]
            coaches += [
                Button(name[:40], Action.COACH, employee_id)
                for employee_id, name in names.employees.items()
                if employee_id != card.employee_id and employee_id in names.employee_phones
            ]
            return [*_pairs(coaches), [back]]
        case Menu.DISCONNECT:
            view = card.view
            legs = view.active_legs if view else []
            buttons = []
            for leg in legs:
                role = view.roles.get(leg.leg_id, LegRole.OTHER) if view else LegRole.OTHER
                label = f"{t(lang, f'card.role.{role.value}')}: {_leg_name(leg, role, card, names)}"
                buttons.append(Button(label[:60], Action.DISCONNECT, leg.leg_id))
            return [*[[button] for button in buttons], [back]]
        case Menu.TRANSFER:
            targets = [
                Button(f"⭐ {label}"[:40], Action.TRANSFER_TO, -favourite_id)
                for favourite_id, label, _number in names.favourites
            ]
            targets += [
                Button(name[:40], Action.TRANSFER_TO, employee_id)
                for employee_id, name in names.employees.items()
                if employee_id != card.employee_id and employee_id in names.employee_phones
            ]
            return [
                *_pairs(targets),
                [Button(t(lang, "btn.enter_number"), Action.TRANSFER_TYPED)],
                [back],
            ]
        case Menu.TRANSFER_NOW_CONFIRM:
            return [
                [Button(t(lang, "btn.confirm"), Action.TRANSFER_NOW)],
                [Button(t(lang, "btn.cancel_action"), Action.BACK)],
            ]
        case Menu.BLOCK_CONFIRM:
            return [
                [Button(t(lang, "btn.confirm"), Action.BLOCK_CONFIRM)],
                [Button(t(lang, "btn.cancel_action"), Action.BACK)],
            ]
    buttons = []
    for action in main_actions(card.phase, card.recording):
        if action is Action.RELEASE:
            key = "btn.cancel" if card.phase is Phase.DIALING else "btn.release"
        else:
            key = _BUTTON_TEXT[action]
        buttons.append(Button(t(lang, key), action))
    return _pairs(buttons)


def render_card(
    card: CardState, names: Names, footer: str | None, now: datetime | None = None
) -> RenderedCard:
    if card.menu is not Menu.MAIN and MENU_PHASE.get(card.menu) is not card.phase:
        card.menu = Menu.MAIN
    return RenderedCard(
        card_text(card, names, footer, now or datetime.now(UTC)), card_buttons(card, names)
    )
