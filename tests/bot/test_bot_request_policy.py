"""The Bot API retry policy (issue 14, item 15), with a scripted Bot API and no real waiting."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import AnswerCallbackQuery, EditMessageText, Response, SendMessage

from bot.telegram_session import (
    CALLBACK_ANSWER_DEADLINE_SECONDS,
    ResilientRequests,
    was_reported,
)


class ScriptedApi:
    """Fails the first requests as scripted, then succeeds; time only moves when slept."""

    def __init__(self, failures: list[type[Exception] | tuple[type[Exception], int]]) -> None:
        self.failures = list(failures)
        self.calls = 0
        self.now = 0.0
        self.slept: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now

    async def request(self, _bot: Any, method: Any) -> Response[Any]:
        self.calls += 1
        if self.failures:
            failure = self.failures.pop(0)
            if isinstance(failure, tuple):
                kind, retry_after = failure
                raise kind(method, "Too Many Requests", retry_after)
            raise failure(method, "boom")
        return Response[Any](ok=True, result=True)

    def policy(self) -> ResilientRequests:
        return ResilientRequests(sleep=self.sleep, clock=self.clock)


ANSWER = AnswerCallbackQuery(callback_query_id="q1")
EDIT = EditMessageText(chat_id=7, message_id=1, text="card")
SEND = SendMessage(chat_id=7, text="hello")


@pytest.mark.parametrize(
    "failure", [TelegramServerError, TelegramNetworkError, (TelegramRetryAfter, 45)]
)
@pytest.mark.parametrize("method", [ANSWER, EDIT], ids=["answer", "edit"])
async def test_edits_and_answers_return_at_once_and_retry_in_the_background(
    failure: Any, method: Any
) -> None:
    api = ScriptedApi([failure])
    policy = api.policy()
    policy.query_received("q1")
    result = await policy(api.request, None, method)  # type: ignore[arg-type]
    assert result.ok
    assert api.slept == []  # the handler did not wait
    await policy.drain()
    if isinstance(failure, tuple) and method is ANSWER:
        assert api.calls == 1  # a 45 s wait would answer the press too late: dropped
    else:
        assert api.calls == 2


async def test_a_callback_answer_is_never_sent_after_the_deadline(
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = ScriptedApi([])
    policy = api.policy()
    policy.query_received("q1")
    api.now += CALLBACK_ANSWER_DEADLINE_SECONDS + 1  # the handler was held up that long
    with caplog.at_level(logging.ERROR):
        assert (await policy(api.request, None, ANSWER)).ok  # type: ignore[arg-type]
    assert api.calls == 0
    assert len(caplog.records) == 1


async def test_a_send_is_not_repeated_after_a_server_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = ScriptedApi([TelegramServerError])
    policy = api.policy()
    with caplog.at_level(logging.ERROR), pytest.raises(TelegramServerError) as raised:
        await policy(api.request, None, SEND)  # type: ignore[arg-type]
    assert api.calls == 1
    assert was_reported(raised.value)
    assert len(caplog.records) == 1
    assert "7" in caplog.records[0].getMessage()  # names the chat


@pytest.mark.parametrize("failure", [TelegramNetworkError, (TelegramRetryAfter, 3)])
async def test_a_send_is_retried_on_flood_control_or_a_lost_connection(failure: Any) -> None:
    api = ScriptedApi([failure, failure])
    result = await api.policy()(api.request, None, SEND)  # type: ignore[arg-type]
    assert result.ok
    assert api.calls == 3


async def test_a_send_refused_three_times_is_reported_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = ScriptedApi([(TelegramRetryAfter, 1)] * 3)
    with caplog.at_level(logging.ERROR), pytest.raises(TelegramRetryAfter):
        await api.policy()(api.request, None, SEND)  # type: ignore[arg-type]
    assert [r.levelno for r in caplog.records if r.levelno >= logging.ERROR] == [logging.ERROR]


async def test_background_retries_are_bounded(caplog: pytest.LogCaptureFixture) -> None:
    api = ScriptedApi([TelegramServerError] * 50)
    policy = api.policy()
    with caplog.at_level(logging.ERROR):
        await policy(api.request, None, EDIT)  # type: ignore[arg-type]
        await policy.drain()
    assert api.calls == policy.background_attempts
    assert len(caplog.records) == 1
    await asyncio.sleep(0)
