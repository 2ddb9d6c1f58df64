"""Magic filters evaluated in the event loop.

aiogram (3.31) runs every filter that is a plain callable, ``F.data.startswith(...)`` and
``F.text`` included, through ``asyncio.to_thread``: a worker-thread round trip for each check
of each update. A button press was checked by five such filters on its way to the card
handler, and the thread hops cost more CPU than the rest of the routing
(``benchmarks/bench_bot.py --profile``). ``when(F...)`` keeps the readable magic-filter syntax
and resolves it inline. A bare FSM state given as a filter is threaded the same way, so routers
wrap states in aiogram's ``StateFilter`` (a coroutine). A test checks that no router registers
a filter or handler aiogram would run in a thread.
"""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.utils.magic_filter import MagicFilter


class LoopFilter(Filter):
    """A magic filter resolved in the event loop (what aiogram does, minus the thread)."""

    def __init__(self, magic: MagicFilter) -> None:
        self.magic = magic

    async def __call__(self, event: Any) -> bool | dict[str, Any]:
        result = self.magic.resolve(event)
        if isinstance(result, dict):
            return result
        return bool(result)

    def __str__(self) -> str:
        return f"when({self.magic!r})"


def when(magic: MagicFilter) -> LoopFilter:
    return LoopFilter(magic)


async def for_the_bot(message: Any, addressed_to_bot: bool = False) -> bool:
    """A private message, or a group message that mentions the bot (``GroupMentions``)."""
    return bool(message.chat.type == "private" or addressed_to_bot)


class PrivateChat(Filter):
    """The update comes from a private chat (a press on an inaccessible message counts as one,
    as the actor middleware decides)."""

    async def __call__(self, event: Any, actor: Any) -> bool:
        return bool(actor.is_private_chat)


class IsAdmin(Filter):
    """The acting user is one of the deployment's admins."""

    async def __call__(self, event: Any, actor: Any) -> bool:
        return bool(actor.is_admin)
