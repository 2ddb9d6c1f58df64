"""TelegramEmulator: the emulated Telegram world and its control interface for tests and demos.

The bot talks to it over the Bot API (see server.py); tests and the demo drive the users' side
with the methods here: add users and groups, send messages, contacts and forwards, press
buttons, then read what the bot showed and wait for its reactions.
"""

from __future__ import annotations

import hmac
import mimetypes
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any, Literal

from sandbox.telegram.bot_api import MESSAGE_MAX_LENGTH, BotApi
from sandbox.telegram.commands import scope_key
from sandbox.telegram.errors import EmulatorError, EmulatorTimeout
from sandbox.telegram.keyboards import find_inline_button, find_reply_button
from sandbox.telegram.models import (
    BOT_OUTPUT_KINDS,
    ApiCall,
    BotEvent,
    CallbackAnswer,
    CallbackPress,
    CallbackQueryRecord,
    EmuChat,
    EmuUser,
    InjectedError,
    StoredDocument,
    StoredMessage,
    UserAction,
    VisibleMessage,
)
from sandbox.telegram.server import EmulatorServer
from sandbox.telegram.state import EmulatorState
from sandbox.telegram.text_entities import detect_entities, entity_text

DEFAULT_TIMEOUT = 10.0


def _bot_id_from_token(token: str) -> int:
    bot_id, separator, secret = token.partition(":")
    if not separator or not bot_id.isdigit() or not secret:
        raise ValueError("a bot token looks like '<digits>:<secret>'")
    return int(bot_id)


