"""After the call: a finished card ends with a summary (total and talk time, tags, and who
ended it from the bot, only when we released it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_kit import MANAGER, World, world

from bot.texts import Lang, t
from sandbox.telegram import VisibleMessage

pytestmark = pytest.mark.e2e

RU = Lang.RU


def _prefix(key: str) -> str:
    return t(RU, key, duration="", name="").split(":")[0]


async def _finished(here: World, card: VisibleMessage) -> VisibleMessage:
    return await here.emu.wait_for_bot_message(
        MANAGER,
        predicate=lambda m: (
            m.message_id == card.message_id and t(RU, "card.phase.finished") in (m.text or "")
        ),
        after=0,
        timeout=15,
    )


async def test_a_call_we_released_says_who_ended_it_and_its_tags(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        card, _call_id = await here.talking_call()
        _, card = await here.press(card, t(RU, "btn.tag"))
        _, card = await here.press(card, "Горячий клиент")
        _, card = await here.press(card, t(RU, "btn.release"))
        card = await _finished(here, card)
        lines = (card.text or "").splitlines()
        assert t(RU, "card.summary.released_by", name="Иван Петров") in lines
        assert t(RU, "card.tags", tags="Горячий клиент") in lines
        assert any(line.startswith(_prefix("card.summary.total")) for line in lines)
        assert any(line.startswith(_prefix("card.summary.talk")) for line in lines)


async def test_a_call_the_client_ended_names_nobody(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        card, call_id = await here.talking_call()
        here.end_call(call_id)
        _, card = await here.press(card, t(RU, "btn.refresh"))
        card = await _finished(here, card)
        text = card.text or ""
        assert _prefix("card.summary.released_by") not in text
        assert _prefix("card.summary.total") in text
