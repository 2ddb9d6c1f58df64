"""A real aiogram 3 Bot and Dispatcher against the emulator, through the custom API server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.filters import Command, CommandStart
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    ChatMemberUpdated,
    InaccessibleMessage,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    MessageOriginHiddenUser,
    MessageOriginUser,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from emulator_testkit import make_bot, polling, running_emulator

from sandbox.telegram import EmulatorError, EmulatorServer, EmulatorTimeout, TelegramEmulator

USER = 1001


@pytest.fixture
async def world() -> AsyncIterator[tuple[TelegramEmulator, EmulatorServer]]:
    async with running_emulator() as (emulator, server):
        emulator.add_user(USER, "Ivan", username="ivan_p", language_code="ru")
        yield emulator, server


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=label, callback_data=f"do:{label}")] for label in labels
        ]
    )


async def test_command_reaches_handler_with_bot_command_entity(
    world: tuple[TelegramEmulator, EmulatorServer],
) -> None:
    emu, server = world
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        assert message.from_user is not None
        kinds = [entity.type for entity in message.entities or []]
        await message.answer(
            f"hello {message.from_user.first_name} lang={message.from_user.language_code} "
            f"entities={kinds} chat={message.chat.type}"
        )

    async with polling(dp, server):
        action = await emu.send_message(USER, "/start payload")
        reply = await emu.wait_for_bot_message(USER)

    assert action.update_id is not None
    assert reply.text == "hello Ivan lang=ru entities=['bot_command'] chat=private"
    assert reply.from_bot
    assert [m.text for m in emu.visible_messages(USER)] == ["/start payload", reply.text]
    assert [m.message_id for m in emu.visible_messages(USER)] == [1, 2]


async def test_contact_and_forwarded_messages_reach_handlers(
    world: tuple[TelegramEmulator, EmulatorServer],
) -> None:
    emu, server = world
    emu.add_user(2002, "Olga", last_name="K", username="olga_k", phone_number="79031234567")
    dp = Dispatcher()

    @dp.message(F.contact)
    async def contact(message: Message) -> None:
        assert message.contact is not None
        await message.answer(f"call {message.contact.phone_number} {message.contact.user_id}")

    @dp.message(F.forward_origin)
    async def forwarded(message: Message) -> None:
        origin = message.forward_origin
        if isinstance(origin, MessageOriginUser):
            who = f"user {origin.sender_user.id} {origin.sender_user.username}"
        else:
            assert isinstance(origin, MessageOriginHiddenUser)
            who = f"hidden {origin.sender_user_name}"
        await message.answer(f"{who}: {message.text}")

    async with polling(dp, server):
        await emu.send_contact(USER, phone_number="+79037654321", first_name="Client")
        first = await emu.wait_for_bot_message(USER)
        await emu.forward_message(USER, text="call me at 79031234567", origin_user_id=2002)
        second = await emu.wait_for_bot_message(USER)
        await emu.forward_message(USER, text="hi", hidden_sender_name="Secret Person")
        third = await emu.wait_for_bot_message(USER)

    assert first.text == "call +79037654321 None"
    assert second.text == "user 2002 olga_k: call me at 79031234567"
    assert third.text == "hidden Secret Person: hi"


async def test_button_press_returns_answer_and_bot_edits_message(
    world: tuple[TelegramEmulator, EmulatorServer],
) -> None:
    emu, server = world
    dp = Dispatcher()

    @dp.message(Command("call"))
    async def call(message: Message) -> None:
        await message.answer("Call in progress", reply_markup=keyboard("Hold", "Hang up"))

    @dp.callback_query(F.data == "do:Hold")
    async def hold(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        await query.message.edit_text("On hold", reply_markup=keyboard("Resume"))
        await query.answer("Call is on hold")

    @dp.callback_query(F.data == "do:Hang up")
    async def hang_up(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        await query.message.edit_text("Call ended")
        await query.answer("Are you sure?", show_alert=True)
        await query.answer("second answer is accepted")

    async with polling(dp, server):
        await emu.send_message(USER, "/call")
        shown = await emu.wait_for_bot_message(USER)
        assert shown.button_texts == ["Hold", "Hang up"]
        answer = await emu.press_button(USER, "Hold")
        assert answer.text == "Call is on hold"
        assert not answer.show_alert
        edited = emu.message(USER, shown.message_id)
        assert edited is not None
        assert (edited.text, edited.button_texts, edited.edited) == ("On hold", ["Resume"], True)
        # The original message no longer shows "Hang up": pressing it by text fails.
        with pytest.raises(Exception, match="no inline button"):
            await emu.tap_button(USER, "Hang up")
        await emu.send_message(USER, "/call")
        second = await emu.wait_for_bot_message(USER)
        alert = await emu.press_button(USER, index=1, message_id=second.message_id)

    assert (alert.text, alert.show_alert) == ("Are you sure?", True)
    visible = emu.visible_messages(USER, from_bot=True)
    assert [(m.text, m.button_texts) for m in visible] == [
        ("On hold", ["Resume"]),
        ("Call ended", []),
    ]
    kinds = [event.kind for event in emu.events(USER)]
    assert kinds.count("callback_answer") == 3
    assert kinds[:4] == ["user_message", "sent", "user_callback", "edited"]


async def test_unchanged_edit_raises_message_is_not_modified(
    world: tuple[TelegramEmulator, EmulatorServer],
) -> None:
    emu, server = world
    await emu.send_message(USER, "hi")  # the user starts the conversation
    async with make_bot(server) as bot:
        sent = await bot.send_message(
            USER, "<b>Status</b>", parse_mode="HTML", reply_markup=keyboard("Refresh")
        )
        with pytest.raises(TelegramBadRequest) as not_modified:
            await bot.edit_message_text(
                "<b>Status</b>",
                chat_id=USER,
                message_id=sent.message_id,
                parse_mode="HTML",
                reply_markup=keyboard("Refresh"),
            )
        with pytest.raises(TelegramBadRequest, match="message is not modified"):
            await bot.edit_message_reply_markup(
                chat_id=USER, message_id=sent.message_id, reply_markup=keyboard("Refresh")
            )
        # Same text without bold is a change; so is dropping the keyboard.
        plain = await bot.edit_message_text(
            "Status", chat_id=USER, message_id=sent.message_id, reply_markup=keyboard("Refresh")
        )
        stripped = await bot.edit_message_reply_markup(chat_id=USER, message_id=sent.message_id)
        with pytest.raises(TelegramBadRequest, match="message to edit not found"):
            await bot.edit_message_text("x", chat_id=USER, message_id=999)

    assert not_modified.value.message == (
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message"
    )
    assert isinstance(plain, Message)
    assert plain.entities is None
    assert isinstance(stripped, Message)
    assert stripped.reply_markup is None
    assert emu.api_calls("editMessageText")[0].error_code == 400


async def test_callback_data_is_limited_to_64_bytes(
    world: tuple[TelegramEmulator, EmulatorServer],
) -> None:
    emu, server = world
    await emu.send_message(USER, "hi")
    fits = "я" * 32  # 64 bytes in UTF-8
    too_long = "я" * 32 + "x"  # 65 bytes although only 33 characters
    async with make_bot(server) as bot:
        ok = await bot.send_message(
            USER,
            "fits",
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[[InlineKeyboardButton(text="A", callback_data=fits)]]
            ),
        )
        with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
            await bot.send_message(
                USER,
                "too long",
                reply_markup=InlineKeyboardMarkup(
                    inline_keyboard=[[InlineKeyboardButton(text="B", callback_data=too_long)]]
                ),
            )
    assert ok.reply_markup is not None
    assert [m.text for m in emu.visible_messages(USER, from_bot=True)] == ["fits"]


async def test_text_is_limited_to_4096_characters_after_entity_parsing(
    world: tuple[TelegramEmulator, EmulatorServer],
) -> None:
    emu, server = world
    await emu.send_message(USER, "hi")
    async with make_bot(server) as bot:
        await bot.send_message(USER, "<b>" + "ю" * 4096 + "</b>", parse_mode="HTML")
        with pytest.raises(TelegramBadRequest, match="message is too long"):
            await bot.send_message(USER, "x" * 4097)
        with pytest.raises(TelegramBadRequest, match="can't parse entities"):
            await bot.send_message(USER, "<b>unbalanced", parse_mode="HTML")
    last = emu.last_bot_message(USER)
    assert last is not None
    assert last.text is not None
    assert len(last.text) == 4096


async def test_flood_injection_surfaces_as_retry_after(
    world: tuple[TelegramEmulator, EmulatorServer],
) -> None:
    emu, server = world
    await emu.send_message(USER, "hi")
    emu.inject_flood("sendMessage", count=2, retry_after=7)
    async with make_bot(server) as bot:
        await bot.send_chat_action(USER, "typing")  # other methods are unaffected
        for _ in range(2):
            with pytest.raises(TelegramRetryAfter) as flood:
                await bot.send_message(USER, "x")
            assert flood.value.retry_after == 7
        await bot.send_message(USER, "after the flood")
        emu.inject_flood(count=1, retry_after=3)  # any method
        with pytest.raises(TelegramRetryAfter) as any_flood:
            await bot.get_me()
    assert any_flood.value.retry_after == 3
    assert [m.text for m in emu.visible_messages(USER, from_bot=True)] == ["after the flood"]
    assert [e.action for e in emu.events(USER, kinds=["chat_action"])] == ["typing"]


async def test_polling_survives_flood_on_any_method(
    world: tuple[TelegramEmulator, EmulatorServer],
) -> None:
    """ "Any method" floods never hit getUpdates, so polling keeps receiving updates."""
    emu, server = world
    dp = Dispatcher()
    seen: list[int] = []

    @dp.message()
    async def echo(message: Message) -> None:
        try:
            await message.answer("first try")
        except TelegramRetryAfter as exc:
            seen.append(exc.retry_after)
            await message.answer("second try")

    async with polling(dp, server):
        emu.inject_flood(count=1, retry_after=2)
        await emu.send_message(USER, "hello")
        reply = await emu.wait_for_bot_message(USER)
    assert (reply.text, seen) == ("second try", [2])


async def test_delete_message(world: tuple[TelegramEmulator, EmulatorServer]) -> None:
    emu, server = world
    await emu.send_message(USER, "hi")
    async with make_bot(server) as bot:
        first = await bot.send_message(USER, "one")
        second = await bot.send_message(USER, "two")
        assert await bot.delete_message(USER, first.message_id)
        with pytest.raises(TelegramBadRequest, match="message to delete not found"):
            await bot.delete_message(USER, first.message_id)
    assert [m.message_id for m in emu.visible_messages(USER, from_bot=True)] == [second.message_id]
    deleted = emu.events(USER, kinds=["deleted"])
    assert deleted[0].message is not None
    assert deleted[0].message.text == "one"


async def test_set_my_commands_per_language_and_scope(
    world: tuple[TelegramEmulator, EmulatorServer],
) -> None:
    emu, server = world
    emu.add_user(1002, "John", language_code="en")
    emu.add_user(1003, "Pierre", language_code="fr")
    async with make_bot(server) as bot:
        await bot.set_my_commands([BotCommand(command="call", description="Call a client")])
        await bot.set_my_commands(
            [BotCommand(command="call", description="Позвонить клиенту")], language_code="ru"
        )
        await bot.set_my_commands(
            [BotCommand(command="admin", description="Admin menu")],
            scope=BotCommandScopeChat(chat_id=1002),
        )
        russian = await bot.get_my_commands(language_code="ru")
        default = await bot.get_my_commands()
        assert await bot.get_my_commands(language_code="fr") == []
        with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
            await bot.set_my_commands([BotCommand(command="Bad-Name", description="x")])
        await bot.delete_my_commands(language_code="ru")
        after_delete = await bot.get_my_commands(language_code="ru")

    assert [c.description for c in russian] == ["Позвонить клиенту"]
    assert [c.description for c in default] == ["Call a client"]
    assert after_delete == []
    assert emu.commands_for(1002) == [{"command": "admin", "description": "Admin menu"}]
    assert emu.commands_for(1003) == [{"command": "call", "description": "Call a client"}]
    assert emu.commands_for(USER) == [{"command": "call", "description": "Call a client"}]


async def test_send_document_content_is_readable(
    world: tuple[TelegramEmulator, EmulatorServer],
) -> None:
    emu, server = world
    await emu.send_message(USER, "/export")
    csv_bytes = "\ufeffcall_id;phone\n1;79031234567\n".encode()
    async with make_bot(server) as bot:
        sent = await bot.send_document(
            USER,
            BufferedInputFile(csv_bytes, filename="calls.csv"),
            caption="<i>Export</i>",
            parse_mode="HTML",
        )
        assert sent.document is not None
        downloaded = await bot.download(sent.document.file_id)
        resent = await bot.send_document(USER, sent.document.file_id)

    assert downloaded is not None
    assert downloaded.read() == csv_bytes
    shown = emu.last_bot_message(USER)
    assert shown is not None
    assert shown.document is not None
    stored = emu.document(shown.document.file_id)
    assert (stored.file_name, stored.mime_type) == ("calls.csv", "text/csv")
    assert stored.text() == "call_id;phone\n1;79031234567\n"
    assert resent.document is not None
    assert [d.message_id for d in emu.documents(USER)] == [sent.message_id, resent.message_id]
    assert emu.visible_messages(USER, from_bot=True)[0].text == "Export"


async def test_forged_callback_query_reaches_bot(
    world: tuple[TelegramEmulator, EmulatorServer],
) -> None:
    emu, server = world
    dp = Dispatcher()

    @dp.callback_query()
    async def any_callback(query: CallbackQuery) -> None:
        inaccessible = isinstance(query.message, InaccessibleMessage)
        await query.answer(
            f"len={len(query.data or '')} inaccessible={inaccessible}", show_alert=True
        )

    await emu.send_message(USER, "hi")
    async with polling(dp, server):
        press = await emu.send_callback_query(USER, "x" * 100, message_id=42)
        answer = await emu.wait_for_callback_answer(press.query_id)
    assert (answer.text, answer.show_alert) == ("len=100 inaccessible=True", True)


async def test_bot_cannot_write_first_and_sees_blocking(
    world: tuple[TelegramEmulator, EmulatorServer],
) -> None:
    emu, server = world
    dp = Dispatcher()
    statuses: asyncio.Queue[str] = asyncio.Queue()

    @dp.my_chat_member()
    async def member(update: ChatMemberUpdated) -> None:
        await statuses.put(update.new_chat_member.status)

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer("echo")

    async with make_bot(server) as bot:
        with pytest.raises(TelegramForbiddenError, match="can't initiate conversation"):
            await bot.send_message(USER, "unsolicited")
    async with polling(dp, server) as bot:
        await emu.send_message(USER, "hi")
        await emu.wait_for_bot_message(USER)
        blocked = await emu.block_bot(USER)
        assert await asyncio.wait_for(statuses.get(), timeout=10) == "kicked"
        with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
            await bot.send_message(USER, "are you there?")
        with pytest.raises(EmulatorError, match="blocked the bot"):
            await emu.send_message(USER, "users who blocked the bot must unblock first")
        await emu.unblock_bot(USER)
        assert await asyncio.wait_for(statuses.get(), timeout=10) == "member"
        await emu.send_message(USER, "back")
        assert (await emu.wait_for_bot_message(USER)).text == "echo"
    assert blocked.update_id is not None
    assert [e.text for e in emu.events(USER, kinds=["api_error"])] == [
        "Forbidden: bot can't initiate conversation with a user",
        "Forbidden: bot was blocked by the user",
    ]


async def test_group_chat_privacy_mode(world: tuple[TelegramEmulator, EmulatorServer]) -> None:
    emu, server = world
    emu.add_user(1002, "John", language_code="en")
    group = emu.add_group(-4001, "Sales team", member_ids=[USER, 1002])
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        assert message.from_user is not None
        await message.answer(f"{message.chat.type} {message.from_user.id}: {message.text}")

    async with polling(dp, server):
        plain = await emu.send_message(group.chat_id, "just chatting", user_id=USER)
        other = await emu.send_message(group.chat_id, "/start@other_bot", user_id=1002)
        mine = await emu.send_message(group.chat_id, "/status@uis_call_bot", user_id=1002)
        reply = await emu.wait_for_bot_message(group.chat_id)
        mention = await emu.send_message(group.chat_id, "@UIS_call_bot ping", user_id=USER)
        mentioned = await emu.wait_for_bot_message(group.chat_id)
        follow_up = await emu.send_message(
            group.chat_id, "thanks", user_id=USER, reply_to_message_id=reply.message_id
        )
        second = await emu.wait_for_bot_message(group.chat_id)

    assert (plain.update_id, other.update_id) == (None, None)
    assert mine.update_id is not None
    assert follow_up.update_id is not None
    assert reply.text == "group 1002: /status@uis_call_bot"
    assert mention.message is not None
    assert mention.message["entities"] == [{"type": "mention", "offset": 0, "length": 13}]
    assert mentioned.text == "group 1001: @UIS_call_bot ping"
    assert second.text == "group 1001: thanks"
    assert [m.message_id for m in emu.visible_messages(group.chat_id)] == list(range(1, 9))
    assert [m.message_id for m in emu.visible_messages(USER)] == []


async def test_reply_keyboard_contact_request(
    world: tuple[TelegramEmulator, EmulatorServer],
) -> None:
    emu, server = world
    emu.add_user(USER, "Ivan", language_code="ru", phone_number="79160000101")
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def ask_phone(message: Message) -> None:
        await message.answer(
            "Share your phone",
            reply_markup=ReplyKeyboardMarkup(
                keyboard=[[KeyboardButton(text="Share", request_contact=True)]],
                resize_keyboard=True,
            ),
        )

    @dp.message(F.contact)
    async def got_phone(message: Message) -> None:
        assert message.contact is not None
        await message.answer(
            f"thanks {message.contact.phone_number}", reply_markup=ReplyKeyboardRemove()
        )

    async with polling(dp, server):
        await emu.send_message(USER, "/start")
        await emu.wait_for_bot_message(USER)
        assert emu.reply_keyboard(USER) == [["Share"]]
        await emu.press_reply_button(USER, "Share")
        thanks = await emu.wait_for_bot_message(USER)
    assert thanks.text == "thanks 79160000101"
    assert emu.reply_keyboard(USER) is None


async def test_wait_for_times_out_when_bot_stays_silent(
    world: tuple[TelegramEmulator, EmulatorServer],
) -> None:
    emu, server = world
    dp = Dispatcher()

    @dp.message(Command("ping"))
    async def ping(message: Message) -> None:
        await message.answer("pong")

    async with polling(dp, server):
        await emu.send_message(USER, "/ping")
        await emu.wait_for_bot_message(USER, text_contains="pong")
        await emu.send_message(USER, "no handler for this")
        with pytest.raises(EmulatorTimeout, match="no matching event"):
            await emu.wait_for_bot_message(USER, timeout=0.3)


async def test_handlers_see_validated_aiogram_types(
    world: tuple[TelegramEmulator, EmulatorServer],
) -> None:
    """Every message the emulator returns validates as aiogram's Message with its fields."""
    emu, server = world
    await emu.send_message(USER, "hi")
    bot: Bot
    async with make_bot(server) as bot:
        me = await bot.get_me()
        sent = await bot.send_message(
            USER, "see /help and @someone at https://example.com", reply_markup=keyboard("A")
        )
        chat = await bot.get_chat(USER)
    assert (me.id, me.username, me.is_bot) == (123456, "uis_call_bot", True)
    assert sent.from_user is not None
    assert sent.from_user.id == 123456
    assert sent.chat.id == USER
    assert sent.chat.username == "ivan_p"
    assert [e.type for e in sent.entities or []] == ["bot_command", "mention", "url"]
    assert sent.reply_markup is not None
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == "do:A"
    assert chat.first_name == "Ivan"


