"""Drawing a call card in its Telegram message: the bot's most frequent Bot API request.

Every press and every changed call redraws a card, so the edit is sent as a slim
``editMessageText`` method of our own instead of aiogram's: the keyboard is plain data (no
pydantic model per button), and the reply, the edited message with its keyboard, is kept as a
dict instead of being parsed into aiogram's ``Message`` (nobody reads it). Both steps were a
measurable share of a press in ``benchmarks/bench_bot.py``. The request still goes through the
bot's session, its middlewares (flood control, "message is not modified") and its error
handling; Telegram sees the same ``editMessageText`` request as from aiogram's method.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiogram.methods import TelegramMethod

from bot.keyboards import inline_keyboard
from bot.services.calls import CardUpdate

if TYPE_CHECKING:
    from aiogram import Bot


class EditCardMessage(TelegramMethod[dict[str, Any] | bool]):
    """``editMessageText`` with a plain-data inline keyboard and an unparsed reply."""

    __returning__ = dict[str, Any] | bool
    __api_method__ = "editMessageText"

    chat_id: int
    message_id: int
    text: str
    parse_mode: str = "HTML"
    reply_markup: dict[str, Any] | None = None  # an InlineKeyboardMarkup as plain data

    def json_body(self) -> dict[str, Any]:
        """The request body as it is: every value is already plain JSON data."""
        body: dict[str, Any] = {
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "text": self.text,
            "parse_mode": self.parse_mode,
        }
        if self.reply_markup is not None:
            body["reply_markup"] = self.reply_markup
        return body


def edit_card(update: CardUpdate) -> EditCardMessage:
    return EditCardMessage(
        chat_id=update.chat_id,
        message_id=update.message_id,
        text=update.text,
        reply_markup=inline_keyboard(update.rows),
    )


async def draw_card(bot: Bot, update: CardUpdate) -> None:
    await bot(edit_card(update))
