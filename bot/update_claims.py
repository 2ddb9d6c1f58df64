"""Each Telegram update that may reach UIS acts at most once, however often it is delivered.

Telegram delivers an update again when a webhook did not answer in time, or when a polling
process stopped before confirming the update's offset. Before its handlers run, an update that
may act (any message: commands, contacts, numbers, flow steps; a button that is not a signed
one-shot button) is claimed in the database (``db.update_claims``) and marked done when its
handler returned. Card presses and the other signed buttons need no claim: each carries a
one-shot token that their handler consumes atomically before acting.

A redelivery of a done update does nothing. One whose claim was taken but never finished (the
process died meanwhile) may or may not have acted: the chat is told so, never left silent.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.callbacks import PREFIX as SIGNED_BUTTON_PREFIX
from bot.texts import lang_for, t
from db.update_claims import ClaimState, claim_update, finish_update, purge_update_claims

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


def fingerprint_of(update: Update) -> str | None:
    """What identifies the update besides its id; None for updates that need no claim."""
    if update.message is not None:
        message = update.message
        return f"message:{message.chat.id}:{message.message_id}"
    query = update.callback_query
    if query is not None and not (query.data or "").startswith(SIGNED_BUTTON_PREFIX):
        return f"callback_query:{query.id}"
    return None


class UpdateClaims(BaseMiddleware):
    """Outer middleware on updates: claim, handle, mark done."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        # Updates this process is handling now: a duplicate arriving meanwhile (a webhook
        # retry) is dropped, the first delivery answers.
        self._in_flight: set[int] = set()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        bot: Bot | None = data.get("bot")
        fingerprint = fingerprint_of(event) if isinstance(event, Update) else None
        if fingerprint is None or bot is None or not isinstance(event, Update):
            return await handler(event, data)
        update_id = event.update_id
        if update_id in self._in_flight:
            log.info("update %s delivered again while being handled: dropped", update_id)
            return None
        async with self._sessions.begin() as session:
            claim = await claim_update(
                session, bot_id=bot.id, update_id=update_id, fingerprint=fingerprint
            )
        if not claim.won:
            log.info(
                "update %s delivered again (%s before): not acted on", update_id, claim.earlier
            )
            if claim.earlier is ClaimState.TAKEN:
                await _tell_interrupted(bot, event)
            return None
        self._in_flight.add(update_id)
        try:
            return await handler(event, data)
        finally:
            self._in_flight.discard(update_id)
            try:
                async with self._sessions.begin() as session:
                    await finish_update(session, bot_id=bot.id, update_id=update_id)
            except Exception:
                # The claim stays "taken": a redelivery is then told to check, not acted on.
                log.warning("could not mark update %s done", update_id, exc_info=True)


async def purge_expired_claims(sessions: async_sessionmaker[AsyncSession]) -> int:
    """Housekeeping at start-up: claims past their time no longer count; drop them."""
    async with sessions.begin() as session:
        return await purge_update_claims(session)


async def _tell_interrupted(bot: Bot, update: Update) -> None:
    """The earlier delivery was cut off (a crash or a restart): it may have acted."""
    if update.message is not None:
        message = update.message
        lang = lang_for(message.from_user.language_code if message.from_user else None)
        with suppress(TelegramAPIError):
            await bot.send_message(message.chat.id, t(lang, "update.interrupted"))
        return
    query = update.callback_query
    if query is None:
        return
    lang = lang_for(query.from_user.language_code)
    text = t(lang, "update.interrupted")
    try:
        await bot.answer_callback_query(query.id, text=text[:200], show_alert=True)
    except TelegramAPIError:
        # Too late to answer the press (Telegram allows a short while): say it in the chat.
        with suppress(TelegramAPIError):
            await bot.send_message(query.from_user.id, text)
