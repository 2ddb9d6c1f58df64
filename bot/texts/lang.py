"""The bot's two languages and how a Telegram user is mapped to one of them."""

from __future__ import annotations

import enum


class Lang(enum.StrEnum):
    """Interface language; the value is the catalog name ("ru" or "en")."""

    RU = "ru"
    EN = "en"


DEFAULT_LANG = Lang.RU


def lang_for(language_code: str | None) -> Lang:
    """Language for a Telegram ``language_code``: English for "en…", Russian otherwise.

    UIS is a Russian product and most of its customers write in Russian, so everything that is
    not explicitly English (including a missing code) gets Russian.
    """
    if language_code and language_code.strip().lower().startswith("en"):
        return Lang.EN
    return DEFAULT_LANG
