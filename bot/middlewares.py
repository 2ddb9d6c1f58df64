"""Per-update context: who acts (``actor``) and whether they may."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    Chat,
    Message,
    MessageEntity,
    TelegramObject,
    Update,
    User,
)

from bot.services.access import AccessService, Member
from bot.services.actor import Actor
from bot.texts import Lang, lang_for, t

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
    def __init__(
        self, access: AccessService, notify_admins: Callable[[Bot, Member], Awaitable[None]]
    ) -> None:
        self._access = access
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
        member = await self._access.see(
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
        text = refusal_text(self._access, member, actor)
        if isinstance(event, CallbackQuery):
            await event.answer(text, show_alert=True)
        elif isinstance(event, Message) and chat.type == "private":
            await event.answer(text)
        return None


def refusal_text(access: AccessService, member: Member, actor: Actor) -> str:
    from db.models import AccessState

    if member.access is AccessState.BLOCKED:
        return t(actor.lang, "access.blocked")
    if access.mode.value == "allowlist":
        return t(actor.lang, "access.not_allowed", user_id=actor.user_id)
    admins = ", ".join(str(admin) for admin in sorted(access.admin_ids))
    if not admins:
        return t(actor.lang, "access.pending_no_admins")
    return t(actor.lang, "access.pending", admins=admins)


# SQLSTATE classes that mean "the database cannot serve us now", not "our query is wrong":
# connection exceptions, insufficient resources (too many connections), operator intervention
# (shutdown, "not currently accepting connections"), and a database that does not exist.
_UNREACHABLE_SQLSTATE_CLASSES = ("08", "53", "57")
_UNREACHABLE_SQLSTATES = ("3D000",)


def database_unreachable(exc: BaseException) -> bool:
    """True when ``exc`` says the database is down or unreachable (not a bug in a query)."""
    from sqlalchemy import exc as sa_exc

    if isinstance(exc, ConnectionError | TimeoutError | sa_exc.TimeoutError):
        return True  # refused or reset socket, pool checkout timeout
    if isinstance(exc, sa_exc.InterfaceError | sa_exc.OperationalError):
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated or exc.statement is None:
            return True  # lost mid-query, or failed while connecting (no statement yet)
        sqlstate = getattr(exc.orig, "sqlstate", None) or ""
        return sqlstate[:2] in _UNREACHABLE_SQLSTATE_CLASSES or sqlstate in _UNREACHABLE_SQLSTATES
    return False


class DatabaseGuard(BaseMiddleware):
    """While the database is down, every press and command gets "temporarily unavailable".

    Outermost on updates but for the in-flight counter (the update claim and the actor
    middleware read the database first of all), so an outage is answered instead of leaving
    a spinning button or silence. Any other exception is not ours to judge and goes on to
    aiogram's error handling.
    """

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        except Exception as exc:
            if not database_unreachable(exc):
                raise
            log.warning(
                "database unavailable (%s): answered 'temporarily unavailable'", type(exc).__name__
            )
            user: User | None = data.get("event_from_user")
            lang = lang_for(user.language_code if user else None)
            await _answer_unavailable(event, lang)
            return None


async def _answer_unavailable(event: TelegramObject, lang: Lang) -> None:
    from aiogram.exceptions import TelegramAPIError

    if isinstance(event, Update):
        event = event.message or event.callback_query or event

    try:
        if isinstance(event, CallbackQuery):
            await event.answer(t(lang, "alert.unavailable"), show_alert=True)
        elif isinstance(event, Message):
            await event.answer(t(lang, "common.unavailable"))
    except TelegramAPIError:
        # Already answered before the database failed us, or Telegram refuses: nothing to add.
        log.info("could not say 'temporarily unavailable' to chat %s", _chat_of(event))


def _chat_of(event: TelegramObject) -> int | None:
    if isinstance(event, Message):
        return event.chat.id
    if isinstance(event, CallbackQuery) and event.message is not None:
        return event.message.chat.id
    return None


def leading_command(message: Message, bot_username: str | None) -> str | None:
    """The command a message starts with (lower case, no "/"), as Telegram marked it.

    Only a ``bot_command`` entity at offset 0 counts: text that merely starts with "/" (a
    password may) is not a command. ``/cmd@other_bot`` is another bot's command.
    """
    text = message.text
    entities = message.entities or []
    if not text or not entities or entities[0].type != "bot_command" or entities[0].offset != 0:
        return None
    # Command names and bot usernames are ASCII, so UTF-16 offsets equal str indexes here.
    name, _, addressee = text[1 : entities[0].length].partition("@")
    if addressee and (bot_username is None or addressee.lower() != bot_username.lower()):
        return None
    return name.lower()


class CommandLeavesFlow(BaseMiddleware):
    """A registered command typed at a step of a conversation leaves the step and runs.

    Without this, ``/calls`` typed at the password step was taken for the password. Any
    other text, even one starting with "/", stays the answer to the step.
    """

    def __init__(self, commands: frozenset[str]) -> None:
        self._commands = commands

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if isinstance(event, Message) and data.get("raw_state") is not None:
            bot: Bot | None = data.get("bot")
            username = (await bot.me()).username if bot is not None else None
            if leading_command(event, username) in self._commands:
                state: FSMContext = data["state"]
                await state.clear()
                data["raw_state"] = None
        return await handler(event, data)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _own_mention(message: Message, username: str | None) -> MessageEntity | None:
    """The first ``@username`` entity that names this bot, if any."""
    if not username or not message.text:
        return None
    wanted = f"@{username}".lower()
    for entity in message.entities or []:
        if entity.type == "mention" and entity.extract_from(message.text).lower() == wanted:
            return entity
    return None


class GroupMentions(BaseMiddleware):
    """In a group, a message that mentions the bot is for the bot.

    ``@bot /call 8903…`` runs ``/call 8903…``: the mention is cut off and the rest goes
    through the routers as the command it is. Any other message mentioning the bot is marked
    ``addressed_to_bot`` (with the mention cut out), so that the number detector answers it as
    it answers any private message. Other group messages stay unanswered, as the README says:
    a group where the bot is an admin (or privacy mode is off) delivers every message.
    """

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Message) or event.chat.type == "private" or not event.text:
            return await handler(event, data)
        bot: Bot | None = data.get("bot")
        mention = _own_mention(event, (await bot.me()).username if bot is not None else None)
        if mention is None:
            return await handler(event, data)
        addressed = _without_entity(event, mention)
        if bot is not None:
            addressed = addressed.as_(bot)
        data["addressed_to_bot"] = True
        return await handler(addressed, data)


def _without_entity(message: Message, cut: MessageEntity) -> Message:
    """The message with one entity's text (and the spaces after it) removed, offsets moved."""
    text = message.text or ""
    units = text.encode("utf-16-le")
    before = units[: cut.offset * 2].decode("utf-16-le")
    after_units = units[(cut.offset + cut.length) * 2 :].decode("utf-16-le")
    after = after_units.lstrip()
    stripped_lead = _utf16_len(after_units) - _utf16_len(after)
    if not before.strip():
        before = ""
    new_text = (before + after) if not before else (before.rstrip() + " " + after)
    removed = _utf16_len(text) - _utf16_len(new_text)
    end = cut.offset + cut.length + stripped_lead
    entities: list[MessageEntity] = []
    for entity in message.entities or []:
        if entity is cut:
            continue
        if entity.offset >= end:
            entities.append(entity.model_copy(update={"offset": entity.offset - removed}))
        elif entity.offset + entity.length <= cut.offset:
            entities.append(entity)
    return message.model_copy(update={"text": new_text, "entities": entities or None})
