"""The bot's command lists per scope and language (setMyCommands and friends).

Lookup for a user follows the Bot API's documented resolution order, so tests can ask "which
menu does this Russian-speaking user see in this chat" rather than re-implementing it.
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.telegram.errors import bad_request

ScopeKey = tuple[str, int | str | None, int | None]

_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")
_MAX_COMMANDS = 100
_MAX_DESCRIPTION = 256
_SCOPES_WITH_CHAT = frozenset({"chat", "chat_administrators", "chat_member"})
_ALL_SCOPES = frozenset(
    {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}
    | _SCOPES_WITH_CHAT
)

DEFAULT_SCOPE: ScopeKey = ("default", None, None)


def scope_key(raw: Any) -> ScopeKey:
    """Normalise a BotCommandScope object (None means the default scope)."""
    if raw is None:
        return DEFAULT_SCOPE
    if not isinstance(raw, dict) or raw.get("type") not in _ALL_SCOPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    scope_type: str = raw["type"]
    chat_id: int | str | None = None
    user_id: int | None = None
    if scope_type in _SCOPES_WITH_CHAT:
        chat_id = raw.get("chat_id")
        if not isinstance(chat_id, int | str) or isinstance(chat_id, bool):
            raise bad_request("can't parse BotCommandScope JSON object")
        if isinstance(chat_id, str) and not chat_id.startswith("@"):
            try:
                chat_id = int(chat_id)
            except ValueError as exc:
                raise bad_request("chat not found") from exc
    if scope_type == "chat_member":
        raw_user_id = raw.get("user_id")
        if not isinstance(raw_user_id, int) or isinstance(raw_user_id, bool):
            raise bad_request("can't parse BotCommandScope JSON object")
        user_id = raw_user_id
    return (scope_type, chat_id, user_id)


def validate_language_code(raw: str | None) -> str:
    """ "" for all languages, else a two-letter ISO 639-1 code."""
    if raw is None or raw == "":
        return ""
    if not _LANGUAGE_CODE.match(raw):
        raise bad_request("invalid language code specified")
    return raw


def validate_commands(raw: Any) -> list[dict[str, str]]:
    """Validate the commands parameter of setMyCommands."""
    if not isinstance(raw, list):
        raise bad_request("can't parse commands JSON object")
    if len(raw) > _MAX_COMMANDS:
        raise bad_request("too many commands specified")
    commands: list[dict[str, str]] = []
    for item in raw:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand JSON object")
        command, description = item.get("command"), item.get("description")
        if not isinstance(command, str) or not _COMMAND_NAME.match(command.removeprefix("/")):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description) <= _MAX_DESCRIPTION:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        commands.append({"command": command.removeprefix("/"), "description": description})
    return commands


class CommandRegistry:
    """Command lists keyed by (scope, language_code)."""

    def __init__(self) -> None:
        self._lists: dict[tuple[ScopeKey, str], list[dict[str, str]]] = {}

    def set(self, scope: ScopeKey, language_code: str, commands: list[dict[str, str]]) -> None:
        """Store a list; an empty list deletes it, like Telegram."""
        if commands:
            self._lists[(scope, language_code)] = [dict(command) for command in commands]
        else:
            self._lists.pop((scope, language_code), None)

    def get(self, scope: ScopeKey, language_code: str) -> list[dict[str, str]]:
        """The list stored for exactly this scope and language (getMyCommands semantics)."""
        return [dict(command) for command in self._lists.get((scope, language_code), [])]

    def delete(self, scope: ScopeKey, language_code: str) -> None:
        """Forget the list of this scope and language."""
        self._lists.pop((scope, language_code), None)

    def resolve(
        self,
        *,
        chat_id: int,
        user_id: int,
        is_private: bool,
        is_admin: bool,
        language_code: str | None,
    ) -> list[dict[str, str]]:
        """The commands a user sees in a chat, by the Bot API's documented precedence."""
        if is_private:
            scopes: list[ScopeKey] = [
                ("chat", chat_id, None),
                ("all_private_chats", None, None),
                DEFAULT_SCOPE,
            ]
        else:
            scopes = [("chat_member", chat_id, user_id)]
            if is_admin:
                scopes.append(("chat_administrators", chat_id, None))
            scopes.append(("chat", chat_id, None))
            if is_admin:
                scopes.append(("all_chat_administrators", None, None))
            scopes += [("all_group_chats", None, None), DEFAULT_SCOPE]
        languages = [language_code, ""] if language_code else [""]
        for scope in scopes:
            for language in languages:
                commands = self._lists.get((scope, language))
                if commands:
                    return [dict(command) for command in commands]
        return []
