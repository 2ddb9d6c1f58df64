"""The errors router: a handler that fails is answered, and the answer says whether UIS may
have acted (handlers that fail on purpose are added to the production dispatcher's root)."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.filters import when
from bot.services.actor import Actor
from bot.services.calls import CallService
from bot.texts import t
from handlers.handler_kit import MANAGER, RU, Harness


async def _fails_at_once(message: Message) -> None:
    raise RuntimeError("a bug before any request")


async def _fails_after_a_request(message: Message, calls: CallService, actor: Actor) -> None:
    await calls.my_active_calls(actor)  # a list.calls at the simulator
    raise RuntimeError("a bug after the request")


async def _press_fails(query: CallbackQuery) -> None:
    raise RuntimeError("a bug in a press")


async def test_a_failed_update_is_answered_with_what_uis_may_have_done(h: Harness) -> None:
    h.dispatcher.message.register(_fails_at_once, Command("fail_now"))
    h.dispatcher.message.register(_fails_after_a_request, Command("fail_after"))
    h.dispatcher.callback_query.register(_press_fails, when(F.data == "explode"))
    await h.manager_ready()
    sent_before = len(h.sim.requests("list.calls"))

    fed = await h.send(MANAGER, "/fail_now")
    assert fed.last.text == t(RU, "errors.unexpected_nothing_sent")
    assert len(h.sim.requests("list.calls")) == sent_before

    fed = await h.send(MANAGER, "/fail_after")
    assert fed.last.text == t(RU, "errors.unexpected_maybe_done")
    assert len(h.sim.requests("list.calls")) == sent_before + 1

    menu = (await h.send(MANAGER, "/settings")).last
    fed = await h.press_data(MANAGER, menu, "explode")
    assert fed.answer is not None
    assert fed.answer.text == t(RU, "errors.unexpected_nothing_sent")
    assert fed.answer.show_alert
