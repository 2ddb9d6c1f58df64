"""Every button in every state is valid; presses that are not the owner's send nothing;
every error shows its mnemonic with an explanation."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from e2e_kit import CLIENT, MANAGER, RU, World, world

from bot.texts import t
from sandbox.telegram import VisibleMessage

pytestmark = pytest.mark.e2e

# Buttons that open a menu, and how to leave it without acting.
MENU_BUTTONS = {
    t(RU, "btn.tag"),
    t(RU, "btn.keypad"),
    t(RU, "btn.talk_options"),
    t(RU, "btn.coach"),
    t(RU, "btn.disconnect_leg"),
    t(RU, "btn.block"),
    t(RU, "btn.transfer"),
    t(RU, "btn.transfer_now"),
}


async def _talking_card(here: World, number: str = CLIENT) -> tuple[VisibleMessage, int]:
    card = await here.start_call(number)
    assert card.buttons, card.text
    call_id = here.call_id()
    here.answer_all(call_id)
    current = here.card(card.message_id)
    assert current.buttons, [
        (event.kind, (event.message.text if event.message else event.text))
        for event in here.emu.events(MANAGER)[-6:]
    ]
    _, card = await here.press(card, t(RU, "btn.refresh"))
    return card, call_id


async def _reach(here: World, phase: str, number: str = CLIENT) -> tuple[VisibleMessage, int]:
    """A fresh call in the wanted phase."""
    if phase == "dialing":
        card = await here.start_call(number)
        return card, here.call_id()
    card, call_id = await _talking_card(here, number)
    if phase == "talk":
        return card, call_id
    _, card = await here.press(card, t(RU, "btn.hold"))
    if phase == "hold":
        return card, call_id
    _, card = await here.press(card, t(RU, "btn.transfer"))
    _, card = await here.press(card, "Мария Иванова")
    if phase == "dialing_third":
        return card, call_id
    ringing = [leg for leg in here.sim.call(call_id)["legs"] if leg["status"] == "ringing"]
    here.sim.answer(call_id, ringing[0]["leg_id"])
    _, card = await here.press(card, t(RU, "btn.refresh"))
    assert phase == "consulting"
    return card, call_id


@pytest.mark.parametrize("phase", ["dialing", "talk", "hold", "dialing_third", "consulting"])
async def test_every_button_of_every_state_is_accepted(tmp_path: Path, phase: str) -> None:
    async with world(tmp_path) as here:
        # Dozens of calls in a minute: more points than the demo tariff's 60 per minute.
        here.sim.set_limits(points_per_minute=100_000, points_per_day=1_000_000)
        probe, _ = await _reach(here, phase)
        buttons = probe.button_texts
        assert buttons, phase
        for index, button in enumerate(buttons):
            # A new client each time: one of the buttons blacklists the number it calls.
            card, call_id = await _reach(here, phase, f"7903123450{index}")
            assert card.button_texts == buttons
            answer, after = await here.press(card, button)
            if button in MENU_BUTTONS:
                # A menu: its first entry (or the confirmation) is the real action.
                entry = after.button_texts[0]
                answer, after = await here.press(after, entry)
            assert not answer.show_alert, (phase, button, answer.text)
            assert "invalid_state" not in (after.text or ""), (phase, button, after.text)
            assert "⚠️" not in (after.text or ""), (phase, button, after.text)
            failed = [
                request
                for request in here.requests()
                if request["outcome"] != "success" and request["method"] != "list.calls"
            ]
            assert not failed, (phase, button, failed)
            here.end_call(call_id)


async def test_foreign_press_and_forged_data_send_nothing(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        colleague, stranger = 2001, 2002
        for user_id, name in ((colleague, "Коллега"), (stranger, "Чужой")):
            here.emu.add_user(user_id, name, language_code="ru")
            await here.say("/start", user_id)
        await here.sandbox.runtime.access.set_access(
            1000, colleague, __import__("db.models").models.AccessState.ALLOWED
        )
        group = here.emu.add_group(-100777, "Команда", [MANAGER, colleague, stranger])
        card = await here.start_call(CLIENT, chat_id=group.chat_id)
        here.answer_all(here.call_id())
        _, card = await here.press(card, t(RU, "btn.refresh"))
        sent_before = len(here.requests())
        # An approved colleague in the same group presses the manager's card.
        answer = await here.emu.press_button(
            group.chat_id, t(RU, "btn.hold"), message_id=card.message_id, user_id=colleague
        )
        assert answer.show_alert
        assert answer.text == t(RU, "alert.not_your_call")
        # Someone not approved at all presses it too.
        answer = await here.emu.press_button(
            group.chat_id, t(RU, "btn.hold"), message_id=card.message_id, user_id=stranger
        )
        assert answer.show_alert
        hold = next(
            button
            for row in card.buttons
            for button in row
            if button.text == t(RU, "btn.hold") and button.callback_data
        )
        assert hold.callback_data is not None
        # Forged payloads: garbage, a flipped byte, another prefix.
        flipped = hold.callback_data[:-2] + ("A" if hold.callback_data[-2] != "A" else "B") + "x"
        for data in ("k" + "A" * 40, flipped, "kAAAA", "login:key:extra", "k"):
            forged = await here.emu.send_callback_query(
                group.chat_id, data, message_id=card.message_id, user_id=MANAGER
            )
            reply = await here.emu.wait_for_callback_answer(forged.query_id, timeout=15)
            del reply
        await asyncio.sleep(0.2)
        assert len(here.requests()) == sent_before
        assert here.card(card.message_id, group.chat_id).button_texts == card.button_texts


async def test_a_stale_button_sends_nothing_and_a_double_tap_acts_once(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        card, call_id = await _talking_card(here)
        first = await here.emu.tap_button(MANAGER, t(RU, "btn.hold"), message_id=card.message_id)
        second = await here.emu.tap_button(MANAGER, t(RU, "btn.hold"), message_id=card.message_id)
        await here.emu.wait_for_callback_answer(first.query_id, timeout=15)
        repeated = await here.emu.wait_for_callback_answer(second.query_id, timeout=15)
        assert repeated.show_alert
        assert len(here.requests("hold.call")) == 1
        assert here.sim.call(call_id)["state"] in ("HOLD", "WAITING_INPUT")


async def test_invalid_state_resyncs_the_card(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        card, call_id = await _talking_card(here)
        # The client hangs up behind the card's back: the card still offers Hold.
        contact_leg = next(
            leg for leg in here.sim.call(call_id)["legs"] if leg["employee_id"] is None
        )
        here.sim.hang_up(call_id, contact_leg["leg_id"])
        answer, after = await here.press(card, t(RU, "btn.hold"))
        assert t(RU, "card.phase.finished") in (after.text or "")
        assert after.buttons == ()
        del answer


@pytest.mark.parametrize(
    ("setup", "mnemonic"),
    [
        ("ip", "ip_not_whitelisted"),
        ("component", "component_disabled"),
        ("blacklist", "contact_in_blacklist"),
        ("international", "call_direction_forbidden"),
        ("limits", "budget_re"),  # budget_refused, or budget_reserve when the reserve binds
    ],
)
async def test_each_error_shows_its_mnemonic_and_what_to_do(
    tmp_path: Path, setup: str, mnemonic: str
) -> None:
    async with world(tmp_path) as here:
        number = CLIENT
        if setup == "ip":
            here.sim.set_ip_whitelist(["10.0.0.1"])
        elif setup == "component":
            here.sim.disable_component("Basic set")
        elif setup == "blacklist":
            card, _ = await _talking_card(here)
            _, card = await here.press(card, t(RU, "btn.block"))
            _, card = await here.press(card, t(RU, "btn.confirm"))
            _, card = await here.press(card, t(RU, "btn.release"))
        elif setup == "international":
            number = "+44 20 7123 4567"
        elif setup == "limits":
            here.sim.set_limits(points_per_minute=3)
            await here.say("/calls")  # learn the new limits from a reply
        card = await here.start_call(number)
        text = card.text or ""
        if setup == "limits" and mnemonic not in text:
            # The budget may still have had points for the start: spend them and retry.
            card = await here.start_call(number)
            text = card.text or ""
        assert mnemonic in text, text
        assert "👉" in text or "→" in text or "\n" in text


async def test_flood_control_is_retried_and_not_modified_is_success(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        card, _ = await _talking_card(here)
        here.emu.inject_flood("editMessageText", count=1, retry_after=1)
        answer, _ = await here.press(card, t(RU, "btn.refresh"))
        assert not answer.show_alert
        # The edit is retried in the background (the press was answered at once): the card
        # shows its new buttons once the retry lands.
        after = await here.emu.wait_for_bot_message(
            card.chat_id, predicate=lambda m: m.message_id == card.message_id, timeout=15
        )
        assert t(RU, "card.phase.talk") in (after.text or "")
        # Refresh again with nothing changed: Telegram says "not modified", the bot carries on.
        answer, after = await here.press(after, t(RU, "btn.refresh"))
        assert not answer.show_alert
        assert after.buttons
