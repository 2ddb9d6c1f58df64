"""Localisation of the bot: Russian (default) and English texts, error explanations.

    from bot.texts import t, Lang, lang_for, explain_error, ErrorExplanation, TEXT_KEYS, Raw

    lang = lang_for(message.from_user.language_code)       # "en…" -> EN, anything else -> RU
    await message.answer(t(lang, "call.started", call_id=42), parse_mode="HTML")
    error = explain_error(lang, "invalid_state", method="make.call")
    await message.answer(error.render(), parse_mode="HTML")

HTML texts come back as ``Raw`` with parameters escaped; keys under btn./cmd./alert./done./
duration. are plain text. The texts themselves are Fluent files in locales/<lang>/ (see
catalog.py); render.py, errors.py and commands.py hold the logic around them.
"""

from bot.texts.commands import (
    ADMIN_COMMANDS,
    ALL_COMMANDS,
    PENDING_COMMANDS,
    USER_COMMANDS,
    Role,
    bot_commands,
    command_description,
    command_help,
    commands_for,
)
from bot.texts.errors import (
    ERROR_MNEMONICS,
    ErrorExplanation,
    component_ui_name,
    explain_error,
)
from bot.texts.lang import DEFAULT_LANG, Lang, lang_for
from bot.texts.markup import Raw, escape
from bot.texts.render import (
    PLAIN_TEXT_PREFIXES,
    TEXT_KEYS,
    MissingTextError,
    TextParamError,
    format_clock,
    format_duration,
    is_plain_text_key,
    t,
    text_variables,
)

__all__ = [
    "ADMIN_COMMANDS",
    "ALL_COMMANDS",
    "DEFAULT_LANG",
    "ERROR_MNEMONICS",
    "PENDING_COMMANDS",
    "PLAIN_TEXT_PREFIXES",
    "TEXT_KEYS",
    "USER_COMMANDS",
    "ErrorExplanation",
    "Lang",
    "MissingTextError",
    "Raw",
    "Role",
    "TextParamError",
    "bot_commands",
    "command_description",
    "command_help",
    "commands_for",
    "component_ui_name",
    "escape",
    "explain_error",
    "format_clock",
    "format_duration",
    "is_plain_text_key",
    "lang_for",
    "t",
    "text_variables",
]
