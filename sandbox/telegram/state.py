"""The emulator's shared state: users, chats, the update queue, the event log, notifications.

Everything runs on one event loop. Every change that someone may be waiting for (a new update
for a long-polling getUpdates, a bot message for a test's wait helper, a callback answer) is
followed by notify(), which wakes all waiters of one asyncio.Condition; waiters re-check their
predicate. No polling with sleeps anywhere.
"""

from __future__ import annotations

import asyncio
import bisect
import time
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

from sandbox.telegram.commands import CommandRegistry
from sandbox.telegram.errors import EmulatorError, bad_request
from sandbox.telegram.models import (
    ApiCall,
    BotEvent,
    CallbackQueryRecord,
    EmuChat,
    EmuUser,
    EventKind,
    InjectedError,
    StoredDocument,
    StoredMessage,
)

T = TypeVar("T")

ALL_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
# What Telegram sends when allowed_updates was never given or given as an empty list.
DEFAULT_ALLOWED_UPDATES = ALL_UPDATE_TYPES - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}
_API_CALL_LOG_SIZE = 10_000


_RECENT_UPDATES_KEPT = 1000


class EmulatorState:
    """All mutable data of one emulated bot and its world."""

    def __init__(self, bot: EmuUser, *, group_privacy: bool) -> None:
        self.bot = bot
        self.group_privacy = group_privacy
        self.users: dict[int, EmuUser] = {}
        self.chats: dict[int, EmuChat] = {}
        self.pending_updates: list[dict[str, Any]] = []
        # Every update queued lately, confirmed or not, so that a test can have one delivered
        # again as Telegram does after a webhook timeout or an unconfirmed offset.
        self.recent_updates: dict[int, dict[str, Any]] = {}
        self.allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self.events: list[BotEvent] = []
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.documents: dict[str, StoredDocument] = {}  # by file_id: uploads and users' files
        self.commands = CommandRegistry()
        # setMyDescription / setMyShortDescription / setMyName, keyed by (kind, language_code).
        self.bot_texts: dict[tuple[str, str], str] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.webhook: dict[str, Any] | None = None
        self.injected_errors: list[InjectedError] = []
        self.api_calls: deque[ApiCall] = deque(maxlen=_API_CALL_LOG_SIZE)
        self.changed = asyncio.Condition()
        self.closing = False
        self.poll_generation = 0  # bumped by every getUpdates; an older waiting one gets 409
        self.active_polls = 0  # getUpdates calls currently waiting for updates
        self._chat_events: dict[int, list[BotEvent]] = {}
        self._next_update_id = 1
        self._next_seq = 1
        self._next_callback_query = 1
        self._next_file = 1

    # -- notifications -------------------------------------------------------------------

    async def notify(self) -> None:
        """Wake every waiter so it re-checks its condition."""
        async with self.changed:
            self.changed.notify_all()

    async def wait_until(self, probe: Callable[[], T | None], seconds: float) -> T:
        """The first non-None result of probe(), re-checked after each change.

        Raises TimeoutError when nothing matched within the given seconds.
        """
        async with self.changed:
            result = probe()
            if result is not None:
                return result
        if seconds <= 0:
            raise TimeoutError
        async with asyncio.timeout(seconds), self.changed:
            result = probe()
            while result is None:
                await self.changed.wait()
                result = probe()
            return result

    # -- chats and messages --------------------------------------------------------------

    def chat(self, chat_id: int) -> EmuChat:
        """A chat known to the control interface; EmulatorError otherwise."""
        chat = self.chats.get(chat_id)
        if chat is None:
            raise EmulatorError(f"unknown chat {chat_id}; add the user or group first")
        return chat

    def user(self, user_id: int) -> EmuUser:
        """A user known to the control interface; EmulatorError otherwise."""
        user = self.users.get(user_id)
        if user is None:
            raise EmulatorError(f"unknown user {user_id}; call add_user first")
        return user

    def chat_for_bot(self, chat_ref: int | str) -> EmuChat:
        """The chat a Bot API call names by id or @username; "chat not found" otherwise."""
        if isinstance(chat_ref, str):
            wanted = chat_ref.removeprefix("@").lower()
            for chat in self.chats.values():
                if not chat.is_private and chat.username and chat.username.lower() == wanted:
                    return chat
            raise bad_request("chat not found")
        found = self.chats.get(chat_ref)
        if found is None:
            raise bad_request("chat not found")
        return found

    def store_message(
        self, chat: EmuChat, *, sender: EmuUser, content: dict[str, Any]
    ) -> StoredMessage:
        """Append a message to a chat with the chat's next message id."""
        message_id = chat.allocate_message_id()
        data: dict[str, Any] = {
            "message_id": message_id,
            "from": sender.to_api(),
            "chat": chat.to_api(),
            "date": int(time.time()),
            **content,
        }
        stored = StoredMessage(
            message_id=message_id,
            chat_id=chat.chat_id,
            from_bot=sender.user_id == self.bot.user_id,
            sender_id=sender.user_id,
            data=data,
        )
        chat.messages[message_id] = stored
        return stored

    # -- updates -------------------------------------------------------------------------

    def enqueue_update(self, update_type: str, payload: dict[str, Any]) -> int | None:
        """Queue an update for getUpdates; None if allowed_updates excludes its type."""
        if update_type not in self.allowed_updates:
            return None
        update_id = self._next_update_id
        self._next_update_id += 1
        update = {"update_id": update_id, update_type: payload}
        self.pending_updates.append(update)
        self.recent_updates[update_id] = update
        if len(self.recent_updates) > _RECENT_UPDATES_KEPT:
            del self.recent_updates[next(iter(self.recent_updates))]
        return update_id

    def redeliver_update(self, update_id: int) -> dict[str, Any]:
        """Queue a recent update again, same update_id (a no-op if it is still pending)."""
        update = self.recent_updates.get(update_id)
        if update is None:
            raise EmulatorError(f"update {update_id} is not among the recent updates")
        if all(pending["update_id"] != update_id for pending in self.pending_updates):
            self.pending_updates.append(update)
            self.pending_updates.sort(key=lambda pending: int(pending["update_id"]))
        return update

    def confirm_updates(self, offset: int | None) -> None:
        """Forget updates as getUpdates' offset says (negative: keep only the last -offset)."""
        if offset is None:
            return
        if offset < 0:
            self.pending_updates = self.pending_updates[offset:]
        else:
            self.pending_updates = [
                update for update in self.pending_updates if update["update_id"] >= offset
            ]

    # -- events --------------------------------------------------------------------------

    def checkpoint(self) -> int:
        """Sequence number of the latest event (0 before any); later events have larger ones."""
        return self._next_seq - 1

    def record_event(self, kind: EventKind, chat_id: int, **fields: Any) -> BotEvent:
        """Append an event to the log (callers notify() afterwards)."""
        event = BotEvent(seq=self._next_seq, kind=kind, chat_id=chat_id, **fields)
        self._next_seq += 1
        self.events.append(event)
        self._chat_events.setdefault(chat_id, []).append(event)
        return event

    def chat_events(self, chat_id: int) -> list[BotEvent]:
        """All events of one chat, oldest first."""
        return list(self._chat_events.get(chat_id, []))

    def find_chat_event(
        self, chat_id: int, after: int, predicate: Callable[[BotEvent], bool]
    ) -> BotEvent | None:
        """The first event of a chat with seq > after that satisfies predicate."""
        events = self._chat_events.get(chat_id, [])
        # Events are appended in seq order: skip the older ones without looking at them.
        start = bisect.bisect_right(events, after, key=lambda event: event.seq)
        for event in events[start:]:
            if predicate(event):
                return event
        return None

    # -- identifiers ---------------------------------------------------------------------

    def new_callback_query_id(self) -> str:
        """A fresh callback query id (numeric text, like Telegram's)."""
        query_id = str(4_700_000_000_000_000_000 + self._next_callback_query)
        self._next_callback_query += 1
        return query_id

    def new_file_ids(self) -> tuple[str, str]:
        """A fresh (file_id, file_unique_id) pair."""
        number = self._next_file
        self._next_file += 1
        return f"BQACAgIAAxkDAAEmu{number:08d}", f"AgADemu{number:06d}"
