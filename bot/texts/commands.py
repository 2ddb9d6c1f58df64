"""Which commands each kind of user has, for /help and Telegram's command menu."""

from __future__ import annotations

from typing import Literal

from bot.texts.lang import Lang
from bot.texts.markup import Raw
from bot.texts.render import t

Role = Literal["pending", "user", "admin"]

# Order = order in the menu and in /help (most used first).
USER_COMMANDS: tuple[str, ...] = (
    "call",
    "simple_call",
    "vcall",
    "scenario",
    "inform",
    "calls",
    "duty",
    "block",
    "limits",
    "history",
    "settings",
    "login",
    "logout",
    "help",
)
ADMIN_COMMANDS: tuple[str, ...] = (
    "users",
    "approve",
    "deny",
    "assign",
    "catalog",
    "bindkey",
    "oncall_chat",
    "audit",
)
# Someone not approved yet (or not allowed) can only learn what the bot is.
PENDING_COMMANDS: tuple[str, ...] = ("start", "help")

ALL_COMMANDS: tuple[str, ...] = ("start", *USER_COMMANDS, *ADMIN_COMMANDS)


def commands_for(role: Role) -> tuple[str, ...]:
    """Commands (without "/") available to ``role``, in menu order."""
    if role == "admin":
        return USER_COMMANDS + ADMIN_COMMANDS
    if role == "user":
        return USER_COMMANDS
    return PENDING_COMMANDS


def command_description(lang: Lang | str, command: str) -> str:
    """Short plain-text description of ``command`` (no "/") for Telegram's command menu."""
    return t(lang, f"cmd.{command}")


def bot_commands(lang: Lang | str, role: Role) -> list[tuple[str, str]]:
    """(command, description) pairs for setMyCommands, e.g. ``BotCommand(command=c, ...)``."""
    return [(command, command_description(lang, command)) for command in commands_for(role)]


def command_help(lang: Lang | str, role: Role) -> str:
    """The /help message (HTML) for ``role``: what the bot does and the commands it may use."""
    parts: list[str] = [t(lang, "help.about")]
    if role == "pending":
        parts.append(t(lang, "help.pending"))
        return Raw("\n\n".join(parts))
    parts.append(_command_block(lang, "help.commands_title", USER_COMMANDS))
    if role == "admin":
        parts.append(_command_block(lang, "help.admin_title", ADMIN_COMMANDS))
    parts.append(t(lang, "help.number_tip"))
    return Raw("\n\n".join(parts))


def _command_block(lang: Lang | str, title_key: str, commands: tuple[str, ...]) -> str:
    lines = [t(lang, title_key)]
    for command in commands:
        description = command_description(lang, command)
        lines.append(t(lang, "help.command_line", command=command, description=description))
    return "\n".join(lines)
