"""/start and /help: what the bot does and the commands this user has right now."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.types import Message

from bot.services.access import Member
from bot.services.actor import Actor
from bot.texts import t
from bot.texts.commands import Role, command_help


def role_of(member: Member) -> Role:
    if member.is_admin:
        return "admin"
    return "user" if member.allowed else "pending"


async def start_handler(message: Message, actor: Actor, member: Member) -> None:
    greeting = t(actor.lang, "start.welcome", name=member.display_name)
    text = f"{greeting}\n\n{command_help(actor.lang, role_of(member))}"
    if not member.allowed:
        # How someone without access, the future first admin included, learns their id.
        text += "\n\n" + t(actor.lang, "start.your_id", user_id=actor.user_id)
    await message.answer(text)


async def help_handler(message: Message, actor: Actor, member: Member) -> None:
    await message.answer(command_help(actor.lang, role_of(member)))


def router() -> Router:
    common = Router(name="common")
    common.message.register(start_handler, CommandStart())
    common.message.register(help_handler, Command("help"))
    return common
