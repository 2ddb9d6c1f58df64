"""The Bot API methods a bot uses, served from the emulator's state.

Each handler takes the call's Params and returns the "result" of Telegram's envelope or raises
BotApiError with Telegram's error code and description. Method names are case-insensitive, as
on api.telegram.org.
"""

from __future__ import annotations

import logging
import mimetypes
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from sandbox.telegram.commands import scope_key, validate_commands, validate_language_code
from sandbox.telegram.errors import BotApiError, bad_request, forbidden, too_many_requests
from sandbox.telegram.formatting import format_text
from sandbox.telegram.keyboards import ReplyMarkup, parse_reply_markup
from sandbox.telegram.models import (
    ApiCall,
    CallbackAnswer,
    EmuChat,
    InjectedError,
    StoredDocument,
    StoredMessage,
    VisibleMessage,
)
from sandbox.telegram.params import Params, UploadedFile
from sandbox.telegram.state import ALL_UPDATE_TYPES, DEFAULT_ALLOWED_UPDATES, EmulatorState

logger = logging.getLogger("sandbox.telegram")

Handler = Callable[[Params], Awaitable[Any]]

# Limits count Unicode code points after entity parsing (tdlib counts with utf8_length).
MESSAGE_MAX_LENGTH = 4096
CAPTION_MAX_LENGTH = 1024
CALLBACK_ANSWER_MAX_LENGTH = 200
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_CONFLICT_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Fields compared by "message is not modified".
_EDITABLE_FIELDS = ("text", "entities", "caption", "caption_entities", "reply_markup")
# getUpdates answers any call that is not long polling; Telegram caps the wait at 50 s.
_MAX_POLL_TIMEOUT = 50.0


