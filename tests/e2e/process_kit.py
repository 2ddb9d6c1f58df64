"""End-to-end harness with the bot as a real process that tests stop, kill and start again.

The UIS simulator and the Telegram emulator serve real HTTP on loopback from the test process;
the bot is `python -m bot.cli run` with its settings in the environment, exactly as an operator
runs it, on a fresh PostgreSQL database. Texts are matched through ``t`` and the catalogs.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from e2e_kit import CLIENT, MANAGER, MANAGER_KEY, answer_all, fresh_database
from e2e_kit import RU as RU  # re-exported: the process tests take these from here
from e2e_kit import head as head
from e2e_kit import visible as visible

from bot.texts import t
from sandbox.telegram import TelegramEmulator, VisibleMessage
from sandbox.uis import ManualClock, Simulator, SimulatorOptions, demo_account
from sandbox.world import (
    BOT_TOKEN,
    DEMO_ADMIN_ID,
    bot_process_environment,
    prepare_for_a_bot_process,
    sandbox_settings,
)

KEY = "q1uQ9bBgdYgFCkMWqIYJ5v4lXr7yZk0XJfbqg7yC3Xs="
READY_LINE = "Run polling for bot"  # aiogram's INFO line once the dispatcher polls
START_TIMEOUT = 60.0
WAIT = 20.0


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

    async def requests_once_arrived(self, method: str, count: int) -> list[dict[str, Any]]:
        """The simulator's ``method`` requests once ``count`` arrived (or 5 s passed): a
        request held by a latency fault is logged only when the simulator carries it out."""
        for _ in range(100):
            if len(self.requests(method)) >= count:
                break
            await asyncio.sleep(0.05)
        return self.requests(method)

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
        answer_all(self.sim, call_session_id)


@contextlib.asynccontextmanager
async def process_world(
    tmp_path: Path,
    *,
    simulator_options: SimulatorOptions | None = None,
    environment: dict[str, str] | None = None,
    default_virtual_number: str | None = None,
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
        settings = sandbox_settings(
            tmp_path / "setup",
            database_url,
            sim_server.url,
            emu_server.base_url,
            security={"encryption_keys": KEY},
        )
        await prepare_for_a_bot_process(settings, default_virtual_number=default_virtual_number)
        bot = BotProcess(
            bot_process_environment(
                data_dir,
                database_url,
                sim_server.url,
                emu_server.base_url,
                KEY,
                **(environment or {}),
            ),
            tmp_path / "bot.log",
        )
        here = ProcessWorld(emulator, simulator, bot, database_url)
        try:
            await bot.start()
            await here.say("/start")
            await here.log_in_with_key()
            yield here
        finally:
            await bot.kill_if_running()
