"""Starting calls: /call and friends, the pickers they ask with, contacts, numbers in text,
/calls and /block (calls router); card presses and typed transfer numbers (cards routers)."""

from __future__ import annotations

from bot.services.presentation import display_phone, invalid_number_text
from bot.texts import t
from handlers.handler_kit import (
    BOT_USERNAME,
    CLIENT,
    GROUP_ID,
    MANAGER,
    RU,
    STRANGER,
    Harness,
    Shown,
    shows,
)

VIRTUAL_NUMBERS = ("74993720692", "74951234567")  # the demo catalog


async def test_call_asks_for_a_virtual_number_then_starts_at_uis_and_draws_the_card(
    h: Harness,
) -> None:
    await h.manager_ready()
    asked = await h.send(MANAGER, f"/call {CLIENT}")
    picker = asked.last
    assert picker.text == t(RU, "settings.ask_virtual_number")
    assert {data for _, data in picker.buttons()} == {f"vn:{n}" for n in VIRTUAL_NUMBERS}
    chosen = picker.buttons()[0][1].removeprefix("vn:")
    assert not h.sim.calls()

    fed = await h.press(MANAGER, picker, picker.button_texts()[0])
    assert fed.answer is not None
    assert fed.answer.text == t(RU, "settings.virtual_number_saved", number=display_phone(chosen))
    [started] = h.sim.requests("start.employee_call")
    assert started["params"]["contact"] == CLIENT
    assert started["params"]["virtual_phone_number"] == chosen
    card = h.last(MANAGER.id)
    assert shows(card.text, "card.call_id", call_id=h.call_id())
    assert t(RU, "btn.cancel") in card.button_texts()


async def test_call_when_signed_out_offers_the_sign_in_button(h: Harness) -> None:
    await h.admit(MANAGER)
    fed = await h.send(MANAGER, f"/call {CLIENT}")
    assert fed.last.text == t(RU, "call.sign_in_first")
    assert fed.last.button_texts() == [t(RU, "btn.sign_in")]
    assert not h.sim.requests("start.employee_call")
    # The button opens the login menu (login router).
    menu = await h.press(MANAGER, fed.last, t(RU, "btn.sign_in"))
    assert menu.last.text == t(RU, "login.choose_method")


async def test_call_without_a_number_asks_for_it_and_explains_a_bad_one(h: Harness) -> None:
    await h.manager_ready()
    asked = await h.send(MANAGER, "/call")
    assert asked.last.text == t(RU, "call.ask_number")
    bad = await h.send(MANAGER, "not a number")
    assert bad.last.text == invalid_number_text(RU, "field.contact")
    # Still at the step: a good number goes on to the virtual number picker.
    good = await h.send(MANAGER, "8 903 123-45-67")
    assert good.last.text == t(RU, "settings.ask_virtual_number")


async def test_simple_call_asks_for_the_operator_number(h: Harness) -> None:
    await h.approve(STRANGER)  # no employee: the operator's number is needed
    await h.log_in(STRANGER)
    picker = (await h.send(STRANGER, f"/simple_call {CLIENT}")).last
    asked = await h.press(STRANGER, picker, picker.button_texts()[0])
    assert asked.last.text == t(RU, "call.ask_operator_number")
    bad = await h.send(STRANGER, "operator")
    assert bad.last.text == invalid_number_text(RU, "field.operator")
    started = await h.send(STRANGER, "+7 916 000-01-02")
    assert h.sim.requests("start.simple_call"), started.texts
    assert any(shows(m.text, "card.call_id") for m in started.new), started.texts


async def test_scenario_call_asks_for_the_scenario(h: Harness) -> None:
    await h.manager_ready()
    picker = (await h.send(MANAGER, f"/scenario {CLIENT}")).last
    asked = await h.press(MANAGER, picker, picker.button_texts()[0])
    scenarios = asked.last
    assert scenarios.text == t(RU, "call.ask_scenario")
    assert scenarios.buttons()[0][1] == "scn:1"
    await h.press(MANAGER, scenarios, scenarios.button_texts()[0])
    [started] = h.sim.requests("start.scenario_call")
    assert started["params"]["scenario_id"] == 1
    # A forged scenario id is refused without reaching UIS.
    forged = await h.press_data(MANAGER, scenarios, "scn:999")
    assert forged.answer is not None
    assert forged.answer.text == t(RU, "alert.stale")
    assert forged.answer.show_alert


