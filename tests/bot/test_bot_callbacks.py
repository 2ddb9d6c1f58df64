from __future__ import annotations

import secrets

import pytest

from bot.callbacks import (
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
        "card_id": 2**32 - 1,
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
