"""Button press latency and throughput of the bot, and the points its live-card poll spends.

What is measured: a press on a call card's "Record on/off" button (one Call API request,
``record.call``), from the moment the Telegram emulator injects the callback query to the
moment the UIS simulator receives the JSON-RPC request (the bot's own work per press before
UIS is asked), and to the moment the bot answers the callback query (after the card redraw).

The set-up is the production shape, split over two processes so that the bot has a core to
itself (the machine has two): this process is the world (UIS simulator on the real clock with
a generated account of N employees, Telegram emulator, the load driver); the bot is a child
process started exactly as in production, ``python -m bot.cli run``, polling the emulator, with
its database (and the audit log) on a temporary PostgreSQL database on 127.0.0.1:5432 that this
script creates and drops. N users (1,000 by default) are approved, linked to their own
employee and signed in with their own permanent key; each has an inbound call in progress and
opened it with /calls, so N call cards are live (in the TALK phase) for the whole run, and the
bot's live poll refreshes them in the background, as it would in production.

Timing points, all read from ``time.perf_counter`` in this process: the injection (just before
``TelegramEmulator.tap_button``), the simulator's receipt (a hook wrapped around the
simulator's request log, whose ``add`` runs as the request is dispatched), and the answer (a
hook wrapped around the emulator's event log, which records ``answerCallbackQuery``). The
simulator and the emulator are not modified.

Load shapes: "serial" = one press at a time, round-robin over the N chats (what one press
costs); "N chats" = every chat presses again as soon as its previous press was answered
(closed loop; presses/s at saturation, and the latency under that load).

Floors, measured in the same run over the same path:
  aiogram feed_update   the same update (same card message and callback data size) fed to a
                        bare Dispatcher with a do-nothing handler, in-process
  raw client call       ``CallApiClient.record_call`` from this process: start to receipt,
                        and the full round trip
  floor bot             a minimal aiogram bot in a child process (default Dispatcher, a handler
                        that makes the same raw client call and answers the query), polling the
                        same emulator: the transport floor of the whole path, serial and closed
                        loop over the same N chats
The verdict compares the bot with the floor bot: the bot should add <= 2 ms per press (p50,
serial), reach >= 500 presses/s in its process, and spend <= 1.2x the floor bot's CPU per press
with every chat pressing. CPU seconds of both processes per phase are printed to show which side
limited the throughput.

Per-press costs timed in isolation in this process, after the bots' phases (no child running):
  update claim          ``db.update_claims.claim_update`` and ``finish_update``, each in its own
                        transaction through the bot's engine set-up, as ``bot.update_claims``
                        runs them around a handler, on this run's database. The middleware's own
                        ``fingerprint_of`` is asked whether a card press is claimed at all (it is
                        not: a card press consumes its one-shot token instead, which the bot's
                        figures include) and whether a message is
  journal intent        ``journal_intent``: the write-ahead line the audit writer appends before
                        each Call API request (the row-to-be as one JSON line: request id,
                        method, params, user, update, card), one write(2) to a
                        ``db.journal.Journal`` segment in the data directory; alone and with
                        ``AuditRecord.create`` of the row

Fresh process: after the bot's phases a new ``python -m bot.cli run`` is spawned on the live
cards the stopped one left; from the spawn on, a press is injected on one card and another on
the next card every 0.5 s (queued in the emulator until the process polls). Printed: spawn →
its first getUpdates, and spawn → the first press's record.call received by the simulator.

Live-card poll: before the load phases the simulator's account has the demo limits (60 points
a minute, 1,000 a day); 10 users open their cards and the poll runs for a while; the points
charged for its ``list.calls`` are counted in the simulator and printed per minute, next to
what ``LivePoller.interval()`` predicts from the budget learned from the simulator's replies.

    .venv/bin/python benchmarks/bench_bot.py              # full run (a few minutes)
    .venv/bin/python benchmarks/bench_bot.py --smoke      # tiny CI run (~60-90 s)
    .venv/bin/python benchmarks/bench_bot.py --profile    # also cProfile the bot process
    .venv/bin/python benchmarks/bench_bot.py --bot-only   # the bot's phases only (~90 s)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import pstats
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import asyncpg

THIS_SCRIPT = Path(__file__).resolve()

REPO = THIS_SCRIPT.parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # dbtest_support: the one throwaway-database helper

from dbtest_support import asyncpg_dsn, temporary_database  # noqa: E402

from api.budget import PointsBudget  # noqa: E402
from api.client import CallApiClient  # noqa: E402
from api.credentials import PermanentKeyCredentials  # noqa: E402
from api.metadata import Limits  # noqa: E402
from bot.app import tune_garbage_collector  # noqa: E402
from db.audit import AuditRecord  # noqa: E402
from db.audit_writer import INTENT_PREFIX  # noqa: E402
from db.journal import Journal  # noqa: E402
from db.models import AuditOutcome  # noqa: E402
from sandbox.uis import Simulator, SimulatorOptions  # noqa: E402
from sandbox.uis.account import Account  # noqa: E402
from sandbox.uis.clock import RealClock  # noqa: E402

BOT_TOKEN = "424242:BENCH-TOKEN-not-a-real-telegram-token"  # noqa: S105 - emulator only
ADMIN_ID = 1000
FIRST_USER_ID = 10_001
FIRST_EMPLOYEE_ID = 5_000
POLL_CARDS = 10
DEMO_POINTS_PER_MINUTE = 60
DEMO_POINTS_PER_DAY = 1000
HUGE_POINTS = 1_000_000_000
TARGET_ADDED_MS = 2.0
TARGET_PRESSES_PER_SECOND = 500.0
TARGET_CPU_RATIO = 1.2  # the bot's CPU per press over the floor bot's, N chats pressing
STEP_TIMEOUT_SECONDS = 600.0
# Generous: with every chat pressing, a press queues behind all the others (1,000 presses at
# a few dozen a second is most of a minute); only a press never answered counts as failed.
PRESS_TIMEOUT_SECONDS = 120.0
MAX_FAILURES = 20  # a phase stops early after this many presses without a request/answer
# Fresh process: a press is injected at spawn and another every FRESH_PRESS_INTERVAL (each on
# its own card) until one reaches UIS; at most FRESH_MAX_PRESSES, all within FRESH_TIMEOUT.
FRESH_PRESS_INTERVAL = 0.5
FRESH_MAX_PRESSES = 40
FRESH_TIMEOUT = 180.0
# Update claims timed in isolation use update ids far above the emulator's (which start at 1).
CLAIM_FIRST_UPDATE_ID = 1_000_000_000
WARM_UP = 20


@dataclass(frozen=True)
class Plan:
    users: int
    serial_presses: int
    load_seconds: float
    poll_seconds: float
    feed_iterations: int
    client_iterations: int
    claim_iterations: int
    intent_iterations: int
    floor_bot: bool = True  # False: the bot's phases only (quick iterations, no verdict)
    # A smoke run is too small to judge a target against (a 20-chat, 2-second load phase
    # says nothing about 1000 chats): it prints the figures and no OK/MISS.
    judged: bool = True


FULL = Plan(
    users=1000,
    serial_presses=1000,
    load_seconds=20.0,
    poll_seconds=60.0,
    feed_iterations=5000,
    client_iterations=1000,
    claim_iterations=2000,
    intent_iterations=20_000,
)
SMOKE = Plan(
    users=20,
    serial_presses=30,
    load_seconds=2.0,
    poll_seconds=6.0,
    feed_iterations=500,
    client_iterations=50,
    claim_iterations=30,
    intent_iterations=1000,
    judged=False,
)


def user_id(index: int) -> int:
    return FIRST_USER_ID + index


def employee_id(index: int) -> int:
    return FIRST_EMPLOYEE_ID + index


def employee_phone(index: int) -> str:
    return f"7916{index:07d}"


def contact_phone(index: int) -> str:
    return f"7903{index:07d}"


def access_key(index: int) -> str:
    return f"bench-key-{index:05d}"


def employee_name(index: int) -> str:
    return f"Сотрудник {index:04d}"


# ----------------------------------------------------------------------------- the world


def build_account(users: int) -> Account:
    """The demo account's shape with one employee, Call API user and permanent key per user."""
    from sandbox.uis.account import demo_account

    document = demo_account().to_json()
    document["employees"] = [
        {
            "id": employee_id(index),
            "full_name": employee_name(index),
            "extension": str(employee_id(index)),
            "phone_numbers": [{"number": employee_phone(index), "active": True}],
            "coach_employee_id": None,
            "record_all_calls": False,
        }
        for index in range(users)
    ]
    document["users"] = [
        {
            "login": f"bench.user.{index}",
            "password": secrets.token_hex(8),
            "employee_id": employee_id(index),
            "call_api_access": True,
        }
        for index in range(users)
    ]
    document["permanent_keys"] = [
        {
            "key": access_key(index),
            "login": f"bench.user.{index}",
            "expires_at": None,
            "blocked": False,
        }
        for index in range(users)
    ]
    document["scenarios"] = [
        {**scenario, "employee_ids": [employee_id(0)]} for scenario in document["scenarios"]
    ]
    document["limits"] = {
        **document["limits"],
        "points_per_minute": DEMO_POINTS_PER_MINUTE,
        "points_per_day": DEMO_POINTS_PER_DAY,
    }
    return Account.from_json(document)


