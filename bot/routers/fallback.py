"""Last in the dispatcher: whatever no other handler took still gets an answer.

A callback query left unanswered keeps the button's spinner turning for the user; a private
message that matched nothing would be met with silence.
"""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message

from bot.filters import for_the_bot
from bot.routers.spec import RouterSpec
from bot.services.actor import Actor
from bot.texts import t

router = RouterSpec("fallback")


@router.callback_query()
async def unknown_button(query: CallbackQuery, actor: Actor) -> None:
    await query.answer(t(actor.lang, "alert.unknown_button"), show_alert=True)


@router.message(for_the_bot)
async def not_understood(message: Message, actor: Actor) -> None:
    await message.answer(t(actor.lang, "common.not_understood"))
