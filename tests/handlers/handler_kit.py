"""The fast handler tier's kit: the production dispatcher fed updates in-process.

- ``RecordingSession``: an aiogram ``BaseSession`` that answers every Bot API request itself
  (no HTTP) and keeps what each chat shows: messages sent, edited, deleted; callback answers;
  documents. The bot is built by production ``build_bot`` and gets this session in place of
  its HTTP one, with the production session middlewares (``ResilientRequests``) moved over:
  the dispatcher is then wired exactly as in production (``build_app`` adds ``PressClock``
  only when that policy is present). This session never fails a request, so the policy only
  does what it does on success: "message is not modified" (raised here as the Bot API does,
  for an edit that changes nothing) counts as done. No handler's behaviour depends on it.
- ``Harness``: one bot application (``build_runtime`` + ``build_app``, started and shut down
  as ``run_polling`` does) on the real PostgreSQL database, its Call API client talking HTTP
  on loopback to the in-process UIS simulator. ``send``/``press`` build Telegram updates and
  go through ``Dispatcher.feed_update``; they never call a handler directly.
- ``HandlerRecorder``: an inner middleware on messages and callback queries noting which
  handler took each update (``handler_name``), for the check that every handler registered
  in the dispatcher is reached by some test of this tier (``test_every_handler_reached.py``).
"""

from __future__ import annotations

import functools
import itertools
import re
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiogram import BaseMiddleware, Bot, Dispatcher, Router
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    EditMessageReplyMarkup,
    EditMessageText,
    GetFile,
    GetMe,
    SendDocument,
    SendMessage,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import BufferedInputFile, TelegramObject, Update
from pydantic import BaseModel

from bot.app import BotApp
from bot.bot_api_session import slim_update
from bot.card_messages import EditCardMessage
from bot.texts import Lang, TextParamError, t
from sandbox.world import DEMO_ADMIN_ID, DEMO_MANAGER_ID, admit_manager

BOT_USERNAME = "uis_call_bot"

# Plain Bot API answers "True" for these methods.
_TRUE_METHODS = frozenset(
    {
        "answerCallbackQuery",
        "deleteMessage",
        "setMyCommands",
        "deleteWebhook",
        "setWebhook",
        "sendChatAction",
        "deleteMyCommands",
    }
)


def handler_name(callback: Any) -> str:
    """``module.qualname`` of a handler callback (partials and wrappers unwrapped)."""
    while isinstance(callback, functools.partial):
        callback = callback.func
    callback = getattr(callback, "__wrapped__", callback)
    module = getattr(callback, "__module__", "?")
    qualname = getattr(callback, "__qualname__", type(callback).__qualname__)
    return f"{module}.{qualname}"


def iter_routers(router: Router) -> Iterator[Router]:
    yield router
    for child in router.sub_routers:
        yield from iter_routers(child)


def registered_handlers(dispatcher: Dispatcher) -> set[str]:
    """Every message, callback-query and error handler the dispatcher (and its routers) holds."""
    names: set[str] = set()
    for router in iter_routers(dispatcher):
        for observer in (router.message, router.callback_query, router.errors):
            names.update(handler_name(handler.callback) for handler in observer.handlers)
    return names


# Handlers reached by any fed update in this test session (the coverage check reads it).
REACHED: set[str] = set()
# Set by tests/handlers/conftest.py while collecting: whether this run is the whole tier.
DESELECTED = pytest.StashKey[bool]()
NOT_WHOLE = pytest.StashKey[str]()


def tier_run_reason(config: pytest.Config) -> str | None:
    """Why this run is not the whole tier (the coverage check then skips), or None."""
    if config.stash.get(DESELECTED, False):
        return "some tests of the tier were deselected"
    return config.stash.get(NOT_WHOLE, None)


class HandlerRecorder(BaseMiddleware):
    """Inner middleware: which handler took the update (after its filters passed)."""

    def __init__(self, ran: list[str]) -> None:
        self._ran = ran

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        name = handler_name(data["handler"].callback)
        self._ran.append(name)
        REACHED.add(name)
        return await handler(event, data)


# ---------------------------------------------------------------- texts in asserts

RU = Lang.RU


