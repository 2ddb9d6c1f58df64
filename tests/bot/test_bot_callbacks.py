from __future__ import annotations

import base64
import secrets
import struct

import pytest

from bot.callbacks import (
    CARD_ID_MAX,
    TELEGRAM_CALLBACK_LIMIT,
    Action,
    BadCallbackData,
    CallbackSigner,
    Press,
    encode_token,
)

SIGNER = CallbackSigner(b"k" * 32)


def _press(**changes: object) -> Press:
    values: dict[str, object] = {
        "card_id": CARD_ID_MAX,
        "action": Action.DISCONNECT,
        "argument": -(2**63),
        "token": encode_token(secrets.token_bytes(16)),
    }
    values.update(changes)
    return Press(**values)  # type: ignore[arg-type]


def test_round_trip_fits_telegrams_limit() -> None:
    press = _press()
    data = SIGNER.pack(7, press)
    assert len(data.encode()) <= TELEGRAM_CALLBACK_LIMIT
    assert SIGNER.unpack(7, data) == press
    assert SIGNER.card_id_of(data) == press.card_id


def test_another_users_press_is_refused() -> None:
    data = SIGNER.pack(7, _press())
    with pytest.raises(BadCallbackData):
        SIGNER.unpack(8, data)


def test_another_key_is_refused() -> None:
    data = CallbackSigner(b"x" * 32).pack(7, _press())
    with pytest.raises(BadCallbackData):
        SIGNER.unpack(7, data)


@pytest.mark.parametrize("position", range(1, 40))
def test_any_changed_character_is_refused(position: int) -> None:
    data = SIGNER.pack(7, _press(card_id=5, argument=3))
    replacement = "A" if data[position] != "A" else "B"
    tampered = data[:position] + replacement + data[position + 1 :]
    with pytest.raises(BadCallbackData):
        SIGNER.unpack(7, tampered)


@pytest.mark.parametrize("data", ["", "k", "x" * 10, "k" + "A" * 80, "k!!!!", "login:key"])
def test_garbage_is_refused(data: str) -> None:
    with pytest.raises(BadCallbackData):
        SIGNER.unpack(7, data)


def test_short_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        CallbackSigner(b"short")


def test_a_card_id_beyond_the_cards_column_is_a_bad_payload() -> None:
    """A payload signed with our key but naming a card id >= 2**31 (the call_cards.id column
    is a PostgreSQL integer) is refused before any query, and names no card."""
    body = struct.pack(">IBq16s", 2**31, int(Action.REFRESH), 0, secrets.token_bytes(16))
    mac = SIGNER._mac(7, body)
    data = "k" + base64.urlsafe_b64encode(body + mac).rstrip(b"=").decode()
    with pytest.raises(BadCallbackData):
        SIGNER.unpack(7, data)
    assert SIGNER.card_id_of(data) is None
    with pytest.raises(ValueError, match="card id out of range"):
        SIGNER.pack(7, _press(card_id=2**31))
