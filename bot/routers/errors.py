"""What a handler did not expect: the user gets an answer, the log one line with the update id.

The answer says "nothing was sent to UIS" only when no Call API request of this update left
(or was about to leave, by the audit's intent record); otherwise UIS may have done it, and the
user is sent to the card to check, never invited to simply try again.
"""

from __future__ import annotations

import logging
from contextlib import suppress

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent, User

from bot.services.audit_bridge import AuditObserver
from bot.texts import lang_for, t

log = logging.getLogger(__name__)


async def unexpected_error(
    event: ErrorEvent, bot: Bot, uis_attempts: AuditObserver, event_from_user: User | None = None
) -> bool:
    update = event.update
    exc = event.exception
    log.error("update %s: %s in a handler: %s", update.update_id, type(exc).__name__, exc)
    log.debug("update %s: the traceback", update.update_id, exc_info=exc)
    lang = lang_for(event_from_user.language_code if event_from_user else None)
    sent = uis_attempts.sent_for_update(update.update_id)
    text = t(lang, "errors.unexpected_maybe_done" if sent else "errors.unexpected_nothing_sent")
    query = update.callback_query
    if query is not None:
        with suppress(TelegramAPIError):  # answered already before the failure
            await query.answer(text[:200], show_alert=True)
            return True
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    elif update.message is not None:
        chat_id = update.message.chat.id
    else:
        return True
    try:
        await bot.send_message(chat_id, text)
    except TelegramAPIError:
        log.info("update %s: could not tell chat %s about the failure", update.update_id, chat_id)
    return True


def router() -> Router:
    errors = Router(name="errors")
    errors.errors.register(unexpected_error)
    return errors
