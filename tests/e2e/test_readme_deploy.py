"""README "Deploy for real", step by step, in its order: the SQL block (a role and a database
on the local PostgreSQL), the key command, the `.env` lines, the catalog file and every
`callbot` command the section names, against the sandbox standing in for Telegram and UIS.

Not run: the install line (this test's environment is that install) and `docker compose`
(no Docker engine here; tests/test_compose.py checks compose.yaml).
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shlex
import shutil
import signal
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest
from cryptography.fernet import Fernet

from bot.texts import t
from sandbox.telegram import TelegramEmulator
from sandbox.uis import ManualClock, Simulator, SimulatorOptions, demo_account
from sandbox.world import BOT_TOKEN

pytestmark = pytest.mark.e2e

REPOSITORY = Path(__file__).resolve().parents[2]
DEFAULT_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
OWNER_ID = 777_001  # the operator who becomes the first admin
NEWCOMER_ID = 777_002
TIMEOUT_SECONDS = 60.0


def deploy_section() -> str:
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Deploy for real")
    end = readme.index("\n## ", start + 1)
    return readme[start:end]


def code_blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section, re.DOTALL)


def callbot_commands(section: str) -> set[str]:
    """Every `callbot SUBCOMMAND` the section names, in code blocks or inline."""
    return set(re.findall(r"(?<![\w/])callbot ([a-z][a-z-]*)", section))


def _as_shown(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


class Deployment:
    """The operator's shell: a working folder with .env, running `callbot` commands."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = {name: value for name, value in os.environ.items() if "CALLBOT_" not in name}
        self.ran: set[str] = set()

    def set_in_env_file(self, name: str, value: str) -> None:
        path = self.folder / ".env"
        text = path.read_text(encoding="utf-8")
        line = f"{name}={value}"
        pattern = re.compile(rf"^{re.escape(name)}=.*$", re.MULTILINE)
        text = pattern.sub(line, text) if pattern.search(text) else text + f"\n{line}\n"
        path.write_text(text, encoding="utf-8")

    async def start(self, *arguments: str) -> asyncio.subprocess.Process:
        self.ran.add(arguments[0])
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            *arguments,
            cwd=self.folder,
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )

    async def callbot(self, *arguments: str) -> tuple[int, str, str]:
        process = await self.start(*arguments)
        out, err = await asyncio.wait_for(process.communicate(), timeout=120)
        assert process.returncode is not None
        return process.returncode, out.decode(), err.decode()

    async def stop(self, process: asyncio.subprocess.Process) -> str:
        process.send_signal(signal.SIGINT)  # Ctrl-C
        _out, err = await asyncio.wait_for(process.communicate(), timeout=120)
        assert process.returncode == 0, err.decode()[-2000:]
        return err.decode()


async def _superuser() -> asyncpg.Connection:
    server = os.environ.get("CALLBOT_TEST_DATABASE_URL", DEFAULT_SERVER)
    return await asyncpg.connect(server.replace("postgresql+asyncpg://", "postgresql://", 1))


async def test_every_step_of_deploy_for_real(tmp_path: Path) -> None:
    section = deploy_section()
    name = f"callbot_readme_{secrets.token_hex(4)}"
    shell = Deployment(tmp_path)

    # Step 3: the role and the database, exactly as the README says (under a unique name).
    (sql,) = code_blocks(section, "sql")
    admin = await _superuser()
    try:
        for statement in sql.replace("callbot", name).split(";"):
            if statement.strip():
                await admin.execute(statement)
    finally:
        await admin.close()

    simulator = Simulator(
        account=demo_account(),
        options=SimulatorOptions(),
        clock=ManualClock(start=time.time()),
    )
    emulator = TelegramEmulator(bot_token=BOT_TOKEN, bot_username="uis_call_bot")
    try:
        async with (
            simulator.running(host="127.0.0.1", port=0) as uis,
            emulator.running(host="127.0.0.1", port=0) as telegram,
        ):
            await _walk_through(section, shell, name, uis.url, telegram.base_url, emulator)
    finally:
        admin = await _superuser()
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.execute(f'DROP ROLE IF EXISTS "{name}"')
        finally:
            await admin.close()

    # Every `callbot` command the section names was run above.
    assert callbot_commands(section) <= shell.ran, callbot_commands(section) - shell.ran