class BotApi:
    """Dispatches Bot API calls to handlers operating on an EmulatorState."""

    def __init__(self, state: EmulatorState) -> None:
        self._state = state
        handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "sendMessage": self.send_message,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "deleteMessages": self.delete_messages,
            "answerCallbackQuery": self.answer_callback_query,
            "sendChatAction": self.send_chat_action,
            "sendDocument": self.send_document,
            "getFile": self.get_file,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "setMyDescription": self._text_setter("description"),
            "getMyDescription": self._text_getter("description"),
            "setMyShortDescription": self._text_setter("short_description"),
            "getMyShortDescription": self._text_getter("short_description"),
            "setMyName": self._text_setter("name"),
            "getMyName": self._text_getter("name"),
            "setChatMenuButton": self.set_chat_menu_button,
            "getChatMenuButton": self.get_chat_menu_button,
            "getChat": self.get_chat,
            "getChatMember": self.get_chat_member,
        }
        self._handlers = {name.lower(): handler for name, handler in handlers.items()}
        self._canonical = {name.lower(): name for name in handlers}

    def canonical_name(self, method: str) -> str:
        """The method's documented spelling ("sendmessage" -> "sendMessage")."""
        return self._canonical.get(method.lower(), method)

    async def call(self, method: str, params: Params) -> Any:
        """Run one call: injected errors first, then the handler; logs it for tests."""
        name = self.canonical_name(method)
        handler = self._handlers.get(method.lower())
        try:
            self._raise_injected_error(name)
            if handler is None:
                raise BotApiError(404, "Not Found")
            result = await handler(params)
        except BotApiError as exc:
            self._log_call(name, params, exc)
            await self._record_error_event(name, params, exc)
            raise
        self._log_call(name, params, None)
        return result

    # -- bookkeeping ---------------------------------------------------------------------

    def _raise_injected_error(self, method: str) -> None:
        for rule in self._state.injected_errors:
            applies = rule.method == method if rule.method else method != "getUpdates"
            if applies and rule.remaining > 0:
                rule.remaining -= 1
                if rule.remaining == 0:
                    self._state.injected_errors.remove(rule)
                raise self._injected(rule)

    @staticmethod
    def _injected(rule: InjectedError) -> BotApiError:
        if rule.error_code == 429 and rule.retry_after is not None:
            return too_many_requests(rule.retry_after)
        return BotApiError(rule.error_code, rule.description, retry_after=rule.retry_after)

    def _log_call(self, method: str, params: Params, error: BotApiError | None) -> None:
        if method != "getUpdates" or error is not None:
            logger.debug("Bot API %s -> %s", method, "ok" if error is None else error.error_code)
        self._state.api_calls.append(
            ApiCall(
                method=method,
                params=params.loggable(),
                error_code=None if error is None else error.error_code,
                description=None if error is None else error.description,
            )
        )

    async def _record_error_event(self, method: str, params: Params, error: BotApiError) -> None:
        chat_id: int | None = None
        try:
            if params.has("chat_id"):
                chat_ref = params.chat_id()
                chat_id = self._state.chat_for_bot(chat_ref).chat_id
            elif params.has("callback_query_id"):
                record = self._state.callback_queries.get(
                    params.str_or_none("callback_query_id") or ""
                )
                chat_id = None if record is None else record.chat_id
        except BotApiError:
            chat_id = None
        if chat_id is None:
            return
        self._state.record_event(
            "api_error",
            chat_id,
            method=method,
            text=error.description,
            action=str(error.error_code),
        )
        await self._state.notify()

    # -- helpers -------------------------------------------------------------------------

    def _writable_chat(self, params: Params) -> EmuChat:
        """The target chat of a send; 403 when the user blocked or never started the bot."""
        chat = self._state.chat_for_bot(params.chat_id())
        if chat.is_private:
            if chat.bot_blocked:
                raise forbidden("bot was blocked by the user")
            if not chat.started:
                raise forbidden("bot can't initiate conversation with a user")
        return chat

    @staticmethod
    def _reply_markup(params: Params, *, inline_only: bool = False) -> ReplyMarkup | None:
        raw = params.json_or_none("reply_markup", what="reply keyboard markup")
        return parse_reply_markup(raw, inline_only=inline_only)

    def _reply_target(self, chat: EmuChat, params: Params) -> dict[str, Any] | None:
        """The replied-to message for reply_parameters / reply_to_message_id, if any."""
        reply = params.json_or_none("reply_parameters", what="reply parameters")
        message_id: int | None
        allow_without_reply = params.flag("allow_sending_without_reply")
        if isinstance(reply, dict):
            raw_id = reply.get("message_id")
            message_id = raw_id if isinstance(raw_id, int) else None
            allow_without_reply = bool(reply.get("allow_sending_without_reply", False))
            if message_id is None:
                raise bad_request("can't parse reply parameters JSON object")
            other_chat = reply.get("chat_id")
            if isinstance(other_chat, int | str) and other_chat != chat.chat_id:
                chat = self._state.chat_for_bot(other_chat)  # a reply to another chat's message
        elif reply is not None:
            raise bad_request("can't parse reply parameters JSON object")
        else:
            message_id = params.int_or_none("reply_to_message_id")
        if message_id is None:
            return None
        target = chat.messages.get(message_id)
        if target is None:
            if allow_without_reply:
                return None
            raise bad_request("message to be replied not found")
        data = target.to_api()
        data.pop("reply_to_message", None)  # Telegram does not nest replies further
        return data

    def _publish(self, chat: EmuChat, stored: StoredMessage, kind: str) -> VisibleMessage:
        snapshot = VisibleMessage.from_stored(stored)
        self._state.record_event(
            "sent" if kind == "sent" else "edited",
            chat.chat_id,
            message_id=stored.message_id,
            message=snapshot,
        )
        return snapshot

    def _apply_keyboard(self, chat: EmuChat, markup: ReplyMarkup | None) -> None:
        """Remember the reply keyboard the client now shows for this chat."""
        if markup is None:
            return
        if markup.kind == "keyboard":
            chat.reply_keyboard = markup.data
        elif markup.kind == "remove":
            chat.reply_keyboard = None

    # -- updates and webhook -------------------------------------------------------------

    async def get_me(self, params: Params) -> Any:
        """getMe: the bot's User object with its capabilities."""
        return {
            **self._state.bot.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self._state.group_privacy,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def get_updates(self, params: Params) -> Any:
        """getUpdates: long polling with offset confirmation, limit and allowed_updates."""
        state = self._state
        if state.webhook is not None:
            raise BotApiError(409, _CONFLICT_WEBHOOK)
        offset = params.int_or_none("offset")
        limit = params.int_or_none("limit") or 100
        limit = min(max(limit, 1), 100)
        wait_seconds = min(max(params.float_or_none("timeout") or 0.0, 0.0), _MAX_POLL_TIMEOUT)
        allowed = params.json_or_none("allowed_updates", what="allowed updates")
        if allowed is not None:
            if not isinstance(allowed, list) or not all(isinstance(x, str) for x in allowed):
                raise bad_request("can't parse allowed updates JSON object")
            known = frozenset(allowed) & ALL_UPDATE_TYPES
            state.allowed_updates = known or DEFAULT_ALLOWED_UPDATES
        state.confirm_updates(offset)
        state.poll_generation += 1
        generation = state.poll_generation

        def outcome() -> str | None:
            if state.poll_generation != generation:
                return "conflict"
            if state.pending_updates or state.closing:
                return "ready"
            return None

        state.active_polls += 1
        # Wakes an older long poll (it must now give up with 409) and wait_for_polling().
        await state.notify()
        try:
            result = await state.wait_until(outcome, wait_seconds)
        except TimeoutError:
            return []
        finally:
            state.active_polls -= 1
        if result == "conflict":
            raise BotApiError(409, _CONFLICT_OTHER_POLL)
        return state.pending_updates[:limit]

    async def set_webhook(self, params: Params) -> Any:
        """setWebhook: recorded only (the emulator never calls webhooks); "" removes it."""
        url = params.str_or_none("url") or ""
        if params.flag("drop_pending_updates"):
            self._state.pending_updates.clear()
        if not url:
            self._state.webhook = None
            return True
        if not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        allowed = params.json_or_none("allowed_updates", what="allowed updates")
        self._state.webhook = {
            "url": url,
            "max_connections": params.int_or_none("max_connections") or 40,
            "allowed_updates": allowed if isinstance(allowed, list) else None,
            # The secret token is stored as a flag only, so it cannot leak through the
            # control interface.
            "has_secret_token": params.has("secret_token"),
        }
        return True

    async def delete_webhook(self, params: Params) -> Any:
        """deleteWebhook: forget the webhook, optionally dropping pending updates."""
        self._state.webhook = None
        if params.flag("drop_pending_updates"):
            self._state.pending_updates.clear()
        return True

    async def get_webhook_info(self, params: Params) -> Any:
        """getWebhookInfo: the recorded webhook and the pending update count."""
        webhook = self._state.webhook
        info: dict[str, Any] = {
            "url": "" if webhook is None else webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": len(self._state.pending_updates),
        }
        if webhook is not None:
            info["max_connections"] = webhook["max_connections"]
            if webhook["allowed_updates"] is not None:
                info["allowed_updates"] = webhook["allowed_updates"]
        return info

    # -- messages ------------------------------------------------------------------------

    async def send_message(self, params: Params) -> Any:
        """sendMessage: text with parse_mode/entities, keyboards and replies."""
        chat = self._writable_chat(params)
        raw_text = params.str_or_none("text")
        if not raw_text:
            raise bad_request("message text is empty")
        text, entities = format_text(
            raw_text,
            params.str_or_none("parse_mode"),
            params.json_or_none("entities", what="entities"),
        )
        if not text:
            raise bad_request("message text is empty")
        if len(text) > MESSAGE_MAX_LENGTH:
            raise bad_request("message is too long")
        markup = self._reply_markup(params)
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        reply_to = self._reply_target(chat, params)
        if reply_to is not None:
            content["reply_to_message"] = reply_to
        if markup is not None and markup.kind == "inline":
            content["reply_markup"] = markup.data
        stored = self._state.store_message(chat, sender=self._state.bot, content=content)
        self._apply_keyboard(chat, markup)
        self._publish(chat, stored, "sent")
        await self._state.notify()
        return stored.to_api()

    def _message_to_edit(self, params: Params) -> tuple[EmuChat, StoredMessage]:
        if params.has("inline_message_id"):
            # Inline mode is not emulated: no inline message can exist.
            raise bad_request("MESSAGE_ID_INVALID")
        message_id = params.int_or_none("message_id")
        if not params.has("chat_id") or message_id is None:
            raise bad_request("message identifier is not specified")
        chat = self._state.chat_for_bot(params.chat_id())
        stored = chat.messages.get(message_id)
        if stored is None:
            raise bad_request("message to edit not found")
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        return chat, stored

    async def _apply_edit(
        self, chat: EmuChat, stored: StoredMessage, changes: dict[str, Any]
    ) -> Any:
        """Apply field changes (None removes a field); refuses no-op edits like Telegram."""
        updated = stored.to_api()
        for key, value in changes.items():
            if value is None:
                updated.pop(key, None)
            else:
                updated[key] = value
        if all(updated.get(key) == stored.data.get(key) for key in _EDITABLE_FIELDS):
            raise bad_request(NOT_MODIFIED)
        updated["edit_date"] = int(time.time())
        stored.data = updated
        self._publish(chat, stored, "edited")
        await self._state.notify()
        return stored.to_api()

    async def edit_message_text(self, params: Params) -> Any:
        """editMessageText: new text; a missing reply_markup removes the inline keyboard."""
        chat, stored = self._message_to_edit(params)
        raw_text = params.str_or_none("text")
        if not raw_text:
            raise bad_request("message text is empty")
        if "text" not in stored.data:
            raise bad_request("there is no text in the message to edit")
        text, entities = format_text(
            raw_text,
            params.str_or_none("parse_mode"),
            params.json_or_none("entities", what="entities"),
        )
        if not text:
            raise bad_request("message text is empty")
        if len(text) > MESSAGE_MAX_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        markup = self._reply_markup(params, inline_only=True)
        return await self._apply_edit(
            chat,
            stored,
            {
                "text": text,
                "entities": entities or None,
                "reply_markup": None if markup is None else markup.data,
            },
        )

    async def edit_message_caption(self, params: Params) -> Any:
        """editMessageCaption: new caption of a document message."""
        chat, stored = self._message_to_edit(params)
        if "text" in stored.data:
            raise bad_request("there is no caption in the message to edit")
        caption, entities = format_text(
            params.str_or_none("caption") or "",
            params.str_or_none("parse_mode"),
            params.json_or_none("caption_entities", what="caption entities"),
        )
        if len(caption) > CAPTION_MAX_LENGTH:
            raise bad_request("message caption is too long")
        markup = self._reply_markup(params, inline_only=True)
        return await self._apply_edit(
            chat,
            stored,
            {
                "caption": caption or None,
                "caption_entities": entities or None,
                "reply_markup": None if markup is None else markup.data,
            },
        )

    async def edit_message_reply_markup(self, params: Params) -> Any:
        """editMessageReplyMarkup: replace or (without reply_markup) remove the keyboard."""
        chat, stored = self._message_to_edit(params)
        markup = self._reply_markup(params, inline_only=True)
        return await self._apply_edit(
            chat, stored, {"reply_markup": None if markup is None else markup.data}
        )

    async def delete_message(self, params: Params) -> Any:
        """deleteMessage: remove a message from the chat's visible history."""
        chat = self._state.chat_for_bot(params.chat_id())
        message_id = params.int_or_none("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        if not self._delete(chat, message_id):
            raise bad_request("message to delete not found")
        await self._state.notify()
        return True

    async def delete_messages(self, params: Params) -> Any:
        """deleteMessages: delete several; ids that are not found are skipped."""
        chat = self._state.chat_for_bot(params.chat_id())
        raw_ids = params.json_or_none("message_ids", what="message identifiers")
        if (
            not isinstance(raw_ids, list)
            or not raw_ids
            or not all(isinstance(x, int) and not isinstance(x, bool) for x in raw_ids)
        ):
            raise bad_request("message identifiers are not specified")
        deleted = [message_id for message_id in raw_ids if self._delete(chat, message_id)]
        if not deleted:
            raise bad_request("message to delete not found")
        await self._state.notify()
        return True

    def _delete(self, chat: EmuChat, message_id: int) -> bool:
        stored = chat.messages.pop(message_id, None)
        if stored is None:
            return False
        self._state.record_event(
            "deleted",
            chat.chat_id,
            message_id=message_id,
            message=VisibleMessage.from_stored(stored),
        )
        return True

    async def answer_callback_query(self, params: Params) -> Any:
        """answerCallbackQuery: record text/show_alert; answering twice is accepted."""
        query_id = params.str_or_none("callback_query_id")
        record = self._state.callback_queries.get(query_id or "")
        if record is None or query_id is None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.str_or_none("text")
        if text is not None and len(text) > CALLBACK_ANSWER_MAX_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        answer = CallbackAnswer(
            query_id=query_id,
            text=text or None,
            show_alert=params.flag("show_alert"),
            url=params.str_or_none("url"),
            cache_time=params.int_or_none("cache_time") or 0,
        )
        record.answers.append(answer)
        self._state.record_event(
            "callback_answer",
            record.chat_id,
            message_id=record.message_id,
            text=answer.text,
            show_alert=answer.show_alert,
            callback_query_id=query_id,
            user_id=record.user_id,
        )
        await self._state.notify()
        return True

    async def send_chat_action(self, params: Params) -> Any:
        """sendChatAction: recorded as a chat_action event."""
        chat = self._writable_chat(params)
        action = params.str_or_none("action")
        if action not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._state.record_event("chat_action", chat.chat_id, action=action)
        await self._state.notify()
        return True

    # -- files ---------------------------------------------------------------------------

    async def send_document(self, params: Params) -> Any:
        """sendDocument: a multipart upload (kept with its name and bytes) or a known file_id."""
        chat = self._writable_chat(params)
        source = params.file("document")
        if source is None:
            raise bad_request("there is no document in the request")
        caption, caption_entities = format_text(
            params.str_or_none("caption") or "",
            params.str_or_none("parse_mode"),
            params.json_or_none("caption_entities", what="caption entities"),
        )
        if len(caption) > CAPTION_MAX_LENGTH:
            raise bad_request("message caption is too long")
        markup = self._reply_markup(params)
        file_name, mime_type, content = self._document_source(source)
        file_id, file_unique_id = self._state.new_file_ids()
        content_fields: dict[str, Any] = {}
        reply_to = self._reply_target(chat, params)
        if reply_to is not None:
            content_fields["reply_to_message"] = reply_to
        document = StoredDocument(
            file_id=file_id,
            file_unique_id=file_unique_id,
            file_name=file_name,
            mime_type=mime_type,
            content=content,
            chat_id=chat.chat_id,
            message_id=0,  # known once the message is stored, see below
        )
        content_fields["document"] = document.to_api()
        if caption:
            content_fields["caption"] = caption
        if caption_entities:
            content_fields["caption_entities"] = caption_entities
        if markup is not None and markup.kind == "inline":
            content_fields["reply_markup"] = markup.data
        stored = self._state.store_message(chat, sender=self._state.bot, content=content_fields)
        self._state.documents[file_id] = replace(document, message_id=stored.message_id)
        self._apply_keyboard(chat, markup)
        self._publish(chat, stored, "sent")
        await self._state.notify()
        return stored.to_api()

    def _document_source(self, source: UploadedFile | str) -> tuple[str, str | None, bytes]:
        if isinstance(source, UploadedFile):
            if not source.content:
                raise bad_request("file must be non-empty")
            file_name = source.filename or "document"
            mime_type = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
            return file_name, mime_type, source.content
        known = self._state.documents.get(source)
        if known is not None:
            return known.file_name, known.mime_type, known.content
        if source.startswith(("http://", "https://")):
            # No network: the emulator cannot fetch URLs, just like Telegram failing to.
            raise bad_request("failed to get HTTP URL content")
        raise bad_request("wrong file identifier/HTTP URL specified")

    async def get_file(self, params: Params) -> Any:
        """getFile: a download path for a document the bot sent or a user sent the bot."""
        document = self._state.documents.get(params.str_or_none("file_id") or "")
        if document is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": document.file_id,
            "file_unique_id": document.file_unique_id,
            "file_size": len(document.content),
            "file_path": document.file_path,
        }

    # -- commands and bot profile --------------------------------------------------------

    def _scope(self, params: Params) -> tuple[tuple[str, int | str | None, int | None], str]:
        scope = scope_key(params.json_or_none("scope", what="BotCommandScope"))
        if scope[1] is not None:
            self._state.chat_for_bot(scope[1])  # "chat not found" for unknown chats
        return scope, validate_language_code(params.str_or_none("language_code"))

    async def set_my_commands(self, params: Params) -> Any:
        """setMyCommands: store the list for a scope and language."""
        commands = validate_commands(params.json_or_none("commands", what="commands"))
        scope, language = self._scope(params)
        self._state.commands.set(scope, language, commands)
        return True

    async def get_my_commands(self, params: Params) -> Any:
        """getMyCommands: the list of exactly this scope and language."""
        scope, language = self._scope(params)
        return self._state.commands.get(scope, language)

    async def delete_my_commands(self, params: Params) -> Any:
        """deleteMyCommands: forget the list of a scope and language."""
        scope, language = self._scope(params)
        self._state.commands.delete(scope, language)
        return True

    def _text_setter(self, kind: str) -> Handler:
        async def set_text(params: Params) -> Any:
            language = validate_language_code(params.str_or_none("language_code"))
            value = params.str_or_none(kind) or ""
            if value:
                self._state.bot_texts[(kind, language)] = value
            else:
                self._state.bot_texts.pop((kind, language), None)
            return True

        return set_text

    def _text_getter(self, kind: str) -> Handler:
        async def get_text(params: Params) -> Any:
            language = validate_language_code(params.str_or_none("language_code"))
            texts = self._state.bot_texts
            value = texts.get((kind, language), texts.get((kind, ""), ""))
            if kind == "name" and not value:
                value = self._state.bot.first_name
            return {kind: value}

        return get_text

    async def set_chat_menu_button(self, params: Params) -> Any:
        """setChatMenuButton: recorded per chat (or as the default)."""
        chat_id: int | None = None
        if params.has("chat_id"):
            chat_id = self._state.chat_for_bot(params.chat_id()).chat_id
        button = params.json_or_none("menu_button", what="menu button")
        if button is None:
            self._state.menu_buttons.pop(chat_id, None)
        elif isinstance(button, dict) and button.get("type") in ("commands", "web_app", "default"):
            self._state.menu_buttons[chat_id] = button
        else:
            raise bad_request("can't parse menu button JSON object")
        return True

    async def get_chat_menu_button(self, params: Params) -> Any:
        """getChatMenuButton: the chat's button, else the default one."""
        chat_id: int | None = None
        if params.has("chat_id"):
            chat_id = self._state.chat_for_bot(params.chat_id()).chat_id
        buttons = self._state.menu_buttons
        return buttons.get(chat_id) or buttons.get(None) or {"type": "default"}

    # -- chats ---------------------------------------------------------------------------

    async def get_chat(self, params: Params) -> Any:
        """getChat: a minimal ChatFullInfo."""
        chat = self._state.chat_for_bot(params.chat_id())
        return {
            **chat.to_api(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def get_chat_member(self, params: Params) -> Any:
        """getChatMember: member/administrator/left (and kicked for a blocked bot)."""
        chat = self._state.chat_for_bot(params.chat_id())
        user_id = params.int_or_none("user_id")
        if user_id is None:
            raise bad_request("user not found")
        bot = self._state.bot
        if user_id == bot.user_id:
            if chat.bot_blocked:
                return {"status": "kicked", "user": bot.to_api(), "until_date": 0}
            if chat.bot_is_admin:
                return _administrator(bot.to_api())
            return {"status": "member", "user": bot.to_api()}
        user = self._state.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        if chat.is_private:
            status = "member" if user_id == chat.chat_id else "left"
            return {"status": status, "user": user.to_api()}
        if user_id in chat.admin_ids:
            return _administrator(user.to_api())
        status = "member" if user_id in chat.member_ids else "left"
        return {"status": status, "user": user.to_api()}


def _administrator(user: dict[str, Any]) -> dict[str, Any]:
    rights = (
        "can_be_edited",
        "is_anonymous",
        "can_manage_chat",
        "can_delete_messages",
        "can_manage_video_chats",
        "can_restrict_members",
        "can_promote_members",
        "can_change_info",
        "can_invite_users",
        "can_post_stories",
        "can_edit_stories",
        "can_delete_stories",
        "can_send_welcome_messages",
    )
    member: dict[str, Any] = {"status": "administrator", "user": user}
    member.update(dict.fromkeys(rights, False))
    member.update(can_manage_chat=True, can_delete_messages=True)
    return member
