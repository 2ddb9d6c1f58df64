"""Restart drill: does a live call card keep working across restarts of the bot, and how soon?

Three processes, as in a deployment with the sandbox in place of the outside world: the UIS
simulator (`python -m sandbox.uis`), the Telegram emulator (`python -m sandbox.telegram`) and the
bot (`callbot run`) on a fresh PostgreSQL database. The manager signs in, places a call, both
parties answer. Then, ``--restarts`` times: the bot is stopped (SIGTERM) or killed (SIGKILL),
alternately, a new bot process is started, and the manager presses Hold or Unhold on the card
drawn before the restart. Printed: presses that reached UIS, a new process's time from
start to the first press served (its answer in the chat), and the audit check: after a last
clean stop, every request the simulator received has exactly one audit row (its outcome, or
"outcome unknown" for one cut off by a kill), none has two.

    python benchmarks/bench_restarts.py [--restarts 10] [--smoke]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bot.texts import Lang, t
from sandbox.world import (
    BOT_TOKEN,
    DEMO_ADMIN_ID,
    DEMO_MANAGER_ID,
    bot_process_environment,
    prepare_for_a_bot_process,
    sandbox_settings,
)

# dbtest_support: the one throwaway-database helper of the tests and benchmarks.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from dbtest_support import (
    asyncpg_dsn,
    create_database,
    drop_database,
    server_url,
    unique_database_name,
)

RU = Lang.RU
MANAGER = DEMO_MANAGER_ID
MANAGER_KEY = "demo-key-manager-0001"
CLIENT = "79031234567"
KEY = "q1uQ9bBgdYgFCkMWqIYJ5v4lXr7yZk0XJfbqg7yC3Xs="
WAIT = 30.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Processes:
    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.running: dict[str, asyncio.subprocess.Process] = {}

    async def start(
        self, name: str, *command: str, env: dict[str, str], ready: str, log: str
    ) -> None:
        log_file = self.log_dir / log
        offset = log_file.stat().st_size if log_file.exists() else 0
        with log_file.open("ab") as sink:
            process = await asyncio.create_subprocess_exec(
                *command, env=env, stdout=sink, stderr=asyncio.subprocess.STDOUT
            )
        self.running[name] = process
        deadline = time.monotonic() + 60
        while ready not in log_file.read_text(errors="replace")[offset:]:
            if process.returncode is not None or time.monotonic() > deadline:
                raise SystemExit(f"{name} did not start:\n{log_file.read_text()[offset:]}")
            await asyncio.sleep(0.05)

    async def signal(self, name: str, sig: signal.Signals) -> None:
        process = self.running.pop(name)
        process.send_signal(sig)
        await process.wait()

    async def stop_all(self) -> None:
        for process in self.running.values():
            if process.returncode is None:
                process.terminate()
                await process.wait()
        self.running.clear()


async def _card(emu: httpx.AsyncClient, message_id: int, *texts: str) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT
    while True:
        messages = (await emu.get(f"/_emu/chats/{MANAGER}/messages")).json()["result"]
        for message in messages:
            text = message.get("text") or ""
            if message["message_id"] == message_id and all(part in text for part in texts):
                found: dict[str, Any] = message
                return found
        if time.monotonic() > deadline:
            raise SystemExit(f"card {message_id} never showed {texts}")
        await asyncio.sleep(0.1)


async def _post(client: httpx.AsyncClient, path: str, **body: Any) -> Any:
    reply = await client.post(path, json=body)
    document = reply.json()
    if not document.get("ok", True) and "result" not in document:
        raise SystemExit(f"{path}: {document}")
    return document.get("result", document)


@dataclass
class AuditCheck:
    summary: str
    ok: bool


async def _audit_check(database_url: str, received: set[str]) -> AuditCheck:
    """One audit row per request the simulator received; rows for requests it did not receive
    only as "outcome unknown" (an intent cut off before its request left)."""
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        rows = await connection.fetch(
            "SELECT request_id, outcome FROM audit_log WHERE request_id IS NOT NULL"
        )
    finally:
        await connection.close()
    per_request = Counter(row["request_id"] for row in rows)
    twice = sum(1 for count in per_request.values() if count > 1)
    missing = len(received - per_request.keys())
    unknown = [row["request_id"] for row in rows if row["outcome"] == "outcome_unknown"]
    unsent_known = sum(
        1
        for row in rows
        if row["request_id"] not in received and row["outcome"] != "outcome_unknown"
    )
    summary = (
        f"audit: {len(received)} requests received by UIS, {len(rows)} audit rows with a request "
        f"id; without a row: {missing}; rows duplicated: {twice}; outcome unknown: "
        f"{sum(1 for r in unknown if r in received)} received + "
        f"{sum(1 for r in unknown if r not in received)} never received"
    )
    return AuditCheck(summary, missing == 0 and twice == 0 and unsent_known == 0)


async def drill(restarts: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="callbot-restarts-"))
    processes = Processes(work)
    database = unique_database_name("callbot_drill")
    database_url = await create_database(server_url(), database)
    sim_port, emu_port = _free_port(), _free_port()
    sim_url = f"http://127.0.0.1:{sim_port}"
    emu_url = f"http://127.0.0.1:{emu_port}"
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("CALLBOT_")}
    try:
        await processes.start(
            "simulator",
            sys.executable, "-m", "sandbox.uis", "--port", str(sim_port), "--no-auto-answer",
            env=base_env, ready="listening on", log="simulator.log",
        )  # fmt: skip
        await processes.start(
            "emulator",
            sys.executable, "-m", "sandbox.telegram", "--port", str(emu_port),
            "--user", f"{DEMO_ADMIN_ID}:Анна:ru", "--user", f"{MANAGER}:Иван:ru",
            env={**base_env, "EMULATOR_BOT_TOKEN": BOT_TOKEN}, ready="listening on",
            log="emulator.log",
        )  # fmt: skip
        settings = sandbox_settings(
            work / "setup",
            database_url,
            f"{sim_url}/v4.0",
            emu_url,
            security={"encryption_keys": KEY},
        )
        await prepare_for_a_bot_process(settings)
        bot_env = bot_process_environment(
            work / "data", database_url, f"{sim_url}/v4.0", emu_url, KEY
        )
        bot_command = (sys.executable, "-m", "bot.cli", "run")

        ready_seconds: list[float] = []

        async def start_bot() -> float:
            started = time.monotonic()
            await processes.start(
                "bot", *bot_command, env=bot_env, ready="Run polling for bot", log="bot.log"
            )
            ready_seconds.append(time.monotonic() - started)
            return started

        async with (
            httpx.AsyncClient(base_url=emu_url, timeout=WAIT + 5) as emu,
            httpx.AsyncClient(base_url=sim_url, timeout=WAIT) as sim,
        ):

            async def say(text: str) -> dict[str, Any]:
                await _post(emu, "/_emu/send_message", chat_id=MANAGER, text=text)
                result: dict[str, Any] = await _post(
                    emu, "/_emu/wait_for_bot_message", chat_id=MANAGER, include_edits=False,
                    timeout=WAIT,
                )  # fmt: skip
                return result

            async def press(label: str, message_id: int | None = None) -> None:
                where = {} if message_id is None else {"message_id": message_id}
                await _post(
                    emu, "/_emu/press_button", chat_id=MANAGER, text=label, timeout=WAIT,
                    **where,
                )  # fmt: skip

            async def next_message(text_contains: str) -> dict[str, Any]:
                found: dict[str, Any] = await _post(
                    emu, "/_emu/wait_for_bot_message", chat_id=MANAGER, include_edits=False,
                    text_contains=text_contains, timeout=WAIT,
                )  # fmt: skip
                return found

            async def sent(method: str) -> list[dict[str, Any]]:
                reply = await sim.get("/_sim/requests", params={"method": method})
                entries: list[dict[str, Any]] = reply.json()
                return entries

            await start_bot()
            await say("/start")
            await say("/login")
            await press(t(RU, "btn.login_key"))
            await _post(emu, "/_emu/send_message", chat_id=MANAGER, text=MANAGER_KEY)
            await next_message("✅")
            choice = await say(f"/call {CLIENT}")
            await press(choice["buttons"][0][0]["text"], choice["message_id"])
            placeholder = await next_message(t(RU, "call.starting", number="").rstrip("…"))
            card_id: int = placeholder["message_id"]
            await _card(emu, card_id, t(RU, "card.phase.dialing"))
            call = (await sim.get("/_sim/calls")).json()[-1]
            call_id = call["call_session_id"]
            for _ in range(2):  # the manager's phone, then the client's
                await sim.post(f"/_sim/calls/{call_id}/answer", json={})
            await _card(emu, card_id, t(RU, "card.phase.talk"))

            reached = 0
            first_press_seconds: list[float] = []
            kinds = {signal.SIGTERM: 0, signal.SIGKILL: 0}
            on_hold = False
            for index in range(restarts):
                sig = signal.SIGTERM if index % 2 == 0 else signal.SIGKILL
                kinds[sig] += 1
                await processes.signal("bot", sig)
                started = await start_bot()
                method, label, phase = (
                    ("unhold.call", t(RU, "btn.unhold"), t(RU, "card.phase.talk"))
                    if on_hold
                    else ("hold.call", t(RU, "btn.hold"), t(RU, "card.phase.hold"))
                )
                before = len(await sent(method))
                await press(label, card_id)
                first_press_seconds.append(time.monotonic() - started)
                if len(await sent(method)) == before + 1:
                    reached += 1
                await _card(emu, card_id, phase)
                on_hold = not on_hold
            await processes.signal("bot", signal.SIGKILL)
            await start_bot()
            await press(t(RU, "btn.release"), card_id)
            released = len(await sent("release.call")) == 1
            await _card(emu, card_id, t(RU, "card.phase.finished"))
            await processes.signal("bot", signal.SIGTERM)  # the audit writer drains
            requests = (await sim.get("/_sim/requests")).json()
            received = {request["id"] for request in requests if request["id"] is not None}
        audit = await _audit_check(database_url, received)

        print(f"restarts: {restarts} (SIGTERM {kinds[signal.SIGTERM]}, SIGKILL "
              f"{kinds[signal.SIGKILL]}), plus one SIGKILL before Release")  # fmt: skip
        print(f"presses after a restart that reached UIS: {reached} of {restarts}")
        print(f"Release after the last restart reached UIS: {'yes' if released else 'NO'}")
        for what, figures in (
            ("start to polling", ready_seconds),
            ("start to the first press answered", first_press_seconds),
        ):
            print(
                f"new process, {what}: median {statistics.median(figures):.2f} s, "
                f"max {max(figures):.2f} s"
            )
        print(audit.summary)
        if reached != restarts or not released:
            raise SystemExit("a press after a restart did not reach UIS")
        if not audit.ok:
            raise SystemExit("the audit log does not have exactly one row per request")
    finally:
        await processes.stop_all()
        await drop_database(server_url(), database)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python benchmarks/bench_restarts.py")
    parser.add_argument("--restarts", type=int, default=10)
    parser.add_argument("--smoke", action="store_true", help="two restarts (CI)")
    args = parser.parse_args()
    asyncio.run(drill(2 if args.smoke else args.restarts))


if __name__ == "__main__":
    main()
