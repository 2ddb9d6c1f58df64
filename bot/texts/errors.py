"""Plain-language explanations of Call API error mnemonics and of the bot's own errors.

``explain_error(lang, mnemonic, **context)`` picks the entry for the mnemonic (a refinement
``mnemonic@selector`` when the context names a method, a method group, a limit type or an error
code that has one; their texts are in bot/texts/locales/<lang>/errors/, catalog.py describes
the ids and attributes), fills the placeholders from the context and returns title, explanation and
action. A mnemonic the bot does not know falls back to the "unknown" entry and is shown as is.

Context names (any may be absent; None counts as absent):
    method            Call API method, e.g. "make.call" (selects refinements)
    code              JSON-RPC error code, e.g. -32002 (selects refinements)
    limit_type        "minute" | "day" (limit_exceeded)
    seconds_to_reset  seconds until points come back; rendered as {reset_in}
    message           the server's error text (shown for unknown mnemonics)
    ip, component, field, value, contact, number, employee_id, media_file_id, scenario_id,
    tag_id, max_length, length, limit, seconds, external_id, time, http_status
The names of the Call API's error.data.params are accepted too (see _ALIASES), so
``explain_error(lang, mnemonic, **error.data.params)`` works.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from bot.texts.catalog import ErrorEntry, Template, catalog, scan_error_keys
from bot.texts.lang import Lang
from bot.texts.markup import Raw, escape
from bot.texts.render import format_duration, t

UNKNOWN_MNEMONIC = "unknown"

# Mnemonics (without refinements) that have an explanation (read without compiling the files).
ERROR_MNEMONICS: frozenset[str] = frozenset(
    key for key in scan_error_keys(Lang.RU) if "@" not in key
)

# Finer client-side names -> the entry that explains them; the name shown stays the original.
# They are api.errors.TransportErrorKind values prefixed with "transport_", so the handlers may
# pass f"transport_{error.kind.value}" as the mnemonic.
MNEMONIC_ALIASES: Mapping[str, str] = {
    "transport_connect_refused": "transport_connection_refused",
    "transport_connect_error": "transport_connection_refused",
    "transport_connect_timeout": "transport_connection_refused",
    "transport_pool_timeout": "transport_timeout",
    "transport_write_timeout": "transport_timeout",
    "transport_read_timeout": "transport_timeout",
    "transport_connection_lost": "transport_bad_reply",
    "transport_truncated_reply": "transport_bad_reply",
    "transport_non_json_reply": "transport_bad_reply",
    "transport_http_status": "transport_bad_reply",
    "transport_invalid_reply": "transport_bad_reply",
}

# Placeholder values of the Call API's error.data.params -> our context names.
_ALIASES: Mapping[str, str] = {
    "tts_message_max_length": "max_length",
    "sent_tts_message_length": "length",
    "component_name": "component",
    "limit_max_value": "limit",
    "virtual_phone_number": "number",
    "contact_phone_number": "contact",
    "timeout_seconds": "seconds",
    "status_code": "http_status",
}

# Component names as the personal account shows them (methods.json "components") are in
# errors/components.ftl, so that an English name from the server reads in the user's language.
_COMPONENT_SYNONYMS: Mapping[str, str] = {
    "базовый набор": "basic set",
    "управление вызовами": "call management",
    "informer calls": "informer call",
    "информационный вызов": "informer call",
    "call scenario": "scenario call",
    "вызов сценария": "scenario call",
}

_MAX_SHOWN_MNEMONIC = 64


@dataclass(frozen=True, slots=True)
class ErrorExplanation:
    """An error in words: all three texts are Telegram HTML (``Raw``)."""

    lang: Lang
    mnemonic: str
    known: bool
    title: str  # "<code>mnemonic</code> — short human title"
    explanation: str  # what happened, in plain words
    action: str  # what to do now
    plain_title: str  # short human title, then the UIS mnemonic if any; no markup (toasts)
    human_title: str = ""  # the short human title alone (HTML)
    from_uis: bool = True  # False for the bot's own codes (budget_refused, transport_…)

    def render(self) -> str:
        """The whole explanation as one HTML message: what happened and what to do first,
        the mnemonic after them, smaller (to quote to an admin or UIS support)."""
        message = t(
            self.lang,
            "error.message_explained",
            title=Raw(self.human_title),
            explanation=Raw(self.explanation),
            action=Raw(self.action),
        )
        return message + "\n" + t(self.lang, "error.mnemonic_line", mnemonic=self.mnemonic)


def explain_error(lang: Lang | str, mnemonic: str, /, **context: object) -> ErrorExplanation:
    """Title, explanation and action for ``mnemonic`` in ``lang`` (see the module docstring)."""
    language = Lang(lang)
    entries = catalog(language).errors
    shown = (mnemonic or UNKNOWN_MNEMONIC)[:_MAX_SHOWN_MNEMONIC]
    canonical = MNEMONIC_ALIASES.get(mnemonic, mnemonic)
    known = canonical in entries and "@" not in canonical
    entry_key = canonical if known else UNKNOWN_MNEMONIC
    base = entries[entry_key]
    refinement = _refinement(entries, entry_key, context)
    title_template = _pick(refinement, base, "title")
    explanation_template = _pick(refinement, base, "explanation")
    action_template = _pick(refinement, base, "action")

    html_values = _html_context(language, shown, context)
    title_text = _render_variants(title_template, html_values)
    plain_values = {name: _plain(value) for name, value in html_values.items()}
    plain_title = _render_variants(title_template, plain_values)
    from_uis = shown not in BOT_OWN_MNEMONICS and not shown.startswith("transport_")
    return ErrorExplanation(
        lang=language,
        mnemonic=shown,
        known=known,
        title=Raw(f"<code>{escape(shown)}</code> — {title_text}"),
        explanation=Raw(_render_variants(explanation_template, html_values)),
        action=Raw(_render_variants(action_template, html_values)),
        plain_title=f"{plain_title} · {shown}" if from_uis else plain_title,
        human_title=Raw(title_text),
        from_uis=from_uis,
    )


# Codes the bot makes up for its own refusals and failures: UIS never sends them, so a toast
# (short by nature) does not show them; a message still ends with its code (for an admin).
BOT_OWN_MNEMONICS = frozenset(
    {"budget_refused", "budget_reserve", "token_missing", "login_required_again", "outcome_unknown"}
)


def component_ui_name(lang: Lang | str, component: str) -> str:
    """The personal account's name of a Call API component; unknown names pass unchanged."""
    normal = " ".join(component.lower().replace("_", " ").split())
    normal = normal.removeprefix("call api ")
    normal = _COMPONENT_SYNONYMS.get(normal, normal)
    return catalog(Lang(lang)).components.get(normal, component)


