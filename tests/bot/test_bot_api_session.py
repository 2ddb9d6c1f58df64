"""The bot's Bot API session (JSON bodies) and its card edit, against the Telegram emulator."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.bot_api_session import JsonBodySession, loads_slimming_updates
from bot.card_messages import EditCardMessage, draw_card
from bot.keyboards import inline_keyboard
from bot.services.calls import ButtonData, CardUpdate
from bot.telegram_session import ResilientRequests
from sandbox.telegram import TelegramEmulator

TOKEN = "123456:TEST-TOKEN"
USER = 1001


@pytest.fixture
async def emulator_and_bot() -> AsyncIterator[tuple[TelegramEmulator, Bot]]:
    emulator = TelegramEmulator(bot_token=TOKEN, bot_username="uis_call_bot")
    emulator.add_user(USER, "Ivan", language_code="ru")
    async with emulator.running(host="127.0.0.1", port=0) as server:
        await emulator.send_message(USER, "/start")  # the user opened the chat
        session = JsonBodySession(api=TelegramAPIServer.from_base(server.base_url))
        session.middleware(ResilientRequests())
        bot = Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
        try:
            yield emulator, bot
        finally:
            await bot.session.close()


def _card(message_id: int, text: str, rows: list[list[ButtonData]]) -> CardUpdate:
    return CardUpdate(chat_id=USER, message_id=message_id, text=text, rows=rows)


async def test_requests_go_as_json_and_mean_what_aiogram_means(
    emulator_and_bot: tuple[TelegramEmulator, Bot],
) -> None:
    emulator, bot = emulator_and_bot
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Да", callback_data="yes")]]
    )
    sent = await bot.send_message(USER, "<b>Звонок</b> +7 999", reply_markup=markup)
    shown = emulator.message(USER, sent.message_id)
    assert shown is not None
    assert shown.text == "Звонок +7 999"  # the bot's default parse_mode (HTML) was applied
    assert shown.entities
    assert shown.entities[0]["type"] == "bold"
    assert shown.button_texts == ["Да"]
    call = emulator.api_calls("sendMessage")[-1]
    assert call.params["reply_markup"] == markup.model_dump(exclude_none=True)


async def test_an_upload_still_goes_as_multipart(
    emulator_and_bot: tuple[TelegramEmulator, Bot],
) -> None:
    emulator, bot = emulator_and_bot
    sent = await bot.send_document(
        USER, BufferedInputFile(b"a;b\n1;2\n", filename="audit.csv"), caption="CSV"
    )
    assert sent.document is not None
    (stored,) = emulator.documents(USER)
    assert stored.content == b"a;b\n1;2\n"
    assert stored.file_name == "audit.csv"


async def test_a_card_is_drawn_replaced_and_cleared(
    emulator_and_bot: tuple[TelegramEmulator, Bot],
) -> None:
    emulator, bot = emulator_and_bot
    placeholder = await bot.send_message(USER, "…")
    rows = [[ButtonData("Удержать", "k:1"), ButtonData("Завершить", "k:2")]]
    await draw_card(bot, _card(placeholder.message_id, "<b>Разговор</b>", rows))
    shown = emulator.message(USER, placeholder.message_id)
    assert shown is not None
    assert shown.edited
    assert shown.text == "Разговор"
    assert shown.button_texts == ["Удержать", "Завершить"]
    assert shown.button("Удержать") is not None
    edit = emulator.api_calls("editMessageText")[-1]
    assert edit.params == {
        "chat_id": USER,
        "message_id": placeholder.message_id,
        "text": "<b>Разговор</b>",
        "parse_mode": "HTML",
        "reply_markup": {
            "inline_keyboard": [
                [
                    {"text": "Удержать", "callback_data": "k:1"},
                    {"text": "Завершить", "callback_data": "k:2"},
                ]
            ]
        },
    }

    # The same drawing again: Telegram answers "message is not modified", which is success.
    await draw_card(bot, _card(placeholder.message_id, "<b>Разговор</b>", rows))

    # A final card has no buttons: the edit removes the keyboard.
    await draw_card(bot, _card(placeholder.message_id, "Завершён", []))
    shown = emulator.message(USER, placeholder.message_id)
    assert shown is not None
    assert shown.text == "Завершён"
    assert shown.button_texts == []


async def test_a_failed_card_edit_raises_like_aiogram(
    emulator_and_bot: tuple[TelegramEmulator, Bot],
) -> None:
    _emulator, bot = emulator_and_bot
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await draw_card(bot, _card(999_999, "x", []))


def test_the_card_keyboard_is_telegrams_inline_keyboard() -> None:
    rows = [[ButtonData("A", "k:1")], [], [ButtonData("B", "k:2"), ButtonData("C", "k:3")]]
    expected = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text="A", callback_data="k:1")],
            [
                InlineKeyboardButton(text="B", callback_data="k:2"),
                InlineKeyboardButton(text="C", callback_data="k:3"),
            ],
        ]
    )
    assert inline_keyboard(rows) == expected.model_dump(exclude_none=True)
    assert inline_keyboard([]) is None
    method = EditCardMessage(chat_id=1, message_id=2, text="t", reply_markup=inline_keyboard(rows))
    assert method.__api_method__ == "editMessageText"


def test_a_press_arrives_without_its_messages_keyboard_and_entities() -> None:
    keyboard = {"inline_keyboard": [[{"text": "Удержать", "callback_data": "k:1"}]]}
    pressed_message = {
        "message_id": 7,
        "date": 1,
        "chat": {"id": USER, "type": "private"},
        "text": "Разговор",
        "entities": [{"type": "bold", "offset": 0, "length": 8}],
        "reply_markup": keyboard,
    }
    press = {
        "update_id": 2,
        "callback_query": {
            "id": "q",
            "from": {"id": USER, "is_bot": False, "first_name": "Ivan"},
            "chat_instance": "c",
            "data": "k:1",
            "message": pressed_message,
        },
    }
    command = {
        "update_id": 1,
        "message": {
            "message_id": 6,
            "date": 1,
            "chat": {"id": USER, "type": "private"},
            "text": "/calls",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    polled = loads_slimming_updates(json.dumps({"ok": True, "result": [command, press]}))
    slimmed = polled["result"][1]["callback_query"]["message"]
    assert slimmed == {
        "message_id": 7,
        "date": 1,
        "chat": {"id": USER, "type": "private"},
        "text": "Разговор",
    }
    assert polled["result"][0] == command  # a user's message keeps its entities (commands)
    webhook_body = loads_slimming_updates(json.dumps(press).encode())
    assert "reply_markup" not in webhook_body["callback_query"]["message"]
    update = Update.model_validate(webhook_body)
    assert update.callback_query is not None
    assert update.callback_query.message is not None
    assert update.callback_query.message.chat.id == USER
    other = {"ok": True, "result": {"message_id": 3, "reply_markup": keyboard}}
    assert loads_slimming_updates(json.dumps(other)) == other  # not an update: untouched
