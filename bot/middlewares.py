"""Per-update context: who acts (``actor``), whether they may, and the shared runtime."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, Update, User

from bot.runtime import Runtime
from bot.services.access import Member
from bot.services.actor import Actor
from bot.texts import lang_for, t

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

# Commands a user who is not (yet) allowed may still use.
OPEN_COMMANDS = ("/start", "/help")


def actor_for(member: Member, user: User, chat: Chat, update_id: int | None) -> Actor:
    return Actor(
        user_id=user.id,
        chat_id=chat.id,
        lang=lang_for(member.language_code or user.language_code),
        language_code=member.language_code or user.language_code,
        is_private_chat=chat.type == "private",
        is_admin=member.is_admin,
        employee_id=member.employee_id,
        employee_phone=member.employee_phone,
        update_id=update_id,
        display_name=member.display_name,
    )


class ActorMiddleware(BaseMiddleware):
    def __init__(self, runtime: Runtime, notify_admins: Callable[[Bot, Member], Awaitable[None]]):
        self._runtime = runtime
        self._notify_admins = notify_admins

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        if user is None or user.is_bot:
            return None
        if chat is None and isinstance(event, CallbackQuery):
            # A press on a message Telegram no longer shows us: treat it as the private chat.
            chat = (
                event.message.chat
                if event.message is not None
                else Chat(id=user.id, type="private")
            )
        if chat is None:
            return None
        update: Update | None = data.get("event_update")
        member = await self._runtime.access.see(
            user.id,
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
            language_code=user.language_code,
            chat_id=chat.id,
            chat_type=chat.type,
            chat_title=chat.title,
        )
        actor = actor_for(member, user, chat, update.update_id if update else None)
        data["actor"] = actor
        data["member"] = member
        data["rt"] = self._runtime
        if member.is_new and not member.allowed:
            bot: Bot | None = data.get("bot")
            if bot is not None:
                await self._notify_admins(bot, member)
        if member.allowed:
            return await handler(event, data)
        if isinstance(event, Message) and (event.text or "").split("@")[0].split(" ")[0] in (
            OPEN_COMMANDS
        ):
            return await handler(event, data)
        text = refusal_text(self._runtime, member, actor)
        if isinstance(event, CallbackQuery):
            await event.answer(text, show_alert=True)
        elif isinstance(event, Message) and chat.type == "private":
            await event.answer(text)
        return None


def refusal_text(runtime: Runtime, member: Member, actor: Actor) -> str:
    from db.models import AccessState

    if member.access is AccessState.BLOCKED:
        return t(actor.lang, "access.blocked")
    if runtime.access.mode.value == "allowlist":
        return t(actor.lang, "access.not_allowed", user_id=actor.user_id)
    admins = ", ".join(str(admin) for admin in sorted(runtime.access.admin_ids))
    if not admins:
        return t(actor.lang, "access.pending_no_admins")
    return t(actor.lang, "access.pending", admins=admins)
