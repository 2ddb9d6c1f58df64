"""Helpers for the localisation tests: a Telegram-HTML checker and realistic sample values.

A plain module (not conftest.py) so that its name is unique across the test tree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

# Tags Telegram's HTML parse mode accepts (Bot API "HTML style").
TELEGRAM_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
        "a", "code", "pre", "blockquote", "tg-emoji",
    }
)  # fmt: skip
# Telegram accepts only these named entities, plus numeric ones.
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")

# Realistic values for placeholders (the longest plausible shape, for length checks).
SAMPLE_VALUES: dict[str, str] = {
    "number": "+7 999 123-45-67",
    "contact": "+7 903 123-45-67",
    "target": "Мария Иванова",
    "name": "Константин Константинопольский",
    "employee": "Анна Смирнова",
    "username": "@demo_manager",
    "admins": "@anna_admin, @oleg_admin",
    "admin": "@anna_admin",
    "fingerprint": "…b7f3",
    "expires_at": "31.12.2025 18:45",
    "time": "18:45",
    "as_of": "18:45:12",
    "tag": "Горячий клиент",
    "tags": "Горячий клиент, Перезвонить",
    "option": "Проставить тег",
    "digit": "#",
    "phase": "📲 Набираем третьего участника · клиент на удержании",
    "status": "разговор",
    "role": "Третий участник",
    "duration": "1:02:05",
    "call_id": "3251986342",
    "user_id": "123456789",
    "employee_id": "101",
    "external_id": "tg-123456789-1732612345",
    "error": "invalid_state — Сейчас это действие недоступно",
    "action": "Клиент на удержании",
    "description": "Позвонить клиенту",
    "command": "simple_call",
    "period": "01.11.2025–30.11.2025",
    "reason": "строка 7: нет поля id",
    "group": "Отдел продаж",
    "usage": "/assign ID ID_сотрудника",
    "setting": "виртуальный номер",
    "field": "номер клиента",
    "expected": "номер в формате +7 999 123-45-67 или 79991234567",
    "text": "Пожалуйста, оставайтесь на линии, мы скоро вернемся",
    "hold_message": "аудиофайл «Ожидание на линии»",
    "virtual_number": "+7 499 372-06-92",
    "region": "RU",
    "value": "ZZZ",
    "language": "ru",
    "minute_reset_in": "42 с",
    "day_reset_in": "5 ч 12 мин",
}


def sample_params(fields: Iterable[str]) -> dict[str, str]:
    """A value for each placeholder: realistic where known, a number otherwise."""
    return {field: SAMPLE_VALUES.get(field, "1000") for field in fields}


class _TelegramHtmlChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TELEGRAM_TAGS:
            self.problems.append(f"tag <{tag}> is not supported by Telegram")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> does not close the innermost open tag {self.stack}")
            return
        self.stack.pop()


def telegram_html_problems(text: str) -> list[str]:
    """Why Telegram would refuse ``text`` with parse_mode=HTML (empty list = fine)."""
    checker = _TelegramHtmlChecker()
    checker.feed(text)
    checker.close()
    problems = list(checker.problems)
    if checker.stack:
        problems.append(f"unclosed tags {checker.stack}")
    for match in re.finditer("&", text):
        if not _ENTITY.match(text, match.start()):
            problems.append(f"bare '&' at {match.start()}")
    without_tags = re.sub(r"</?[a-z-]+>", "", text)
    if "<" in without_tags or ">" in without_tags:
        problems.append("bare '<' or '>' outside tags")
    return problems


def assert_telegram_html(text: str) -> None:
    """Assert that a text is valid Telegram HTML."""
    problems = telegram_html_problems(text)
    assert not problems, f"{problems} in {text!r}"
