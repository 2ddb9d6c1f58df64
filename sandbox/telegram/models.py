"""Data of the emulated world: users, chats, stored messages, and the views tests read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ChatType = Literal["private", "group", "supergroup"]

EventKind = Literal[
    "user_message",  # a user sent a message (text, contact, forwarded) through the control API
    "user_edited",  # a user edited their message
    "user_callback",  # a user pressed an inline button (or a forged callback was injected)
    "sent",  # the bot sent a message (sendMessage, sendDocument)
    "edited",  # the bot edited a message (text, caption or inline keyboard)
    "deleted",  # the bot deleted a message
    "callback_answer",  # the bot answered a callback query (text, show_alert)
    "chat_action",  # the bot sent a chat action ("typing")
    "api_error",  # a Bot API call of the bot concerning this chat failed
    "member_status",  # a user blocked or unblocked the bot
]
BOT_OUTPUT_KINDS: frozenset[str] = frozenset({"sent", "edited"})


@dataclass
class EmuUser:
    """A Telegram user (or the bot itself) of the emulated world."""

    user_id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    phone_number: str | None = None
    is_bot: bool = False

    def to_api(self) -> dict[str, Any]:
        """The Bot API User object."""
        data: dict[str, Any] = {
            "id": self.user_id,
            "is_bot": self.is_bot,
            "first_name": self.first_name,
        }
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data

    @property
    def full_name(self) -> str:
        """First and last name, as clients show it."""
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name


@dataclass
class StoredMessage:
    """A message currently in a chat; data is its Bot API Message object (kept up to date)."""

    message_id: int
    chat_id: int
    from_bot: bool
    sender_id: int
    data: dict[str, Any]

    def to_api(self) -> dict[str, Any]:
        """An independent copy of the Bot API Message object."""
        return {key: _copy_json(item) for key, item in self.data.items()}


def _copy_json(value: Any) -> Any:
    """A deep copy of JSON data (dicts, lists and immutable scalars): several times faster than
    ``copy.deepcopy``, which the emulator ran on every message it showed or returned."""
    if type(value) is dict:
        return {key: _copy_json(item) for key, item in value.items()}
    if type(value) is list:
        return [_copy_json(item) for item in value]
    return value


@dataclass
class EmuChat:
    """A private chat (id == user id) or a group (negative id) with its visible history."""

    chat_id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    user: EmuUser | None = None  # the other party of a private chat
    member_ids: set[int] = field(default_factory=set)
    admin_ids: set[int] = field(default_factory=set)
    bot_is_admin: bool = False
    started: bool = False  # private: the user has written to the bot at least once
    bot_blocked: bool = False  # private: the user blocked the bot
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    reply_keyboard: dict[str, Any] | None = None  # the custom keyboard the client shows
    last_user_checkpoint: int = 0  # event sequence number right after the latest user action

    @property
    def is_private(self) -> bool:
        """Whether this is a one-to-one chat with a user."""
        return self.type == "private"

    def allocate_message_id(self) -> int:
        """Next message id of this chat (ids grow per chat, shared by both sides)."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def to_api(self) -> dict[str, Any]:
        """The Bot API Chat object as embedded in messages."""
        data: dict[str, Any] = {"id": self.chat_id, "type": self.type}
        if self.is_private and self.user is not None:
            data["first_name"] = self.user.first_name
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
        else:
            data["title"] = self.title or ""
            if self.username:
                data["username"] = self.username
        return data


@dataclass(frozen=True)
class ButtonView:
    """One inline button as the user sees it."""

    text: str
    callback_data: str | None
    url: str | None
    raw: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """JSON form for the /_emu/ HTTP interface."""
        return dict(self.raw)


@dataclass(frozen=True)
class DocumentView:
    """A document attached to a message."""

    file_id: str
    file_name: str | None
    mime_type: str | None
    file_size: int


@dataclass(frozen=True)
class VisibleMessage:
    """A snapshot of a message as the chat shows it (after edits)."""

    message_id: int
    chat_id: int
    from_bot: bool
    sender_id: int
    text: str | None  # the text, or the caption of a document
    entities: tuple[dict[str, Any], ...]
    buttons: tuple[tuple[ButtonView, ...], ...]
    document: DocumentView | None
    contact: dict[str, Any] | None
    edited: bool
    raw: dict[str, Any]

    @property
    def button_texts(self) -> list[str]:
        """Texts of all inline buttons, row by row."""
        return [button.text for row in self.buttons for button in row]

    def button(self, text: str) -> ButtonView | None:
        """The inline button with this exact text, if shown."""
        for row in self.buttons:
            for button in row:
                if button.text == text:
                    return button
        return None

    @classmethod
    def from_stored(cls, stored: StoredMessage) -> VisibleMessage:
        """Snapshot a stored message."""
        data = stored.to_api()
        markup = data.get("reply_markup") or {}
        buttons = tuple(
            tuple(
                ButtonView(
                    text=button.get("text", ""),
                    callback_data=button.get("callback_data"),
                    url=button.get("url"),
                    raw=button,
                )
                for button in row
            )
            for row in markup.get("inline_keyboard", [])
        )
        document = data.get("document")
        return cls(
            message_id=stored.message_id,
            chat_id=stored.chat_id,
            from_bot=stored.from_bot,
            sender_id=stored.sender_id,
            text=data.get("text", data.get("caption")),
            entities=tuple(data.get("entities", data.get("caption_entities", []))),
            buttons=buttons,
            document=DocumentView(
                file_id=document["file_id"],
                file_name=document.get("file_name"),
                mime_type=document.get("mime_type"),
                file_size=document.get("file_size", 0),
            )
            if document
            else None,
            contact=data.get("contact"),
            edited="edit_date" in data,
            raw=data,
        )

    def to_json(self) -> dict[str, Any]:
        """JSON form for the /_emu/ HTTP interface."""
        return {
            "message_id": self.message_id,
            "chat_id": self.chat_id,
            "from_bot": self.from_bot,
            "sender_id": self.sender_id,
            "text": self.text,
            "entities": list(self.entities),
            "buttons": [[button.to_json() for button in row] for row in self.buttons],
            "document": None
            if self.document is None
            else {
                "file_id": self.document.file_id,
                "file_name": self.document.file_name,
                "mime_type": self.document.mime_type,
                "file_size": self.document.file_size,
            },
            "contact": self.contact,
            "edited": self.edited,
            "raw": self.raw,
        }


