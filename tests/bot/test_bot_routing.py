"""Routing costs no worker threads: aiogram runs any non-coroutine filter or handler through
``asyncio.to_thread`` on every update it is checked for (see ``bot.filters``)."""

from __future__ import annotations

import pytest
from aiogram import F, Router
from aiogram.types import CallbackQuery, Chat, Message, User

from bot.filters import LoopFilter, when
from bot.routers import all_routers


def _walk(router: Router) -> list[Router]:
    found = [router]
    for child in router.sub_routers:
        found += _walk(child)
    return found


def test_no_filter_or_handler_of_any_router_runs_in_a_thread() -> None:
    threaded: list[str] = []
    checked = 0
    for router in (r for root in all_routers() for r in _walk(root)):
        for name, observer in router.observers.items():
            # The observer's own handler object only carries router-level filters (aiogram
            # checks them, never calls its callback).
            for handler in [observer._handler, *observer.handlers]:
                checked += 1
                if handler is not observer._handler and not handler.awaitable:
                    threaded.append(f"{router.name}.{name}: handler {handler.callback!r}")
                for event_filter in handler.filters or []:
                    if not event_filter.awaitable:
                        threaded.append(f"{router.name}.{name}: filter {event_filter.callback!r}")
    assert checked > 20
    assert threaded == []


def _query(data: str | None) -> CallbackQuery:
    user = User(id=1, is_bot=False, first_name="A")
    return CallbackQuery(id="q", from_user=user, chat_instance="c", data=data)


async def test_when_resolves_a_magic_filter_like_aiogram_does() -> None:
    prefix = when(F.data.startswith("k:"))
    assert isinstance(prefix, LoopFilter)
    assert await prefix(_query("k:abc")) is True
    assert await prefix(_query("set:x")) is False
    assert await prefix(_query(None)) is False
    chat = Chat(id=1, type="private")
    message = Message.model_validate(
        {"message_id": 1, "date": 0, "chat": chat.model_dump(), "caption": "call 8 800"}
    )
    assert await when(F.text | F.caption)(message) is True
    assert await when(F.text)(message) is False
    extracted = await when(F.caption.as_("caption"))(message)
    assert extracted == {"caption": "call 8 800"}


@pytest.mark.parametrize("magic", [F.text, F.data.startswith("x")])
def test_loop_filters_describe_themselves(magic: object) -> None:
    assert str(when(magic)).startswith("when(")  # type: ignore[arg-type]
