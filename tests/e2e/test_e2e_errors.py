"""A handler that fails is still answered, and the answer tells whether UIS may have acted.

Handlers that fail on purpose are added to the running production dispatcher (its root router,
so they run before the routers that would take the command); the errors router is the one
the bot ships with.
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path

import pytest
from aiogram import F
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from e2e_kit import MANAGER, world

from bot.filters import when
from bot.services.actor import Actor
from bot.services.calls import CallService
from bot.texts import Lang, t

RU = Lang.RU


def plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def failure_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.ERROR and record.name == "bot.routers.errors"
    ]


async def test_a_failing_handler_is_answered_with_what_uis_may_have_done(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def fails_at_once(message: Message) -> None:
        raise RuntimeError("a bug before any request")

    async def fails_after_a_request(message: Message, calls: CallService, actor: Actor) -> None:
        await calls.my_active_calls(actor)  # a real list.calls to the simulator
        raise RuntimeError("a bug after the request")

    async def press_fails(query: CallbackQuery) -> None:
        raise RuntimeError("a bug in a press")

    async with world(tmp_path) as here:
        dispatcher = here.sandbox.app.dispatcher
        dispatcher.message.register(fails_at_once, Command("fail_now"))
        dispatcher.message.register(fails_after_a_request, Command("fail_after"))
        dispatcher.callback_query.register(press_fails, when(F.data == "explode"))
        requests_before = len(here.requests())

        reply = await here.say("/fail_now")
        assert reply.text == plain(t(RU, "errors.unexpected_nothing_sent"))
        assert len(here.requests()) == requests_before

        reply = await here.say("/fail_after")
        assert reply.text == plain(t(RU, "errors.unexpected_maybe_done"))
        assert len(here.requests()) == requests_before + 1

        press = await here.emu.send_callback_query(MANAGER, "explode")
        answer = await here.emu.wait_for_callback_answer(press.query_id, timeout=15)
        assert answer.text == t(RU, "errors.unexpected_nothing_sent")
        assert answer.show_alert

    lines = failure_lines(caplog)
    assert len(lines) == 3, lines  # one line per failed update, each naming it
    assert all(re.match(r"update \d+: RuntimeError in a handler: a bug", line) for line in lines)
