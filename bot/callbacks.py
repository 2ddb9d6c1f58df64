"""Inline-button payloads: compact, signed, bound to their owner and their card.

A button carries ``card id · action · argument · one-shot token`` plus an HMAC over those and
the owner's Telegram id. A press is rejected when the MAC does not verify for the presser
(forged, or someone else's button) or when its token cannot be consumed in the database
(already used: a double tap or a redelivered update; revoked: the card was redrawn since; or
expired). All buttons of one rendering share one token, so a card accepts exactly one press
per rendering. No secret or phone number travels in callback data; 64 bytes are never exceeded.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
import struct
from dataclasses import dataclass

from bot.parsing import INT32_MAX

PREFIX = "k"
_LAYOUT = struct.Struct(">IBq16s")  # card id (0: none), action, argument, token
_MAC_BYTES = 8
TOKEN_BYTES = 16
TELEGRAM_CALLBACK_LIMIT = 64
# The layout has room for 2**32 - 1, the call_cards.id column (PostgreSQL integer) does not.
CARD_ID_MAX = INT32_MAX


class Action(enum.IntEnum):
    """Every button a card can show; the value is stable wire format (never renumber)."""

    REFRESH = 1
    RELEASE = 2
    HOLD = 3
    UNHOLD = 4
    RECORD_ON = 5
    RECORD_OFF = 6
    TAG_MENU = 7
    TAG = 8
    KEYPAD = 9
    DTMF = 10
    TALK_OPTIONS = 11
    TALK_OPTION = 12
    COACH_MENU = 13
    COACH = 14
    DISCONNECT_MENU = 15
    DISCONNECT = 16
    BLOCK_ASK = 17
    BLOCK_CONFIRM = 18
    TRANSFER_MENU = 19
    TRANSFER_TO = 20
    TRANSFER_NOW_ASK = 21
    TRANSFER_NOW = 22
    RESTORE = 23
    COMPLETE_TRANSFER = 24
    BACK = 25
    TRANSFER_TYPED = 26
    START_CALL = 27
    APPROVE_USER = 28
    DENY_USER = 29
    REPEAT = 30
    TALK_OPTIONS_PAGE = 31
    CALL_BACK = 32  # a missed call's Call back (a button outside a card)


# The owner a button for anyone in a group chat is signed for (no Telegram user has id 0).
ANYONE_IN_CHAT = 0
# Buttons outside a card that may be signed for anyone in the chat.
ANYONE_ACTIONS = frozenset({Action.CALL_BACK})


def encode_token(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_token(token: str) -> bytes:
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    if len(raw) != TOKEN_BYTES:
        raise ValueError("a one-shot token is 16 bytes")
    return raw


@dataclass(frozen=True)
class Press:
    card_id: int
    action: Action
    argument: int
    token: str  # url-safe text of the 16-byte one-shot token stored in the database


class BadCallbackData(ValueError):
    """The payload is not ours, was tampered with, or belongs to another user."""


class CallbackSigner:
    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("callback signing key must be at least 16 bytes")
        self._key = key

    def _mac(self, owner_id: int, body: bytes) -> bytes:
        message = owner_id.to_bytes(8, "big", signed=True) + body
        return hmac.new(self._key, message, hashlib.sha256).digest()[:_MAC_BYTES]

    def pack(self, owner_id: int, press: Press) -> str:
        if not 0 <= press.card_id <= CARD_ID_MAX:
            raise ValueError("card id out of range")
        body = _LAYOUT.pack(
            press.card_id, int(press.action), press.argument, decode_token(press.token)
        )
        token = base64.urlsafe_b64encode(body + self._mac(owner_id, body)).rstrip(b"=")
        data = PREFIX + token.decode("ascii")
        assert len(data.encode()) <= TELEGRAM_CALLBACK_LIMIT
        return data

    def unpack(self, owner_id: int, data: str) -> Press:
        if not data.startswith(PREFIX) or len(data) > TELEGRAM_CALLBACK_LIMIT:
            raise BadCallbackData("not a call-card button")
        encoded = data[len(PREFIX) :]
        try:
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError):
            raise BadCallbackData("malformed button data") from None
        if len(raw) != _LAYOUT.size + _MAC_BYTES:
            raise BadCallbackData("malformed button data")
        body, mac = raw[: _LAYOUT.size], raw[_LAYOUT.size :]
        if not hmac.compare_digest(mac, self._mac(owner_id, body)):
            raise BadCallbackData("signature does not match this user")
        card_id, action_code, argument, token = _LAYOUT.unpack(body)
        if card_id > CARD_ID_MAX:
            # Only a forged payload can carry one (our cards are PostgreSQL ``integer`` ids).
            raise BadCallbackData("card id out of range")
        try:
            action = Action(action_code)
        except ValueError:
            raise BadCallbackData("unknown action") from None
        return Press(card_id, action, argument, encode_token(token))

    @staticmethod
    def card_id_of(data: str) -> int | None:
        """The card a payload names, without verifying it (to tell 'foreign' from 'forged')."""
        if not data.startswith(PREFIX):
            return None
        encoded = data[len(PREFIX) :]
        try:
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError):
            return None
        if len(raw) != _LAYOUT.size + _MAC_BYTES:
            return None
        card_id: int = _LAYOUT.unpack(raw[: _LAYOUT.size])[0]
        return card_id if card_id <= CARD_ID_MAX else None
