"""Shared formatting for chat output: phone numbers, masking, the points footer."""

from __future__ import annotations

import functools

import phonenumbers

from api.budget import BudgetSnapshot
from bot.texts import Lang, t


@functools.lru_cache(maxsize=4096)
def display_phone(number: str | None, *, masked: bool = False) -> str:
    """``79031234567`` → ``+7 903 123-45-67``; in group chats the middle digits are hidden.

    Cached: a card shows the same few numbers on every redraw, and phonenumbers' formatting
    was a visible share of drawing one."""
    if not number:
        return "—"
    digits = number.split(".", 1)[0]
    text = digits
    if digits.isdigit():
        try:
            parsed = phonenumbers.parse("+" + digits, None)
            text = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        except phonenumbers.NumberParseException:
            text = "+" + digits
    if not masked:
        return text
    seen = 0
    total = sum(char.isdigit() for char in text)
    masked_chars = []
    for char in text:
        if char.isdigit():
            seen += 1
            # Keep the country code and first group, and the last two digits.
            if 4 < seen <= total - 2:
                masked_chars.append("*")
                continue
        masked_chars.append(char)
    return "".join(masked_chars)


def invalid_number_text(lang: Lang, field_key: str) -> str:
    """ "Could not read <field>: expected a phone number" for bad input in any flow."""
    return t(
        lang,
        "call.number_invalid",
        field=t(lang, field_key),
        expected=t(lang, "call.expected_phone"),
    )


def points_text(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def limits_footer(lang: Lang, snapshot: BudgetSnapshot) -> str:
    minute, day = snapshot.minute, snapshot.day
    if minute.limit is None and day.limit is None:
        return t(lang, "limits.footer_unknown")
    return t(
        lang,
        "limits.footer",
        minute_remaining=points_text(minute.remaining),
        minute_limit=points_text(minute.limit),
        day_remaining=points_text(day.remaining),
        day_limit=points_text(day.limit),
    )
