"""Bot API request policy: honour flood control with a bounded retry, and treat
"message is not modified" as success (the card already shows what we wanted)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.methods import EditMessageReplyMarkup, EditMessageText, Response, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.card_messages import EditCardMessage

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)


def _pin_response_models() -> tuple[type[Any], ...]:
    """Build aiogram's ``Response[T]`` models once and keep them alive.

    aiogram parametrises ``Response[method.__returning__]`` for every reply; pydantic caches
    parametrised generics only weakly, so without a strong reference each reply rebuilt its
    model (1-10 ms of CPU, up to three times per button press, measured in bench_bot).
    """
    from aiogram import methods

    used = (
        methods.GetUpdates,
        methods.SendMessage,
        methods.EditMessageText,
        methods.EditMessageReplyMarkup,
        methods.AnswerCallbackQuery,
        methods.DeleteMessage,
        methods.SendDocument,
        methods.SetMyCommands,
        methods.DeleteWebhook,
        methods.SetWebhook,
        methods.GetMe,
        methods.GetFile,
    )
    pinned = tuple(Response[method.__returning__] for method in used)  # type: ignore[name-defined]
    return (*pinned, Response[EditCardMessage.__returning__])


PINNED_RESPONSE_MODELS = _pin_response_models()

NOT_MODIFIED = "message is not modified"
_EDITS = (EditMessageText, EditMessageReplyMarkup, EditCardMessage)


class ResilientRequests(BaseRequestMiddleware):
    """Retries a request refused with 429 after ``retry_after`` seconds.

    Bounded twice: at most ``max_attempts`` tries, and never a wait longer than
    ``max_wait_seconds`` (a longer ban is better reported than waited out in a handler).
    """

    def __init__(self, max_attempts: int = 3, max_wait_seconds: float = 30.0) -> None:
        self.max_attempts = max_attempts
        self.max_wait_seconds = max_wait_seconds
        self.retries = 0

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        attempt = 1
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if attempt >= self.max_attempts or exc.retry_after > self.max_wait_seconds:
                    raise
                log.warning(
                    "Telegram flood control on %s: retrying in %ss",
                    type(method).__name__,
                    exc.retry_after,
                )
                self.retries += 1
                attempt += 1
                await asyncio.sleep(exc.retry_after)
            except TelegramBadRequest as exc:
                if isinstance(method, _EDITS) and NOT_MODIFIED in exc.message.lower():
                    result: Any = True
                    return Response[TelegramType](ok=True, result=result)
                raise