async def test_inform_call_with_a_media_file(h: Harness) -> None:
    await h.manager_ready()
    picker = (await h.send(MANAGER, f"/inform {CLIENT}")).last
    asked = await h.press(MANAGER, picker, picker.button_texts()[0])
    media = asked.last
    assert media.text == t(RU, "call.ask_inform_message", max_length=1000)
    assert media.buttons()[0][1] == "inf:501"
    await h.press(MANAGER, media, media.button_texts()[0])
    [started] = h.sim.requests("start.informer_call")
    assert started["params"]["contact_message"]["value"] in (501, "501"), started["params"]


async def test_inform_call_with_a_typed_text(h: Harness) -> None:
    await h.manager_ready()
    picker = (await h.send(MANAGER, f"/inform {CLIENT}")).last
    await h.press(MANAGER, picker, picker.button_texts()[0])
    await h.send(MANAGER, "Ваш заказ готов")
    [started] = h.sim.requests("start.informer_call")
    assert started["params"]["contact_message"]["value"] == "Ваш заказ готов", started["params"]


async def test_a_number_in_any_message_is_offered_for_a_call(h: Harness) -> None:
    await h.manager_ready()
    fed = await h.send(MANAGER, "перезвони клиенту 8 903 123-45-67 после обеда")
    offer = fed.last
    assert offer.text == t(RU, "call.offer_number", number=display_phone(CLIENT))
    assert offer.button_texts() == [t(RU, "btn.start_call", number=display_phone(CLIENT))]
    # The offer's button is a signed one-shot button: the card router starts the call.
    pressed = await h.press(MANAGER, offer, offer.button_texts()[0])
    assert pressed.last.text == t(RU, "settings.ask_virtual_number")


async def test_text_without_a_number_and_an_unknown_command(h: Harness) -> None:
    await h.manager_ready()
    assert (await h.send(MANAGER, "привет")).last.text == t(RU, "call.no_number_found")
    assert (await h.send(MANAGER, "/nonsense")).last.text == t(RU, "common.unknown_command")


async def test_a_group_message_mentioning_the_bot_is_read_for_numbers(h: Harness) -> None:
    await h.manager_ready()
    fed = await h.send(MANAGER, f"@{BOT_USERNAME} звони {CLIENT}", chat_id=GROUP_ID)
    assert fed.last.chat_id == GROUP_ID
    assert fed.last.text == t(RU, "call.offer_number", number=display_phone(CLIENT))
    # Without the mention, group chatter is left alone.
    quiet = await h.send(MANAGER, f"звони {CLIENT}", chat_id=GROUP_ID)
    assert quiet.new == []


async def test_a_shared_contact_is_offered_for_a_call(h: Harness) -> None:
    await h.manager_ready()
    fed = await h.send_contact(MANAGER, "+79031234567")
    assert fed.last.text == t(RU, "call.offer_number", number=display_phone(CLIENT))
    nothing = await h.send_contact(MANAGER, "12")
    assert nothing.last.text == t(RU, "call.no_number_found")


async def test_calls_lists_live_calls_as_cards(h: Harness) -> None:
    await h.manager_ready()
    assert (await h.send(MANAGER, "/calls")).last.text == t(RU, "calls.empty")
    await h.start_call()
    fed = await h.send(MANAGER, "/calls")
    [card] = fed.new
    assert shows(card.text, "card.call_id", call_id=h.call_id())


async def test_block_offers_to_blacklist_the_current_caller(h: Harness) -> None:
    await h.manager_ready()
    assert (await h.send(MANAGER, "/block")).last.text == t(RU, "calls.empty")
    card = await h.talking_card()
    fed = await h.send(MANAGER, "/block")
    drawn = fed.last
    assert drawn.message_id == card.message_id
    assert shows(drawn.text, "card.block_confirm")


async def test_card_press_refresh_and_cancel(h: Harness) -> None:
    await h.manager_ready()
    card = await h.start_call()
    call_id = h.call_id()
    cancel = card.data_of(t(RU, "btn.cancel"))
    refreshed = await h.press(MANAGER, card, t(RU, "btn.refresh"))
    assert refreshed.answer is not None
    assert not refreshed.answer.show_alert
    card = h.message(MANAGER.id, card.message_id)
    assert shows(card.text, "card.call_id", call_id=call_id)
    cancelled = await h.press(MANAGER, card, t(RU, "btn.cancel"))
    assert cancelled.answer is not None
    assert not cancelled.answer.show_alert
    assert h.sim.call(call_id)["ended_at"] is not None
    assert h.sim.requests("release.call")
    # The same (one-shot) button pressed again is refused with an alert.
    again = await h.press_data(MANAGER, card, cancel)
    assert again.answer is not None
    assert again.answer.show_alert


