"""Text lookup and rendering: ``t(lang, key, **params)`` over the ru/en Fluent catalogs.

The texts live in bot/texts/locales/<lang>/*.ftl (see catalog.py for the layout and how a
dotted key maps to a Fluent id); each language is compiled once, on its first use, so ``t()``
is a plain function that works anywhere (handlers, services, background jobs).

HTML texts come back as ``Raw`` (already safe), with every parameter escaped unless it is
``Raw`` itself. Plain-text keys (buttons, command menu, callback alerts, action outcomes,
durations) are not HTML: Telegram shows them literally, so their parameters are not escaped and
the result is an ordinary ``str`` (which an HTML text will escape if it is nested into one).
"""

from __future__ import annotations

import math

from bot.texts.catalog import Template, catalog, scan_text_keys
from bot.texts.lang import Lang
from bot.texts.markup import Raw, escape

# Every key the catalogs define (tests keep the two languages identical). Read from the files
# without compiling them, so importing the package stays cheap.
TEXT_KEYS: frozenset[str] = scan_text_keys(Lang.RU)

# Key prefixes of texts that Telegram does not parse as HTML.
PLAIN_TEXT_PREFIXES: tuple[str, ...] = ("btn.", "cmd.", "alert.", "done.", "duration.")


class MissingTextError(KeyError):
    """A text key that the catalog of the requested language does not have."""

    def __init__(self, key: str, lang: Lang) -> None:
        super().__init__(key)
        self.key = key
        self.lang = lang

    def __str__(self) -> str:
        return f"no text {self.key!r} in the {self.lang.value!r} catalog"


class TextParamError(KeyError):
    """A text was rendered without a parameter its template needs."""

    def __init__(self, key: str, lang: Lang, param: str) -> None:
        super().__init__(key)
        self.key = key
        self.lang = lang
        self.param = param

    def __str__(self) -> str:
        return f"text {self.key!r} ({self.lang.value}) needs the parameter {self.param!r}"


def is_plain_text_key(key: str) -> bool:
    """Whether the text under ``key`` is plain text (no HTML, parameters not escaped)."""
    return key.startswith(PLAIN_TEXT_PREFIXES)


def text_variables(lang: Lang | str, key: str) -> frozenset[str]:
    """Names of the parameters text ``key`` uses in ``lang``."""
    return _template(Lang(lang), key).fields


def t(lang: Lang | str, key: str, /, **params: object) -> str:
    """The text ``key`` in ``lang`` with ``params`` substituted.

    HTML texts are returned as ``Raw`` with parameters escaped (pass ``Raw(...)`` to insert
    markup); plain-text keys (see ``PLAIN_TEXT_PREFIXES``) are returned as ``str`` with
    parameters as they are. Extra parameters are ignored. Raises ``MissingTextError`` for an
    unknown key, ``TextParamError`` for a missing parameter, ``ValueError`` for an unknown lang.
    """
    language = Lang(lang)
    template = _template(language, key)
    if key.startswith(PLAIN_TEXT_PREFIXES):
        return fill(template, key, language, {name: str(value) for name, value in params.items()})
    escaped = {name: escape(value) for name, value in params.items()}
    return Raw(fill(template, key, language, escaped))


def _template(language: Lang, key: str) -> Template:
    try:
        return catalog(language).texts[key]
    except KeyError:
        raise MissingTextError(key, language) from None


def fill(template: Template, key: str, lang: Lang, params: dict[str, str]) -> str:
    """``template`` rendered with ``params`` (strings); ``TextParamError`` if one is missing."""
    errors: list[Exception] = []
    text = template.render(params, errors)
    if errors:
        for name in template.variables:
            if name not in params:
                raise TextParamError(key, lang, name)
        raise ValueError(f"text {key!r} ({lang.value}) did not render: {errors[0]!r}")
    return text


def format_duration(lang: Lang | str, seconds: float) -> str:
    """A span for people: "42 с", "3 мин 20 с", "5 ч 12 мин" (plain text).

    Rounded up, because it usually says when something comes back: "in 0 s" would be a lie.
    Abbreviated units need no Russian plural forms.
    """
    total = max(0, math.ceil(seconds))
    if total < 60:
        return t(lang, "duration.seconds", seconds=total)
    if total < 3600:
        minutes, rest = divmod(total, 60)
        if rest == 0:
            return t(lang, "duration.minutes", minutes=minutes)
        return t(lang, "duration.minutes_seconds", minutes=minutes, seconds=rest)
    # Hour-scale spans drop the seconds, still rounding up (3601 s left -> "1 h 1 min").
    hours, minutes = divmod(math.ceil(total / 60), 60)
    if minutes == 0:
        return t(lang, "duration.hours", hours=hours)
    return t(lang, "duration.hours_minutes", hours=hours, minutes=minutes)


def format_clock(seconds: float) -> str:
    """A call timer: "00:07", "03:25", "1:02:05" (the same in both languages)."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"
