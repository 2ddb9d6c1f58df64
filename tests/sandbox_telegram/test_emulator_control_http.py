"""The /_emu/ control interface over HTTP, and the `python -m sandbox.telegram` entry point."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Dispatcher, F
from aiogram.filters import CommandStart
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from emulator_testkit import TOKEN, polling, running_emulator

from sandbox.telegram import EmulatorServer, TelegramEmulator

World = tuple[TelegramEmulator, EmulatorServer, aiohttp.ClientSession]


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async with running_emulator() as (emulator, server), aiohttp.ClientSession() as http:
        yield emulator, server, http


async def control(world: World, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    _, server, http = world
    url = f"{server.base_url}/_emu/{path}"
    request = http.get(url) if body is None else http.post(url, json=body)
    async with request as response:
        return response.status, await response.json()


def demo_dispatcher() -> Dispatcher:
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(
            "Menu",
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[[InlineKeyboardButton(text="Export", callback_data="export")]]
            ),
        )

    @dp.callback_query(F.data == "export")
    async def export(query: CallbackQuery) -> None:
        await query.answer("Preparing export", show_alert=True)
        assert query.message is not None
        await query.bot.send_document(  # type: ignore[union-attr]
            query.message.chat.id, BufferedInputFile(b"a;b\n", filename="calls.csv")
        )

    return dp


async def test_a_whole_conversation_through_http(world: World) -> None:
    _, server, http = world
    status, user = await control(
        world, "users", {"user_id": 1001, "first_name": "Ivan", "language_code": "ru"}
    )
    assert (status, user["result"]["language_code"]) == (200, "ru")
    async with polling(demo_dispatcher(), server):
        status, sent = await control(world, "send_message", {"chat_id": 1001, "text": "/start"})
        assert sent["result"]["update_id"] is not None
        status, menu = await control(world, "wait_for_bot_message", {"chat_id": 1001})
        assert (menu["result"]["text"], menu["result"]["buttons"][0][0]["text"]) == (
            "Menu",
            "Export",
        )
        status, pressed = await control(world, "press_button", {"chat_id": 1001, "text": "Export"})
        assert pressed["result"]["answer"] == {
            "query_id": pressed["result"]["query_id"],
            "text": "Preparing export",
            "show_alert": True,
            "url": None,
            "cache_time": 0,
        }
        status, document_message = await control(
            world,
            "wait_for_bot_message",
            {"chat_id": 1001, "after": pressed["result"]["checkpoint"]},
        )
    file_id = document_message["result"]["document"]["file_id"]
    async with http.get(f"{server.base_url}/_emu/documents/{file_id}") as response:
        assert (response.status, await response.read()) == (200, b"a;b\n")
    _, messages = await control(world, "chats/1001/messages")
    assert [m["text"] for m in messages["result"]] == ["/start", "Menu", None]
    _, events = await control(world, "chats/1001/events?kinds=callback_answer,sent")
    assert [e["kind"] for e in events["result"]] == ["sent", "callback_answer", "sent"]
    _, documents = await control(world, "documents?chat_id=1001")
    assert documents["result"][0]["file_name"] == "calls.csv"


async def test_fault_injection_and_forged_callbacks_over_http(world: World) -> None:
    emu, _, _ = world
    await control(world, "users", {"user_id": 1001, "first_name": "Ivan"})
    await control(world, "inject_flood", {"method": "sendMessage", "retry_after": 9})
    assert emu.state.injected_errors[0].retry_after == 9
    await control(world, "clear_injected_errors", {})
    assert emu.state.injected_errors == []
    _, forged = await control(
        world, "callback_query", {"chat_id": 1001, "data": "call:999999", "message_id": 5}
    )
    assert forged["result"]["data"] == "call:999999"
    assert emu.state.pending_updates[-1]["callback_query"]["data"] == "call:999999"


async def test_misuse_and_timeouts_have_http_statuses(world: World) -> None:
    await control(world, "users", {"user_id": 1001, "first_name": "Ivan"})
    status, body = await control(world, "send_message", {"chat_id": 5, "text": "x"})
    assert (status, body["ok"]) == (400, False)
    assert "unknown chat 5" in body["description"]
    status, body = await control(world, "press_button", {"chat_id": 1001, "text": "Nope"})
    assert status == 400
    assert "no inline button" in body["description"]
    status, body = await control(world, "wait_for_bot_message", {"chat_id": 1001, "timeout": 0.2})
    assert status == 408
    _, state = await control(world, "state")
    assert state["result"]["bot"]["username"] == "uis_call_bot"
    emu = world[0]
    secret = TOKEN.split(":")[1]
    assert secret not in json.dumps(state)
    assert secret not in repr(emu)
    assert secret not in repr(emu.api_calls())


async def test_command_line_entry_point_serves_until_terminated() -> None:
    environment = {**os.environ, "EMULATOR_BOT_TOKEN": TOKEN}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandbox.telegram",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--user",
        "1001:Ivan:ru",
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=30)).decode()
        assert line.startswith("Telegram emulator listening on http://127.0.0.1:")
        base_url = line.rsplit(" ", 1)[1].strip()
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base_url}/bot{TOKEN}/getMe") as response:
                me = await response.json()
            async with http.get(f"{base_url}/_emu/state") as response:
                state = await response.json()
        assert me["result"]["username"] == "uis_call_bot"
        assert state["result"]["users"][0]["first_name"] == "Ivan"
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0
    assert TOKEN not in stderr.decode()
    assert TOKEN.split(":")[1] not in stderr.decode()


async def test_a_user_sends_a_file_over_http(world: World) -> None:
    emu, server, http = world
    await control(world, "users", {"user_id": 1001, "first_name": "Ivan"})
    await control(world, "send_message", {"chat_id": 1001, "text": "/start"})
    body = {
        "chat_id": 1001,
        "file_name": "catalog.json",
        "content_base64": base64.b64encode(b'{"employees": []}').decode(),
        "caption": "новый справочник",
    }
    status, sent = await control(world, "send_document", body)
    assert status == 200
    document = sent["result"]["message"]["document"]
    assert (document["file_name"], document["mime_type"]) == ("catalog.json", "application/json")
    assert sent["result"]["message"]["caption"] == "новый справочник"
    async with http.get(f"{server.base_url}/_emu/documents/{document['file_id']}") as response:
        assert (response.status, await response.read()) == (200, b'{"employees": []}')
    assert [d.file_name for d in emu.user_documents(1001)] == ["catalog.json"]
    status, refused = await control(world, "send_document", {**body, "content_base64": "%%"})
    assert (status, refused["ok"]) == (400, False)
    assert "base64" in refused["description"]
