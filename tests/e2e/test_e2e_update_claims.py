"""A Telegram update delivered twice acts once: through the webhook, and to a bot process that
was killed while handling it (Telegram delivers it again when the offset was not confirmed)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import aiohttp
import pytest
from e2e_kit import CLIENT, MANAGER, MANAGER_KEY, webhook_bot
from process_kit import RU, WAIT, head, process_world, visible

from bot.runtime import Runtime
from bot.services.actor import Actor
from bot.texts import t
from db.call_settings import update_call_settings
from db.users import record_user_seen
from sandbox.world import admit_manager

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

VIRTUAL_NUMBER = "74951234567"


async def test_a_call_cut_off_by_sigkill_and_delivered_again_is_not_placed_twice(
    tmp_path: Path,
) -> None:
    async with process_world(tmp_path, default_virtual_number=VIRTUAL_NUMBER) as here:
        here.sim.inject_fault("latency", method="start.employee_call", seconds=1.5)
        action = await here.emu.send_message(MANAGER, f"/call {CLIENT}")
        placeholder = await here.emu.wait_for_bot_message(
            MANAGER, text_contains=head("call.starting"), include_edits=False, timeout=WAIT
        )
        await asyncio.sleep(0.5)  # the start request is out, held by the simulator
        await here.bot.stop(signal.SIGKILL)
        assert len(await here.requests_once_arrived("start.employee_call", 1)) == 1
        # Telegram delivers the update again: the dead process never confirmed its offset.
        assert action.update_id is not None
        await here.emu.redeliver(action.update_id)
        await here.bot.start()
        told = await here.emu.wait_for_bot_message(
            MANAGER,
            text_contains=visible(t(RU, "update.interrupted")),
            include_edits=False,
            timeout=WAIT,
        )
        assert told.text
        # ... and the card of the call that did start is drawn where "Calling…" was.
        await here.card_showing(placeholder.message_id, t(RU, "card.phase.dialing"))
        assert len(here.requests("start.employee_call")) == 1


async def test_a_handled_call_delivered_again_after_a_restart_does_nothing(
    tmp_path: Path,
) -> None:
    async with process_world(tmp_path, default_virtual_number=VIRTUAL_NUMBER) as here:
        action = await here.emu.send_message(MANAGER, f"/call {CLIENT}")
        placeholder = await here.emu.wait_for_bot_message(
            MANAGER, text_contains=head("call.starting"), include_edits=False, timeout=WAIT
        )
        await here.card_showing(placeholder.message_id, t(RU, "card.phase.dialing"))
        await here.bot.stop(signal.SIGTERM)
        assert action.update_id is not None
        await here.emu.redeliver(action.update_id)
        mark = here.emu.checkpoint()
        await here.bot.start()
        await here.say("/limits")  # handled after the redelivered update: it is past
        assert len(here.requests("start.employee_call")) == 1
        sent_since = [
            event.message.text or ""
            for event in here.emu.events(MANAGER, after=mark, kinds=["sent"])
            if event.message is not None
        ]
        assert not any(head("call.starting") in text for text in sent_since)
        assert not any(visible(t(RU, "update.interrupted")) in text for text in sent_since)


async def _signed_in_manager_with_a_default_number(runtime: Runtime) -> None:
    await runtime.access.ensure_admins()
    async with runtime.sessions.begin() as session:
        await record_user_seen(session, MANAGER, first_name="Иван", language_code="ru")
        await update_call_settings(session, MANAGER, default_virtual_number=VIRTUAL_NUMBER)
    await admit_manager(runtime)
    await runtime.auth.sign_in_with_key(Actor(MANAGER, MANAGER, RU), MANAGER_KEY)


async def test_the_same_call_update_posted_twice_to_the_webhook_starts_one_call(
    tmp_path: Path,
) -> None:
    async with (
        webhook_bot(tmp_path, _signed_in_manager_with_a_default_number) as bot,
        aiohttp.ClientSession() as http,
    ):
        emulator = bot.emulator
        action = await emulator.send_message(MANAGER, f"/call {CLIENT}")
        assert action.update_id is not None
        update = await emulator.redeliver(action.update_id)
        # Telegram retries a webhook it thinks timed out, also while the first delivery is
        # still being handled; and again later.
        statuses = await asyncio.gather(bot.deliver(http, update), bot.deliver(http, update))
        assert list(statuses) == [200, 200]
        placeholder = await emulator.wait_for_bot_message(
            MANAGER, text_contains=head("call.starting"), include_edits=False, timeout=WAIT
        )
        await emulator.wait_for_bot_message(
            MANAGER,
            predicate=lambda m: (
                m.message_id == placeholder.message_id
                and t(RU, "card.phase.dialing") in (m.text or "")
            ),
            after=0,
            timeout=WAIT,
        )
        assert await bot.deliver(http, update) == 200
        await asyncio.sleep(1.0)  # room for a wrong second start to show up
        assert len(bot.simulator.control.requests("start.employee_call")) == 1
        cards = [
            message
            for message in emulator.visible_messages(MANAGER, from_bot=True)
            if head("call.starting") in (message.text or "")
            or t(RU, "card.phase.dialing") in (message.text or "")
        ]
        assert len(cards) == 1
