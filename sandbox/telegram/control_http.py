"""The control interface over HTTP (/_emu/...), mirroring TelegramEmulator's Python methods.

For demos and for processes that cannot share the emulator object (the bot running as a
separate `callbot` process). Bodies are JSON; replies are {"ok": true, "result": ...} or
{"ok": false, "description": ...} with status 400 (misuse), 404 (unknown document) or 408
(a wait timed out). Loopback only: the control interface has no authentication.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from sandbox.telegram.errors import EmulatorError, EmulatorTimeout

if TYPE_CHECKING:
    from sandbox.telegram.emulator import TelegramEmulator

ControlHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _reply(result: Any, status: int = 200) -> web.Response:
    body = {"ok": True, "result": result} if status == 200 else {"ok": False, "description": result}
    return web.Response(
        text=json.dumps(body, ensure_ascii=False), status=status, content_type="application/json"
    )


class _Body:
    """Typed access to a control request's JSON body (or query string for GET)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    @classmethod
    async def read(cls, request: web.Request) -> _Body:
        if request.method == "GET" or not request.body_exists:
            return cls(dict(request.query))
        try:
            data = await request.json()
        except json.JSONDecodeError as exc:
            raise EmulatorError("the body must be JSON") from exc
        if not isinstance(data, dict):
            raise EmulatorError("the body must be a JSON object")
        return cls(data)

    def opt_int(self, name: str) -> int | None:
        value = self._data.get(name)
        if value is None:
            return None
        if isinstance(value, str) and value.lstrip("-").isdigit():
            return int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise EmulatorError(f"{name} must be an integer")
        return value

    def required_int(self, name: str) -> int:
        value = self.opt_int(name)
        if value is None:
            raise EmulatorError(f"{name} is required")
        return value

    def opt_float(self, name: str) -> float | None:
        value = self._data.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError as exc:
                raise EmulatorError(f"{name} must be a number") from exc
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise EmulatorError(f"{name} must be a number")
        return float(value)

    def opt_str(self, name: str) -> str | None:
        value = self._data.get(name)
        if value is not None and not isinstance(value, str):
            raise EmulatorError(f"{name} must be a string")
        return value

    def required_str(self, name: str) -> str:
        value = self.opt_str(name)
        if value is None:
            raise EmulatorError(f"{name} is required")
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = self._data.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value.lower() in ("1", "true", "yes")
        if not isinstance(value, bool):
            raise EmulatorError(f"{name} must be a Boolean")
        return value

    def int_list(self, name: str) -> list[int]:
        value = self._data.get(name, [])
        if isinstance(value, str):
            value = [item for item in value.split(",") if item]
        if not isinstance(value, list):
            raise EmulatorError(f"{name} must be a list of integers")
        try:
            return [int(item) for item in value]
        except (TypeError, ValueError) as exc:
            raise EmulatorError(f"{name} must be a list of integers") from exc

    def str_list(self, name: str) -> list[str] | None:
        value = self._data.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return [item for item in value.split(",") if item]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise EmulatorError(f"{name} must be a list of strings")
        return value

    def opt_dict(self, name: str) -> dict[str, Any] | None:
        value = self._data.get(name)
        if value is not None and not isinstance(value, dict):
            raise EmulatorError(f"{name} must be an object")
        return value

    def index(self) -> int | tuple[int, int] | None:
        value = self._data.get("index")
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(item, int) and not isinstance(item, bool) for item in value)
        ):
            return (value[0], value[1])
        raise EmulatorError("index must be an integer or [row, column]")


