"""UIS reports start times without a zone: the bot reads them in the account's configured zone
and says so, naming the setting, when the zone cannot be the account's."""

from __future__ import annotations

from pathlib import Path

import pytest
from process_kit import RU, process_world

from bot.services.calls import TIMEZONE_SETTING
from bot.texts import t

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.mark.parametrize(
    ("zone", "warned"),
    [("UTC", True), ("Europe/Moscow", False)],
    ids=["zones-disagree", "zones-agree"],
)
async def test_a_start_time_far_from_our_send_time_names_the_setting(
    tmp_path: Path, zone: str, warned: bool
) -> None:
    # The simulator is a Moscow account (UTC+3); the bot is told the zone under test.
    async with process_world(tmp_path, environment={TIMEZONE_SETTING: zone}) as here:
        card_id = await here.send_call()
        await here.card_showing(card_id, t(RU, "card.phase.dialing"))
        call_id = here.newest_call()["call_session_id"]
        here.answer_all(call_id)
        await here.card_showing(card_id, t(RU, "card.phase.talk"))
        await here.bot.stop()
        warnings = [
            line
            for line in here.bot.log().splitlines()
            if "WARNING" in line and TIMEZONE_SETTING in line
        ]
        assert len(warnings) == (1 if warned else 0), here.bot.log()[-3000:]
