"""Bot API request policy (``ResilientRequests``): bounded retries that never hold up an
update, one ERROR line for whatever is lost, and "message is not modified" as success (the
card already shows what we wanted)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    Response,
    TelegramMethod,
)
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
# Requests whose result nobody waits for: retried in the background, never on the update's
# path (a waiting retry held the user's queue: a press was answered 40 s late).
_OFF_PATH = (*_EDITS, AnswerCallbackQuery)
# Telegram shows a press's spinner for a limited time; an answer after that is pointless.
CALLBACK_ANSWER_DEADLINE_SECONDS = 10.0
_TRANSIENT = (TelegramRetryAfter, TelegramServerError, TelegramNetworkError)

Sleep = Callable[[float], Awaitable[None]]


def _chat_of(method: TelegramMethod[Any]) -> object:
    return getattr(method, "chat_id", None) or getattr(method, "callback_query_id", "?")


def mark_reported(exc: BaseException) -> None:
    """Flag an error whose loss was already logged (the dispatcher then logs no traceback)."""
    with suppress(AttributeError):
        exc.callbot_reported = True  # type: ignore[attr-defined]


def was_reported(exc: BaseException) -> bool:
    return bool(getattr(exc, "callbot_reported", False))


class ResilientRequests(BaseRequestMiddleware):
    """The Bot API retry policy.

    - Edits and callback answers: a 429, a 5xx or a connection error is retried in the
      background with bounded backoff (the handler goes on at once); a callback answer is
      never sent later than ``CALLBACK_ANSWER_DEADLINE_SECONDS`` after the press arrived.
    - Everything else (``sendMessage``…): retried in place only on 429 (at most
      ``max_attempts`` tries, no wait over ``max_wait_seconds``) or a connection error; never
      on a 5xx, which may have delivered the message already.
    - Whatever is finally lost is one ERROR line naming the chat and the method.
    - "message is not modified" on an edit is success (the message already shows it).
    """

    def __init__(
        self,
        max_attempts: int = 3,
        max_wait_seconds: float = 30.0,
        *,
        background_attempts: int = 5,
        edit_deadline_seconds: float = 60.0,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_attempts = max_attempts
        self.max_wait_seconds = max_wait_seconds
        self.background_attempts = background_attempts
        self.edit_deadline_seconds = edit_deadline_seconds
        self.retries = 0
        # Off while the bot starts: a request lost then fails the start itself, and the command
        # line reports that in one line (a second, ERROR line would only repeat it).
        self.report_losses = True
        self._sleep = sleep
        self._clock = clock
        self._queries_seen: dict[str, float] = {}
        self._background: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------------ callback deadlines

    def query_received(self, query_id: str) -> None:
        """Note when a press arrived (its answer's deadline counts from here)."""
        now = self._clock()
        if len(self._queries_seen) > 10_000:
            horizon = now - CALLBACK_ANSWER_DEADLINE_SECONDS
            self._queries_seen = {q: t for q, t in self._queries_seen.items() if t > horizon}
        self._queries_seen[query_id] = now

    def _answer_deadline(self, method: TelegramMethod[Any]) -> float:
        if isinstance(method, AnswerCallbackQuery):
            seen = self._queries_seen.get(method.callback_query_id, self._clock())
            return seen + CALLBACK_ANSWER_DEADLINE_SECONDS
        return self._clock() + self.edit_deadline_seconds

    async def drain(self) -> None:
        """Wait for the background retries (tests, shutdown)."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    # ------------------------------------------------------------------ the policy

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        off_path = isinstance(method, _OFF_PATH)  # (a bool keeps ``method``'s generic type)
        if off_path:
            deadline = self._answer_deadline(method)
            if self._clock() >= deadline:
                log.error(
                    "Telegram %s for chat %s dropped: the press is older than %ss",
                    type(method).__name__,
                    _chat_of(method),
                    CALLBACK_ANSWER_DEADLINE_SECONDS,
                )
                return _done()
            try:
                return await self._once(make_request, bot, method)
            except _TRANSIENT as exc:
                task = asyncio.create_task(
                    self._retry_later(make_request, bot, method, exc, deadline)
                )
                self._background.add(task)
                task.add_done_callback(self._background.discard)
                return _done()
        return await self._in_place(make_request, bot, method)

    async def _in_place(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        attempt = 1
        while True:
            try:
                return await self._once(make_request, bot, method)
            except TelegramRetryAfter as exc:
                if attempt >= self.max_attempts or exc.retry_after > self.max_wait_seconds:
                    self._lost(method, attempt, exc)
                    raise
                log.warning(
                    "Telegram flood control on %s: retrying in %ss",
                    type(method).__name__,
                    exc.retry_after,
                )
                delay: float = exc.retry_after
            except TelegramNetworkError as exc:
                if attempt >= self.max_attempts:
                    self._lost(method, attempt, exc)
                    raise
                delay = float(attempt)
            except TelegramServerError as exc:
                # A 5xx may have delivered the message: sending it again could show it twice.
                self._lost(method, attempt, exc)
                raise
            self.retries += 1
            attempt += 1
            await self._sleep(delay)

    async def _retry_later(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
        first_error: Exception,
        deadline: float,
    ) -> None:
        error: Exception = first_error
        for attempt in range(2, self.background_attempts + 1):
            backoff = 2.0 ** (attempt - 2)
            delay = error.retry_after if isinstance(error, TelegramRetryAfter) else backoff
            if self._clock() + delay >= deadline:
                break
            await self._sleep(delay)
            self.retries += 1
            try:
                await self._once(make_request, bot, method)
                return
            except _TRANSIENT as exc:
                error = exc
            except Exception as exc:  # a retry met a final error: nothing more to try
                error = exc
                break
        self._lost(method, self.background_attempts, error)

    async def _once(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            return await make_request(bot, method)
        except TelegramBadRequest as exc:
            if isinstance(method, _EDITS) and NOT_MODIFIED in exc.message.lower():
                return _done()
            raise

    def _lost(self, method: TelegramMethod[Any], attempts: int, exc: Exception) -> None:
        if not self.report_losses:
            return
        log.error(
            "Telegram %s for chat %s lost after %d attempt(s): %s",
            type(method).__name__,
            _chat_of(method),
            attempts,
            type(exc).__name__,
        )
        mark_reported(exc)


def _done() -> Response[Any]:
    result: Any = True
    return Response[Any](ok=True, result=result)