@dataclass(frozen=True)
class BotEvent:
    """One entry of a chat's event log; seq orders all events of the emulator."""

    seq: int
    kind: EventKind
    chat_id: int
    message_id: int | None = None
    message: VisibleMessage | None = None  # snapshot for sent/edited/deleted/user_* events
    text: str | None = None  # callback answer text, callback data, error description
    show_alert: bool = False
    callback_query_id: str | None = None
    action: str | None = None  # chat action, or member status ("kicked", "member")
    method: str | None = None  # Bot API method for api_error events
    user_id: int | None = None

    @property
    def by_bot(self) -> bool:
        """Whether the bot caused this event (as opposed to a user of the control interface)."""
        return not self.kind.startswith("user_") and self.kind != "member_status"

    def to_json(self) -> dict[str, Any]:
        """JSON form for the /_emu/ HTTP interface."""
        return {
            "seq": self.seq,
            "kind": self.kind,
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "message": None if self.message is None else self.message.to_json(),
            "text": self.text,
            "show_alert": self.show_alert,
            "callback_query_id": self.callback_query_id,
            "action": self.action,
            "method": self.method,
            "user_id": self.user_id,
            "by_bot": self.by_bot,
        }


@dataclass(frozen=True)
class CallbackAnswer:
    """The bot's answerCallbackQuery for a pressed button."""

    query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int

    def to_json(self) -> dict[str, Any]:
        """JSON form for the /_emu/ HTTP interface."""
        return {
            "query_id": self.query_id,
            "text": self.text,
            "show_alert": self.show_alert,
            "url": self.url,
            "cache_time": self.cache_time,
        }


@dataclass
class CallbackQueryRecord:
    """A callback query handed to the bot, and the answers it got."""

    query_id: str
    chat_id: int
    message_id: int | None
    user_id: int
    data: str | None
    answers: list[CallbackAnswer] = field(default_factory=list)


@dataclass(frozen=True)
class StoredDocument:
    """A file in a chat (the bot's upload or a user's): its name and bytes, readable by tests."""

    file_id: str
    file_unique_id: str
    file_name: str
    mime_type: str | None
    content: bytes
    chat_id: int
    message_id: int
    from_user: bool = False  # a user sent it to the bot (otherwise the bot uploaded it)

    @property
    def file_path(self) -> str:
        """Path under /file/bot<token>/ from which getFile lets clients download it."""
        return f"documents/{self.file_unique_id}/{self.file_name}"

    def text(self, encoding: str = "utf-8-sig") -> str:
        """The content decoded as text (a UTF-8 BOM, common in CSV exports, is dropped)."""
        return self.content.decode(encoding)

    def to_api(self) -> dict[str, Any]:
        """The Bot API Document object."""
        data: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.file_name,
            "file_size": len(self.content),
        }
        if self.mime_type:
            data["mime_type"] = self.mime_type
        return data

    def to_json(self) -> dict[str, Any]:
        """Metadata for the /_emu/ HTTP interface (content is served separately)."""
        return {
            **self.to_api(),
            "chat_id": self.chat_id,
            "message_id": self.message_id,
        }


@dataclass(frozen=True)
class UserAction:
    """What a control-interface user action produced."""

    chat_id: int
    message_id: int | None
    update_id: int | None  # None when the bot does not get it (privacy mode, allowed_updates)
    checkpoint: int  # event sequence number after the action; bot reactions come later
    message: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        """JSON form for the /_emu/ HTTP interface."""
        return {
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "update_id": self.update_id,
            "checkpoint": self.checkpoint,
            "message": self.message,
        }


@dataclass(frozen=True)
class CallbackPress:
    """A callback query handed to the bot (a button press or an injected raw query)."""

    query_id: str
    chat_id: int
    message_id: int | None
    data: str | None
    update_id: int | None
    checkpoint: int

    def to_json(self) -> dict[str, Any]:
        """JSON form for the /_emu/ HTTP interface."""
        return {
            "query_id": self.query_id,
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "data": self.data,
            "update_id": self.update_id,
            "checkpoint": self.checkpoint,
        }


@dataclass(frozen=True)
class ApiCall:
    """One Bot API call the bot made (files shown by name only, never the token)."""

    method: str
    params: dict[str, Any]
    error_code: int | None
    description: str | None

    @property
    def ok(self) -> bool:
        """Whether the call succeeded."""
        return self.error_code is None

    def to_json(self) -> dict[str, Any]:
        """JSON form for the /_emu/ HTTP interface."""
        return {
            "method": self.method,
            "params": self.params,
            "ok": self.ok,
            "error_code": self.error_code,
            "description": self.description,
        }


@dataclass
class InjectedError:
    """An error to answer the next `remaining` calls of a method (None: any but getUpdates)."""

    method: str | None
    error_code: int
    description: str
    retry_after: int | None
    remaining: int
