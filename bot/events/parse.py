"""Reading an event body whatever way UIS rendered the owner's template.

How UIS fills a placeholder is not documented (JSON-encoded or raw, and what an empty value
becomes), and owners edit templates. So only the event (from the URL) and the numeric ids are
required; everything else is kept as text. Read in this order: a JSON object; a form body; and,
when neither parses, field by field ("salvaged"), so that `{"leg_id": , "call_session_id": 5}` or
`{"contact": ""7903…""}` still gives its ids.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any
from urllib.parse import parse_qsl

from bot.events.catalog import BY_SLUG

MAX_BODY_BYTES = 64 * 1024
_ID_LIMIT = 2**63 - 1

# One "name": value pair of a body that is not valid JSON. A value is a quoted string (doubled
# quotes included), a bracketed list, a raw list of numbers ("leg_ids": 3,4), or anything up to
# the next comma or closing brace (a bare number, null, a raw string, or nothing at all).
_PAIR = re.compile(
    r'"(?P<name>[A-Za-z_][A-Za-z0-9_]*)"\s*:\s*'
    r'(?P<value>""(?=[^",}])[^"]*""|"(?:[^"\\]|\\.)*"|\[[^\]]*\]|\d+(?:\s*,\s*\d+)+(?=\s*[,}])|[^,}]*)'
)


class EventRejectedError(ValueError):
    """The body cannot be used: answered 400 and kept as a dead letter."""


@dataclass(frozen=True)
class ParsedEvent:
    event: str
    call_session_id: int
    leg_ids: tuple[int, ...]
    employee_ids: tuple[int, ...]
    fields: Mapping[str, str | None]  # every field as text; None: rendered empty
    salvaged: bool  # not valid JSON nor a form: the fields were recovered one by one

    def text(self, name: str) -> str | None:
        value = self.fields.get(name)
        return value if value else None


def parse_event(event: str, body: bytes, content_type: str | None = None) -> ParsedEvent:
    if event not in BY_SLUG:
        raise EventRejectedError(f"unknown event {event!r}")
    if len(body) > MAX_BODY_BYTES:
        raise EventRejectedError("body over 64 KB")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("cp1251", errors="replace")
    fields, salvaged = _fields(text, content_type)
    named = fields.get("event")
    if named and named != event:
        raise EventRejectedError(f"the body names event {named!r}, the URL {event!r}")
    session = _ids(fields.get("call_session_id"))
    if len(session) != 1:
        raise EventRejectedError("no call_session_id")
    legs = _ids(fields.get("leg_ids")) + _ids(fields.get("leg_id"))
    employees = _ids(fields.get("employee_ids")) + _ids(fields.get("employee_id"))
    return ParsedEvent(
        event=event,
        call_session_id=session[0],
        leg_ids=tuple(dict.fromkeys(legs)),
        employee_ids=tuple(dict.fromkeys(employees)),
        fields=fields,
        salvaged=salvaged,
    )


def _fields(text: str, content_type: str | None) -> tuple[dict[str, str | None], bool]:
    stripped = text.strip()
    form = content_type is not None and "form" in content_type.lower()
    if not form and stripped.startswith("{"):
        try:
            document = json.loads(stripped)
        except ValueError:
            pass
        else:
            if isinstance(document, dict):
                return {str(key): _as_text(value) for key, value in document.items()}, False
        return _salvage(stripped), True
    if form or ("=" in stripped and not stripped.startswith(("{", "["))):
        pairs = parse_qsl(stripped, keep_blank_values=True)
        if pairs:
            return {key: _unquote(value) or None for key, value in pairs}, False
    raise EventRejectedError("body is neither a JSON object nor a form")


def _salvage(text: str) -> dict[str, str | None]:
    fields: dict[str, str | None] = {}
    for match in _PAIR.finditer(text):
        raw = match.group("value").strip()
        if raw.startswith("["):
            try:
                fields[match.group("name")] = _as_text(json.loads(raw))
                continue
            except ValueError:
                raw = raw[1:-1]
        fields[match.group("name")] = _unquote(raw) or None
    return fields


def _unquote(raw: str) -> str:
    """``""value""`` (a placeholder the owner quoted although UIS quotes it), ``"value"``, or
    a raw value: the text inside."""
    value = raw.strip()
    while len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if value.lower() in ("null", "none"):
        return ""
    return value


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return ",".join(text for item in value if (text := _as_text(item)))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return _unquote(str(value)) or None


def _ids(value: str | None) -> list[int]:
    """Numeric ids from ``5``, ``"5"``, ``[1, 2]`` rendered as ``1,2``, ``"1, 2"``, ``5.0``."""
    if not value:
        return []
    ids = []
    for part in re.split(r"[,;\s\[\]]+", value):
        part = _unquote(part)
        if not part:
            continue
        if part.endswith(".0"):
            part = part[:-2]
        if not part.isdigit():
            continue
        number = int(part)
        if 0 < number <= _ID_LIMIT:
            ids.append(number)
    return ids


_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%d.%m.%Y %H:%M:%S",
)


def parse_event_time(value: str | None, zone: tzinfo) -> datetime | None:
    """A time an event carries: ISO or ``YYYY-MM-DD hh:mm:ss[.ffffff]`` in the account's zone, or
    a Unix timestamp. Shown to people, never used to order facts (the ledger's rule 1)."""
    if not value:
        return None
    text = value.strip()
    if re.fullmatch(r"\d{9,11}(\.\d+)?", text):
        return datetime.fromtimestamp(float(text), UTC)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
        for pattern in _TIME_FORMATS:
            try:
                parsed = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)
