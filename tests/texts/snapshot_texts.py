"""Snapshot of every text the bot can render, to prove a change of the text machinery is exact.

Each case names a public function of ``bot.texts`` (``t``, ``explain_error``,
``format_duration``, ``command_help``, ``bot_commands``, ``component_ui_name``), its arguments
and what it returned. The cases cover every text key and every error entry (base and
refinement, each variant of each field) in both languages, with deterministic arguments that
exercise the edge cases: values to be HTML-escaped (< & > and quotes), ``Raw`` values (kept as
they are), numbers (1, 2, 5, 21, 1000, 2.5, -3: no locale formatting may creep in).

The stored fixture (snapshot_texts.json) is compared by test_texts_snapshot.py. Regenerate it
only when a text is meant to change, and read the diff:

    .venv/bin/python tests/texts/snapshot_texts.py
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from bot.texts import (
    TEXT_KEYS,
    Lang,
    Raw,
    bot_commands,
    command_help,
    component_ui_name,
    explain_error,
    format_duration,
    t,
    text_variables,
)
from bot.texts.catalog import catalog

SNAPSHOT_PATH = Path(__file__).with_name("snapshot_texts.json")
LANGS = (Lang.RU, Lang.EN)
NUMBERS: tuple[int | float, ...] = (1, 2, 5, 21, 1000, 2.5, -3, 1234567)
DURATIONS: tuple[float, ...] = (
    -5, 0, 0.2, 1, 2, 5, 21, 59, 59.5, 60, 61, 119, 120, 3599, 3600, 3601, 3660, 7199, 7200,
    86400, 90061,
)  # fmt: skip
COMPONENTS = (
    "basic set",
    "Call API Управление вызовами",
    "informer_calls",
    "Вызов сценария",
    "something <else> & more",
)
ODD_MNEMONICS = ("", "no_such_mnemonic", "x" * 80)


# ---- arguments as JSON: Raw is {"raw": "..."}, everything else is itself ---------------------


def encode_arg(value: object) -> object:
    if isinstance(value, Raw):
        return {"raw": str(value)}
    return value


def decode_arg(value: object) -> object:
    if isinstance(value, dict):
        return Raw(value["raw"])
    return value


def decode_args(args: Mapping[str, object]) -> dict[str, object]:
    return {name: decode_arg(value) for name, value in args.items()}


# ---- what each case calls --------------------------------------------------------------------


def _explanation_fields(lang: str, mnemonic: str, args: Mapping[str, object]) -> dict[str, Any]:
    explained = explain_error(lang, mnemonic, **decode_args(args))
    return {
        "mnemonic": explained.mnemonic,
        "known": explained.known,
        "from_uis": explained.from_uis,
        "title": explained.title,
        "human_title": explained.human_title,
        "plain_title": explained.plain_title,
        "explanation": explained.explanation,
        "action": explained.action,
        "render": explained.render(),
        "types": [
            type(explained.title).__name__,
            type(explained.explanation).__name__,
            type(explained.action).__name__,
        ],
    }


def _rendered(value: str) -> dict[str, str]:
    return {"text": str(value), "type": type(value).__name__}


def run_case(case: Mapping[str, Any]) -> Any:
    """What ``case`` renders now (the fixture stores the same with an "output")."""
    kind = case["kind"]
    lang = case["lang"]
    if kind == "t":
        return _rendered(t(lang, case["key"], **decode_args(case["args"])))
    if kind == "explain_error":
        return _explanation_fields(lang, case["mnemonic"], case["args"])
    if kind == "format_duration":
        return format_duration(lang, case["seconds"])
    if kind == "command_help":
        return _rendered(command_help(lang, case["role"]))
    if kind == "bot_commands":
        return [list(pair) for pair in bot_commands(lang, case["role"])]
    if kind == "component_ui_name":
        return component_ui_name(lang, case["component"])
    raise ValueError(f"unknown case kind {kind!r}")


# ---- which cases there are -------------------------------------------------------------------


def _text_fields(lang: Lang, key: str) -> frozenset[str]:
    """Placeholders of text ``key`` (the machinery-specific part of the generator)."""
    return text_variables(lang, key)


def _error_entries() -> dict[str, list[frozenset[str]]]:
    """Error entry key -> the placeholder sets of its variants (all fields, both languages)."""
    entries: dict[str, list[frozenset[str]]] = {}
    for lang in LANGS:
        for key, entry in catalog(lang).errors.items():
            for variants in (entry.title, entry.explanation, entry.action):
                entries.setdefault(key, []).extend(variant.fields for variant in variants)
    return entries


def _escaping(fields: Iterable[str]) -> dict[str, object]:
    return {name: f"<{name}> & \"{name}\" 'q' >" for name in sorted(fields)}


def _raw(fields: Iterable[str]) -> dict[str, object]:
    return {name: encode_arg(Raw(f"<b>{name}</b> &amp; <i>x</i>")) for name in sorted(fields)}


def _numbers(fields: Iterable[str]) -> dict[str, object]:
    return {name: NUMBERS[index % len(NUMBERS)] for index, name in enumerate(sorted(fields))}


def _selector_context(selector: str) -> dict[str, object]:
    if not selector:
        return {}
    if selector.lstrip("-").isdigit():
        return {"code": int(selector)}
    if selector in ("minute", "day"):
        return {"limit_type": selector}
    return {"method": selector if "." in selector else f"{selector}.employee_call"}


def cases() -> list[dict[str, Any]]:
    """Every case, in a stable order, without outputs."""
    result: list[dict[str, Any]] = []
    for key in sorted(TEXT_KEYS):
        fields = _text_fields(Lang.RU, key) | _text_fields(Lang.EN, key)
        variants: list[tuple[str, dict[str, object]]] = [("escaping", _escaping(fields))]
        if fields:
            variants += [("raw", _raw(fields)), ("numbers", _numbers(fields))]
        for lang in LANGS:
            for name, args in variants:
                result.append({"kind": "t", "lang": lang.value, "key": key, "variant": name,
                               "args": args})  # fmt: skip

    error_cases: list[tuple[str, dict[str, object]]] = []
    for key, variant_fields in sorted(_error_entries().items()):
        mnemonic, _, selector = key.partition("@")
        context = _selector_context(selector)
        all_fields = frozenset().union(*variant_fields)
        error_cases.append((mnemonic, context))
        for fields in sorted({frozenset(f) for f in variant_fields}, key=sorted):
            if fields:
                error_cases.append((mnemonic, {**_escaping(fields), **context}))
        full = {**_escaping(all_fields), "seconds_to_reset": 3725, **context}
        error_cases.append((mnemonic, full))
        error_cases.append((mnemonic, {**_numbers(all_fields), **context}))
    error_cases += [(mnemonic, {}) for mnemonic in ODD_MNEMONICS]
    error_cases.append(("no_such_mnemonic", {"message": "<b>bad</b> & worse", "code": -32000}))
    error_cases.append(("transport_read_timeout", {"seconds": 10}))
    error_cases.append(("transport_http_status", {"http_status": 502}))
    error_cases.append(("limit_exceeded", {"limit_type": "day", "seconds_to_reset": 59.2}))
    error_cases.append(("limit_exceeded", {"limit_type": "minute", "seconds_to_reset": 61}))
    error_cases.append(
        (
            "tts_text_exceeded",
            {"tts_message_max_length": 1000, "sent_tts_message_length": 1021},
        )
    )
    error_cases.append(("component_disabled", {"component_name": "call management"}))
    error_cases.append(("component_disabled", {"component": encode_arg(Raw("<b>raw</b>"))}))
    error_cases.append(("contact_in_blacklist", {"contact_phone_number": "+7 (999) <1>"}))
    error_cases.append(("ip_not_whitelisted", {"ip": "10.0.0.1", "value": None}))
    for lang in LANGS:
        for mnemonic, args in error_cases:
            result.append(
                {"kind": "explain_error", "lang": lang.value, "mnemonic": mnemonic, "args": args}
            )

    for lang in LANGS:
        for seconds in DURATIONS:
            result.append({"kind": "format_duration", "lang": lang.value, "seconds": seconds})
        for role in ("pending", "user", "admin"):
            result.append({"kind": "command_help", "lang": lang.value, "role": role})
            result.append({"kind": "bot_commands", "lang": lang.value, "role": role})
        for component in COMPONENTS:
            result.append({"kind": "component_ui_name", "lang": lang.value, "component": component})
    return result


def build_snapshot(render: Callable[[Mapping[str, Any]], Any] = run_case) -> list[dict[str, Any]]:
    return [{**case, "output": render(case)} for case in cases()]


def main() -> None:
    snapshot = build_snapshot()
    SNAPSHOT_PATH.write_text(
        json.dumps(snapshot, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"{len(snapshot)} cases -> {SNAPSHOT_PATH}")


if __name__ == "__main__":
    main()