def _selectors(context: Mapping[str, object]) -> Iterator[str]:
    method = context.get("method")
    if isinstance(method, str) and method:
        yield method
        yield method.split(".", 1)[0]
    limit_type = context.get("limit_type")
    if isinstance(limit_type, str) and limit_type:
        yield limit_type
    code = context.get("code")
    if code is not None:
        yield str(code)


def _refinement(
    entries: Mapping[str, ErrorEntry], entry_key: str, context: Mapping[str, object]
) -> ErrorEntry | None:
    for selector in _selectors(context):
        refinement = entries.get(f"{entry_key}@{selector}")
        if refinement is not None:
            return refinement
    return None


def _pick(refinement: ErrorEntry | None, base: ErrorEntry, field: str) -> tuple[Template, ...]:
    if refinement is not None:
        value: tuple[Template, ...] = getattr(refinement, field)
        if value:
            return value
    base_value: tuple[Template, ...] = getattr(base, field)
    if not base_value:
        raise ValueError(f"error entry without {field}")
    return base_value


def _html_context(lang: Lang, shown: str, context: Mapping[str, object]) -> dict[str, str]:
    values: dict[str, object] = {}
    for name, value in context.items():
        if value is not None:
            values[name] = value
    for source, target in _ALIASES.items():
        if source in values and target not in values:
            values[target] = values[source]
    seconds = values.get("seconds_to_reset")
    if isinstance(seconds, int | float) and not isinstance(seconds, bool):
        values["reset_in"] = format_duration(lang, seconds)
    component = values.get("component")
    if isinstance(component, str) and not isinstance(component, Raw):
        values["component"] = component_ui_name(lang, component)
    values["mnemonic"] = shown
    return {name: escape(value) for name, value in values.items()}


def _plain(html_value: str) -> str:
    """Undo escape() for the plain-text title (alerts show text literally)."""
    return html_value.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _render_variants(variants: tuple[Template, ...], values: Mapping[str, str]) -> str:
    for template in variants:
        if all(name in values for name in template.variables):
            return template.render(values, [])
    # Unreachable for the shipped catalogs (tests check that each last variant needs nothing
    # beyond "mnemonic"); kept so that a careless edit degrades instead of crashing.
    last = variants[-1]
    return last.render({**dict.fromkeys(last.variables, "—"), **values}, [])
