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
    """Known secret values to mask wherever they appear.

    Two kinds: the deployment's own (settings: bot token, database password, keys), kept for
    the life of the process, and users' Call API secrets, registered only once they were
    verified or stored and discarded when they are gone (sign-out, replaced). Users' entries
    are bounded, the least recently registered dropped first: a long-running bot must not
    slow every log line down with a list that only grows. Text typed at a secret step is never
    registered before it is verified: it is never logged in the first place.
    """

    MAX_USER_SECRETS = 512

    def __init__(self, max_user_secrets: int = MAX_USER_SECRETS) -> None:
        self._lock = threading.Lock()
        self._max = max_user_secrets
        self._pinned: frozenset[str] = frozenset()
        self._users: dict[str, None] = {}  # insertion order = age
        self._matcher: re.Pattern[str] | None = None

    def add(self, *values: str | None) -> None:
        """Register secrets of the deployment (kept for the life of the process)."""
        fresh = {value for value in values if value is not None and _long_enough(value)}
        if fresh:
            with self._lock:
                self._pinned = self._pinned | fresh
                self._rebuild()

    def add_user_secret(self, *values: str | None) -> None:
        """Register a user's verified or stored secret (bounded; see the class docstring)."""
        fresh = [value for value in values if value is not None and _long_enough(value)]
        if not fresh:
            return
        with self._lock:
            for value in fresh:
                self._users.pop(value, None)
                self._users[value] = None
            while len(self._users) > self._max:
                del self._users[next(iter(self._users))]
            self._rebuild()

    def discard(self, *values: str | None) -> None:
        with self._lock:
            for value in values:
                if value is not None:
                    self._users.pop(value, None)
            self._rebuild()

    def __len__(self) -> int:
        return len(self._pinned) + len(self._users)

    def __contains__(self, value: object) -> bool:
        return value in self._pinned or value in self._users

    def _rebuild(self) -> None:
        values = sorted(self._pinned | self._users.keys(), key=len, reverse=True)
        # One alternation, longest first: one scan of the text whatever the number of secrets.
        self._matcher = re.compile("|".join(map(re.escape, values))) if values else None

    def redact(self, text: str) -> str:
        matcher = self._matcher
        if matcher is not None:
            text = matcher.sub(REDACTED, text)
        for pattern in _PATTERNS:
            if "value" in pattern.groupindex:
                text = pattern.sub(lambda m: m.group("key") + REDACTED, text)
            else:
                text = pattern.sub(REDACTED, text)
        return text


def _long_enough(value: str) -> bool:
    # Very short strings would mask ordinary words; real secrets are longer.
    return len(value) >= 6


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
