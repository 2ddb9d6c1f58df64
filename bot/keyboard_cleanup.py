"""A keyboard that has done its job is removed, so that it cannot be pressed again."""

from __future__ import annotations

from contextlib import suppress

from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message


async def retire_keyboard(query: CallbackQuery) -> None:
    """Remove the inline keyboard of the message the press came from (a menu or picker)."""
    message = query.message
    if isinstance(message, Message):
        # Gone already or too old to edit: the user still gets what they pressed for.
        with suppress(TelegramAPIError):
            await message.edit_reply_markup(reply_markup=None)
