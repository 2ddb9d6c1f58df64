"""The Bot API over raw HTTP: envelope, auth, request encodings, long polling semantics."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram.types import InaccessibleMessage, Update
from emulator_testkit import TOKEN, running_emulator

from sandbox.telegram import EmulatorServer, TelegramEmulator

USER = 1001


@pytest.fixture
async def world() -> AsyncIterator[tuple[TelegramEmulator, EmulatorServer, aiohttp.ClientSession]]:
    async with running_emulator() as (emulator, server), aiohttp.ClientSession() as http:
        emulator.add_user(USER, "Ivan", language_code="ru")
        yield emulator, server, http


World = tuple[TelegramEmulator, EmulatorServer, aiohttp.ClientSession]


async def call(
    world: World, method: str, *, token: str = TOKEN, **params: Any
) -> tuple[int, dict[str, Any]]:
    """POST a JSON body, the way many non-aiogram clients call the Bot API."""
    _, server, http = world
    async with http.post(f"{server.base_url}/bot{token}/{method}", json=params) as response:
        return response.status, await response.json()


async def test_unknown_token_is_unauthorized(world: World) -> None:
    status, body = await call(world, "getMe", token="123456:WRONG")
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})


async def test_unknown_method_is_not_found(world: World) -> None:
    status, body = await call(world, "sendPigeon")
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})


async def test_request_encodings_and_case_insensitive_methods(world: World) -> None:
    emu, server, http = world
    await emu.send_message(USER, "hi")
    url = f"{server.base_url}/bot{TOKEN}"
    async with http.get(f"{url}/sendmessage", params={"chat_id": str(USER), "text": "get"}) as r:
        assert (r.status, (await r.json())["result"]["text"]) == (200, "get")
    form = {
        "chat_id": str(USER),
        "text": "form",
        "reply_markup": json.dumps({"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}),
    }
    async with http.post(f"{url}/sendMessage", data=form) as r:
        assert (await r.json())["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "A"
    status, body = await call(world, "SENDMESSAGE", chat_id=USER, text="json")
    assert (status, body["result"]["message_id"]) == (200, 4)
    multipart = aiohttp.FormData()
    multipart.add_field("chat_id", str(USER))
    multipart.add_field("document", b"id;phone\n", filename="report.csv")
    async with http.post(f"{url}/sendDocument", data=multipart) as r:
        document = (await r.json())["result"]["document"]
    assert (document["file_name"], document["file_size"]) == ("report.csv", 9)
    assert emu.document(document["file_id"]).content == b"id;phone\n"
    assert [m.text for m in emu.visible_messages(USER)] == ["hi", "get", "form", "json", None]


async def test_get_updates_confirms_by_offset_and_honours_limit(world: World) -> None:
    emu, _, _ = world
    for text in ("one", "two", "three"):
        await emu.send_message(USER, text)
    _, first = await call(world, "getUpdates", limit=2)
    ids = [update["update_id"] for update in first["result"]]
    assert [u["message"]["text"] for u in first["result"]] == ["one", "two"]
    _, again = await call(world, "getUpdates")
    assert len(again["result"]) == 3  # nothing confirmed yet
    _, rest = await call(world, "getUpdates", offset=ids[1] + 1)
    assert [u["message"]["text"] for u in rest["result"]] == ["three"]
    assert emu.pending_update_count == 1
    _, last_only = await call(world, "getUpdates", offset=-1)
    assert [u["message"]["text"] for u in last_only["result"]] == ["three"]


async def test_long_poll_returns_as_soon_as_an_update_arrives(world: World) -> None:
    emu, _, _ = world
    poll = asyncio.create_task(call(world, "getUpdates", timeout=30))
    await emu.wait_for_polling()
    await emu.send_message(USER, "wake up")
    status, body = await asyncio.wait_for(poll, timeout=10)
    assert (status, body["result"][0]["message"]["text"]) == (200, "wake up")
    _, empty = await call(world, "getUpdates", offset=body["result"][0]["update_id"] + 1)
    assert empty == {"ok": True, "result": []}


async def test_second_poller_terminates_the_first_with_409(world: World) -> None:
    emu, _, _ = world
    first = asyncio.create_task(call(world, "getUpdates", timeout=30))
    await emu.wait_for_polling()
    second = asyncio.create_task(call(world, "getUpdates", timeout=30))
    status, body = await asyncio.wait_for(first, timeout=10)
    assert status == 409
    assert body["description"].startswith("Conflict: terminated by other getUpdates request")
    await emu.send_message(USER, "for the survivor")
    status, body = await asyncio.wait_for(second, timeout=10)
    assert body["result"][0]["message"]["text"] == "for the survivor"


async def test_allowed_updates_filters_new_updates(world: World) -> None:
    emu, _, _ = world
    await call(world, "getUpdates", allowed_updates=["callback_query"])
    dropped = await emu.send_message(USER, "not wanted")
    await call(world, "getUpdates", allowed_updates=[])  # back to the default set
    kept = await emu.send_message(USER, "wanted")
    _, body = await call(world, "getUpdates")
    assert dropped.update_id is None
    assert [u["update_id"] for u in body["result"]] == [kept.update_id]


async def test_webhook_is_recorded_and_blocks_get_updates(world: World) -> None:
    emu, _, _ = world
    _, ok = await call(world, "setWebhook", url="https://bot.example.com/hook", secret_token="s3")
    status, conflict = await call(world, "getUpdates")
    _, info = await call(world, "getWebhookInfo")
    await call(world, "deleteWebhook", drop_pending_updates=True)
    _, cleared = await call(world, "getWebhookInfo")
    assert ok["result"] is True
    assert status == 409
    assert "webhook is active" in conflict["description"]
    assert info["result"]["url"] == "https://bot.example.com/hook"
    assert "s3" not in json.dumps(emu.webhook)
    assert cleared["result"]["url"] == ""
    assert emu.webhook is None


async def test_flood_envelope_carries_retry_after(world: World) -> None:
    emu, _, _ = world
    await emu.send_message(USER, "hi")
    emu.inject_flood("sendMessage", retry_after=11)
    emu.inject_error("getChat", error_code=500, description="Internal Server Error")
    status, body = await call(world, "sendMessage", chat_id=USER, text="x")
    assert (status, body) == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 11",
            "parameters": {"retry_after": 11},
        },
    )
    assert (await call(world, "getChat", chat_id=USER))[0] == 500
    assert (await call(world, "sendMessage", chat_id=USER, text="x"))[0] == 200
    assert (await call(world, "getChat", chat_id=USER))[0] == 200


async def test_bad_requests_use_telegram_descriptions(world: World) -> None:
    emu, _, _ = world
    await emu.send_message(USER, "hi")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"chat_id": 999, "text": "x"}, "Bad Request: chat not found"),
        ({"chat_id": USER, "text": ""}, "Bad Request: message text is empty"),
        (
            {"chat_id": USER, "text": "1.5", "parse_mode": "MarkdownV2"},
            "Bad Request: can't parse entities: Character '.' is reserved and must be escaped "
            "with the preceding '\\'",
        ),
        (
            {"chat_id": USER, "text": "x", "reply_markup": "{not json"},
            "Bad Request: can't parse reply keyboard markup JSON object",
        ),
        (
            {"chat_id": USER, "text": "x", "reply_parameters": {"message_id": 77}},
            "Bad Request: message to be replied not found",
        ),
    ]
    for params, description in cases:
        status, body = await call(world, "sendMessage", **params)
        assert (status, body["description"]) == (400, description)


async def test_message_ids_grow_per_chat(world: World) -> None:
    emu, _, _ = world
    emu.add_user(1002, "John")
    await emu.send_message(USER, "a")
    await emu.send_message(1002, "b")
    _, to_first = await call(world, "sendMessage", chat_id=USER, text="x")
    _, to_second = await call(world, "sendMessage", chat_id=1002, text="y")
    assert (to_first["result"]["message_id"], to_second["result"]["message_id"]) == (2, 2)


async def test_every_update_kind_validates_as_aiogram_update(world: World) -> None:
    emu, _, _ = world
    emu.add_user(1002, "Olga", username="olga_k", phone_number="79031234567")
    emu.add_group(-1001234567890, "Sales", member_ids=[USER, 1002], bot_is_admin=True)
    first = await emu.send_message(USER, "/start hello @olga_k #vip https://uiscom.ru")
    await emu.send_contact(USER, phone_number="79037654321", first_name="Client")
    await emu.send_contact(1002)
    await emu.forward_message(USER, text="fwd", origin_user_id=1002)
    await emu.forward_message(
        USER, contact={"phone_number": "79031234567", "first_name": "A"}, hidden_sender_name="B"
    )
    assert first.message_id is not None
    await emu.send_message(USER, "reply", reply_to_message_id=first.message_id)
    await emu.edit_user_message(USER, first.message_id, "/start edited")
    _, sent = await call(
        world,
        "sendMessage",
        chat_id=USER,
        text="pick",
        reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
    )
    await emu.tap_button(USER, "A")
    await emu.send_callback_query(USER, "forged", message_id=999)
    await emu.send_callback_query(USER, None)
    await emu.send_message(-1001234567890, "group text", user_id=1002)
    await emu.block_bot(USER)

    updates = [Update.model_validate(raw) for raw in emu.state.pending_updates]
    kinds = [update.event_type for update in updates]
    assert kinds == ["message"] * 6 + ["edited_message"] + ["callback_query"] * 3 + [
        "message",
        "my_chat_member",
    ]
    start = updates[0].message
    assert start is not None
    assert [e.type for e in start.entities or []] == ["bot_command", "mention", "hashtag", "url"]
    assert updates[2].message is not None
    assert updates[2].message.contact is not None
    assert updates[2].message.contact.user_id == 1002
    assert updates[3].message is not None
    assert updates[3].message.forward_origin is not None
    assert updates[4].message is not None
    assert updates[4].message.forward_origin is not None
    assert updates[4].message.forward_origin.type == "hidden_user"
    assert updates[5].message is not None
    assert updates[5].message.reply_to_message is not None
    assert updates[7].callback_query is not None
    assert updates[7].callback_query.message is not None
    assert updates[7].callback_query.message.message_id == sent["result"]["message_id"]
    assert isinstance(
        updates[8].callback_query and updates[8].callback_query.message, InaccessibleMessage
    )
    assert updates[9].callback_query is not None
    assert updates[9].callback_query.message is None
    assert updates[10].message is not None
    assert updates[10].message.chat.type == "supergroup"


async def test_a_confirmed_update_can_be_delivered_again_with_its_id(world: World) -> None:
    emu, server, http = world
    action = await emu.send_message(USER, "/call 89031234567")
    assert action.update_id is not None
    _, first = await call(world, "getUpdates")
    (update,) = first["result"]
    assert update["update_id"] == action.update_id
    _, confirmed = await call(world, "getUpdates", offset=action.update_id + 1)
    assert confirmed["result"] == []
    again = await emu.redeliver(action.update_id)
    assert again == update
    # A bot that starts afresh polls without an offset, as after a restart.
    _, redelivered = await call(world, "getUpdates")
    assert redelivered["result"] == [update]
    async with http.post(
        f"{server.base_url}/_emu/redeliver", json={"update_id": action.update_id}
    ) as response:
        assert (await response.json())["result"]["update_id"] == action.update_id
    assert emu.pending_update_count == 1  # already pending: queued once
