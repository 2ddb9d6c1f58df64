"""Last in the dispatcher: whatever no other handler took still gets an answer.

A callback query left unanswered keeps the button's spinner turning for the user; a private
message that matched nothing would be met with silence.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.callback_data import OfOurKinds
from bot.filters import for_the_bot
from bot.services.actor import Actor
from bot.texts import t


async def stale_button(query: CallbackQuery, actor: Actor) -> None:
    await query.answer(t(actor.lang, "alert.stale"), show_alert=True)


async def unknown_button(query: CallbackQuery, actor: Actor) -> None:
    await query.answer(t(actor.lang, "alert.unknown_button"), show_alert=True)


async def not_understood(message: Message, actor: Actor) -> None:
    await message.answer(t(actor.lang, "common.not_understood"))


def router() -> Router:
    fallback = Router(name="fallback")
    fallback.callback_query.register(stale_button, OfOurKinds())
    fallback.callback_query.register(unknown_button)
    fallback.message.register(not_understood, for_the_bot)
    return fallback
