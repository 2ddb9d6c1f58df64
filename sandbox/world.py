"""An offline world in one process: the UIS simulator, the Telegram emulator and the real bot.

Used by `callbot demo` and by the end-to-end tests. The bot runs its production code path:
aiogram polls the emulator through the custom Bot API server setting, and the Call API client
talks HTTP to the simulator; nothing here reaches Telegram or UIS.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import BotApp, build_app, build_bot, run_polling
from bot.events.catalog import EVENTS
from bot.runtime import Runtime, build_runtime, key_file_for
from bot.settings import Settings, load_settings
from db import catalog as catalog_store
from db.crypto import generate_key
from db.engine import is_sqlite
from db.migrate import upgrade_head
from sandbox.telegram import TelegramEmulator
from sandbox.uis import (
    ManualClock,
    Simulator,
    SimulatorOptions,
    demo_account,
    demo_catalog_bytes,
)
from sandbox.uis.clock import Clock, RealClock

BOT_TOKEN = "424242:SANDBOX-TOKEN-not-a-real-telegram-token"  # noqa: S105 - emulator only
DEMO_MANAGER_ID = 1001
DEMO_ADMIN_ID = 1000
# The demo's UIS events secret (loopback only; a deployment sets its own, README).
DEMO_EVENTS_SECRET = "sandbox-events-secret-not-for-production"  # noqa: S105
DEMO_EMPLOYEE_ID = 101
DEMO_EMPLOYEE_PHONE = "79160000101"


@dataclass
class Sandbox:
    simulator: Simulator
    emulator: TelegramEmulator
    runtime: Runtime
    app: BotApp
    settings: Settings


def sandbox_settings(
    data_dir: Path, database_url: str | None, simulator_url: str, emulator_url: str, **extra: Any
) -> Settings:
    overrides: dict[str, Any] = {
        "data_dir": data_dir,
        "telegram": {
            "bot_token": BOT_TOKEN,
            "api_server": emulator_url,
            "admin_ids": [DEMO_ADMIN_ID],
            **extra.pop("telegram", {}),
        },
        "callapi": {"site": "custom", "url": simulator_url, **extra.pop("callapi", {})},
        "database": {"url": database_url} if database_url else {},
        "log": {"level": "WARNING"},
        **extra,
    }
    return load_settings(_env_file=None, **overrides)


async def seed_demo(runtime: Runtime) -> None:
    """Catalog of the demo account; the demo manager is approved and linked to employee 101."""
    async with runtime.sessions.begin() as session:
        if await catalog_store.catalog_is_empty(session):
            await catalog_store.import_catalog(
                session, demo_catalog_bytes(), filename="demo_catalog.json"
            )
    runtime.calls.invalidate_catalog()


async def admit_manager(runtime: Runtime, user_id: int = DEMO_MANAGER_ID) -> None:
    """What an admin does for a new manager: approve and link to the UIS employee."""
    from db.models import AccessState

    approved = await runtime.access.set_access(DEMO_ADMIN_ID, user_id, AccessState.ALLOWED)
    linked = await runtime.access.assign_employee(
        DEMO_ADMIN_ID, user_id, DEMO_EMPLOYEE_ID, DEMO_EMPLOYEE_PHONE
    )
    if approved is None or linked is None:
        raise LookupError(f"user {user_id} has not written to the bot yet: nothing to approve")


async def prepare_for_a_bot_process(
    settings: Settings, *, default_virtual_number: str | None = None
) -> None:
    """What an operator and an admin did before a bot process is started against the sandbox:
    migrate, import the demo catalog, admit the demo manager (linked to employee 101)."""
    from db.call_settings import update_call_settings
    from db.users import record_user_seen

    await upgrade_head(settings.database_url)
    runtime = await build_runtime(settings)
    try:
        await seed_demo(runtime)
        await runtime.access.ensure_admins()
        async with runtime.sessions.begin() as session:
            await record_user_seen(session, DEMO_MANAGER_ID, first_name="Иван", language_code="ru")
        await admit_manager(runtime)
        if default_virtual_number is not None:
            async with runtime.sessions.begin() as session:
                await update_call_settings(
                    session, DEMO_MANAGER_ID, default_virtual_number=default_virtual_number
                )
    finally:
        await runtime.close()


def bot_process_environment(
    data_dir: Path,
    database_url: str,
    simulator_url: str,
    emulator_url: str,
    encryption_keys: str,
    **extra: str,
) -> dict[str, str]:
    """The environment of a `callbot run` process against the sandbox (nothing inherited from
    the caller's own CALLBOT_* variables)."""
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("CALLBOT_")
    }
    environment.update(
        {
            "CALLBOT_DATA_DIR": str(data_dir),
            "CALLBOT_DATABASE__URL": database_url,
            "CALLBOT_SECURITY__ENCRYPTION_KEYS": encryption_keys,
            "CALLBOT_TELEGRAM__BOT_TOKEN": BOT_TOKEN,
            "CALLBOT_TELEGRAM__API_SERVER": emulator_url,
            "CALLBOT_TELEGRAM__ADMIN_IDS": str(DEMO_ADMIN_ID),
            "CALLBOT_CALLAPI__SITE": "custom",
            "CALLBOT_CALLAPI__URL": simulator_url,
            "CALLBOT_LOG__LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
    )
    return environment


def _quietly_create_key_file(settings: Settings) -> None:
    """Give a sandbox without configured keys its key file before the bot starts.

    The bot would generate it too, with a production warning to back the file up: in a
    throw-away sandbox that warning would be the first thing a demo user reads.
    """
    if settings.security.encryption_keys is not None or not is_sqlite(settings.database_url):
        return  # configured keys, or PostgreSQL, which never uses a generated key
    key_file = key_file_for(settings)
    if key_file.exists():
        return
    key_file.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(descriptor, (generate_key() + "\n").encode("ascii"))
    finally:
        os.close(descriptor)


@contextlib.asynccontextmanager
async def running_sandbox(
    data_dir: Path,
    *,
    database_url: str | None = None,
    clock: Clock | None = None,
    simulator_options: SimulatorOptions | None = None,
    connect_events: bool = False,
    **settings_extra: Any,
) -> AsyncIterator[Sandbox]:
    """The simulator, the emulator and the real bot. ``connect_events``: the bot receives UIS
    events and the simulator sends them, one notification per event with the bot's own
    templates, as README "Connect UIS events" tells an account owner to set them up."""
    simulator = Simulator(
        account=demo_account(),
        options=simulator_options or SimulatorOptions(),
        # Start the manual clock at wall time: session expiry times must make sense to the bot.
        clock=clock or ManualClock(start=time.time()),
    )
    emulator = TelegramEmulator(bot_token=BOT_TOKEN, bot_username="uis_call_bot")
    emulator.add_user(DEMO_ADMIN_ID, "Анна", last_name="Смирнова", language_code="ru")
    async with (
        simulator.running(host="127.0.0.1", port=0) as sim_server,
        emulator.running(host="127.0.0.1", port=0) as emu_server,
    ):
        events_port = _free_port() if connect_events else None
        if events_port is not None:
            settings_extra["events"] = {
                "secret": DEMO_EVENTS_SECRET,
                "public_url": "https://callbot.invalid",
                "host": "127.0.0.1",
                "port": events_port,
            }
        settings = sandbox_settings(
            data_dir, database_url, sim_server.url, emu_server.base_url, **settings_extra
        )
        if events_port is not None:
            for spec in EVENTS:
                simulator.notifier.subscribe(
                    spec.slug,
                    f"http://127.0.0.1:{events_port}/uis/events/{DEMO_EVENTS_SECRET}/{spec.slug}",
                    template=spec.body_template(),
                )
        await upgrade_head(settings.database_url)
        _quietly_create_key_file(settings)
        runtime = await build_runtime(settings)
        if runtime.recordings is not None:
            # TEST ONLY, and only here: the simulator serves recordings over http on loopback.
            runtime.recordings.trust_loopback_for_tests()
        await seed_demo(runtime)
        app = build_app(runtime, build_bot(settings))
        stop = asyncio.Event()
        polling = asyncio.create_task(run_polling(app, stop))
        try:
            await emulator.wait_for_polling(timeout=30)
            yield Sandbox(simulator, emulator, runtime, app, settings)
        finally:
            stop.set()
            await polling


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def real_clock() -> Clock:
    return RealClock()
