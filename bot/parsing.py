"""Numbers typed by users or carried in button data, read strictly.

``str.isdigit()`` accepts characters such as ``'²'`` or Arabic-Indic digits that ``int()``
then refuses or reads unexpectedly, and an unbounded number overflows a PostgreSQL column.
Every handler reads ids through these helpers: anything else is not a number for us.
"""

from __future__ import annotations

INT32_MAX = 2**31 - 1  # PostgreSQL ``integer`` (our own row ids: cards, favourites)
INT64_MAX = 2**63 - 1  # PostgreSQL ``bigint`` (Telegram and UIS ids)


def is_ascii_digits(text: str) -> bool:
    """True for a non-empty run of the ten ASCII digits and nothing else."""
    return text.isascii() and text.isdigit()


def parse_id(text: str, *, maximum: int = INT64_MAX, signed: bool = False) -> int | None:
    """``text`` as an integer within the column's range, or None when it is not one.

    ``signed`` allows one leading minus (Telegram group chat ids are negative).
    """
    digits = text[1:] if signed and text.startswith("-") else text
    if not is_ascii_digits(digits) or len(digits) > 19:
        return None
    value = int(text)
    if abs(value) > maximum:
        return None
    return value
