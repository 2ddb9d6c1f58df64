"""One logging setup for every entry point: text for a terminal, JSON for log collectors.

A redaction filter on the root handler masks secrets before anything is formatted, so a
token that slips into a message, an argument or a traceback is never written out.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

REDACTED = "***"

# Patterns for secrets whose values we may not know in advance.
_PATTERNS: tuple[re.Pattern[str], ...] = (
    # Telegram bot tokens, also inside Bot API URLs (/bot123:ABC.../getMe).
    re.compile(r"(?<!\d)\d{5,12}:[A-Za-z0-9_-]{30,}"),
    # JSON, repr or query-string fields that carry secrets: `key=value`, `"key": "value"`,
    # `key:value`. A colon followed by a space and an unquoted word is prose, not a field:
    # "CALLBOT_TELEGRAM__BOT_TOKEN: required to run the bot" must keep its "required".
    re.compile(
        r"""(?P<key>["']?(?:access_token|password|token|secret|api_key|authorization)["']?"""
        r"""(?:\s*=\s*["']?|\s*:\s*["']|:(?=[^"'\s])))(?P<value>[^"'\s,&}]+)""",
        re.IGNORECASE,
    ),
    # Passwords inside database URLs: scheme://user:PASSWORD@host
    re.compile(r"(?P<key>://[^:/@\s]+:)(?P<value>[^@\s]+)(?=@)"),
)


class SecretRegistry:
    """Known secret values (from settings, from users' logins) to mask wherever they appear."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: frozenset[str] = frozenset()

    def add(self, *values: str | None) -> None:
        # Very short strings would mask ordinary words; real secrets are longer.
        fresh = {value for value in values if value and len(value) >= 6}
        if fresh:
            with self._lock:
                self._values = self._values | fresh

    def discard(self, value: str) -> None:
        with self._lock:
            self._values = self._values - {value}

    def redact(self, text: str) -> str:
        for value in sorted(self._values, key=len, reverse=True):
            if value in text:
                text = text.replace(value, REDACTED)
        for pattern in _PATTERNS:
            if "value" in pattern.groupindex:
                text = pattern.sub(lambda m: m.group("key") + REDACTED, text)
            else:
                text = pattern.sub(REDACTED, text)
        return text


SECRETS = SecretRegistry()


def redact(text: str) -> str:
    """Mask every known secret and every secret-looking field in ``text``."""
    return SECRETS.redact(text)


class RedactingFilter(logging.Filter):
    """Renders the message once, redacts it, and drops args so nothing unmasked survives."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the line
            message = f"{record.msg!r} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(formatted)
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            payload["exception"] = record.exc_text
        return json.dumps(payload, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Loggers that print request URLs at INFO; a Bot API URL contains the bot token.
_NOISY_LOGGERS = ("httpx", "httpcore", "aiohttp.access", "asyncio")


def setup_logging(
    level: str = "INFO",
    json_format: bool = False,
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> None:
    """Configure the root logger once; safe to call again (replaces our handler)."""
    SECRETS.add(*secrets)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter() if json_format else logging.Formatter(TEXT_FORMAT))
    handler.set_name("callbot")
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == "callbot":
            root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    # Alembic narrates every migration context at INFO ("Context impl ...", "Will assume
    # transactional DDL"): noise on every `run`, `doctor` and `migrate`; kept for DEBUG.
    logging.getLogger("alembic").setLevel(
        logging.DEBUG if logging.getLogger().level <= logging.DEBUG else logging.WARNING
    )