class TelegramEmulator:
    """A local Telegram Bot API for one bot, plus the users' side as a control interface.

    The token is only compared, never logged or shown in repr().
    """

    def __init__(
        self,
        bot_token: str,
        bot_username: str = "emulator_bot",
        *,
        bot_first_name: str | None = None,
        group_privacy: bool = True,
        default_timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._token = bot_token
        bot = EmuUser(
            user_id=_bot_id_from_token(bot_token),
            first_name=bot_first_name or bot_username,
            username=bot_username,
            is_bot=True,
        )
        self._state = EmulatorState(bot, group_privacy=group_privacy)
        self.api = BotApi(self._state)
        self.default_timeout = default_timeout

    def __repr__(self) -> str:
        bot = self._state.bot
        return f"TelegramEmulator(bot=@{bot.username}, bot_id={bot.user_id})"

    # -- bot and server ------------------------------------------------------------------

    @property
    def bot_user(self) -> EmuUser:
        """The bot as a Telegram user (id from the token, username as configured)."""
        return self._state.bot

    def token_matches(self, token: str) -> bool:
        """Whether a request's token is the bot's (constant-time comparison)."""
        return hmac.compare_digest(token.encode(), self._token.encode())

    @property
    def state(self) -> EmulatorState:
        """The raw state, for the HTTP layer and for unusual test needs."""
        return self._state

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> EmulatorServer:
        """Start serving on host:port (0 picks a free port); stop with server.stop()."""
        server = EmulatorServer(self, host=host, port=port)
        await server.start()
        return server

    @asynccontextmanager
    async def running(
        self, host: str = "127.0.0.1", port: int = 0
    ) -> AsyncIterator[EmulatorServer]:
        """Serve while the block runs; server.base_url is what TelegramAPIServer needs."""
        server = await self.start(host, port)
        try:
            yield server
        finally:
            await server.stop()

    # -- the world -----------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        phone_number: str | None = None,
    ) -> EmuUser:
        """Create (or update) a user and their private chat with the bot (chat id == user id).

        Like on Telegram, the bot can only write to the user after the user wrote to it.
        """
        if user_id <= 0:
            raise EmulatorError("user ids are positive")
        if user_id == self._state.bot.user_id:
            raise EmulatorError("that id belongs to the bot")
        user = self._state.users.get(user_id)
        if user is None:
            user = EmuUser(user_id=user_id, first_name=first_name)
            self._state.users[user_id] = user
        user.first_name = first_name
        user.last_name = last_name
        user.username = username
        user.language_code = language_code
        user.phone_number = phone_number
        if user_id not in self._state.chats:
            self._state.chats[user_id] = EmuChat(chat_id=user_id, type="private", user=user)
        return user

    def add_group(
        self,
        chat_id: int,
        title: str,
        member_ids: Iterable[int],
        *,
        admin_ids: Iterable[int] = (),
        chat_type: Literal["group", "supergroup"] | None = None,
        username: str | None = None,
        bot_is_admin: bool = False,
    ) -> EmuChat:
        """Create a group with the bot and the given (already added) users in it.

        chat_type defaults from the id: -100xxxxxxxxxx is a supergroup, other negatives a group.
        """
        if chat_id >= 0:
            raise EmulatorError("group chat ids are negative")
        members = set(member_ids)
        admins = set(admin_ids)
        for user_id in members | admins:
            self._state.user(user_id)
        if chat_type is None:
            chat_type = "supergroup" if chat_id <= -1_000_000_000_000 else "group"
        chat = EmuChat(
            chat_id=chat_id,
            type=chat_type,
            title=title,
            username=username,
            member_ids=members | admins,
            admin_ids=admins,
            bot_is_admin=bot_is_admin,
        )
        self._state.chats[chat_id] = chat
        return chat

    def user(self, user_id: int) -> EmuUser:
        """A known user."""
        return self._state.user(user_id)

    def chat(self, chat_id: int) -> EmuChat:
        """A known chat."""
        return self._state.chat(chat_id)

    def _sender(self, chat_id: int, user_id: int | None) -> tuple[EmuChat, EmuUser]:
        chat = self._state.chat(chat_id)
        if user_id is None:
            if not chat.is_private:
                raise EmulatorError("user_id is required for group chats")
            user_id = chat.chat_id
        user = self._state.user(user_id)
        if chat.is_private and user_id != chat.chat_id:
            raise EmulatorError(f"user {user_id} cannot write in the private chat {chat_id}")
        if not chat.is_private and user_id not in chat.member_ids:
            raise EmulatorError(f"user {user_id} is not a member of chat {chat_id}")
        if chat.bot_blocked:
            raise EmulatorError(f"user {user_id} blocked the bot; call unblock_bot first")
        return chat, user

    # -- users' actions ------------------------------------------------------------------

    async def send_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> UserAction:
        """A user writes text; commands, mentions, hashtags and links get their entities.

        user_id defaults to the owner of a private chat and is required in groups.
        """
        chat, user = self._sender(chat_id, user_id)
        text = text.strip()
        if not text:
            raise EmulatorError("Telegram clients do not send empty messages")
        if len(text) > MESSAGE_MAX_LENGTH:
            raise EmulatorError("Telegram clients split texts longer than 4096 characters")
        content: dict[str, Any] = {"text": text}
        entities = detect_entities(text)
        if entities:
            content["entities"] = entities
        self._add_reply(chat, content, reply_to_message_id)
        return await self._user_message(chat, user, content)

    async def send_contact(
        self,
        chat_id: int,
        *,
        user_id: int | None = None,
        phone_number: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        contact_user_id: int | None = None,
    ) -> UserAction:
        """A user shares a contact; without phone_number they share their own card."""
        chat, user = self._sender(chat_id, user_id)
        if phone_number is None:
            if user.phone_number is None:
                raise EmulatorError(f"user {user.user_id} has no phone_number to share")
            contact = _contact(user.phone_number, user.first_name, user.last_name, user.user_id)
        else:
            contact = _contact(phone_number, first_name or "Contact", last_name, contact_user_id)
        return await self._user_message(chat, user, {"contact": contact})

    async def send_document(
        self,
        chat_id: int,
        file_name: str,
        content: bytes,
        *,
        user_id: int | None = None,
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> UserAction:
        """A user sends a file; the bot gets a ``document`` and downloads it with getFile."""
        if not content:
            raise EmulatorError("a document must not be empty")
        chat, user = self._sender(chat_id, user_id)
        file_id, file_unique_id = self._state.new_file_ids()
        document = StoredDocument(
            file_id=file_id,
            file_unique_id=file_unique_id,
            file_name=file_name,
            mime_type=mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream",
            content=content,
            chat_id=chat.chat_id,
            message_id=0,  # known once the message is stored
            from_user=True,
        )
        # Known before the update is queued: the bot may ask getFile at once.
        self._state.documents[file_id] = document
        content_fields: dict[str, Any] = {"document": document.to_api()}
        if caption:
            content_fields["caption"] = caption
        action = await self._user_message(chat, user, content_fields)
        if action.message_id is not None:
            self._state.documents[file_id] = replace(document, message_id=action.message_id)
        return action

    async def forward_message(
        self,
        chat_id: int,
        *,
        user_id: int | None = None,
        text: str | None = None,
        contact: dict[str, Any] | None = None,
        origin_user_id: int | None = None,
        hidden_sender_name: str | None = None,
        origin_date: int | None = None,
    ) -> UserAction:
        """A user forwards a message (text or contact) written by someone else.

        origin_user_id (a known user) gives forward_origin type "user"; hidden_sender_name
        gives type "hidden_user" (the author hides their account in forwards).
        """
        chat, user = self._sender(chat_id, user_id)
        if (origin_user_id is None) == (hidden_sender_name is None):
            raise EmulatorError("give exactly one of origin_user_id or hidden_sender_name")
        if (text is None) == (contact is None):
            raise EmulatorError("give exactly one of text or contact")
        date = origin_date if origin_date is not None else int(time.time()) - 60
        origin: dict[str, Any]
        if origin_user_id is not None:
            origin = {
                "type": "user",
                "date": date,
                "sender_user": self._state.user(origin_user_id).to_api(),
            }
        else:
            origin = {"type": "hidden_user", "date": date, "sender_user_name": hidden_sender_name}
        content: dict[str, Any] = {"forward_origin": origin}
        if text is not None:
            content["text"] = text
            entities = detect_entities(text)
            if entities:
                content["entities"] = entities
        else:
            assert contact is not None
            if "phone_number" not in contact or "first_name" not in contact:
                raise EmulatorError("a contact needs phone_number and first_name")
            content["contact"] = dict(contact)
        return await self._user_message(chat, user, content)

    async def edit_user_message(self, chat_id: int, message_id: int, text: str) -> UserAction:
        """A user edits their text message; the bot gets an edited_message update."""
        chat = self._state.chat(chat_id)
        stored = chat.messages.get(message_id)
        if stored is None or stored.from_bot or "text" not in stored.data:
            raise EmulatorError(f"no user text message {message_id} in chat {chat_id}")
        chat, user = self._sender(chat_id, stored.sender_id)
        updated = stored.to_api()
        updated["text"] = text.strip()
        entities = detect_entities(updated["text"])
        if entities:
            updated["entities"] = entities
        else:
            updated.pop("entities", None)
        updated["edit_date"] = int(time.time())
        stored.data = updated
        update_id = (
            self._state.enqueue_update("edited_message", stored.to_api())
            if self._bot_receives(chat, updated)
            else None
        )
        event = self._state.record_event(
            "user_edited",
            chat.chat_id,
            message_id=message_id,
            message=VisibleMessage.from_stored(stored),
            user_id=user.user_id,
        )
        chat.last_user_checkpoint = event.seq
        await self._state.notify()
        return UserAction(chat.chat_id, message_id, update_id, event.seq, stored.to_api())

    async def press_button(
        self,
        chat_id: int,
        text: str | None = None,
        *,
        index: int | tuple[int, int] | None = None,
        callback_data: str | None = None,
        message_id: int | None = None,
        user_id: int | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - part of the documented interface
    ) -> CallbackAnswer:
        """Press an inline button and return the bot's answerCallbackQuery.

        The button is chosen by exact text, flat index / (row, column), or callback_data, on
        message_id or else on the latest bot message showing such a button. Raises
        EmulatorTimeout when the bot does not answer within timeout.
        """
        press = await self.tap_button(
            chat_id,
            text,
            index=index,
            callback_data=callback_data,
            message_id=message_id,
            user_id=user_id,
        )
        return await self.wait_for_callback_answer(press.query_id, timeout)

    async def tap_button(
        self,
        chat_id: int,
        text: str | None = None,
        *,
        index: int | tuple[int, int] | None = None,
        callback_data: str | None = None,
        message_id: int | None = None,
        user_id: int | None = None,
    ) -> CallbackPress:
        """Press an inline button without waiting for the answer (see press_button)."""
        if sum(selector is not None for selector in (text, index, callback_data)) != 1:
            raise EmulatorError("choose the button by exactly one of text, index, callback_data")
        chat, user = self._sender(chat_id, user_id)
        if message_id is not None:
            stored = chat.messages.get(message_id)
            if stored is None:
                raise EmulatorError(f"message {message_id} is not visible in chat {chat_id}")
            candidates = [stored]
        else:
            candidates = [m for m in reversed(chat.messages.values()) if m.from_bot]
        for stored in candidates:
            button = find_inline_button(
                stored.data.get("reply_markup"),
                text=text,
                index=index,
                callback_data=callback_data,
            )
            if button is not None:
                break
        else:
            shown = {m.message_id: VisibleMessage.from_stored(m).button_texts for m in candidates}
            wanted = text if text is not None else index if index is not None else callback_data
            raise EmulatorError(f"no inline button {wanted!r} in chat {chat_id}; buttons: {shown}")
        data = button.get("callback_data")
        if data is None:
            raise EmulatorError(
                f"button {button.get('text')!r} sends no callback to the bot: {button}"
            )
        return await self._callback_query(chat, user, stored, stored.message_id, data)

    async def send_callback_query(
        self,
        chat_id: int,
        data: str | None,
        *,
        message_id: int | None = None,
        user_id: int | None = None,
    ) -> CallbackPress:
        """Inject a raw callback query with arbitrary (e.g. forged or oversized) data.

        message_id may name any visible message, a message that does not exist (the bot then
        gets an InaccessibleMessage), or be None (no message at all).
        """
        chat, user = self._sender(chat_id, user_id)
        stored = chat.messages.get(message_id) if message_id is not None else None
        return await self._callback_query(chat, user, stored, message_id, data)

    async def press_reply_button(
        self, chat_id: int, text: str, *, user_id: int | None = None
    ) -> UserAction:
        """Press a reply-keyboard button: sends its text, or the user's contact for
        request_contact buttons."""
        chat, user = self._sender(chat_id, user_id)
        button = find_reply_button(chat.reply_keyboard, text)
        if button.get("request_contact"):
            return await self.send_contact(chat_id, user_id=user.user_id)
        unsupported = {"request_location", "request_poll", "request_users", "request_chat"}
        if unsupported & button.keys() or "web_app" in button:
            raise EmulatorError(f"the emulator cannot press {button}")
        return await self.send_message(chat_id, text, user_id=user.user_id)

    async def block_bot(self, user_id: int) -> UserAction:
        """The user blocks the bot: sends now fail with 403, the bot gets my_chat_member."""
        return await self._set_blocked(user_id, blocked=True)

    async def unblock_bot(self, user_id: int) -> UserAction:
        """The user unblocks the bot again."""
        return await self._set_blocked(user_id, blocked=False)

    # -- internals of users' actions -----------------------------------------------------

    def _add_reply(self, chat: EmuChat, content: dict[str, Any], message_id: int | None) -> None:
        if message_id is None:
            return
        target = chat.messages.get(message_id)
        if target is None:
            raise EmulatorError(f"message {message_id} is not visible in chat {chat.chat_id}")
        replied = target.to_api()
        replied.pop("reply_to_message", None)
        content["reply_to_message"] = replied

    def _bot_receives(self, chat: EmuChat, content: dict[str, Any]) -> bool:
        """Whether the bot gets a group message.

        Privacy mode (BotFather's default) delivers only messages that start with "/" (unless
        addressed to another bot), mention the bot by username, or reply to the bot.
        """
        if chat.is_private or not self._state.group_privacy or chat.bot_is_admin:
            return True
        text: str = content.get("text", "")
        own_mention = f"@{self._state.bot.username or ''}".lower()
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            _, at, addressee = command.partition("@")
            return not at or f"@{addressee}".lower() == own_mention
        for entity in content.get("entities", []):
            if entity["type"] == "mention" and entity_text(text, entity).lower() == own_mention:
                return True
        replied: dict[str, Any] = content.get("reply_to_message") or {}
        return bool(replied.get("from", {}).get("id") == self._state.bot.user_id)

    async def _user_message(
        self, chat: EmuChat, user: EmuUser, content: dict[str, Any]
    ) -> UserAction:
        stored = self._state.store_message(chat, sender=user, content=content)
        if chat.is_private:
            chat.started = True
        update_id = (
            self._state.enqueue_update("message", stored.to_api())
            if self._bot_receives(chat, content)
            else None
        )
        event = self._state.record_event(
            "user_message",
            chat.chat_id,
            message_id=stored.message_id,
            message=VisibleMessage.from_stored(stored),
            user_id=user.user_id,
        )
        chat.last_user_checkpoint = event.seq
        await self._state.notify()
        return UserAction(chat.chat_id, stored.message_id, update_id, event.seq, stored.to_api())

    async def _callback_query(
        self,
        chat: EmuChat,
        user: EmuUser,
        stored: StoredMessage | None,
        message_id: int | None,
        data: str | None,
    ) -> CallbackPress:
        query_id = self._state.new_callback_query_id()
        payload: dict[str, Any] = {
            "id": query_id,
            "from": user.to_api(),
            "chat_instance": str(abs(chat.chat_id) * 1_000_003 + self._state.bot.user_id),
        }
        if stored is not None:
            payload["message"] = stored.to_api()
        elif message_id is not None:
            payload["message"] = {"chat": chat.to_api(), "message_id": message_id, "date": 0}
        if data is not None:
            payload["data"] = data
        self._state.callback_queries[query_id] = CallbackQueryRecord(
            query_id=query_id,
            chat_id=chat.chat_id,
            message_id=message_id,
            user_id=user.user_id,
            data=data,
        )
        update_id = self._state.enqueue_update("callback_query", payload)
        event = self._state.record_event(
            "user_callback",
            chat.chat_id,
            message_id=message_id,
            text=data,
            callback_query_id=query_id,
            user_id=user.user_id,
        )
        chat.last_user_checkpoint = event.seq
        await self._state.notify()
        return CallbackPress(query_id, chat.chat_id, message_id, data, update_id, event.seq)

    async def _set_blocked(self, user_id: int, *, blocked: bool) -> UserAction:
        user = self._state.user(user_id)
        chat = self._state.chat(user_id)
        if chat.bot_blocked == blocked:
            raise EmulatorError(f"user {user_id} has {'already' if blocked else 'not'} blocked")
        chat.bot_blocked = blocked
        bot = self._state.bot.to_api()
        kicked = {"status": "kicked", "user": bot, "until_date": 0}
        member = {"status": "member", "user": bot}
        payload = {
            "chat": chat.to_api(),
            "from": user.to_api(),
            "date": int(time.time()),
            "old_chat_member": member if blocked else kicked,
            "new_chat_member": kicked if blocked else member,
        }
        update_id = self._state.enqueue_update("my_chat_member", payload)
        event = self._state.record_event(
            "member_status",
            chat.chat_id,
            action="kicked" if blocked else "member",
            user_id=user_id,
        )
        chat.last_user_checkpoint = event.seq
        await self._state.notify()
        return UserAction(chat.chat_id, None, update_id, event.seq, None)

    # -- what the bot showed -------------------------------------------------------------

    def visible_messages(
        self, chat_id: int, *, from_bot: bool | None = None
    ) -> list[VisibleMessage]:
        """Messages currently in the chat (after edits and deletions), oldest first.

        from_bot=True keeps only the bot's, False only the users'.
        """
        chat = self._state.chat(chat_id)
        return [
            VisibleMessage.from_stored(stored)
            for stored in chat.messages.values()
            if from_bot is None or stored.from_bot == from_bot
        ]

    def last_bot_message(self, chat_id: int) -> VisibleMessage | None:
        """The newest visible message of the bot in the chat."""
        messages = self.visible_messages(chat_id, from_bot=True)
        return messages[-1] if messages else None

    def message(self, chat_id: int, message_id: int) -> VisibleMessage | None:
        """One visible message, or None if it does not exist (any more)."""
        stored = self._state.chat(chat_id).messages.get(message_id)
        return None if stored is None else VisibleMessage.from_stored(stored)

    def events(
        self,
        chat_id: int | None = None,
        *,
        after: int = 0,
        kinds: Iterable[str] | None = None,
    ) -> list[BotEvent]:
        """The event log (of one chat or all), events with seq > after, optionally by kind."""
        wanted = frozenset(kinds) if kinds is not None else None
        source = self._state.events if chat_id is None else self._state.chat_events(chat_id)
        return [
            event
            for event in source
            if event.seq > after and (wanted is None or event.kind in wanted)
        ]

    def checkpoint(self) -> int:
        """The current position in the event log, for after= of the wait helpers."""
        return self._state.checkpoint()

    def reply_keyboard(self, chat_id: int) -> list[list[str]] | None:
        """Button texts of the reply keyboard the chat shows, or None."""
        keyboard = self._state.chat(chat_id).reply_keyboard
        if keyboard is None:
            return None
        return [[button["text"] for button in row] for row in keyboard["keyboard"]]

    def callback_answers(self, query_id: str) -> list[CallbackAnswer]:
        """All answers the bot gave to one callback query."""
        record = self._state.callback_queries.get(query_id)
        if record is None:
            raise EmulatorError(f"unknown callback query {query_id}")
        return list(record.answers)

    def documents(
        self, chat_id: int | None = None, *, from_user: bool | None = False
    ) -> list[StoredDocument]:
        """Documents the bot sent (to one chat or all), oldest first; ``from_user=True``: the
        files users sent instead, ``None``: both."""
        return [
            document
            for document in self._state.documents.values()
            if (chat_id is None or document.chat_id == chat_id)
            and (from_user is None or document.from_user == from_user)
        ]

    def user_documents(self, chat_id: int | None = None) -> list[StoredDocument]:
        """Files users sent the bot (to one chat or all), oldest first."""
        return self.documents(chat_id, from_user=True)

    def document(self, file_id: str) -> StoredDocument:
        """A document by file_id (e.g. from VisibleMessage.document.file_id)."""
        document = self._state.documents.get(file_id)
        if document is None:
            raise EmulatorError(f"unknown file_id {file_id}")
        return document

    def my_commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """The list stored for exactly this scope and language (as getMyCommands)."""
        return self._state.commands.get(scope_key(scope), language_code)

    def commands_for(self, chat_id: int, user_id: int | None = None) -> list[dict[str, str]]:
        """The command menu a user sees in a chat (scope and language fallbacks applied)."""
        chat, user = self._sender(chat_id, user_id)
        return self._state.commands.resolve(
            chat_id=chat.chat_id,
            user_id=user.user_id,
            is_private=chat.is_private,
            is_admin=user.user_id in chat.admin_ids,
            language_code=user.language_code,
        )

    def bot_profile_text(self, kind: str, language_code: str = "") -> str | None:
        """What setMyDescription/setMyShortDescription/setMyName stored ("description",
        "short_description", "name")."""
        return self._state.bot_texts.get((kind, language_code))

    def api_calls(self, method: str | None = None) -> list[ApiCall]:
        """Bot API calls the bot made (newest last), optionally of one method."""
        name = None if method is None else self.api.canonical_name(method)
        return [call for call in self._state.api_calls if name is None or call.method == name]

    @property
    def webhook(self) -> dict[str, Any] | None:
        """The webhook the bot set (recorded only), or None."""
        return self._state.webhook

    async def redeliver(self, update_id: int) -> dict[str, Any]:
        """Deliver a recent update again with the same update_id, as Telegram does when a
        webhook did not answer in time or polling stopped before confirming the offset.
        Returns the update (a webhook test posts it to the bot itself)."""
        update = self._state.redeliver_update(update_id)
        await self._state.notify()
        return update

    @property
    def pending_update_count(self) -> int:
        """Updates not yet confirmed by the bot's getUpdates offset."""
        return len(self._state.pending_updates)

    # -- waiting -------------------------------------------------------------------------

    def _after(self, chat_id: int, after: int | None) -> int:
        if after is not None:
            return after
        chat = self._state.chats.get(chat_id)
        return 0 if chat is None else chat.last_user_checkpoint

    def _timeout_error(
        self, what: str, chat_id: int, after: int, seconds: float
    ) -> EmulatorTimeout:
        recent = [
            f"#{event.seq} {event.kind} {event.text or (event.message and event.message.text)!r}"
            for event in self._state.chat_events(chat_id)[-8:]
        ]
        return EmulatorTimeout(
            f"no {what} in chat {chat_id} after event #{after} within {seconds:g}s; "
            f"recent events: {recent}"
        )

    async def wait_for(
        self,
        chat_id: int,
        predicate: Callable[[BotEvent], bool] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - part of the documented interface
        *,
        after: int | None = None,
        kinds: Iterable[str] | None = None,
    ) -> BotEvent:
        """The first event of the chat after a point that matches kinds and predicate.

        after defaults to the latest user action in the chat (send_message, press_button,
        ...), so "react to what I just did" needs no bookkeeping. Event-driven: returns as
        soon as the event is recorded; raises EmulatorTimeout otherwise.
        """
        start = self._after(chat_id, after)
        wanted = frozenset(kinds) if kinds is not None else None
        seconds = self.default_timeout if timeout is None else timeout

        def matches(event: BotEvent) -> bool:
            if wanted is not None and event.kind not in wanted:
                return False
            return predicate is None or predicate(event)

        try:
            return await self._state.wait_until(
                lambda: self._state.find_chat_event(chat_id, start, matches), seconds
            )
        except TimeoutError as exc:
            raise self._timeout_error("matching event", chat_id, start, seconds) from exc

    async def wait_for_bot_message(
        self,
        chat_id: int,
        *,
        after: int | None = None,
        text_contains: str | None = None,
        predicate: Callable[[VisibleMessage], bool] | None = None,
        include_edits: bool = True,
        timeout: float | None = None,  # noqa: ASYNC109 - part of the documented interface
    ) -> VisibleMessage:
        """The first message the bot sent (or edited) in the chat after a point.

        Returns the message as it looked right after that send/edit. after defaults to the
        latest user action in the chat; see wait_for.
        """
        kinds = BOT_OUTPUT_KINDS if include_edits else frozenset({"sent"})

        def matches(event: BotEvent) -> bool:
            message = event.message
            if message is None:
                return False
            if text_contains is not None and text_contains not in (message.text or ""):
                return False
            return predicate is None or predicate(message)

        event = await self.wait_for(chat_id, matches, timeout, after=after, kinds=kinds)
        assert event.message is not None
        return event.message

    async def wait_for_polling(
        self,
        timeout: float | None = None,  # noqa: ASYNC109 - part of the documented interface
    ) -> None:
        """Return once the bot is long-polling (a getUpdates call is waiting for updates).

        Useful right after starting a bot: from then on, updates reach it immediately.
        """
        seconds = self.default_timeout if timeout is None else timeout
        try:
            await self._state.wait_until(
                lambda: True if self._state.active_polls > 0 else None, seconds
            )
        except TimeoutError as exc:
            raise EmulatorTimeout(f"the bot did not start polling within {seconds:g}s") from exc

    async def wait_for_callback_answer(
        self,
        query_id: str,
        timeout: float | None = None,  # noqa: ASYNC109 - part of the documented interface
    ) -> CallbackAnswer:
        """The bot's first answer to a callback query."""
        record = self._state.callback_queries.get(query_id)
        if record is None:
            raise EmulatorError(f"unknown callback query {query_id}")
        seconds = self.default_timeout if timeout is None else timeout
        try:
            return await self._state.wait_until(
                lambda: record.answers[0] if record.answers else None, seconds
            )
        except TimeoutError as exc:
            raise self._timeout_error(
                f"answer to callback query {query_id}", record.chat_id, 0, seconds
            ) from exc

    # -- fault injection -----------------------------------------------------------------

    def inject_flood(
        self, method: str | None = None, *, count: int = 1, retry_after: int = 5
    ) -> None:
        """Answer the next count calls of method (None: any method but getUpdates) with
        429 Too Many Requests and parameters.retry_after."""
        self.inject_error(
            method,
            error_code=429,
            description=f"Too Many Requests: retry after {retry_after}",
            count=count,
            retry_after=retry_after,
        )

    def inject_error(
        self,
        method: str | None = None,
        *,
        error_code: int,
        description: str,
        count: int = 1,
        retry_after: int | None = None,
    ) -> None:
        """Answer the next count calls of method (None: any but getUpdates) with an error."""
        if count < 1:
            raise EmulatorError("count must be at least 1")
        name = None if method is None else self.api.canonical_name(method)
        self._state.injected_errors.append(
            InjectedError(name, error_code, description, retry_after, count)
        )

    def clear_injected_errors(self) -> None:
        """Drop all pending injected errors."""
        self._state.injected_errors.clear()


def _contact(
    phone_number: str, first_name: str, last_name: str | None, user_id: int | None
) -> dict[str, Any]:
    contact: dict[str, Any] = {"phone_number": phone_number, "first_name": first_name}
    if last_name:
        contact["last_name"] = last_name
    if user_id is not None:
        contact["user_id"] = user_id
    return contact