async def _ask_for_a_transfer_number(h: Harness, card: Shown) -> None:
    """Hold, the transfer menu, "enter a number" (whichever the card shows now)."""
    for button in ("btn.hold", "btn.transfer", "btn.enter_number"):
        shown = h.message(MANAGER.id, card.message_id)
        if t(RU, button) in shown.button_texts():
            await h.press(MANAGER, shown, t(RU, button))
    assert h.last(MANAGER.id).text == t(RU, "card.ask_transfer_target")


async def test_transfer_to_a_typed_number(h: Harness) -> None:
    await h.manager_ready()
    card = await h.talking_card()
    await _ask_for_a_transfer_number(h, card)
    fed = await h.send(MANAGER, "+7 916 000-01-02")
    [dialled] = h.sim.requests("make.call")  # the third party is dialled first
    assert dialled["params"]["to"] == "79160000102", dialled["params"]
    card = h.message(MANAGER.id, card.message_id)
    assert card in fed.edited
    assert shows(card.text, "card.phase.dialing_third")
    assert shows(card.text, "card.transfer_target", target=display_phone("79160000102"))


async def test_a_bad_typed_transfer_number_names_the_field_and_what_was_expected(
    h: Harness,
) -> None:
    await h.manager_ready()
    card = await h.talking_card()
    await _ask_for_a_transfer_number(h, card)
    bad = await h.send(MANAGER, "кому-нибудь")
    assert bad.last.text == invalid_number_text(RU, "field.transfer_target")
    assert not h.sim.requests("make.call")


async def test_after_a_bad_typed_transfer_number_the_card_can_be_used_again(
    h: Harness,
) -> None:
    await h.manager_ready()
    card = await h.talking_card()
    await _ask_for_a_transfer_number(h, card)
    await h.send(MANAGER, "кому-нибудь")
    # The card is drawn again with fresh buttons: the picker still open, each button working.
    shown = h.message(MANAGER.id, card.message_id)
    asked = await h.press(MANAGER, shown, t(RU, "btn.enter_number"))
    assert asked.answer is not None
    assert asked.answer.text != t(RU, "alert.stale")
    assert asked.last.text == t(RU, "card.ask_transfer_target")
    back = await h.press(MANAGER, h.message(MANAGER.id, card.message_id), t(RU, "btn.back"))
    assert back.answer is not None
    assert back.answer.text != t(RU, "alert.stale")
    refreshed = h.message(MANAGER.id, card.message_id)
    assert t(RU, "btn.refresh") in refreshed.button_texts()


async def test_an_inform_text_over_the_limit_is_asked_again(h: Harness) -> None:
    await h.manager_ready()
    await h.send(MANAGER, "/vcall 79031234567")  # sets no default: pick a virtual number
    picker = h.last(MANAGER.id)
    await h.press(MANAGER, picker, picker.button_texts()[0])  # saved as the default
    h.sim.clear_requests()
    too_long = await h.send(MANAGER, f"/inform {CLIENT} " + "слово " * 200)
    assert too_long.last.text == t(RU, "call.inform_text_too_long", length=1199, max_length=1000)
    assert not h.sim.requests("start.informer_call")
    await h.send(MANAGER, "Короче")
    [started] = h.sim.requests("start.informer_call")
    assert started["params"]["contact_message"]["value"] == "Короче"


async def test_a_call_started_in_a_group_masks_the_number(h: Harness) -> None:
    await h.manager_ready()
    fed = await h.send(MANAGER, f"/call@{BOT_USERNAME} {CLIENT}", chat_id=GROUP_ID)
    picker = fed.last
    assert picker.chat_id == GROUP_ID
    started = await h.press(MANAGER, picker, picker.button_texts()[0])
    [card] = [m for m in started.new + started.edited if shows(m.text, "card.call_id")]
    assert card.chat_id == GROUP_ID
    assert display_phone(CLIENT) not in card.text  # the client's number is not shown in full
    assert display_phone(CLIENT, masked=True) in card.text


async def test_a_user_outside_russia_calls_the_international_number_typed_or_offered(
    h: Harness,
) -> None:
    await h.manager_ready()
    menu = (await h.send(MANAGER, "/settings")).last
    await h.press(MANAGER, menu, t(RU, "btn.settings_region"))
    await h.send(MANAGER, "DE")
    await h.start_call(number=f"+{CLIENT}")
    [typed] = h.sim.requests("start.employee_call")
    assert typed["params"]["contact"] == CLIENT  # not a German number made of its digits
    offer = (await h.send(MANAGER, f"please call +{CLIENT}")).last
    await h.press(MANAGER, offer, offer.button_texts()[0])
    offered = h.sim.requests("start.employee_call")[-1]
    assert offered["params"]["contact"] == CLIENT