def control_routes(emulator: TelegramEmulator) -> list[web.RouteDef]:
    """Routes of the /_emu/ control interface bound to one emulator."""

    def handler(action: Callable[[_Body, web.Request], Awaitable[Any]]) -> ControlHandler:
        async def handle(request: web.Request) -> web.StreamResponse:
            try:
                result = await action(await _Body.read(request), request)
            except EmulatorTimeout as exc:
                return _reply(str(exc), status=408)
            except EmulatorError as exc:
                return _reply(str(exc), status=400)
            if isinstance(result, web.StreamResponse):
                return result
            return _reply(result)

        return handle

    async def add_user(body: _Body, _: web.Request) -> Any:
        user = emulator.add_user(
            body.required_int("user_id"),
            body.required_str("first_name"),
            last_name=body.opt_str("last_name"),
            username=body.opt_str("username"),
            language_code=body.opt_str("language_code"),
            phone_number=body.opt_str("phone_number"),
        )
        return user.to_api()

    async def add_group(body: _Body, _: web.Request) -> Any:
        chat_type = body.opt_str("chat_type")
        if chat_type not in (None, "group", "supergroup"):
            raise EmulatorError("chat_type is group or supergroup")
        chat = emulator.add_group(
            body.required_int("chat_id"),
            body.required_str("title"),
            body.int_list("member_ids"),
            admin_ids=body.int_list("admin_ids"),
            chat_type="supergroup" if chat_type == "supergroup" else "group" if chat_type else None,
            username=body.opt_str("username"),
            bot_is_admin=body.flag("bot_is_admin", False),
        )
        return chat.to_api()

    async def send_message(body: _Body, _: web.Request) -> Any:
        action = await emulator.send_message(
            body.required_int("chat_id"),
            body.required_str("text"),
            user_id=body.opt_int("user_id"),
            reply_to_message_id=body.opt_int("reply_to_message_id"),
        )
        return action.to_json()

    async def send_contact(body: _Body, _: web.Request) -> Any:
        action = await emulator.send_contact(
            body.required_int("chat_id"),
            user_id=body.opt_int("user_id"),
            phone_number=body.opt_str("phone_number"),
            first_name=body.opt_str("first_name"),
            last_name=body.opt_str("last_name"),
            contact_user_id=body.opt_int("contact_user_id"),
        )
        return action.to_json()

    async def send_document(body: _Body, _: web.Request) -> Any:
        encoded = body.opt_str("content_base64")
        file_name = body.opt_str("file_name")
        if encoded is None or not file_name:
            raise EmulatorError("file_name and content_base64 are required")
        try:
            content = base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise EmulatorError("content_base64 must be base64") from exc
        action = await emulator.send_document(
            body.required_int("chat_id"),
            file_name,
            content,
            user_id=body.opt_int("user_id"),
            mime_type=body.opt_str("mime_type"),
            caption=body.opt_str("caption"),
        )
        return action.to_json()

    async def forward_message(body: _Body, _: web.Request) -> Any:
        action = await emulator.forward_message(
            body.required_int("chat_id"),
            user_id=body.opt_int("user_id"),
            text=body.opt_str("text"),
            contact=body.opt_dict("contact"),
            origin_user_id=body.opt_int("origin_user_id"),
            hidden_sender_name=body.opt_str("hidden_sender_name"),
            origin_date=body.opt_int("origin_date"),
        )
        return action.to_json()

    async def edit_message(body: _Body, _: web.Request) -> Any:
        action = await emulator.edit_user_message(
            body.required_int("chat_id"), body.required_int("message_id"), body.required_str("text")
        )
        return action.to_json()

    async def press_button(body: _Body, _: web.Request) -> Any:
        press = await emulator.tap_button(
            body.required_int("chat_id"),
            body.opt_str("text"),
            index=body.index(),
            callback_data=body.opt_str("callback_data"),
            message_id=body.opt_int("message_id"),
            user_id=body.opt_int("user_id"),
        )
        result = press.to_json()
        if body.flag("wait", True):
            answer = await emulator.wait_for_callback_answer(
                press.query_id, body.opt_float("timeout")
            )
            result["answer"] = answer.to_json()
        return result

    async def press_reply_button(body: _Body, _: web.Request) -> Any:
        action = await emulator.press_reply_button(
            body.required_int("chat_id"), body.required_str("text"), user_id=body.opt_int("user_id")
        )
        return action.to_json()

    async def callback_query(body: _Body, _: web.Request) -> Any:
        press = await emulator.send_callback_query(
            body.required_int("chat_id"),
            body.opt_str("data"),
            message_id=body.opt_int("message_id"),
            user_id=body.opt_int("user_id"),
        )
        return press.to_json()

    async def redeliver(body: _Body, _: web.Request) -> Any:
        return await emulator.redeliver(body.required_int("update_id"))

    async def block_bot(body: _Body, _: web.Request) -> Any:
        return (await emulator.block_bot(body.required_int("user_id"))).to_json()

    async def unblock_bot(body: _Body, _: web.Request) -> Any:
        return (await emulator.unblock_bot(body.required_int("user_id"))).to_json()

    async def inject_error(body: _Body, _: web.Request) -> Any:
        emulator.inject_error(
            body.opt_str("method"),
            error_code=body.required_int("error_code"),
            description=body.required_str("description"),
            count=body.opt_int("count") or 1,
            retry_after=body.opt_int("retry_after"),
        )
        return True

    async def inject_flood(body: _Body, _: web.Request) -> Any:
        emulator.inject_flood(
            body.opt_str("method"),
            count=body.opt_int("count") or 1,
            retry_after=body.opt_int("retry_after") or 5,
        )
        return True

    async def clear_injected_errors(body: _Body, _: web.Request) -> Any:
        emulator.clear_injected_errors()
        return True

    async def wait_for_bot_message(body: _Body, _: web.Request) -> Any:
        message = await emulator.wait_for_bot_message(
            body.required_int("chat_id"),
            after=body.opt_int("after"),
            text_contains=body.opt_str("text_contains"),
            include_edits=body.flag("include_edits", True),
            timeout=body.opt_float("timeout"),
        )
        return message.to_json()

    async def wait_for_event(body: _Body, _: web.Request) -> Any:
        event = await emulator.wait_for(
            body.required_int("chat_id"),
            None,
            body.opt_float("timeout"),
            after=body.opt_int("after"),
            kinds=body.str_list("kinds"),
        )
        return event.to_json()

    async def wait_for_callback_answer(body: _Body, _: web.Request) -> Any:
        answer = await emulator.wait_for_callback_answer(
            body.required_str("query_id"), body.opt_float("timeout")
        )
        return answer.to_json()

    def chat_id_of(request: web.Request) -> int:
        try:
            return int(request.match_info["chat_id"])
        except ValueError as exc:
            raise EmulatorError("chat id must be an integer") from exc

    async def messages(body: _Body, request: web.Request) -> Any:
        raw_from_bot = body.opt_str("from_bot")
        from_bot = None if raw_from_bot is None else raw_from_bot.lower() in ("1", "true")
        visible = emulator.visible_messages(chat_id_of(request), from_bot=from_bot)
        return [message.to_json() for message in visible]

    async def events(body: _Body, request: web.Request) -> Any:
        chat_id = chat_id_of(request)
        emulator.chat(chat_id)
        found = emulator.events(
            chat_id, after=body.opt_int("after") or 0, kinds=body.str_list("kinds")
        )
        return [event.to_json() for event in found]

    async def reply_keyboard(body: _Body, request: web.Request) -> Any:
        return emulator.reply_keyboard(chat_id_of(request))

    async def commands(body: _Body, request: web.Request) -> Any:
        return emulator.commands_for(chat_id_of(request), body.opt_int("user_id"))

    async def checkpoint(body: _Body, _: web.Request) -> Any:
        return emulator.checkpoint()

    async def documents(body: _Body, _: web.Request) -> Any:
        return [document.to_json() for document in emulator.documents(body.opt_int("chat_id"))]

    async def document_content(body: _Body, request: web.Request) -> Any:
        try:
            document = emulator.document(request.match_info["file_id"])
        except EmulatorError as exc:
            return _reply(str(exc), status=404)
        return web.Response(
            body=document.content,
            content_type=document.mime_type or "application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="{document.file_name}"'},
        )

    async def api_calls(body: _Body, _: web.Request) -> Any:
        return [call.to_json() for call in emulator.api_calls(body.opt_str("method"))]

    async def state(body: _Body, _: web.Request) -> Any:
        world = emulator.state
        return {
            "bot": emulator.bot_user.to_api(),
            "users": [user.to_api() for user in world.users.values()],
            "chats": [
                {**chat.to_api(), "message_count": len(chat.messages), "started": chat.started}
                for chat in world.chats.values()
            ],
            "webhook": emulator.webhook,
            "pending_update_count": emulator.pending_update_count,
            "checkpoint": emulator.checkpoint(),
        }

    posts: dict[str, Callable[[_Body, web.Request], Awaitable[Any]]] = {
        "users": add_user,
        "groups": add_group,
        "send_message": send_message,
        "send_contact": send_contact,
        "send_document": send_document,
        "forward_message": forward_message,
        "edit_message": edit_message,
        "press_button": press_button,
        "press_reply_button": press_reply_button,
        "callback_query": callback_query,
        "redeliver": redeliver,
        "block_bot": block_bot,
        "unblock_bot": unblock_bot,
        "inject_error": inject_error,
        "inject_flood": inject_flood,
        "clear_injected_errors": clear_injected_errors,
        "wait_for_bot_message": wait_for_bot_message,
        "wait_for_event": wait_for_event,
        "wait_for_callback_answer": wait_for_callback_answer,
    }
    gets: dict[str, Callable[[_Body, web.Request], Awaitable[Any]]] = {
        "chats/{chat_id}/messages": messages,
        "chats/{chat_id}/events": events,
        "chats/{chat_id}/reply_keyboard": reply_keyboard,
        "chats/{chat_id}/commands": commands,
        "checkpoint": checkpoint,
        "documents": documents,
        "documents/{file_id}": document_content,
        "api_calls": api_calls,
        "state": state,
    }
    return [web.post(f"/_emu/{path}", handler(action)) for path, action in posts.items()] + [
        web.get(f"/_emu/{path}", handler(action)) for path, action in gets.items()
    ]
