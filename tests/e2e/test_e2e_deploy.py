"""What an operator runs: migrate, run (refusing an old schema), doctor, webhook mode."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import time
from pathlib import Path

import aiohttp
import pytest
from cli_support import callbot
from e2e_kit import MANAGER, WEBHOOK_SECRET, fresh_database, webhook_bot, world
from process_kit import visible

from bot.doctor import run_doctor
from bot.texts import t
from db.migrate import check_at_head, upgrade_head
from sandbox.world import BOT_TOKEN, admit_manager

pytestmark = pytest.mark.e2e

KEY = "q1uQ9bBgdYgFCkMWqIYJ5v4lXr7yZk0XJfbqg7yC3Xs="


async def test_run_refuses_an_unmigrated_database_until_migrate(tmp_path: Path) -> None:
    async with fresh_database() as url:
        env = {
            "CALLBOT_DATABASE__URL": url,
            "CALLBOT_SECURITY__ENCRYPTION_KEYS": KEY,
            "CALLBOT_TELEGRAM__BOT_TOKEN": BOT_TOKEN,
            "CALLBOT_TELEGRAM__API_SERVER": "http://127.0.0.1:9",
        }
        refused = await asyncio.to_thread(callbot, tmp_path, "run", **env)
        assert refused.returncode == 2
        assert "callbot migrate" in refused.stderr
        assert BOT_TOKEN not in refused.stdout + refused.stderr
        migrated = await asyncio.to_thread(callbot, tmp_path, "migrate", **env)
        assert migrated.returncode == 0, migrated.stderr
        await check_at_head(url)


async def test_postgres_without_a_key_is_refused_clearly(tmp_path: Path) -> None:
    async with fresh_database() as url:
        await upgrade_head(url)
        env = {
            "CALLBOT_DATABASE__URL": url,
            "CALLBOT_TELEGRAM__BOT_TOKEN": BOT_TOKEN,
            "CALLBOT_TELEGRAM__API_SERVER": "http://127.0.0.1:9",
        }
        refused = await asyncio.to_thread(callbot, tmp_path, "run", **env)
        assert refused.returncode == 2
        assert "CALLBOT_SECURITY__ENCRYPTION_KEYS" in refused.stderr


async def test_doctor_passes_and_names_what_to_fix(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        out = io.StringIO()
        assert await run_doctor(here.sandbox.settings, out) == 0, out.getvalue()
        assert "all checks passed" in out.getvalue()
        here.sim.set_ip_whitelist(["10.0.0.1"])
        out = io.StringIO()
        assert await run_doctor(here.sandbox.settings, out) == 1
        report = out.getvalue()
        assert "ip_not_whitelisted" in report
        assert "127.0.0.1" in report
        assert "Security rules" in report
        assert BOT_TOKEN not in report


async def test_webhook_mode_checks_the_secret_and_serves_health(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with webhook_bot(tmp_path) as bot, aiohttp.ClientSession() as http:
        update = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": {"id": MANAGER, "type": "private"},
                "from": {"id": MANAGER, "is_bot": False, "first_name": "Иван"},
                "text": "/start",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            },
        }
        async with http.post(
            f"{bot.base_url}/webhook",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": "wrong-secret"},
        ) as refused:
            assert refused.status == 401
        assert await bot.deliver(http, update) == 200
        # Bodies that are not an Update: 400 and one log line each, nothing dispatched.
        not_updates = [
            b"{not json",
            b"\xff\xfe",
            b"null",
            b"[]",
            b"{}",
            b'{"update_id": "x"}',
            json.dumps({**update, "update_id": 2**70}).encode(),
        ]
        caplog.clear()
        for body in not_updates:
            async with http.post(
                f"{bot.base_url}/webhook",
                data=body,
                headers={
                    "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET,
                    "Content-Type": "application/json",
                },
            ) as bad:
                assert bad.status == 400, body
        refusals = [r for r in caplog.records if r.name == "bot.webhook"]
        assert len(refusals) == len(not_updates)
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
        # Bots answer a private chat only after the user wrote (emulator rule): do so.
        await bot.emulator.send_message(MANAGER, "/help")
        reply = await bot.emulator.wait_for_bot_message(MANAGER, timeout=15)
        assert reply.text
        hook = bot.emulator.webhook
        assert hook is not None
        assert hook.get("url") == bot.webhook_url


async def test_start_tells_someone_without_access_their_telegram_id(tmp_path: Path) -> None:
    async with world(tmp_path, admitted=False) as here:
        newcomer = 4242
        here.emu.add_user(newcomer, "Newcomer", language_code="en")
        reply = await here.say("/start", newcomer)
        assert visible(t("en", "start.your_id", user_id=newcomer)) in (reply.text or "")
        # Someone with access is not told: they need no id to use the bot.
        await admit_manager(here.sandbox.runtime)
        allowed = await here.say("/start")
        assert visible(t("ru", "start.your_id", user_id=MANAGER)) not in (allowed.text or "")