async def _walk_through(
    section: str,
    shell: Deployment,
    name: str,
    uis_url: str,
    telegram_url: str,
    emulator: TelegramEmulator,
) -> None:
    bash = "\n".join(code_blocks(section, "bash"))

    # Step 4: the key, from the README's own command line.
    (key_line,) = [line for line in bash.splitlines() if "generate_key" in line]
    key_command = shlex.split(key_line)
    assert key_command[0] == ".venv/bin/python"
    generated = await asyncio.create_subprocess_exec(
        sys.executable, *key_command[1:], stdout=asyncio.subprocess.PIPE
    )
    key = (await generated.communicate())[0].decode().strip()
    Fernet(key.encode())  # a valid Fernet key

    # Step 5: `cp .env.example .env`, then the lines the README sets.
    assert "`cp .env.example .env`" in section
    shutil.copy(REPOSITORY / ".env.example", shell.folder / ".env")
    (dotenv,) = code_blocks(section, "dotenv")
    for line in dotenv.splitlines():
        variable, _, value = line.partition("=")
        if variable == "CALLBOT_TELEGRAM__BOT_TOKEN":
            value = BOT_TOKEN
        elif variable == "CALLBOT_SECURITY__ENCRYPTION_KEYS":
            value = key
        elif variable == "CALLBOT_DATABASE__URL":
            value = value.replace("callbot", name)
            assert urlsplit(value).password == "CHANGE-ME"  # the password of the SQL step
        shell.set_in_env_file(variable, value)
    # The sandbox stands in for Telegram and UIS (no internet here).
    shell.set_in_env_file("CALLBOT_TELEGRAM__API_SERVER", telegram_url)
    shell.set_in_env_file("CALLBOT_CALLAPI__SITE", "custom")
    shell.set_in_env_file("CALLBOT_CALLAPI__URL", uis_url)
    status, out, err = await shell.callbot("config")
    assert status == 0, err
    assert f"{name}:***@127.0.0.1:5432/{name}" in out
    assert key not in out

    # Step 6: the schema (as the database's owner, not a superuser), then doctor.
    status, out, err = await shell.callbot("migrate")
    assert status == 0, err
    status, out, err = await shell.callbot("doctor")
    assert status == 0, out + err
    assert "all checks passed" in out

    # Step 7: the first admin learns their id from /start, becomes admin, gets requests.
    emulator.add_user(OWNER_ID, "Owner", language_code="en")
    bot = await shell.start("run")
    await emulator.send_message(OWNER_ID, "/start")
    told = await emulator.wait_for_bot_message(OWNER_ID, timeout=TIMEOUT_SECONDS)
    assert _as_shown(t("en", "start.your_id", user_id=OWNER_ID)) in (told.text or "")
    # Step 11: the heartbeat of the running bot.
    status, out, err = await shell.callbot("health")
    assert status == 0, out + err
    await shell.stop(bot)

    shell.set_in_env_file("CALLBOT_TELEGRAM__ADMIN_IDS", str(OWNER_ID))
    bot = await shell.start("run")
    emulator.add_user(NEWCOMER_ID, "Newcomer", language_code="en")
    await emulator.send_message(NEWCOMER_ID, "/start")
    request = await emulator.wait_for_bot_message(
        OWNER_ID, text_contains=str(NEWCOMER_ID), timeout=TIMEOUT_SECONDS
    )
    assert request.buttons  # approve / deny
    await shell.stop(bot)

    # Step 8: the catalog, the README's example file.
    (catalog_csv,) = code_blocks(section, "csv")
    (shell.folder / "catalog.csv").write_text(catalog_csv, encoding="utf-8")
    status, out, err = await shell.callbot("catalog", "import", "catalog.csv")
    assert status == 0, err
    assert "employees: +2" in out

    # Step 4's rotation and step 12's upgrade (migrate again on a current schema).
    status, out, err = await shell.callbot("rotate-keys")
    assert status == 0, err
    status, out, err = await shell.callbot("migrate")
    assert status == 0, err
