"""Which numbers Call back refuses before anything is claimed or sent (a lost call event is no
proof of who called)."""

from __future__ import annotations

import pytest

from bot.services.missed_calls import callback_refusal
from bot.services.presentation import display_phone


@pytest.mark.parametrize(
    ("number", "region", "refusal"),
    [
        ("79031234567", "RU", None),
        ("74993720692", "RU", None),
        ("78091234567", "RU", "alert.missed_premium"),
        ("442071234567", "RU", "alert.missed_international"),
        ("442071234567", "GB", None),
        ("79031234567", "GB", "alert.missed_international"),
        ("not a number", "RU", "alert.missed_bad_number"),
        ("123", "RU", "alert.missed_bad_number"),
    ],
)
def test_callback_refusal(number: str, region: str, refusal: str | None) -> None:
    refused = callback_refusal(number, region)
    if refusal is None:
        assert refused is None
        return
    assert refused is not None
    key, shown = refused
    assert key == refusal
    assert shown == (display_phone(number) if number.isdigit() and len(number) > 3 else number)
