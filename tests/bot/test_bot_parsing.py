"""Numbers from users and button data are read strictly: ASCII digits, within the column."""

from __future__ import annotations

import pytest

from bot.parsing import INT32_MAX, INT64_MAX, is_ascii_digits, parse_id


@pytest.mark.parametrize("text", ["²", "١٢", "12²", "", "-", "1 2", "+1", "0x1", "1.0", "１"])
def test_what_isdigit_or_int_might_accept_is_not_a_number(text: str) -> None:
    assert parse_id(text) is None
    assert parse_id(text, signed=True) is None


def test_ascii_digits_are_read() -> None:
    assert is_ascii_digits("0123456789")
    assert not is_ascii_digits("²")
    assert parse_id("42") == 42
    assert parse_id("-100123", signed=True) == -100123
    assert parse_id("-5") is None


@pytest.mark.parametrize(
    ("text", "maximum"),
    [(str(INT64_MAX + 1), INT64_MAX), (str(2**70), INT64_MAX), (str(INT32_MAX + 1), INT32_MAX)],
)
def test_numbers_beyond_the_column_are_refused(text: str, maximum: int) -> None:
    assert parse_id(text, maximum=maximum) is None
    assert parse_id(str(maximum), maximum=maximum) == maximum
    assert parse_id("-" + text, signed=True, maximum=maximum) is None