def build_catalog(users: int) -> bytes:
    from sandbox.uis import demo_catalog_bytes

    catalog = json.loads(demo_catalog_bytes())
    catalog["employees"] = [
        {
            "id": employee_id(index),
            "full_name": employee_name(index),
            "phones": [employee_phone(index)],
        }
        for index in range(users)
    ]
    return json.dumps(catalog, ensure_ascii=False).encode()


class Probe:
    """Timestamps from hooks wrapped around the simulator's request log, the emulator's event
    log and its getUpdates offset bookkeeping (instance attributes shadow the methods; the
    classes are not modified)."""

    def __init__(self, simulator: Simulator, emulator: Any, method: str = "record.call") -> None:
        self._method = method
        self._requests: dict[int, asyncio.Future[float]] = {}
        self._answers: dict[str, float] = {}
        self._answer_waiters: dict[str, asyncio.Future[float]] = {}
        self.answer_texts: dict[str, str | None] = {}
        self.first_poll: float | None = None  # first getUpdates since watch_polling()
        self._watching_polls = False
        request_log = simulator.runtime.log
        add_entry = request_log.add

        def add(**entry: Any) -> Any:
            logged = add_entry(**entry)
            if entry.get("method") == self._method and isinstance(entry.get("params"), dict):
                waiter = self._requests.pop(entry["params"].get("call_session_id"), None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(time.perf_counter())
            return logged

        request_log.add = add  # type: ignore[method-assign]
        state = emulator._state
        record_event = state.record_event

        def record(kind: str, chat_id: int, **fields: Any) -> Any:
            event = record_event(kind, chat_id, **fields)
            if kind == "callback_answer":
                query_id = fields.get("callback_query_id")
                if isinstance(query_id, str) and query_id not in self.answer_texts:
                    self.answer_texts[query_id] = fields.get("text")
                    now = time.perf_counter()
                    self._answers[query_id] = now
                    waiter = self._answer_waiters.pop(query_id, None)
                    if waiter is not None and not waiter.done():
                        waiter.set_result(now)
            return event

        state.record_event = record
        confirm_updates = state.confirm_updates

        def confirm(offset: int | None) -> None:  # runs first in every getUpdates call
            if self._watching_polls and self.first_poll is None:
                self.first_poll = time.perf_counter()
            confirm_updates(offset)

        state.confirm_updates = confirm

    def watch_polling(self) -> None:
        """Note the time of the next getUpdates call (a new process starting to poll)."""
        self.first_poll = None
        self._watching_polls = True

    def expect_request(self, call_session_id: int) -> asyncio.Future[float]:
        """Resolved with the receipt time of the next request about this call."""
        waiter: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._requests[call_session_id] = waiter
        return waiter

    def expect_answer(self, query_id: str) -> asyncio.Future[float]:
        """Resolved with the time the bot answered this callback query."""
        waiter: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        answered = self._answers.pop(query_id, None)
        if answered is not None:
            waiter.set_result(answered)
        else:
            self._answer_waiters[query_id] = waiter
        return waiter

    def cancel_request(self, call_session_id: int) -> None:
        waiter = self._requests.pop(call_session_id, None)
        if waiter is not None:
            waiter.cancel()


class Refused(Exception):
    """The bot answered the press without asking UIS (an alert such as a stale button)."""


async def timed_press(
    probe: Probe, call_session_id: int, inject: Callable[[], Awaitable[str]]
) -> tuple[float, float]:
    """(injection → UIS receipt, injection → answer) of one press; raises Refused/TimeoutError."""
    requested = probe.expect_request(call_session_id)
    started = time.perf_counter()
    query_id = await inject()
    answered = probe.expect_answer(query_id)
    done, _pending = await asyncio.wait(
        {requested, answered}, timeout=PRESS_TIMEOUT_SECONDS, return_when=asyncio.FIRST_COMPLETED
    )
    if not done:
        probe.cancel_request(call_session_id)
        raise TimeoutError
    if answered.done() and not requested.done():
        probe.cancel_request(call_session_id)
        raise Refused(probe.answer_texts.get(query_id) or "")
    received = await asyncio.wait_for(requested, PRESS_TIMEOUT_SECONDS)
    finished = await asyncio.wait_for(answered, PRESS_TIMEOUT_SECONDS)
    return received - started, finished - started


@dataclass
class ChatUnderTest:
    index: int
    user_id: int
    call_session_id: int = 0
    card_message_id: int = 0
    record_on: bool = True  # the next floor press turns recording on


@dataclass
class Samples:
    """Latencies (seconds) of presses, and throughput over the measured window."""

    label: str
    to_request: list[float] = field(default_factory=list)
    to_answer: list[float] = field(default_factory=list)
    failures: int = 0  # no request and no answer within PRESS_TIMEOUT_SECONDS
    refused: dict[str, int] = field(default_factory=dict)  # answered without a request
    window_seconds: float = 0.0
    completed_in_window: int = 0
    # CPU over the measured span: the whole phase when serial; the window (not the warm-up,
    # not the tail of presses still answered after it) when every chat presses.
    bot_cpu_seconds: float = 0.0
    world_cpu_seconds: float = 0.0
    cpu_span_seconds: float = 0.0
    elapsed_seconds: float = 0.0
    list_calls: int = 0  # list.calls the bot sent during the phase (poll and refreshes)

    @property
    def presses_per_second(self) -> float:
        return self.completed_in_window / self.window_seconds if self.window_seconds else 0.0


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[position]


def ms(value: float) -> str:
    return f"{value * 1000:8.2f}"


def us(values: list[float]) -> str:
    """p50 and p99 in microseconds."""
    p50, p99 = percentile(values, 0.5) * 1e6, percentile(values, 0.99) * 1e6
    return f"p50 {p50:7.1f} µs   p99 {p99:7.1f} µs"


Press = Callable[[ChatUnderTest], Awaitable[tuple[float, float]]]


class Child:
    """A child process (the bot, or the floor bot) with its CPU time from /proc."""

    def __init__(self, process: asyncio.subprocess.Process, log_path: Path) -> None:
        self.process = process
        self.log_path = log_path

    @classmethod
    async def start(cls, argv: list[str], env: dict[str, str], log_path: Path) -> Child:
        log = log_path.open("wb")
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        finally:
            log.close()
        return cls(process, log_path)

    def cpu_seconds(self) -> float:
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        ticks = int(fields[11]) + int(fields[12])  # utime + stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def stop(self) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.process.wait(), 90)
        except TimeoutError:
            self.process.kill()
            return await self.process.wait()


async def measure(
    label: str,
    chats: list[ChatUnderTest],
    press: Press,
    *,
    serial_presses: int | None = None,
    seconds: float = 0.0,
    child: Child,
) -> Samples:
    """Serial presses round-robin over the chats, or every chat pressing in a closed loop."""
    samples = Samples(label)
    bot_cpu, world_cpu = child.cpu_seconds(), time.process_time()
    phase_start = time.perf_counter()
    if serial_presses is not None:
        started = time.perf_counter()
        for number in range(serial_presses):
            try:
                to_request, to_answer = await press(chats[number % len(chats)])
            except Refused as refusal:
                samples.refused[str(refusal)] = samples.refused.get(str(refusal), 0) + 1
                continue
            except TimeoutError:
                samples.failures += 1
                if samples.failures >= MAX_FAILURES:
                    break
                continue
            samples.to_request.append(to_request)
            samples.to_answer.append(to_answer)
        samples.window_seconds = time.perf_counter() - started
        samples.completed_in_window = len(samples.to_answer)
    else:
        begin = time.perf_counter()
        window_start = begin + min(2.0, seconds * 0.2)  # warm-up: every chat got going
        window_end = window_start + seconds

        async def worker(chat: ChatUnderTest) -> None:
            while time.perf_counter() < window_end and samples.failures < MAX_FAILURES:
                pressed_at = time.perf_counter()
                try:
                    to_request, to_answer = await press(chat)
                except Refused as refusal:
                    samples.refused[str(refusal)] = samples.refused.get(str(refusal), 0) + 1
                    continue
                except TimeoutError:
                    samples.failures += 1
                    continue
                if pressed_at >= window_start:
                    samples.to_request.append(to_request)
                    samples.to_answer.append(to_answer)
                if window_start <= pressed_at + to_answer <= window_end:
                    samples.completed_in_window += 1

        async def cpu_over_window() -> None:
            # The phase's own span would include the drain after the window, when the bot
            # waits for stragglers: it once diluted the bot's CPU share to a sixth of the
            # truth (17 % printed while /proc showed ~95 % during the window).
            await asyncio.sleep(max(0.0, window_start - time.perf_counter()))
            bot_at, world_at = child.cpu_seconds(), time.process_time()
            await asyncio.sleep(max(0.0, window_end - time.perf_counter()))
            samples.bot_cpu_seconds = child.cpu_seconds() - bot_at
            samples.world_cpu_seconds = time.process_time() - world_at
            samples.cpu_span_seconds = window_end - window_start

        await asyncio.gather(cpu_over_window(), *(worker(chat) for chat in chats))
        samples.window_seconds = seconds
    if serial_presses is not None:
        samples.bot_cpu_seconds = child.cpu_seconds() - bot_cpu
        samples.world_cpu_seconds = time.process_time() - world_cpu
        samples.cpu_span_seconds = time.perf_counter() - phase_start
    samples.elapsed_seconds = time.perf_counter() - phase_start
    return samples


async def wait_until(what: str, probe: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not probe():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


@dataclass
class PollFigures:
    seconds: float
    requests: int
    points: float
    predicted_interval: float
    predicted_per_minute: float
    low_day_interval: float
    low_day_per_minute: float
    cost_per_poll: float

    @property
    def per_minute(self) -> float:
        return self.points / (self.seconds / 60.0)


@dataclass
class FreshStart:
    """A new bot process on the live cards the previous one left, pressed from its spawn on.

    Times are seconds from the spawn (``create_subprocess_exec``)."""

    to_polling: float | None = None  # its first getUpdates
    to_first_request: float | None = None  # the first press's record.call received by UIS
    first_injected: float = 0.0  # when that press was injected
    first_answered: float | None = None  # when the bot answered that press
    presses: int = 0  # presses injected (one card each)
    reached: int = 0  # of those, record.call requests received before the process stopped
    refused: dict[str, int] = field(default_factory=dict)  # answered without a request


class FreshPress(NamedTuple):
    chat: ChatUnderTest
    query_id: str
    injected: float  # seconds after the spawn
    requested: asyncio.Future[float]  # the simulator's receipt of its record.call
    answered: asyncio.Future[float]  # the bot's answer


@dataclass
class Results:
    plan: Plan
    poll: PollFigures | None = None
    phases: list[Samples] = field(default_factory=list)
    feed_update: list[float] = field(default_factory=list)
    parse_and_feed: list[float] = field(default_factory=list)
    client_to_request: list[float] = field(default_factory=list)
    client_round_trip: list[float] = field(default_factory=list)
    # Update claim (bot.update_claims) in isolation: each of its two transactions, and both.
    claim_take: list[float] = field(default_factory=list)
    claim_done: list[float] = field(default_factory=list)
    claim_round_trip: list[float] = field(default_factory=list)
    card_press_claimed: bool | None = None  # does the middleware claim a card press at all?
    message_claimed: bool | None = None  # ... and a message (/calls)?
    # Journal intent: journal_intent() alone, and with the record built (AuditRecord.create).
    intent_append: list[float] = field(default_factory=list)
    intent_with_create: list[float] = field(default_factory=list)
    intent_line_bytes: int = 0
    fresh: FreshStart | None = None
    audit_rows: int = 0
    record_presses: int = 0
    record_outcomes: dict[str, int] = field(default_factory=dict)
    pinned_responses: bool = False
    bot_log_problems: list[str] = field(default_factory=list)
    profile_path: Path | None = None


def bot_process_environment(
    *,
    emulator_url: str,
    simulator_url: str,
    database_url: str,
    encryption_key: str,
    data_dir: Path,
) -> dict[str, str]:
    """The environment of a `python -m bot.cli run` child: this process's, without its own
    CALLBOT_* settings, pointed at the emulator, the simulator and the run's database."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CALLBOT_")}
    environment.update(
        {
            "CALLBOT_TELEGRAM__BOT_TOKEN": BOT_TOKEN,
            "CALLBOT_TELEGRAM__API_SERVER": emulator_url,
            "CALLBOT_TELEGRAM__ADMIN_IDS": str(ADMIN_ID),
            "CALLBOT_CALLAPI__SITE": "custom",
            "CALLBOT_CALLAPI__URL": simulator_url,
            "CALLBOT_DATABASE__URL": database_url,
            "CALLBOT_SECURITY__ENCRYPTION_KEYS": encryption_key,
            "CALLBOT_DATA_DIR": str(data_dir),
            "CALLBOT_LOG__LEVEL": "WARNING",
        }
    )
    return environment


async def prepare_users(database_url: str, settings: Any, users: int) -> None:
    """What admins and users did before a run, for users 0..users-1: the catalog, each user
    approved, linked to their own employee, and signed in with their own permanent key (the
    same row /login stores after checking the key)."""
    from bot.runtime import build_runtime
    from db import catalog as catalog_store
    from db.credentials import save_user_credential
    from db.migrate import upgrade_head
    from db.models import AccessState, CredentialKind

    await upgrade_head(database_url)
    runtime = await build_runtime(settings)
    try:
        await runtime.access.ensure_admins()
        async with runtime.sessions.begin() as session:
            await catalog_store.import_catalog(
                session, build_catalog(users), filename="bench_catalog.json"
            )
        limit = asyncio.Semaphore(16)

        async def admit(index: int) -> None:
            async with limit:
                access = runtime.access
                await access.see(
                    user_id(index),
                    username=None,
                    first_name=f"User {index}",
                    last_name=None,
                    language_code="ru",
                    chat_id=user_id(index),
                    chat_type="private",
                    chat_title=None,
                )
                await access.set_access(ADMIN_ID, user_id(index), AccessState.ALLOWED)
                await access.assign_employee(
                    ADMIN_ID, user_id(index), employee_id(index), employee_phone(index)
                )
                async with runtime.sessions.begin() as session:
                    await save_user_credential(
                        session,
                        runtime.cipher,
                        user_id(index),
                        kind=CredentialKind.PERMANENT_KEY,
                        login=None,
                        access_token=access_key(index),
                        expires_at=None,
                    )

        await asyncio.gather(*(admit(index) for index in range(users)))
    finally:
        await runtime.close()


class Bench:
    """The world (simulator + emulator + driver) and the phases run against it."""

    def __init__(
        self, plan: Plan, database_url: str, data_dir: Path, profile: bool, pin_responses: bool
    ) -> None:
        from sandbox.telegram import TelegramEmulator

        self.pin_responses = pin_responses
        self.results_note = ""
        self.plan = plan
        self.database_url = database_url
        self.data_dir = data_dir
        self.profile = profile
        self.encryption_key = self._new_key()
        self.simulator = Simulator(
            account=build_account(plan.users),
            options=SimulatorOptions(auto_answer_seconds=0.2),
            clock=RealClock(),
        )
        self.emulator = TelegramEmulator(bot_token=BOT_TOKEN, bot_username="uis_call_bot")
        self.probe = Probe(self.simulator, self.emulator)
        self.chats = [ChatUnderTest(index, user_id(index)) for index in range(plan.users)]
        self.results = Results(plan, pinned_responses=pin_responses)
        self.sim_url = ""
        self.emu_url = ""

    @staticmethod
    def _new_key() -> str:
        from db.crypto import generate_key

        return generate_key()

    # ------------------------------------------------------------------ set-up

    def settings(self) -> Any:
        from sandbox.world import sandbox_settings

        return sandbox_settings(
            self.data_dir,
            self.database_url,
            self.sim_url,
            self.emu_url,
            security={"encryption_keys": self.encryption_key},
        )

    def bot_environment(self) -> dict[str, str]:
        environment = bot_process_environment(
            emulator_url=self.emu_url,
            simulator_url=self.sim_url,
            database_url=self.database_url,
            encryption_key=self.encryption_key,
            data_dir=self.data_dir,
        )
        environment.update(
            {
                "BENCH_FLOOR_EMULATOR_URL": self.emu_url,
                "BENCH_FLOOR_SIMULATOR_URL": self.sim_url,
            }
        )
        return environment

    async def prepare_database(self) -> None:
        """What admins and users did before the run: approvals, links, stored keys."""
        await prepare_users(self.database_url, self.settings(), self.plan.users)
        for chat in self.chats:
            self.emulator.add_user(chat.user_id, f"User {chat.index}", language_code="ru")

    def place_calls(self, chats: list[ChatUnderTest]) -> None:
        control = self.simulator.control
        for chat in chats:
            call = control.place_inbound_call(
                contact_phone(chat.index), employee_id=employee_id(chat.index)
            )
            chat.call_session_id = int(call["call_session_id"])

    def calls_talking(self, chats: list[ChatUnderTest]) -> bool:
        wanted = {chat.call_session_id for chat in chats}
        talking = {
            call["call_session_id"]
            for call in self.simulator.control.calls(include_ended=False)
            if call["legs"] and all(leg["status"] == "connected" for leg in call["legs"])
        }
        return wanted <= talking

    async def open_cards(self, chats: list[ChatUnderTest]) -> None:
        """Each user sends /calls; the bot opens a card for their call in progress."""
        self.place_calls(chats)
        await wait_until("calls to be answered", lambda: self.calls_talking(chats), 60)
        on_label, _off_label = self.record_labels()
        for start in range(0, len(chats), 100):
            batch = chats[start : start + 100]
            for chat in batch:
                await self.emulator.send_message(chat.user_id, "/calls")

            def cards_ready(batch: list[ChatUnderTest] = batch) -> bool:
                for chat in batch:
                    if chat.card_message_id:
                        continue
                    message = self.emulator.last_bot_message(chat.user_id)
                    if message is not None and on_label in message.button_texts:
                        chat.card_message_id = message.message_id
                return all(chat.card_message_id for chat in batch)

            await wait_until("call cards", cards_ready, STEP_TIMEOUT_SECONDS)

    @staticmethod
    def record_labels() -> tuple[str, str]:
        from bot.texts import Lang, t

        return t(Lang.RU, "btn.record_on"), t(Lang.RU, "btn.record_off")

    async def start_bot(self, argv: list[str], name: str) -> Child:
        child = await Child.start(argv, self.bot_environment(), self.data_dir / f"{name}.log")
        try:
            await self.emulator.wait_for_polling(timeout=120)
        except Exception:
            print(child.log_text()[-4000:], file=sys.stderr)
            raise
        return child

    # ------------------------------------------------------------------ presses

    async def tap_record(self, chat: ChatUnderTest) -> str:
        """Tap the card's Record on/off button (one record.call); returns the query id."""
        on_label, off_label = self.record_labels()
        message = self.emulator.message(chat.user_id, chat.card_message_id)
        texts = message.button_texts if message is not None else []
        label = on_label if on_label in texts else off_label
        press = await self.emulator.tap_button(chat.user_id, label, message_id=chat.card_message_id)
        return press.query_id

    async def press_card(self, chat: ChatUnderTest) -> tuple[float, float]:
        """Press the card's Record on/off button (one record.call)."""
        return await timed_press(self.probe, chat.call_session_id, lambda: self.tap_record(chat))

    def floor_data(self, chat: ChatUnderTest) -> str:
        """Callback data for the floor bot, as long as the card button's data."""
        message = self.emulator.message(chat.user_id, chat.card_message_id)
        real = message.buttons[0][0].callback_data if message is not None else None
        size = len(real or "") or 48
        action = "on" if chat.record_on else "off"
        data = f"f:{chat.call_session_id}:{chat.index}:{action}:"
        return data + "x" * max(0, size - len(data))

    async def press_floor(self, chat: ChatUnderTest) -> tuple[float, float]:
        data = self.floor_data(chat)
        chat.record_on = not chat.record_on

        async def inject() -> str:
            press = await self.emulator.send_callback_query(
                chat.user_id, data, message_id=chat.card_message_id
            )
            return press.query_id

        return await timed_press(self.probe, chat.call_session_id, inject)

    # ------------------------------------------------------------------ phases

    async def measure_poll(self, seconds: float) -> PollFigures:
        """Points the live poll spends with POLL_CARDS cards open, under the demo limits."""
        from bot.services.live import LivePoller

        control = self.simulator.control
        window_start = time.time()  # the simulator's real clock is time.time()
        await asyncio.sleep(seconds)
        window_end = time.time()
        report = control.points()
        charges = [
            charge
            for charge in report["charges"]
            if charge["method"] == "list.calls" and window_start <= charge["at"] < window_end
        ]
        requests = [
            entry
            for entry in control.requests("list.calls")
            if window_start <= entry["at"] < window_end
        ]
        cost = statistics.fmean(c["day"] for c in charges) if charges else 1.0

        async def no_tick() -> bool:
            return False

        def interval_for(limits: Limits) -> float:
            budget = PointsBudget(reserve=5)  # the bot's default points_reserve
            budget.observe(limits)
            return LivePoller(budget, no_tick).interval()  # the bot's default pacing

        learned = Limits.from_mapping(report["limits"])
        assert learned is not None
        predicted = interval_for(learned)
        low_day = interval_for(
            Limits(
                day_limit=DEMO_POINTS_PER_DAY,
                day_remaining=DEMO_POINTS_PER_DAY * 0.15,
                day_reset=6 * 3600.0,
                minute_limit=DEMO_POINTS_PER_MINUTE,
                minute_remaining=DEMO_POINTS_PER_MINUTE,
                minute_reset=60.0,
            )
        )
        return PollFigures(
            seconds=window_end - window_start,
            requests=len(requests),
            points=float(sum(c["day"] for c in charges)),
            predicted_interval=predicted,
            predicted_per_minute=60.0 / predicted * cost,
            low_day_interval=low_day,
            low_day_per_minute=60.0 / low_day * cost,
            cost_per_poll=cost,
        )

    def card_press_update(self, chat: ChatUnderTest) -> dict[str, Any]:
        """The update a press on the card's first button is (as the emulator would send it)."""
        message = self.emulator.message(chat.user_id, chat.card_message_id)
        assert message is not None
        assert message.buttons
        return {
            "update_id": 1,
            "callback_query": {
                "id": "42",
                "from": self.emulator.user(chat.user_id).to_api(),
                "chat_instance": "1",
                "message": message.raw,
                "data": message.buttons[0][0].callback_data,
            },
        }

    async def measure_feed_update(self, chat: ChatUnderTest) -> None:
        """aiogram alone: the same callback update into a bare Dispatcher, do-nothing handler."""
        from aiogram import Bot, Dispatcher
        from aiogram.types import CallbackQuery, Update

        payload = self.card_press_update(chat)
        bot = Bot(BOT_TOKEN)
        dispatcher = Dispatcher()

        @dispatcher.callback_query()
        async def do_nothing(query: CallbackQuery) -> None:
            return None

        try:
            update = Update.model_validate(payload, context={"bot": bot})
            for _ in range(min(200, self.plan.feed_iterations)):  # warm-up
                await dispatcher.feed_update(bot, update)
            for _ in range(self.plan.feed_iterations):
                started = time.perf_counter()
                await dispatcher.feed_update(bot, update)
                self.results.feed_update.append(time.perf_counter() - started)
            for _ in range(self.plan.feed_iterations):
                started = time.perf_counter()
                parsed = Update.model_validate(payload, context={"bot": bot})
                await dispatcher.feed_update(bot, parsed)
                self.results.parse_and_feed.append(time.perf_counter() - started)
        finally:
            await bot.session.close()

    async def measure_raw_client(self, chat: ChatUnderTest) -> None:
        """The Call API client alone: record.call from this process to the simulator."""
        client = CallApiClient(base_url=self.sim_url)
        api = client.bind(PermanentKeyCredentials(access_key(chat.index)))
        recording = bool(self.simulator.control.call(chat.call_session_id)["recording"])
        try:
            for number in range(self.plan.client_iterations + 20):
                requested = self.probe.expect_request(chat.call_session_id)
                started = time.perf_counter()
                await api.record_call(
                    call_session_id=chat.call_session_id,
                    action="off" if recording else "on",
                )
                recording = not recording
                finished = time.perf_counter()
                received = await asyncio.wait_for(requested, 10)
                if number >= 20:  # the first ones warm the connection pool up
                    self.results.client_to_request.append(received - started)
                    self.results.client_round_trip.append(finished - started)
        finally:
            await client.aclose()

    def which_updates_are_claimed(self, chat: ChatUnderTest) -> None:
        """Ask the claim middleware's own test whether a card press / a message is claimed."""
        from aiogram.types import Update

        from bot.update_claims import fingerprint_of

        press = Update.model_validate(self.card_press_update(chat))
        self.results.card_press_claimed = fingerprint_of(press) is not None
        calls = Update.model_validate(
            {
                "update_id": 2,
                "message": {
                    "message_id": 1,
                    "date": int(time.time()),
                    "chat": {"id": chat.user_id, "type": "private"},
                    "from": self.emulator.user(chat.user_id).to_api(),
                    "text": "/calls",
                },
            }
        )
        self.results.message_claimed = fingerprint_of(calls) is not None

    async def measure_update_claims(self, chat: ChatUnderTest) -> None:
        """The update claim in isolation, as ``UpdateClaims`` runs it around a handler: the
        claim (its own transaction, committed before the handler) and "done" (another one,
        after the handler), through the bot's engine set-up, on this run's database."""
        from db.engine import create_engine, session_factory
        from db.update_claims import claim_update, finish_update

        self.which_updates_are_claimed(chat)
        engine = create_engine(self.database_url)
        sessions = session_factory(engine)
        bot_id = int(BOT_TOKEN.split(":", 1)[0])
        results = self.results
        try:
            for number in range(WARM_UP + self.plan.claim_iterations):
                update_id = CLAIM_FIRST_UPDATE_ID + number
                fingerprint = f"message:{chat.user_id}:{update_id}"
                started = time.perf_counter()
                async with sessions.begin() as session:
                    claim = await claim_update(
                        session, bot_id=bot_id, update_id=update_id, fingerprint=fingerprint
                    )
                taken = time.perf_counter()
                async with sessions.begin() as session:
                    await finish_update(session, bot_id=bot_id, update_id=update_id)
                done = time.perf_counter()
                if not claim.won:
                    raise RuntimeError(f"update claim {update_id} lost: {claim.earlier}")
                if number >= WARM_UP:
                    results.claim_take.append(taken - started)
                    results.claim_done.append(done - taken)
                    results.claim_round_trip.append(done - started)
        finally:
            await engine.dispose()

    def measure_journal_intents(self, chat: ChatUnderTest) -> None:
        """The journal intent per press: ``journal_intent`` into a segment journal in the data
        directory (the bot's audit journal is there too), with and without building the row."""
        from api.envelope import RequestIdFactory

        journal = Journal(self.data_dir / "intent-journal")
        journal.open()
        request_ids = RequestIdFactory()
        results = self.results
        try:
            record = intent_record(chat, 0, request_ids())
            results.intent_line_bytes = len(INTENT_PREFIX) + len(record.to_json())  # + "\n" - "{"
            for number in range(WARM_UP + self.plan.intent_iterations):
                started = time.perf_counter()
                record = intent_record(chat, number, request_ids())
                built = time.perf_counter()
                journal_intent(journal, record)
                appended = time.perf_counter()
                if number >= WARM_UP:
                    results.intent_append.append(appended - built)
                    results.intent_with_create.append(appended - started)
        finally:
            journal.close()

    async def measure_fresh_start(self) -> FreshStart:
        """A new bot process on the cards the stopped one left: from its spawn, a press on one
        card, and another on the next card every FRESH_PRESS_INTERVAL, until one reaches UIS.
        Every press injected is answered before the process is stopped."""
        fresh = FreshStart()
        chats = [chat for chat in self.chats if chat.card_message_id][:FRESH_MAX_PRESSES]
        presses: list[FreshPress] = []
        self.probe.watch_polling()
        spawned = time.perf_counter()
        child = await Child.start(
            [sys.executable, "-m", "bot.cli", "run"],
            self.bot_environment(),
            self.data_dir / "fresh.log",
        )
        try:
            deadline = spawned + FRESH_TIMEOUT
            while child.process.returncode is None and time.perf_counter() < deadline:
                if len(presses) < len(chats):
                    chat = chats[len(presses)]
                    requested = self.probe.expect_request(chat.call_session_id)
                    injected = time.perf_counter() - spawned
                    query_id = await self.tap_record(chat)
                    answered = self.probe.expect_answer(query_id)
                    presses.append(FreshPress(chat, query_id, injected, requested, answered))
                next_press = spawned + len(presses) * FRESH_PRESS_INTERVAL
                if len(presses) == len(chats):
                    next_press = deadline
                waiting = [press.requested for press in presses]
                waiting += [press.answered for press in presses if not press.answered.done()]
                await asyncio.wait(
                    waiting,
                    timeout=max(0.0, next_press - time.perf_counter()),
                    return_when=asyncio.FIRST_COMPLETED,
                )
                if any(press.requested.done() for press in presses):
                    break
                if len(presses) == len(chats) and all(p.answered.done() for p in presses):
                    break  # every press was refused: none will reach UIS
            reached = [press for press in presses if press.requested.done()]
            if not reached:
                print(child.log_text()[-4000:], file=sys.stderr)
                raise TimeoutError("no press from the fresh bot process reached UIS")
            first = min(reached, key=lambda press: press.requested.result())
            if self.probe.first_poll is not None:
                fresh.to_polling = self.probe.first_poll - spawned
            fresh.to_first_request = first.requested.result() - spawned
            fresh.first_injected = first.injected
            # Every press answered (a request or a refusal): none is left for the floor bot.
            await asyncio.wait([press.answered for press in presses], timeout=PRESS_TIMEOUT_SECONDS)
            if first.answered.done():
                fresh.first_answered = first.answered.result() - spawned
            fresh.presses = len(presses)
            for press in presses:
                if press.requested.done():
                    fresh.reached += 1
                    continue
                self.probe.cancel_request(press.chat.call_session_id)
                if press.answered.done():
                    text = self.probe.answer_texts.get(press.query_id) or ""
                    fresh.refused[text] = fresh.refused.get(text, 0) + 1
        finally:
            status = await child.stop()
            self.note_log_problems("fresh process", child, status)
        return fresh

    def note_log_problems(self, who: str, child: Child, status: int) -> None:
        problems = [
            line
            for line in child.log_text().splitlines()
            if "Traceback" in line or " ERROR " in line
        ]
        if status != 0:
            problems.append(f"exited with status {status}")
        self.results.bot_log_problems += [f"{who}: {line}" for line in problems]

    async def count_audit_rows(self, method: str) -> int:
        connection = await asyncpg.connect(asyncpg_dsn(self.database_url), timeout=10)
        try:
            count = await connection.fetchval(
                "SELECT count(*) FROM audit_log WHERE method = $1", method
            )
        finally:
            await connection.close()
        return int(count)

    def bot_argv(self) -> list[str]:
        if not self.profile and not self.pin_responses:
            return [sys.executable, "-m", "bot.cli", "run"]
        # `callbot run` through a wrapper: a profiler that runs only while the presses are
        # measured, and/or aiogram's Response[...] classes pinned (see --pin-aiogram-responses).
        argv = [sys.executable, str(THIS_SCRIPT), "--wrapped-bot"]
        if self.profile:
            self.results.profile_path = self.data_dir / "bot.prof"
            argv += ["--profile-to", str(self.results.profile_path)]
        if self.pin_responses:
            argv.append("--pin-aiogram-responses")
        return argv

    async def run(self) -> Results:
        plan = self.plan
        async with (
            self.simulator.running(host="127.0.0.1", port=0) as sim_server,
            self.emulator.running(host="127.0.0.1", port=0) as emu_server,
        ):
            self.sim_url, self.emu_url = sim_server.url, emu_server.base_url
            step("set-up: database, users, keys")
            await self.prepare_database()
            step("bot process: starting")
            bot = await self.start_bot(self.bot_argv(), "bot")
            try:
                poll_chats = self.chats[: min(POLL_CARDS, len(self.chats))]
                if plan.poll_seconds > 0:
                    step(
                        f"live poll: {len(poll_chats)} cards, demo limits, {plan.poll_seconds:g} s"
                    )
                    await self.open_cards(poll_chats)
                    self.results.poll = await self.measure_poll(plan.poll_seconds)
                else:
                    await self.open_cards(poll_chats)
                self.simulator.control.set_limits(
                    points_per_minute=HUGE_POINTS, points_per_day=HUGE_POINTS
                )
                step(f"opening the other {len(self.chats) - len(poll_chats)} cards")
                await self.open_cards(self.chats[len(poll_chats) :])
                await self.run_presses("bot", self.press_card, bot)
                for entry in self.simulator.control.requests("record.call"):
                    outcome = str(entry["outcome"])
                    self.results.record_outcomes[outcome] = (
                        self.results.record_outcomes.get(outcome, 0) + 1
                    )
            finally:
                step("bot process: stopping (audit flush)")
                status = await bot.stop()
            self.note_log_problems("bot", bot, status)
            step("fresh bot process: pressing from its spawn until a press reaches UIS")
            self.results.fresh = await self.measure_fresh_start()
            self.results.record_presses = len(self.simulator.control.requests("record.call"))
            self.results.audit_rows = await self.count_audit_rows("record.call")
            for chat in self.chats:  # the floor bot toggles from the state the bots left
                chat.record_on = not self.simulator.control.call(chat.call_session_id)["recording"]
            step("in this process: update claim and journal intent per press")
            await self.measure_update_claims(self.chats[0])
            self.measure_journal_intents(self.chats[0])
            if not plan.floor_bot:
                return self.results
            step("floor bot process: starting")
            floor_argv = [sys.executable, str(THIS_SCRIPT), "--floor-bot"]
            floor = await self.start_bot(floor_argv, "floor")
            try:
                await self.run_presses("floor bot", self.press_floor, floor)
            finally:
                await floor.stop()
            step("floors in this process: aiogram feed_update, raw client call")
            await self.measure_feed_update(self.chats[0])
            await self.measure_raw_client(self.chats[0])
        return self.results

    async def run_presses(self, who: str, press: Press, child: Child) -> None:
        plan = self.plan
        # The world (emulator, simulator, driver) shares one core and is the harness's ceiling:
        # it gets the garbage-collector set-up the bot runs with (bot.app), for both bots.
        tune_garbage_collector()
        warm = self.chats[: min(50, len(self.chats))]
        await measure("warm-up", warm, press, serial_presses=len(warm), child=child)
        profiling = self.profile and who == "bot"
        if profiling:
            child.process.send_signal(signal.SIGUSR1)
            await asyncio.sleep(0.2)
        step(f"{who}: {plan.serial_presses} serial presses")
        polls_before = len(self.simulator.control.requests("list.calls"))
        serial = await measure(
            f"{who}, serial", self.chats, press, serial_presses=plan.serial_presses, child=child
        )
        polls_after = len(self.simulator.control.requests("list.calls"))
        serial.list_calls = polls_after - polls_before
        self.results.phases.append(serial)
        step(f"{who}: {len(self.chats)} chats pressing for {plan.load_seconds:g} s")
        loaded = await measure(
            f"{who}, {len(self.chats)} chats",
            self.chats,
            press,
            seconds=plan.load_seconds,
            child=child,
        )
        loaded.list_calls = len(self.simulator.control.requests("list.calls")) - polls_after
        self.results.phases.append(loaded)
        if profiling:
            child.process.send_signal(signal.SIGUSR2)
            assert self.results.profile_path is not None
            profile_path = self.results.profile_path
            await wait_until("the profile", lambda: os.path.exists(profile_path), 60)


def step(text: str) -> None:
    print(f"-- {text}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- report


NO_VERDICT = "no verdict on a smoke run"


def verdict(ok: bool, judged: bool = True) -> str:
    if not judged:
        return NO_VERDICT
    return "OK" if ok else "MISS"


def report(results: Results) -> None:
    plan = results.plan
    print(
        f"\nBot button press: Record on/off (one record.call) with {plan.users} chats, each with "
        "a live call card; audit on PostgreSQL"
    )
    if results.pinned_responses:
        print(
            "(bot run with aiogram's Response[...] models pinned by the benchmark: NOT as shipped)"
        )
    header = (
        f"{'phase':<24}{'presses':>8}{'fail':>6}{'p50 →UIS':>10}{'p99 →UIS':>10}"
        f"{'p50 →ans':>10}{'p99 →ans':>10}{'presses/s':>11}{'bot CPU':>9}{'world CPU':>10}"
    )
    print(header)
    print("-" * len(header))
    for phase in results.phases:
        span = phase.cpu_span_seconds or 1.0
        request, answer = phase.to_request, phase.to_answer
        print(
            f"{phase.label:<24}{len(answer):>8}{phase.failures:>6}"
            f"{ms(percentile(request, 0.5)):>10}{ms(percentile(request, 0.99)):>10}"
            f"{ms(percentile(answer, 0.5)):>10}{ms(percentile(answer, 0.99)):>10}"
            f"{phase.presses_per_second:>11.1f}"
            f"{100 * phase.bot_cpu_seconds / span:>8.0f}%"
            f"{100 * phase.world_cpu_seconds / span:>9.0f}%"
        )
    print("(times in ms; →UIS = injection to the simulator's receipt of record.call, →ans = to")
    print(" the bot's answerCallbackQuery; CPU = share of one core over the serial phase, or")
    print(" over the window when every chat presses: not the drain of late presses after it)")
    for phase in results.phases:
        for text, count in sorted(phase.refused.items(), key=lambda item: -item[1]):
            print(f"  {phase.label}: {count} press(es) answered without a request: {text!r}")
    for phase in results.phases:
        if phase.list_calls and phase.elapsed_seconds:
            print(
                f"  {phase.label}: {phase.list_calls} list.calls (live poll and confirming "
                f"refreshes), {phase.list_calls / phase.elapsed_seconds:.2f}/s"
            )
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(results.record_outcomes.items()))
    print(f"  record.call outcomes in the simulator during the bot phases: {outcomes}")
    feed_p50 = percentile(results.feed_update, 0.5)
    client_p50 = percentile(results.client_to_request, 0.5)
    print("\nFloors (this process):")
    print(
        f"  aiogram feed_update, do-nothing handler   p50 {ms(feed_p50)}   p99 "
        f"{ms(percentile(results.feed_update, 0.99))}  ({len(results.feed_update)} runs)"
    )
    print(
        f"  parse Update + feed_update                p50 "
        f"{ms(percentile(results.parse_and_feed, 0.5))}   p99 "
        f"{ms(percentile(results.parse_and_feed, 0.99))}"
    )
    print(
        f"  raw client record.call → receipt          p50 {ms(client_p50)}   p99 "
        f"{ms(percentile(results.client_to_request, 0.99))}   round trip p50 "
        f"{ms(percentile(results.client_round_trip, 0.5))}"
    )
    report_claims_and_intents(results)
    by_label = {phase.label: phase for phase in results.phases}
    bot_serial = by_label.get("bot, serial")
    floor_serial = by_label.get("floor bot, serial")
    bot_load = by_label.get(f"bot, {plan.users} chats")
    floor_load = by_label.get(f"floor bot, {plan.users} chats")
    print("\nVerdict:" if plan.judged else f"\nFigures ({NO_VERDICT}: too small to judge):")
    if bot_serial and floor_serial:
        added = percentile(bot_serial.to_request, 0.5) - percentile(floor_serial.to_request, 0.5)
        print(
            f"  bot adds over the floor bot (serial, p50 →UIS): {added * 1000:.2f} ms"
            f"   target <= {TARGET_ADDED_MS:g} ms: "
            f"{verdict(added * 1000 <= TARGET_ADDED_MS, plan.judged)}"
        )
        added99 = percentile(bot_serial.to_request, 0.99) - percentile(
            floor_serial.to_request, 0.99
        )
        print(f"  same at p99: {added99 * 1000:.2f} ms")
        over_floors = percentile(bot_serial.to_request, 0.5) - feed_p50 - client_p50
        transport = percentile(floor_serial.to_request, 0.5) - feed_p50 - client_p50
        print(
            f"  bot p50 →UIS minus (feed_update + raw client) p50: {over_floors * 1000:.2f} ms "
            f"(the floor bot's own remainder, i.e. update delivery: {transport * 1000:.2f} ms)"
        )
    for loaded in (bot_load, floor_load):
        per_press = cpu_per_press(loaded, "bot")
        world = cpu_per_press(loaded, "world")
        if loaded and per_press and world:
            print(
                f"  {loaded.label}: bot CPU {per_press * 1000:.2f} ms per press → "
                f"{1 / per_press:.0f} presses/s per fully used core; the world's CPU "
                f"{world * 1000:.2f} ms per press → {1 / world:.0f} presses/s at most"
            )
    report_cpu_ratio(plan, bot_load, floor_load, bot_serial, floor_serial)
    if bot_load and floor_load:
        rate = bot_load.presses_per_second
        print(
            f"  bot throughput, {plan.users} chats: {rate:.1f} presses/s"
            f"   target >= {TARGET_PRESSES_PER_SECOND:g}: "
            f"{verdict(rate >= TARGET_PRESSES_PER_SECOND, plan.judged)}"
            f"   (floor bot on the same world: {floor_load.presses_per_second:.1f} presses/s)"
        )
    print(
        f"  audit: {results.audit_rows} record.call rows in PostgreSQL for "
        f"{results.record_presses} record.call requests the bots sent (both bot processes)"
    )
    if results.bot_log_problems:
        print(f"  bot logs: {len(results.bot_log_problems)} error line(s), e.g.:")
        for line in results.bot_log_problems[:5]:
            print(f"    {line[:160]}")
    else:
        print("  bot logs: no errors")
    report_fresh_start(results)
    poll = results.poll
    if poll is not None:
        print(
            f"\nLive-card poll, {POLL_CARDS} cards open, limits {DEMO_POINTS_PER_MINUTE}/minute "
            f"{DEMO_POINTS_PER_DAY}/day:"
        )
        print(
            f"  measured: {poll.requests} list.calls in {poll.seconds:.1f} s, {poll.points:g} "
            f"points → {poll.per_minute:.1f} points/minute"
        )
        print(
            f"  LivePoller.interval() on the learned budget: {poll.predicted_interval:.1f} s → "
            f"{poll.predicted_per_minute:.1f} points/minute at {poll.cost_per_poll:g} point(s) "
            "per list.calls"
        )
        print(
            f"  when the day runs low (15% left, 6 h to reset): {poll.low_day_interval:.1f} s → "
            f"{poll.low_day_per_minute:.2f} points/minute"
        )
    if results.profile_path is not None and results.profile_path.exists():
        print(
            f"\nBot process profile ({results.profile_path.name}, the measured presses only), "
            "top by own time:"
        )
        stats = pstats.Stats(str(results.profile_path), stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(25)
        print("Bot code by cumulative time:")
        stats.sort_stats("cumulative").print_stats(rf"{re.escape(str(REPO))}/(bot|api|db)/", 30)


def cpu_per_press(phase: Samples | None, whose: str) -> float | None:
    """CPU seconds per press answered in the phase ("bot": the child process; "world")."""
    if phase is None or not phase.presses_per_second or not phase.cpu_span_seconds:
        return None
    seconds = phase.bot_cpu_seconds if whose == "bot" else phase.world_cpu_seconds
    return seconds / phase.cpu_span_seconds / phase.presses_per_second


def report_cpu_ratio(
    plan: Plan,
    bot_load: Samples | None,
    floor_load: Samples | None,
    bot_serial: Samples | None,
    floor_serial: Samples | None,
) -> None:
    """The bot's CPU per press over the floor bot's: judged with every chat pressing."""
    bot_cpu, floor_cpu = cpu_per_press(bot_load, "bot"), cpu_per_press(floor_load, "bot")
    if bot_cpu and floor_cpu:
        ratio = bot_cpu / floor_cpu
        met = ratio <= TARGET_CPU_RATIO
        print(
            f"  bot CPU per press / floor bot CPU per press, {plan.users} chats: {ratio:.2f}x"
            f"   target <= {TARGET_CPU_RATIO:g}x: {verdict(met, plan.judged)}"
        )
        if plan.judged:
            over = bot_cpu - TARGET_CPU_RATIO * floor_cpu
            print(
                f"  CPU target {'met' if met else 'missed'}: the bot spends {bot_cpu * 1000:.2f} ms"
                f" per press, the floor bot {floor_cpu * 1000:.2f} ms; {TARGET_CPU_RATIO:g}x the"
                f" floor is {TARGET_CPU_RATIO * floor_cpu * 1000:.2f} ms"
                + ("" if met else f", {over * 1000:.2f} ms per press over it")
            )
    bot_cpu, floor_cpu = cpu_per_press(bot_serial, "bot"), cpu_per_press(floor_serial, "bot")
    if bot_cpu and floor_cpu:
        print(
            f"  same, serial phases: {bot_cpu / floor_cpu:.2f}x ({bot_cpu * 1000:.2f} / "
            f"{floor_cpu * 1000:.2f} ms; idle waits and the live poll included)"
        )


def report_claims_and_intents(results: Results) -> None:
    """Per-press costs timed in isolation here (the bot's figures above hold neither)."""
    if results.claim_round_trip:
        claimed = {True: "claimed", False: "NOT claimed", None: "not checked"}
        label, runs = "update claim + done (2 transactions)", len(results.claim_round_trip)
        print(f"  {label:<42}{us(results.claim_round_trip)}  ({runs} runs)")
        print(f"  {'  claim, committed before the handler':<42}{us(results.claim_take)}")
        print(f"  {'  done, after the handler':<42}{us(results.claim_done)}")
        print(
            f"    card presses (signed one-shot buttons) are {claimed[results.card_press_claimed]}"
            f" by the middleware; messages (/calls, /call ...) are "
            f"{claimed[results.message_claimed]}"
        )
        if results.card_press_claimed is False:
            print(
                "    so the bot's press figures above hold no update claim (a card press "
                "consumes its one-shot token instead)"
            )
    if results.intent_append:
        label = f"journal intent, {results.intent_line_bytes} B line, one write(2)"
        runs = len(results.intent_append)
        print(f"  {label:<42}{us(results.intent_append)}  ({runs} runs)")
        print(f"  {'  with AuditRecord.create() of the row':<42}{us(results.intent_with_create)}")
        print(
            "    included in the bot's figures above: the audit writer journals it before each "
            "Call API request"
        )


def report_fresh_start(results: Results) -> None:
    fresh = results.fresh
    if fresh is None or fresh.to_first_request is None:
        return
    print(
        f"\nFresh bot process (python -m bot.cli run) on the {results.plan.users} live cards the "
        "stopped one left, pressed from its spawn:"
    )
    if fresh.to_polling is not None:
        print(f"  spawn → first getUpdates (polling): {fresh.to_polling:.2f} s")
    answered = (
        f", answered at {fresh.first_answered:.2f} s" if fresh.first_answered is not None else ""
    )
    print(
        f"  spawn → first press at UIS: {fresh.to_first_request:.2f} s (that press injected at "
        f"{fresh.first_injected:.2f} s{answered})"
    )
    refused = "".join(f"; {count} answered {text!r}" for text, count in fresh.refused.items())
    print(
        f"  presses injected (one card each, every {FRESH_PRESS_INTERVAL:g} s until one reached "
        f"UIS): {fresh.presses}, reached UIS: {fresh.reached}{refused}"
    )


# ----------------------------------------------------------------------------- journal intent


def intent_record(chat: ChatUnderTest, update_id: int, request_id: str) -> AuditRecord:
    """The row a press's write-ahead intent stands for: request id, method, params (no
    secrets), user, update and card; its outcome unknown until the reply."""
    return AuditRecord.create(
        method="record.call",
        outcome=AuditOutcome.OUTCOME_UNKNOWN,
        params={"call_session_id": chat.call_session_id, "action": "on"},
        chat_id=chat.user_id,
        telegram_user_id=chat.user_id,
        telegram_update_id=update_id,
        callapi_login=f"bench.user.{chat.index}",
        request_id=request_id,
        call_session_id=chat.call_session_id,
    )


def journal_intent(journal: Journal, record: AuditRecord) -> None:
    """What a press pays for its intent before record.call leaves: one JSON line, one write(2).

    The encoding and append of ``AuditWriter.submit_intent(record)``, without its bookkeeping
    of open intents (measured alone, on a journal of its own)."""
    journal.append((INTENT_PREFIX + record.to_json()[1:] + "\n").encode())


# ----------------------------------------------------------------------------- floor bot


async def floor_bot() -> None:
    """A minimal aiogram bot: default Dispatcher; per press one raw record.call, then answer."""
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import CallbackQuery

    from api.client import BoundCallApi
    from api.errors import CallApiClientError

    emulator_url = os.environ["BENCH_FLOOR_EMULATOR_URL"]
    client = CallApiClient(base_url=os.environ["BENCH_FLOOR_SIMULATOR_URL"])
    bot = Bot(BOT_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(emulator_url)))
    apis: dict[int, BoundCallApi] = {}
    dispatcher = Dispatcher()

    @dispatcher.callback_query()
    async def press(query: CallbackQuery) -> None:
        _, session_id, index, action, _padding = (query.data or "").split(":", 4)
        api = apis.get(int(index))
        if api is None:
            api = apis[int(index)] = client.bind(PermanentKeyCredentials(access_key(int(index))))
        try:
            await api.record_call(
                call_session_id=int(session_id), action="on" if action == "on" else "off"
            )
        except CallApiClientError as exc:  # the request reached UIS: that is what is timed
            await query.answer(str(exc)[:190])
            return
        await query.answer()

    try:
        await dispatcher.start_polling(bot, handle_signals=True)
    finally:
        await client.aclose()


def pin_aiogram_responses() -> list[object]:
    """Strong references to aiogram's parametrised ``Response[...]`` models.

    aiogram builds ``Response[method.__returning__]`` for every Bot API reply; pydantic caches
    parametrised generics in a WeakValueDictionary only, and in the bot process the classes
    are collected between calls, so each reply rebuilt its model (milliseconds each). Holding
    a reference keeps the cache warm. Benchmark-only: shows what the fix would buy.
    """
    from aiogram import methods

    pinned: list[object] = []
    for name in dir(methods):
        method = getattr(methods, name)
        returning = getattr(method, "__returning__", None)
        if isinstance(method, type) and returning is not None:
            with contextlib.suppress(Exception):
                pinned.append(methods.Response.__class_getitem__(returning))
    return pinned


def wrapped_bot(profile_path: str | None, pin: bool) -> int:
    """`callbot run`, optionally profiled from SIGUSR1 until SIGUSR2 (then stats are written)."""
    import cProfile
    import types

    pinned = pin_aiogram_responses() if pin else []
    profiler = cProfile.Profile()

    def start(signum: int, frame: types.FrameType | None) -> None:
        profiler.enable()

    def stop(signum: int, frame: types.FrameType | None) -> None:
        profiler.disable()
        if profile_path:
            profiler.dump_stats(profile_path)

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    from bot.cli import main as callbot

    status = callbot(["run"])
    del pinned
    return status


async def run(
    plan: Plan, profile: bool, pin_responses: bool, save_profile: Path | None = None
) -> int:
    async with temporary_database("callbot_bench_bot") as database_url:
        with tempfile.TemporaryDirectory(prefix="bench-bot-") as data_dir:
            bench = Bench(plan, database_url, Path(data_dir), profile, pin_responses)
            results = await bench.run()
            report(results)
            if save_profile is not None and results.profile_path is not None:
                shutil.copyfile(results.profile_path, save_profile)
                print(f"(profile saved to {save_profile})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny CI run (~60-90 s)")
    parser.add_argument("--profile", action="store_true", help="cProfile the bot process")
    parser.add_argument("--users", type=int, help="chats with a live card (default 1000)")
    parser.add_argument(
        "--save-profile", type=Path, help="with --profile: keep the bot's cProfile file here"
    )
    parser.add_argument(
        "--bot-only",
        action="store_true",
        help="skip the live-poll phase and the floor bot (quick iterations; no verdict)",
    )
    parser.add_argument("--floor-bot", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--pin-aiogram-responses",
        action="store_true",
        help="run the bot with aiogram's Response[...] models pinned (what the fix would buy)",
    )
    parser.add_argument("--wrapped-bot", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.wrapped_bot:
        return wrapped_bot(args.profile_to, args.pin_aiogram_responses)
    if args.floor_bot:
        asyncio.run(floor_bot())
        return 0
    import dataclasses
    import logging

    logging.basicConfig(level=logging.WARNING)
    plan = SMOKE if args.smoke else FULL
    if args.users:
        plan = dataclasses.replace(plan, users=max(1, args.users))
    if args.bot_only:
        plan = dataclasses.replace(plan, poll_seconds=0.0, floor_bot=False)
    started = time.perf_counter()
    status = asyncio.run(run(plan, args.profile, args.pin_aiogram_responses, args.save_profile))
    print(f"\n(total run time {time.perf_counter() - started:.0f} s)")
    return status


if __name__ == "__main__":
    sys.exit(main())
