"""/settings and its steps: virtual number, hold message, region, favourites, employee
request (settings router)."""

from __future__ import annotations

from bot.services.presentation import display_phone, invalid_number_text
from bot.texts import t
from handlers.handler_kit import ADMIN, MANAGER, RU, STRANGER, Harness, Shown, shows


async def _settings(h: Harness) -> Shown:
    return (await h.send(MANAGER, "/settings")).last


async def test_settings_summary_and_choosing_a_virtual_number(h: Harness) -> None:
    await h.admit(MANAGER)
    summary = await _settings(h)
    assert shows(summary.text, "settings.summary", virtual_number=t(RU, "settings.not_set"))
    assert summary.button_texts() == [
        t(RU, "btn.settings_virtual_number"),
        t(RU, "btn.settings_hold"),
        t(RU, "btn.settings_region"),
        t(RU, "btn.settings_favourites"),
    ]
    picker = (await h.press(MANAGER, summary, t(RU, "btn.settings_virtual_number"))).last
    assert picker.text == t(RU, "settings.ask_virtual_number")
    number = picker.buttons()[1][1].removeprefix("vn:")
    await h.press(MANAGER, picker, picker.button_texts()[1])
    again = await _settings(h)
    assert shows(again.text, "settings.summary", virtual_number=display_phone(number))


async def test_hold_message_from_the_catalog_or_typed(h: Harness) -> None:
    await h.admit(MANAGER)
    summary = await _settings(h)
    asked = (await h.press(MANAGER, summary, t(RU, "btn.settings_hold"))).last
    assert asked.text == t(RU, "settings.ask_hold_message", max_length=1000)
    assert asked.buttons()[0][1] == "hold:501"
    chosen = await h.press(MANAGER, asked, asked.button_texts()[0])
    assert chosen.answer is not None
    assert chosen.answer.text == t(RU, "settings.hold_message_saved")
    media = t(RU, "settings.hold_media", name="Ожидание на линии")
    assert shows((await _settings(h)).text, "settings.summary", hold_message=media)
    # A media file not in the catalog is refused.
    forged = await h.press_data(MANAGER, asked, "hold:999")
    assert forged.answer is not None
    assert forged.answer.text == t(RU, "alert.stale")

    summary = await _settings(h)
    await h.press(MANAGER, summary, t(RU, "btn.settings_hold"))
    too_long = await h.send(MANAGER, "x" * 1001)
    assert too_long.last.text == t(RU, "settings.hold_text_too_long", length=1001, max_length=1000)
    saved = await h.send(MANAGER, "Оставайтесь на линии")
    assert saved.last.text == t(RU, "settings.hold_message_saved")
    tts = t(RU, "settings.hold_tts", text="Оставайтесь на линии")
    assert shows((await _settings(h)).text, "settings.summary", hold_message=tts)


async def test_region(h: Harness) -> None:
    await h.admit(MANAGER)
    summary = await _settings(h)
    asked = await h.press(MANAGER, summary, t(RU, "btn.settings_region"))
    assert asked.last.text == t(RU, "settings.ask_region", region="RU")
    bad = await h.send(MANAGER, "Russia")
    assert bad.last.text == t(RU, "settings.region_invalid", value="RUSSIA")
    good = await h.send(MANAGER, "kz")
    assert good.last.text == t(RU, "settings.region_saved", region="KZ")


async def test_favourites_add_and_remove(h: Harness) -> None:
    await h.admit(MANAGER)
    summary = await _settings(h)
    listing = (await h.press(MANAGER, summary, t(RU, "btn.settings_favourites"))).last
    assert t(RU, "settings.favourites_empty") in listing.text
    asked = await h.press(MANAGER, listing, t(RU, "btn.favourite_add"))
    assert asked.last.text == t(RU, "settings.ask_favourite")
    bad = await h.send(MANAGER, "Иван без номера")
    assert bad.last.text == invalid_number_text(RU, "field.favourite")
    added = await h.send(MANAGER, "+7 903 123-45-67 Клиент Важный")
    assert added.last.text == t(
        RU, "settings.favourite_added", name="Клиент Важный", number=display_phone("79031234567")
    )
    summary = await _settings(h)
    listing = (await h.press(MANAGER, summary, t(RU, "btn.settings_favourites"))).last
    line = t(
        RU, "settings.favourite_line", name="Клиент Важный", number=display_phone("79031234567")
    )
    assert line in listing.text
    removed = await h.press(MANAGER, listing, t(RU, "btn.favourite_remove", name="Клиент Важный"))
    assert removed.answer is not None
    assert removed.answer.text == t(RU, "settings.favourite_removed", name="Клиент Важный")
    assert t(RU, "settings.favourites_empty") in removed.last.text
    # The same remove button again: the favourite is gone.
    stale = await h.press(MANAGER, listing, t(RU, "btn.favourite_remove", name="Клиент Важный"))
    assert stale.answer is not None
    assert stale.answer.text == t(RU, "alert.stale")


async def test_an_unlinked_user_asks_the_admins_for_an_employee(h: Harness) -> None:
    await h.send(ADMIN, "/start")  # the admin has a chat with the bot
    await h.approve(STRANGER)
    summary = (await h.send(STRANGER, "/settings")).last
    assert t(RU, "btn.request_employee") in summary.button_texts()
    asked = await h.press(STRANGER, summary, t(RU, "btn.request_employee"))
    assert asked.last.text == t(RU, "admin.usage", usage="<employee id>")
    bad = await h.send(STRANGER, "Иван")
    assert bad.last.text == t(RU, "admin.usage", usage="<employee id>")
    sent = await h.send(STRANGER, "102")
    assert sent.texts[0] == t(RU, "settings.employee_request_sent")
    to_admin = [m for m in sent.new if m.chat_id == ADMIN.id]
    assert len(to_admin) == 1
    assert shows(to_admin[0].text, "admin.employee_request", user_id=STRANGER.id)
    assert f"/assign {STRANGER.id} 102" in to_admin[0].text
