"""What an operator runs: migrate, run (refusing an old schema), doctor, webhook mode."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from e2e_kit import MANAGER, fresh_database, world

from bot.app import build_app, build_bot, run_webhook
from bot.doctor import run_doctor
from bot.runtime import build_runtime
from db.migrate import check_at_head, upgrade_head
from sandbox.telegram import TelegramEmulator
from sandbox.uis import ManualClock, Simulator, SimulatorOptions, demo_account
from sandbox.world import BOT_TOKEN, sandbox_settings, seed_demo

pytestmark = pytest.mark.e2e

KEY = "q1uQ9bBgdYgFCkMWqIYJ5v4lXr7yZk0XJfbqg7yC3Xs="


def _cli(env_overrides: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CALLBOT_")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_run_refuses_an_unmigrated_database_until_migrate(tmp_path: Path) -> None:
    async with fresh_database() as url:
        env = {
            "CALLBOT_DATABASE__URL": url,
            "CALLBOT_SECURITY__ENCRYPTION_KEYS": KEY,
            "CALLBOT_TELEGRAM__BOT_TOKEN": BOT_TOKEN,
            "CALLBOT_TELEGRAM__API_SERVER": "http://127.0.0.1:9",
        }
        refused = await asyncio.to_thread(_cli, env, "run", cwd=tmp_path)
        assert refused.returncode == 2
        assert "callbot migrate" in refused.stderr
        assert BOT_TOKEN not in refused.stdout + refused.stderr
        migrated = await asyncio.to_thread(_cli, env, "migrate", cwd=tmp_path)
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
        refused = await asyncio.to_thread(_cli, env, "run", cwd=tmp_path)
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_webhook_mode_checks_the_secret_and_serves_health(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "webhook-secret-0123456789"
    port = _free_port()
    simulator = Simulator(
        account=demo_account(), options=SimulatorOptions(), clock=ManualClock(start=time.time())
    )
    emulator = TelegramEmulator(bot_token=BOT_TOKEN, bot_username="uis_call_bot")
    emulator.add_user(MANAGER, "Иван", language_code="ru")
    async with (
        fresh_database() as url,
        simulator.running() as sim_server,
        emulator.running() as emu_server,
    ):
        telegram: dict[str, Any] = {
            "mode": "webhook",
            "webhook_url": f"https://bot.example.test:{port}/webhook",
            "webhook_secret": secret,
            "webhook_host": "127.0.0.1",
            "webhook_port": port,
        }
        settings = sandbox_settings(
            tmp_path,
            url,
            sim_server.url,
            emu_server.base_url,
            telegram=telegram,
            security={"encryption_keys": KEY},
        )
        await upgrade_head(url)
        runtime = await build_runtime(settings)
        await seed_demo(runtime)
        app = build_app(runtime, build_bot(settings))
        stop = asyncio.Event()
        serving = asyncio.create_task(run_webhook(app, stop))
        try:
            base = f"http://127.0.0.1:{port}"
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
            async with aiohttp.ClientSession() as http:
                for _ in range(100):
                    try:
                        async with http.get(f"{base}/healthz") as health:
                            if health.status == 200:
                                break
                    except aiohttp.ClientConnectionError:
                        await asyncio.sleep(0.1)
                async with http.post(
                    f"{base}/webhook",
                    json=update,
                    headers={"X-Telegram-Bot-Api-Secret-Token": "wrong-secret"},
                ) as refused:
                    assert refused.status == 401
                async with http.post(
                    f"{base}/webhook",
                    json=update,
                    headers={"X-Telegram-Bot-Api-Secret-Token": secret},
                ) as accepted:
                    assert accepted.status == 200
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
                        f"{base}/webhook",
                        data=body,
                        headers={
                            "X-Telegram-Bot-Api-Secret-Token": secret,
                            "Content-Type": "application/json",
                        },
                    ) as bad:
                        assert bad.status == 400, body
                refusals = [r for r in caplog.records if r.name == "bot.webhook"]
                assert len(refusals) == len(not_updates)
                assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
            # Bots answer a private chat only after the user wrote (emulator rule): do so.
            await emulator.send_message(MANAGER, "/help")
            reply = await emulator.wait_for_bot_message(MANAGER, timeout=15)
            assert reply.text
            hook = emulator.webhook
            assert hook is not None
            assert hook.get("url") == f"https://bot.example.test:{port}/webhook"
        finally:
            stop.set()
            await serving