async def test_a_file_from_the_user_is_downloaded_by_the_bot(
    world: tuple[TelegramEmulator, EmulatorServer],
) -> None:
    emu, server = world
    received: list[tuple[str | None, bytes, str | None]] = []
    dp = Dispatcher()

    @dp.message(F.document)
    async def on_document(message: Message, bot: Bot) -> None:
        assert message.document is not None
        content = await bot.download(message.document)
        assert content is not None
        received.append((message.document.file_name, content.read(), message.caption))
        await message.answer_document(message.document.file_id, caption="back")

    payload = "id;name\n104;Пётр\n".encode()
    async with polling(dp, server):
        action = await emu.send_document(USER, "catalog.csv", payload, caption="каталог")
        echoed = await emu.wait_for_bot_message(USER, timeout=5)

    assert action.update_id is not None
    assert received == [("catalog.csv", payload, "каталог")]
    (sent,) = emu.user_documents(USER)
    assert (sent.file_name, sent.mime_type, sent.message_id) == (
        "catalog.csv",
        "text/csv",
        action.message_id,
    )
    assert echoed.document is not None
    # Re-sent by file_id, as Telegram allows: the same bytes under the same name.
    echoed_file = emu.document(echoed.document.file_id)
    assert (echoed_file.file_name, echoed_file.content) == ("catalog.csv", payload)
    assert emu.document(sent.file_id).content == payload
    with pytest.raises(EmulatorError, match="empty"):
        await emu.send_document(USER, "empty.txt", b"")
