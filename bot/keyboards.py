"""Telegram markup from the services' plain button data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.calls import ButtonData


def inline_keyboard(rows: Sequence[Sequence[ButtonData]]) -> dict[str, Any] | None:
    """An inline keyboard as plain Bot API data (None: no keyboard, which removes the old one).

    The call card sends this as it is (bot.card_messages); other messages get aiogram's model."""
    keyboard = [
        [{"text": button.label, "callback_data": button.data} for button in row]
        for row in rows
        if row
    ]
    return {"inline_keyboard": keyboard} if keyboard else None


def inline(rows: Sequence[Sequence[ButtonData]]) -> InlineKeyboardMarkup | None:
    data = inline_keyboard(rows)
    return None if data is None else InlineKeyboardMarkup.model_validate(data)


def choice(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Buttons for conversation steps that change nothing by themselves (menus, choices)."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=label, callback_data=data) for label, data in row]
            for row in rows
        ]
    )