def text_pattern(key: str, lang: Lang = RU, /, **known: object) -> re.Pattern[str]:
    """The text ``key`` as a regular expression: parameters not given match anything.

    Rendered by ``t`` itself (so asserts follow the texts wherever they are kept); each
    parameter the text needs but the test cannot know (a fingerprint, a time) is a wildcard.
    """
    params: dict[str, object] = dict(known)
    wild: list[str] = []
    for _ in range(20):
        try:
            rendered = t(lang, key, **params)
            break
        except TextParamError as missing:
            marker = f"\x00{len(wild)}\x00"
            wild.append(marker)
            params[missing.param] = marker
    else:  # pragma: no cover
        raise AssertionError(f"text {key!r}: too many unknown parameters")
    pattern = re.escape(str(rendered))
    for marker in wild:
        pattern = pattern.replace(re.escape(marker), "(?s:.+?)")
    return re.compile(pattern)


def shows(text: str, key: str, lang: Lang = RU, /, **known: object) -> bool:
    """Whether ``text`` contains the text ``key`` (unknown parameters: any value)."""
    return text_pattern(key, lang, **known).search(text) is not None


# ---------------------------------------------------------------- what the chats show


@dataclass
class Shown:
    """A message as a chat shows it now (the bot's, or one a user sent)."""

    chat_id: int
    message_id: int
    text: str
    from_bot: bool
    reply_markup: dict[str, Any] | None = None
    document_name: str | None = None
    document: bytes | None = None
    reply_to: int | None = None
    edits: int = 0

    def buttons(self) -> list[tuple[str, str]]:
        """(text, callback data) of each inline button, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [(button["text"], button.get("callback_data", "")) for row in rows for button in row]

    def button_texts(self) -> list[str]:
        return [text for text, _ in self.buttons()]

    def data_of(self, text: str) -> str:
        for button_text, data in self.buttons():
            if button_text == text:
                return data
        raise AssertionError(f"no button {text!r} on message {self.message_id}: {self.buttons()}")


@dataclass
class CallbackAnswer:
    query_id: str
    text: str | None
    show_alert: bool


def _bad_request(method: TelegramMethod[Any], what: str) -> TelegramBadRequest:
    """What the Bot API answers (400) for an edit or delete it refuses."""
    return TelegramBadRequest(method=method, message=f"Bad Request: {what}")


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    return value


class RecordingSession(BaseSession):
    """Answers Bot API methods in memory and records them (type and parameters)."""

    def __init__(self, bot_id: int, username: str = BOT_USERNAME) -> None:
        super().__init__()
        self.bot_id = bot_id
        self.username = username
        self.requests: list[TelegramMethod[Any]] = []
        self.chats: dict[int, dict[int, Shown]] = {}
        self.answers: dict[str, CallbackAnswer] = {}
        self.files: dict[str, bytes] = {}
        self._ids = itertools.count(1)

    # --------------------------------------------------------------- used by the harness

    def next_message_id(self) -> int:
        return next(self._ids)

    def add(self, shown: Shown) -> Shown:
        self.chats.setdefault(shown.chat_id, {})[shown.message_id] = shown
        return shown

    def messages(self, chat_id: int) -> list[Shown]:
        return sorted(self.chats.get(chat_id, {}).values(), key=lambda m: m.message_id)

    def methods(self, name: str | None = None) -> list[TelegramMethod[Any]]:
        if name is None:
            return list(self.requests)
        return [m for m in self.requests if m.__api_method__ == name]

    # --------------------------------------------------------------- BaseSession

    async def close(self) -> None:
        return None

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 - the BaseSession signature
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        path = url.rsplit("/", 1)[-1]
        yield self.files[path]

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> TelegramType:
        self.requests.append(method)
        result = self._result(method)
        content = self.json_dumps({"ok": True, "result": result})
        response = self.check_response(bot=bot, method=method, status_code=200, content=content)
        return response.result  # type: ignore[return-value]

    # --------------------------------------------------------------- method semantics

    def _bot_user(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Call bot"}

    def _message_json(self, shown: Shown) -> dict[str, Any]:
        chat: dict[str, Any] = (
            {"id": shown.chat_id, "type": "private", "first_name": "user"}
            if shown.chat_id > 0
            else {"id": shown.chat_id, "type": "supergroup", "title": "group"}
        )
        message: dict[str, Any] = {
            "message_id": shown.message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": self._bot_user(),
        }
        if shown.document_name is not None:
            message["document"] = {
                "file_id": f"doc-{shown.message_id}",
                "file_unique_id": f"u-doc-{shown.message_id}",
                "file_name": shown.document_name,
            }
            if shown.text:
                message["caption"] = shown.text
        else:
            message["text"] = shown.text
        if shown.reply_markup:
            message["reply_markup"] = shown.reply_markup
        return message

    def _existing(self, method: TelegramMethod[Any], chat_id: Any, message_id: Any) -> Shown:
        shown = self.chats.get(int(chat_id), {}).get(int(message_id))
        if shown is None:
            raise _bad_request(method, "message to edit not found")
        return shown

    def _result(self, method: TelegramMethod[Any]) -> Any:
        name = method.__api_method__
        if isinstance(method, GetMe):
            return {**self._bot_user(), "username": self.username}
        if isinstance(method, AnswerCallbackQuery):
            text = method.text if isinstance(method.text, str) else None
            self.answers[method.callback_query_id] = CallbackAnswer(
                method.callback_query_id, text, bool(method.show_alert)
            )
            return True
        if isinstance(method, SendMessage):
            reply = method.reply_parameters
            shown = self.add(
                Shown(
                    chat_id=int(method.chat_id),
                    message_id=self.next_message_id(),
                    text=method.text,
                    from_bot=True,
                    reply_markup=_plain(method.reply_markup),
                    reply_to=reply.message_id if reply is not None else None,
                )
            )
            return self._message_json(shown)
        if isinstance(method, SendDocument):
            document = method.document
            content = document.data if isinstance(document, BufferedInputFile) else b""
            name_ = document.filename if isinstance(document, BufferedInputFile) else "file"
            shown = self.add(
                Shown(
                    chat_id=int(method.chat_id),
                    message_id=self.next_message_id(),
                    text=method.caption if isinstance(method.caption, str) else "",
                    from_bot=True,
                    document_name=name_,
                    document=content,
                )
            )
            return self._message_json(shown)
        if isinstance(method, EditMessageText | EditCardMessage):
            shown = self._existing(method, method.chat_id, method.message_id)
            markup = _plain(method.reply_markup)
            text = str(method.text)
            if shown.text == text and shown.reply_markup == markup:
                raise _bad_request(method, "message is not modified")
            shown.text, shown.reply_markup = text, markup
            shown.edits += 1
            return self._message_json(shown)
        if isinstance(method, EditMessageReplyMarkup):
            shown = self._existing(method, method.chat_id, method.message_id)
            markup = _plain(method.reply_markup)
            if shown.reply_markup == markup:
                raise _bad_request(method, "message is not modified")
            shown.reply_markup = markup
            shown.edits += 1
            return self._message_json(shown)
        if isinstance(method, DeleteMessage):
            chat = self.chats.get(int(method.chat_id), {})
            if chat.pop(int(method.message_id), None) is None:
                raise _bad_request(method, "message to delete not found")
            return True
        if isinstance(method, GetFile):
            return {
                "file_id": method.file_id,
                "file_unique_id": "u-" + method.file_id,
                "file_path": f"documents/{method.file_id}",
            }
        if name in _TRUE_METHODS:
            return True
        raise AssertionError(f"RecordingSession does not answer {name} yet: add it")


# ---------------------------------------------------------------- users, chats, updates


@dataclass(frozen=True)
class User:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "ru"

    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


GROUP_ID = -1001234567890
GROUP_TITLE = "Sales"

ADMIN = User(DEMO_ADMIN_ID, "Anna", last_name="Smirnova", language_code="ru")
MANAGER = User(DEMO_MANAGER_ID, "Ivan", last_name="Petrov", language_code="ru")
STRANGER = User(2002, "Petr", username="petr", language_code="ru")
ENGLISH = User(2003, "John", username="john", language_code="en")
MANAGER_KEY = "demo-key-manager-0001"
CLIENT = "79031234567"


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _entities(text: str) -> list[dict[str, Any]]:
    """What Telegram marks: a leading /command, and @username mentions."""
    entities: list[dict[str, Any]] = []
    words = text.split(" ")
    position = 0
    for index, word in enumerate(words):
        stripped = word.strip()
        if stripped.startswith("/") and len(stripped) > 1 and index == 0:
            entities.append({"type": "bot_command", "offset": 0, "length": _utf16_len(stripped)})
        elif stripped.startswith("@") and len(stripped) > 1:
            entities.append(
                {
                    "type": "mention",
                    "offset": _utf16_len(text[:position]),
                    "length": _utf16_len(stripped),
                }
            )
        position += len(word) + 1
    return entities


@dataclass
class Fed:
    """What one fed update produced: the handlers that ran, the bot's new messages (in order)
    and its earlier messages edited meanwhile, the answer to a press."""

    handlers: list[str]
    new: list[Shown]
    edited: list[Shown]
    answer: CallbackAnswer | None = None

    @property
    def texts(self) -> list[str]:
        return [m.text for m in self.new]

    @property
    def last(self) -> Shown:
        """The last new message, or else the last edited one."""
        shown = self.new or self.edited
        assert shown, "the bot sent nothing"
        return shown[-1]


@dataclass
class Harness:
    app: BotApp
    session: RecordingSession
    simulator: Any  # sandbox.uis.Simulator
    ran: list[str] = field(default_factory=list)

    @property
    def bot(self) -> Bot:
        return self.app.bot

    @property
    def dispatcher(self) -> Dispatcher:
        return self.app.dispatcher

    @property
    def sim(self) -> Any:
        return self.simulator.control

    # --------------------------------------------------------------- set-up steps

    async def admit(self, user: User = MANAGER) -> None:
        """What an admin did before: the user is known, approved and linked to employee 101."""
        from db.users import record_user_seen

        async with self.app.runtime.sessions.begin() as session:
            await record_user_seen(
                session,
                user.id,
                username=user.username,
                first_name=user.first_name,
                last_name=user.last_name,
                language_code=user.language_code,
            )
        await admit_manager(self.app.runtime, user.id)

    async def approve(self, user: User) -> None:
        """Known and approved, linked to no employee."""
        from db.models import AccessState
        from db.users import record_user_seen

        async with self.app.runtime.sessions.begin() as session:
            await record_user_seen(
                session, user.id, first_name=user.first_name, language_code=user.language_code
            )
        member = await self.app.runtime.access.set_access(
            DEMO_ADMIN_ID, user.id, AccessState.ALLOWED
        )
        assert member is not None

    async def log_in(self, user: User = MANAGER, key: str = MANAGER_KEY) -> None:
        """/login, "access key", the key: through the handlers, as a user does it."""
        menu = (await self.send(user, "/login")).last
        await self.press(user, menu, t(RU, "btn.login_key"))
        done = await self.send(user, key)
        assert any(shows(text, "login.done_key_no_expiry") for text in done.texts), done.texts

    async def manager_ready(self) -> None:
        await self.admit(MANAGER)
        await self.log_in(MANAGER)

    async def start_call(
        self, user: User = MANAGER, number: str = CLIENT, chat_id: int | None = None
    ) -> Shown:
        """/call NUMBER, choosing the first virtual number when asked: the drawn card."""
        chat = user.id if chat_id is None else chat_id
        fed = await self.send(user, f"/call {number}", chat_id=chat_id)
        if fed.new and fed.last.buttons() and fed.last.buttons()[0][1].startswith("vn:"):
            fed = await self.press(user, fed.last, fed.last.button_texts()[0])
        cards = [
            m for m in fed.new + fed.edited if m.chat_id == chat and shows(m.text, "card.call_id")
        ]
        assert cards, f"no card drawn: {fed.texts}"
        return cards[-1]

    def call_id(self) -> int:
        calls = self.sim.calls(include_ended=False)
        assert calls, "no call in progress in the simulator"
        call_session_id: int = calls[-1]["call_session_id"]
        return call_session_id

    def answer_all(self, call_session_id: int) -> None:
        """Every ringing party picks up (the employee first, then the contact it dials)."""
        for _ in range(4):
            call = self.sim.call(call_session_id)
            ringing = [leg for leg in call["legs"] if leg["status"] == "ringing"]
            if not ringing:
                return
            self.sim.answer(call_session_id, ringing[0]["leg_id"])

    async def talking_card(self, user: User = MANAGER) -> Shown:
        """A call both parties answered, its card refreshed to show the talk."""
        card = await self.start_call(user)
        self.answer_all(self.call_id())
        await self.press(user, card, t(RU, "btn.refresh"))
        card = self.message(card.chat_id, card.message_id)
        assert shows(card.text, "card.phase.talk"), card.text
        return card

    # --------------------------------------------------------------- feeding

    async def feed(self, update: dict[str, Any]) -> Fed:
        update = {"update_id": _next_update_id(), **update}
        slim_update(update)  # as the production session decodes updates
        before = {
            (chat, mid): (m.text, m.reply_markup)
            for chat, messages in self.session.chats.items()
            for mid, m in messages.items()
        }
        ran_before = len(self.ran)
        await self.dispatcher.feed_update(
            self.bot, Update.model_validate(update, context={"bot": self.bot})
        )
        new: list[Shown] = []
        edited: list[Shown] = []
        for chat, messages in self.session.chats.items():
            for mid, m in messages.items():
                if not m.from_bot:
                    continue
                if (chat, mid) not in before:
                    new.append(m)
                elif before[(chat, mid)] != (m.text, m.reply_markup):
                    edited.append(m)
        new.sort(key=lambda m: m.message_id)
        edited.sort(key=lambda m: m.message_id)
        return Fed(self.ran[ran_before:], new, edited)

    def _chat_json(self, user: User, chat_id: int | None) -> dict[str, Any]:
        if chat_id is None or chat_id == user.id:
            return {"id": user.id, "type": "private", "first_name": user.first_name}
        return {"id": chat_id, "type": "supergroup", "title": GROUP_TITLE}

    def _user_message(
        self, user: User, chat_id: int | None, content: dict[str, Any], text: str = ""
    ) -> dict[str, Any]:
        chat = self._chat_json(user, chat_id)
        message_id = self.session.next_message_id()
        self.session.add(Shown(chat["id"], message_id, text, from_bot=False))
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": user.json(),
            **content,
        }

    async def send(self, user: User, text: str, chat_id: int | None = None) -> Fed:
        """A text message (a command if it starts with "/") from ``user``."""
        content: dict[str, Any] = {"text": text}
        entities = _entities(text)
        if entities:
            content["entities"] = entities
        return await self.feed({"message": self._user_message(user, chat_id, content, text)})

    async def send_contact(
        self, user: User, phone: str, first_name: str = "Клиент", chat_id: int | None = None
    ) -> Fed:
        content = {"contact": {"phone_number": phone, "first_name": first_name}}
        return await self.feed({"message": self._user_message(user, chat_id, content)})

    async def send_document(
        self, user: User, file_name: str, data: bytes, chat_id: int | None = None
    ) -> Fed:
        file_id = f"user-file-{len(self.session.files) + 1}"
        self.session.files[file_id] = data
        content = {
            "document": {
                "file_id": file_id,
                "file_unique_id": "u-" + file_id,
                "file_name": file_name,
                "file_size": len(data),
            }
        }
        return await self.feed({"message": self._user_message(user, chat_id, content)})

    async def press(self, user: User, message: Shown, button: str) -> Fed:
        """``user`` presses the button labelled ``button`` on ``message`` (its recorded data)."""
        return await self.press_data(user, message, message.data_of(button))

    async def press_data(self, user: User, message: Shown, data: str) -> Fed:
        query_id = f"q{_next_update_id()}"
        query = {
            "id": query_id,
            "from": user.json(),
            "chat_instance": f"ci{message.chat_id}",
            "message": self.session._message_json(message),
            "data": data,
        }
        fed = await self.feed({"callback_query": query})
        fed.answer = self.session.answers.get(query_id)
        return fed

    # --------------------------------------------------------------- reading

    def messages(self, chat_id: int) -> list[Shown]:
        return self.session.messages(chat_id)

    def message(self, chat_id: int, message_id: int) -> Shown:
        shown = self.session.chats.get(chat_id, {}).get(message_id)
        assert shown is not None, f"message {message_id} is not in chat {chat_id}"
        return shown

    def last(self, chat_id: int) -> Shown:
        shown = [m for m in self.messages(chat_id) if m.from_bot]
        assert shown, f"the bot sent nothing to chat {chat_id}"
        return shown[-1]


_update_counter = itertools.count(int(time.time()) % 1_000_000 * 1000)


def _next_update_id() -> int:
    """Unique in the whole run (update claims are keyed by bot and update id)."""
    return next(_update_counter)
