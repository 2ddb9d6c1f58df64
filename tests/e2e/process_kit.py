"""End-to-end harness with the bot as a real process that tests stop, kill and start again.

The UIS simulator and the Telegram emulator serve real HTTP on loopback from the test process;
the bot is `python -m bot.cli run` with its settings in the environment, exactly as an operator
runs it, on a fresh PostgreSQL database. Texts are matched through ``t`` and the catalogs.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from e2e_kit import CLIENT, MANAGER, MANAGER_KEY, fresh_database

from bot.runtime import build_runtime
from bot.texts import Lang, t
from bot.texts.render import CATALOGS
from db.migrate import upgrade_head
from db.users import record_user_seen
from sandbox.telegram import TelegramEmulator, VisibleMessage
from sandbox.uis import ManualClock, Simulator, SimulatorOptions, demo_account
from sandbox.world import BOT_TOKEN, DEMO_ADMIN_ID, admit_manager, sandbox_settings, seed_demo

KEY = "q1uQ9bBgdYgFCkMWqIYJ5v4lXr7yZk0XJfbqg7yC3Xs="
RU = Lang.RU
READY_LINE = "Run polling for bot"  # aiogram's INFO line once the dispatcher polls
START_TIMEOUT = 60.0
WAIT = 20.0


def head(key: str, lang: Lang = RU) -> str:
    """The literal start of a text, up to its first placeholder or HTML tag (to find it on a
    screen, which shows no markup)."""
    return re.split(r"[{<]", CATALOGS[lang][key], maxsplit=1)[0].strip()


def visible(html: str) -> str:
    """A text as the chat shows it (Telegram renders the HTML markup away)."""
    return re.sub(r"<[^>]+>", "", html)


class BotProcess:
    """One `callbot run` process; its log goes to a file the test can read."""

    def __init__(self, environment: dict[str, str], log_file: Path) -> None:
        self._environment = environment
        self._log_file = log_file
        self._process: asyncio.subprocess.Process | None = None
        self.starts = 0

    async def start(self) -> None:
        assert self._process is None or self._process.returncode is not None
        offset = self._log_file.stat().st_size if self._log_file.exists() else 0
        with self._log_file.open("ab") as log:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "run",
                env=self._environment,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        self.starts += 1
        deadline = time.monotonic() + START_TIMEOUT
        while READY_LINE not in self.log()[offset:]:
            if self._process.returncode is not None:
                raise AssertionError(f"the bot exited at start:\n{self.log()[offset:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the bot did not start polling:\n{self.log()[offset:]}")
            await asyncio.sleep(0.1)

    async def stop(self, sig: signal.Signals = signal.SIGTERM) -> int:
        """Send ``sig`` and wait for the process to end; returns its exit code."""
        assert self._process is not None
        self._process.send_signal(sig)
        async with asyncio.timeout(60):
            return await self._process.wait()

    def log(self) -> str:
        return self._log_file.read_text(encoding="utf-8", errors="replace")

    async def kill_if_running(self) -> None:
        if self._process is not None and self._process.returncode is None:
            self._process.kill()
            await self._process.wait()


@dataclass
class ProcessWorld:
    emu: TelegramEmulator
    simulator: Simulator
    bot: BotProcess
    database_url: str
    placeholders: list[int] = field(default_factory=list)

    @property
    def sim(self) -> Any:
        return self.simulator.control

    def requests(self, method: str) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.sim.requests(method)
        return result

    async def say(self, text: str) -> VisibleMessage:
        await self.emu.send_message(MANAGER, text)
        return await self.emu.wait_for_bot_message(MANAGER, include_edits=False, timeout=WAIT)

    async def log_in_with_key(self) -> None:
        await self.say("/login")
        await self.emu.press_button(MANAGER, t(RU, "btn.login_key"), timeout=WAIT)
        await self.emu.wait_for_bot_message(MANAGER, timeout=WAIT)
        await self.emu.send_message(MANAGER, MANAGER_KEY)
        await self.emu.wait_for_bot_message(
            MANAGER, text_contains=head("login.done_key"), include_edits=False, timeout=WAIT
        )

    async def send_call(self, number: str = CLIENT) -> int:
        """/call NUMBER (choosing the first virtual number if asked); returns the id of the
        message that becomes the card."""
        reply = await self.say(f"/call {number}")
        if reply.buttons and reply.button_texts[0].startswith("+"):
            await self.emu.press_button(MANAGER, reply.button_texts[0], timeout=WAIT)
            reply = await self.emu.wait_for_bot_message(
                MANAGER, text_contains=head("call.starting"), include_edits=False, timeout=WAIT
            )
        return reply.message_id

    async def card_showing(
        self, message_id: int, *texts: str, buttons: tuple[str, ...] = ()
    ) -> VisibleMessage:
        """The card once it shows every one of ``texts`` and ``buttons``."""

        def shows(message: VisibleMessage) -> bool:
            labels = message.button_texts
            return (
                message.message_id == message_id
                and all(text in (message.text or "") for text in texts)
                and all(button in labels for button in buttons)
            )

        return await self.emu.wait_for_bot_message(MANAGER, predicate=shows, after=0, timeout=WAIT)

    async def press(self, message_id: int, label: str) -> str | None:
        """Press a card button; returns the toast or alert text."""
        answer = await self.emu.press_button(
            MANAGER, label, message_id=message_id, user_id=MANAGER, timeout=WAIT
        )
        return answer.text

    def newest_call(self) -> dict[str, Any]:
        calls: list[dict[str, Any]] = self.sim.calls(include_ended=True)
        assert calls, "no call in the simulator"
        return calls[-1]

    def answer_all(self, call_session_id: int) -> None:
        for _ in range(4):
            call = self.sim.call(call_session_id)
            ringing = [leg for leg in call["legs"] if leg["status"] == "ringing"]
            if not ringing:
                return
            self.sim.answer(call_session_id, ringing[0]["leg_id"])


def _environment(
    data_dir: Path, database_url: str, simulator_url: str, emulator_url: str, **extra: str
) -> dict[str, str]:
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("CALLBOT_")
    }
    environment.update(
        {
            "CALLBOT_DATA_DIR": str(data_dir),
            "CALLBOT_DATABASE__URL": database_url,
            "CALLBOT_SECURITY__ENCRYPTION_KEYS": KEY,
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


@contextlib.asynccontextmanager
async def process_world(
    tmp_path: Path,
    *,
    simulator_options: SimulatorOptions | None = None,
    environment: dict[str, str] | None = None,
    tune: Callable[[ProcessWorld], None] | None = None,
) -> AsyncIterator[ProcessWorld]:
    """The manager (approved, linked to employee 101, signed in with a key) and a running bot."""
    simulator = Simulator(
        account=demo_account(),
        options=simulator_options or SimulatorOptions(),
        clock=ManualClock(start=time.time()),
    )
    emulator = TelegramEmulator(bot_token=BOT_TOKEN, bot_username="uis_call_bot")
    emulator.add_user(DEMO_ADMIN_ID, "Анна", language_code="ru")
    emulator.add_user(MANAGER, "Иван", last_name="Петров", language_code="ru")
    async with (
        fresh_database() as database_url,
        simulator.running(host="127.0.0.1", port=0) as sim_server,
        emulator.running(host="127.0.0.1", port=0) as emu_server,
    ):
        data_dir = tmp_path / "data"
        data_dir.mkdir()
        # What an operator and an admin did before: migrate, the catalog, the manager admitted.
        settings = sandbox_settings(
            tmp_path / "setup",
            database_url,
            sim_server.url,
            emu_server.base_url,
            security={"encryption_keys": KEY},
        )
        await upgrade_head(database_url)
        runtime = await build_runtime(settings)
        try:
            await seed_demo(runtime)
            await runtime.access.ensure_admins()
            async with runtime.sessions.begin() as session:
                await record_user_seen(session, MANAGER, first_name="Иван", language_code="ru")
            await admit_manager(runtime)
        finally:
            await runtime.close()
        bot = BotProcess(
            _environment(
                data_dir, database_url, sim_server.url, emu_server.base_url, **(environment or {})
            ),
            tmp_path / "bot.log",
        )
        here = ProcessWorld(emulator, simulator, bot, database_url)
        if tune is not None:
            tune(here)
        try:
            await bot.start()
            await here.say("/start")
            await here.log_in_with_key()
            yield here
        finally:
            await bot.kill_if_running()
