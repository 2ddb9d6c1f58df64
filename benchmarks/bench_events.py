"""UIS events: how fast an event becomes a card, and the points the live poll spends with and
without events.

Set-up (child-process variant, as ``bench_bot.py``): this process is the world - the UIS
simulator on the real clock with a generated account (one employee, Call API user and
permanent key per Telegram user) and the Telegram emulator; the bot is a child process started
as in production, ``python -m bot.cli run``, polling the emulator, with its events listener on
a free loopback port (``CALLBOT_EVENTS__HOST/PORT``, a 40-character secret, an ``https://``
public URL) and its database on a temporary PostgreSQL database on 127.0.0.1:5432 that this
script creates and drops. The simulator's notifier is subscribed to every event the bot lists,
at the bot's URL with the bot's body templates (README "Connect UIS events"), and POSTs them
over real loopback HTTP. Neither the simulator nor the emulator is modified: timestamps come
from hooks wrapped around instance attributes (the notifier's ``_dispatch`` and ``_send``, the
emulator's event log), all read from ``time.perf_counter`` in this process.

1. Event → card latency. An inbound call rings an employee (the simulator emits "waiting for
   answer"); the bot sends the Telegram user assigned to that employee a ringing card. Timed
   from the moment the notifier starts sending "waiting for answer" (``send``) to the moment
   the emulator records the bot's ``sendMessage`` of the ringing card; then the call is
   answered in the simulator and "talk started" is timed to the ``editMessageText`` that turns
   the card into the talk card. Also printed: from the event's emission (queued in the
   notifier) to the card - at 100 calls at once that includes the notifier's own queue, as it
   sends one delivery after another - and the POST round trip (the bot answers once the event
   is stored). Shapes: 1 call at a time (sequential calls, each to the next user) and N calls
   at once (N employees, each with their own user, ringing together). Target: p99 send → card
   <= 300 ms on loopback (OK/MISS printed, never asserted).

2. Points. ``list.calls`` requests the simulator receives over a window with 10 calls in talk,
   each with its card open, under the demo limits (60 points a minute, 1,000 a day): once with
   the notifier not subscribed (no event reaches the bot: cards opened with /calls, kept fresh
   by the live poll) - measured first, before the bot process has ever seen an event - and once
   with events flowing (cards drawn by "waiting for answer", turned into talk cards by "talk
   started"). Printed per minute, with the points charged, and the ratio. Whatever the bot
   does is measured: nothing here assumes what the live poll should spend.

    .venv/bin/python benchmarks/bench_events.py            # full run (a few minutes)
    .venv/bin/python benchmarks/bench_events.py --smoke    # tiny CI run (~60 s)
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import secrets
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

THIS_SCRIPT = Path(__file__).resolve()
REPO = THIS_SCRIPT.parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(THIS_SCRIPT.parent))
sys.path.insert(0, str(REPO / "tests"))  # dbtest_support: the one throwaway-database helper

from bench_bot import (  # noqa: E402
    BOT_TOKEN,
    DEMO_POINTS_PER_DAY,
    DEMO_POINTS_PER_MINUTE,
    HUGE_POINTS,
    Child,
    bot_process_environment,
    build_account,
    contact_phone,
    employee_id,
    percentile,
    prepare_users,
    step,
    user_id,
    wait_until,
)
from dbtest_support import temporary_database  # noqa: E402

from bot.events.catalog import EVENTS  # noqa: E402
from bot.texts import Lang, t  # noqa: E402
from sandbox.uis import Simulator, SimulatorOptions  # noqa: E402
from sandbox.uis.clock import RealClock  # noqa: E402

EVENTS_SECRET = "bench-events-" + secrets.token_hex(16)  # 45 characters, loopback only
TARGET_P99_MS = 300.0
POINTS_CARDS = 10
CARD_TIMEOUT = 20.0  # a card (or its edit) not seen by then counts as missing


@dataclass(frozen=True)
class Plan:
    users: int  # each with their own employee; the concurrent shape rings them all at once
    sequential_calls: int
    points_seconds: float
    judged: bool = True  # a smoke run prints its figures and no OK/MISS


FULL = Plan(users=100, sequential_calls=50, points_seconds=60.0)
SMOKE = Plan(users=2 * POINTS_CARDS, sequential_calls=5, points_seconds=8.0, judged=False)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


RINGING = t(Lang.RU, "card.phase.ringing")
TALK = t(Lang.RU, "card.phase.talk")
FINISHED = t(Lang.RU, "card.phase.finished")


@dataclass
class Timed:
    """One call's timestamps (perf_counter) on its way through the notifier and the bot."""

    chat_id: int
    call_session_id: int = 0
    ring_queued: float | None = None  # "waiting for answer" emitted (queued in the notifier)
    ring_sent: float | None = None  # the notifier starts POSTing it
    ring_answered: float | None = None  # the bot's HTTP reply to that POST
    card: float | None = None  # the emulator records sendMessage of the ringing card
    card_message_id: int = 0
    talk_queued: float | None = None
    talk_sent: float | None = None
    talk_answered: float | None = None
    talk_card: float | None = None  # editMessageText of that card into the talk card
    card_seen: asyncio.Event = field(default_factory=asyncio.Event)
    talk_seen: asyncio.Event = field(default_factory=asyncio.Event)


class Probe:
    """Hooks around the notifier (instance attributes shadow its methods) and the emulator's
    event log; neither class is modified."""

    def __init__(self, simulator: Simulator, emulator: Any) -> None:
        self.by_chat: dict[int, Timed] = {}  # the call each chat is measured on now
        self.statuses: dict[str, int] = {}  # HTTP status of the notifier's POSTs
        # (event, call_session_id) → when the notifier queued it (the event's emission), and
        # when it started POSTing it and had the bot's reply; first delivery of each only.
        self.queued: dict[tuple[str, int], float] = {}
        self.sent: dict[tuple[str, int], tuple[float, float]] = {}
        notifier = simulator.notifier
        dispatch, send = notifier._dispatch, notifier._send

        def timed_dispatch(delivery: Any, kinds: set[str]) -> None:
            if delivery.copy == 1:
                key = (delivery.event, delivery.call_session_id)
                self.queued.setdefault(key, time.perf_counter())
            dispatch(delivery, kinds)

        async def timed_send(delivery: Any) -> None:
            started = time.perf_counter()
            await send(delivery)
            finished = time.perf_counter()
            status = str(delivery.status)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            key = (delivery.event, delivery.call_session_id)
            if key not in self.sent:
                self.sent[key] = (started, finished)

        notifier._dispatch = timed_dispatch  # type: ignore[method-assign]
        notifier._send = timed_send  # type: ignore[method-assign]
        state = emulator._state
        record_event = state.record_event

        def record(kind: str, chat_id: int, **fields: Any) -> Any:
            event = record_event(kind, chat_id, **fields)
            timed = self.by_chat.get(chat_id)
            message = fields.get("message")
            if timed is not None and message is not None and kind in ("sent", "edited"):
                text = message.text or ""
                now = time.perf_counter()
                if kind == "sent" and timed.card is None and RINGING in text:
                    timed.card, timed.card_message_id = now, message.message_id
                    timed.card_seen.set()
                elif (
                    kind == "edited"
                    and timed.talk_card is None
                    and message.message_id == timed.card_message_id
                    and TALK in text
                ):
                    timed.talk_card = now
                    timed.talk_seen.set()
            return event

        state.record_event = record

    def track(self, chat_id: int, call_session_id: int) -> Timed:
        """Measure this chat's next card (of this call)."""
        timed = Timed(chat_id, call_session_id)
        self.by_chat[chat_id] = timed
        return timed

    def resolve(self, timed: Timed) -> Timed:
        """Fill in the notifier's timestamps of the call's events."""
        call = timed.call_session_id
        timed.ring_queued = self.queued.get(("waiting_for_answer", call))
        timed.talk_queued = self.queued.get(("talk_started", call))
        timed.ring_sent, timed.ring_answered = self.sent.get(
            ("waiting_for_answer", call), (None, None)
        )
        timed.talk_sent, timed.talk_answered = self.sent.get(("talk_started", call), (None, None))
        return timed


@dataclass
class Latencies:
    label: str
    calls: int = 0
    ring_send_to_card: list[float] = field(default_factory=list)
    ring_queued_to_card: list[float] = field(default_factory=list)
    ring_post: list[float] = field(default_factory=list)  # the POST's round trip
    talk_send_to_edit: list[float] = field(default_factory=list)
    talk_queued_to_edit: list[float] = field(default_factory=list)
    missing_cards: int = 0
    missing_edits: int = 0
    bot_cpu_seconds: float = 0.0
    elapsed_seconds: float = 0.0

    def add(self, timed: Timed) -> None:
        self.calls += 1
        if timed.card is None or timed.ring_sent is None or timed.ring_queued is None:
            self.missing_cards += 1
        else:
            self.ring_send_to_card.append(timed.card - timed.ring_sent)
            self.ring_queued_to_card.append(timed.card - timed.ring_queued)
        if timed.ring_sent is not None and timed.ring_answered is not None:
            self.ring_post.append(timed.ring_answered - timed.ring_sent)
        if timed.talk_card is None or timed.talk_sent is None or timed.talk_queued is None:
            self.missing_edits += 1
        else:
            self.talk_send_to_edit.append(timed.talk_card - timed.talk_sent)
            self.talk_queued_to_edit.append(timed.talk_card - timed.talk_queued)


@dataclass
class Points:
    label: str
    seconds: float
    list_calls: int
    points: float

    @property
    def per_minute(self) -> float:
        return self.list_calls / (self.seconds / 60.0) if self.seconds else 0.0

    @property
    def points_per_minute(self) -> float:
        return self.points / (self.seconds / 60.0) if self.seconds else 0.0


@dataclass
class Results:
    plan: Plan
    latencies: list[Latencies] = field(default_factory=list)
    points: list[Points] = field(default_factory=list)
    deliveries: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    bot_log_problems: list[str] = field(default_factory=list)
    # The bot's per-address limit on event requests (CALLBOT_EVENTS__RATE_*), as run.
    events_limit: str = field(default_factory=lambda: _default_events_limit())


async def wait_all(events: list[asyncio.Event]) -> None:
    """Until every event is set, for at most CARD_TIMEOUT (what is not set by then is missing)."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    if not waiters:
        return
    _done, pending = await asyncio.wait(waiters, timeout=CARD_TIMEOUT)
    for waiter in pending:
        waiter.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


class Bench:
    def __init__(
        self,
        plan: Plan,
        database_url: str,
        data_dir: Path,
        events_limit: tuple[float, int] | None = None,
    ) -> None:
        from db.crypto import generate_key
        from sandbox.telegram import TelegramEmulator

        self.plan = plan
        self.database_url = database_url
        self.data_dir = data_dir
        self.encryption_key = generate_key()
        # Nobody answers by themselves: the benchmark answers each call once its card rang.
        self.simulator = Simulator(
            account=build_account(plan.users), options=SimulatorOptions(), clock=RealClock()
        )
        self.emulator = TelegramEmulator(bot_token=BOT_TOKEN, bot_username="uis_call_bot")
        self.probe = Probe(self.simulator, self.emulator)
        self.events_port = free_port()
        self.bot_starts = 0
        self.current_bot: Child | None = None  # the one to stop if a phase fails
        self.results = Results(plan)
        self.events_limit = events_limit
        if events_limit is not None:
            rate, burst = events_limit
            self.results.events_limit = f"{rate:g}/s, burst {burst} (raised for this run)"
        self.sim_url = ""
        self.emu_url = ""

    # ------------------------------------------------------------------ set-up

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
                "CALLBOT_EVENTS__SECRET": EVENTS_SECRET,
                "CALLBOT_EVENTS__PUBLIC_URL": "https://callbot.invalid",
                "CALLBOT_EVENTS__HOST": "127.0.0.1",
                "CALLBOT_EVENTS__PORT": str(self.events_port),
                "PYTHONUNBUFFERED": "1",
            }
        )
        if self.events_limit is not None:
            rate, burst = self.events_limit
            environment["CALLBOT_EVENTS__RATE_PER_SECOND"] = f"{rate:g}"
            environment["CALLBOT_EVENTS__RATE_BURST"] = str(burst)
        return environment

    def settings(self) -> Any:
        from sandbox.world import sandbox_settings

        return sandbox_settings(
            self.data_dir,
            self.database_url,
            self.sim_url,
            self.emu_url,
            security={"encryption_keys": self.encryption_key},
        )

    async def prepare_database(self) -> None:
        """Approvals, links to employees, stored keys: what admins and users did before."""
        await prepare_users(self.database_url, self.settings(), self.plan.users)
        for index in range(self.plan.users):
            self.emulator.add_user(user_id(index), f"User {index}", language_code="ru")

    def subscribe(self) -> None:
        """Each event the bot lists, at its URL with its template (README "Connect UIS
        events"), as ``sandbox.world.running_sandbox(connect_events=True)`` does."""
        base = f"http://127.0.0.1:{self.events_port}/uis/events/{EVENTS_SECRET}"
        for spec in EVENTS:
            self.simulator.notifier.subscribe(
                spec.slug, f"{base}/{spec.slug}", template=spec.body_template()
            )

    # ------------------------------------------------------------------ calls

    def place(self, index: int) -> int:
        call = self.simulator.control.place_inbound_call(
            contact_phone(index), employee_id=employee_id(index)
        )
        return int(call["call_session_id"])

    def answer(self, call_session_id: int) -> None:
        self.simulator.control.answer(call_session_id)

    def hang_up(self, call_session_ids: list[int]) -> None:
        control = self.simulator.control
        for call_session_id in call_session_ids:
            call = control.call(call_session_id)
            if call["ended_at"] is not None:
                continue
            contact = next(leg for leg in call["legs"] if leg["role"] == "contact")
            control.hang_up(call_session_id, contact["leg_id"])

    def card_text(self, index: int, message_id: int) -> str:
        message = self.emulator.message(user_id(index), message_id)
        return (message.text or "") if message is not None else ""

    async def settle(self, cards: dict[int, int], seconds: float = 30.0) -> None:
        """Wait (without failing) until the bot has drawn these cards as finished."""
        try:
            await wait_until(
                "finished cards",
                lambda: all(FINISHED in self.card_text(i, m) for i, m in cards.items()),
                seconds,
            )
        except TimeoutError:
            step("(some cards were not drawn finished yet; going on)")

    # ------------------------------------------------------------------ latency

    async def ring_and_answer(self, indexes: list[int]) -> list[Timed]:
        """Ring these users' employees at once, wait for every ringing card, answer every call
        at once, wait for every talk card."""
        timed = [self.probe.track(user_id(index), self.place(index)) for index in indexes]
        await wait_all([item.card_seen for item in timed])
        ringing = [item for item in timed if item.card is not None]
        for item in ringing:
            self.answer(item.call_session_id)
        await wait_all([item.talk_seen for item in ringing])
        await asyncio.sleep(0.1)  # the notifier's replies to the last POSTs are in
        return [self.probe.resolve(item) for item in timed]

    async def measure_latency(self, label: str, batches: list[list[int]], bot: Child) -> None:
        samples = Latencies(label)
        cpu, started = bot.cpu_seconds(), time.perf_counter()
        placed: dict[int, int] = {}
        for batch in batches:
            for item in await self.ring_and_answer(batch):
                samples.add(item)
                placed[item.chat_id - user_id(0)] = item.card_message_id
                self.hang_up([item.call_session_id])
        samples.bot_cpu_seconds = bot.cpu_seconds() - cpu
        samples.elapsed_seconds = time.perf_counter() - started
        self.results.latencies.append(samples)
        await self.settle({index: m for index, m in placed.items() if m})

    # ------------------------------------------------------------------ points

    async def open_cards_with_calls_command(self, indexes: list[int]) -> dict[int, int]:
        """Calls answered in the simulator; each user sends /calls and gets the call's card."""
        calls = [self.place(index) for index in indexes]
        for call_session_id in calls:
            self.answer(call_session_id)
        cards: dict[int, int] = {}
        for index in indexes:
            await self.emulator.send_message(user_id(index), "/calls")

        def ready() -> bool:
            for index in indexes:
                message = self.emulator.last_bot_message(user_id(index))
                if message is not None and TALK in (message.text or "") and message.buttons:
                    cards[index] = message.message_id
            return len(cards) == len(indexes)

        await wait_until("call cards from /calls", ready, CARD_TIMEOUT)
        return cards

    async def open_cards_with_events(self, indexes: list[int]) -> dict[int, int]:
        timed = await self.ring_and_answer(indexes)
        missing = [item.chat_id for item in timed if item.talk_card is None]
        if missing:
            seen = [(item.chat_id, item.card is not None) for item in timed]
            deliveries = [
                (d["event"], d["state"], d.get("status"))
                for d in self.simulator.notifier.deliveries()[-6:]
            ]
            raise TimeoutError(
                f"no talk card from events for chats {missing} (ringing card seen: {seen}; "
                f"notifier: {self.simulator.notifier.summary()['counts']}, last deliveries: "
                f"{deliveries})"
            )
        return {item.chat_id - user_id(0): item.card_message_id for item in timed}

    async def measure_points(self, label: str, indexes: list[int], flowing: bool) -> None:
        if flowing:
            cards = await self.open_cards_with_events(indexes)
        else:
            cards = await self.open_cards_with_calls_command(indexes)
        calls = self.live_calls(indexes)
        await asyncio.sleep(2.0)  # the confirming refreshes of freshly opened cards pass
        control = self.simulator.control
        window_start = time.time()  # the simulator's real clock is time.time()
        await asyncio.sleep(self.plan.points_seconds)
        window_end = time.time()
        requests = [
            entry
            for entry in control.requests("list.calls")
            if window_start <= entry["at"] < window_end
        ]
        charges = [
            charge
            for charge in control.points()["charges"]
            if charge["method"] == "list.calls" and window_start <= charge["at"] < window_end
        ]
        self.results.points.append(
            Points(
                label=label,
                seconds=window_end - window_start,
                list_calls=len(requests),
                points=float(sum(charge["day"] for charge in charges)),
            )
        )
        stale = [i for i, m in cards.items() if TALK not in self.card_text(i, m)]
        if stale:
            step(f"(cards of users {stale} no longer show the talk at the window's end)")
        self.hang_up(calls)
        await self.settle(cards)

    def live_calls(self, indexes: list[int]) -> list[int]:
        employees = {employee_id(index) for index in indexes}
        found = []
        for call in self.simulator.control.calls(include_ended=False):
            if any(leg.get("employee_id") in employees for leg in call["legs"]):
                found.append(int(call["call_session_id"]))
        return found

    # ------------------------------------------------------------------ the run

    def note_log_problems(self, child: Child, status: int) -> None:
        problems = [
            line
            for line in child.log_text().splitlines()
            if "Traceback" in line or " ERROR " in line
        ]
        if status != 0:
            problems.append(f"exited with status {status}")
        self.results.bot_log_problems += problems

    async def run(self) -> Results:
        plan = self.plan
        async with (
            self.simulator.running(host="127.0.0.1", port=0) as sim_server,
            self.emulator.running(host="127.0.0.1", port=0) as emu_server,
        ):
            self.sim_url, self.emu_url = sim_server.url, emu_server.base_url
            step(f"set-up: database, {plan.users} users with their own employee and key")
            await self.prepare_database()
            step(f"bot process: starting (events listener on 127.0.0.1:{self.events_port})")
            bot = await self.start_bot()
            try:
                await self.run_phases(bot)
            except BaseException:
                print(bot.log_text()[-4000:], file=sys.stderr)
                for index in range(min(self.plan.users, 2 * POINTS_CARDS)):
                    last = self.emulator.last_bot_message(user_id(index))
                    text = (last.text or "")[:80] if last is not None else None
                    print(f"   chat {user_id(index)}: {text!r}", file=sys.stderr)
                raise
            finally:
                step("bot process: stopping")
                stopping = self.current_bot or bot
                status = await stopping.stop()
                self.note_log_problems(stopping, status)
            summary = self.simulator.notifier.summary()
            self.results.deliveries = dict(summary["counts"])
            self.results.statuses = dict(self.probe.statuses)
        return self.results

    async def start_bot(self) -> Child:
        self.bot_starts += 1
        bot = await Child.start(
            [sys.executable, "-m", "bot.cli", "run"],
            self.bot_environment(),
            self.data_dir / f"bot-{self.bot_starts}.log",
        )
        self.current_bot = bot
        try:
            await self.emulator.wait_for_polling(timeout=120)
        except Exception:
            print(bot.log_text()[-4000:], file=sys.stderr)
            raise
        return bot

    async def start_chats(self) -> None:
        """Every user writes /start (a bot may only write to a user who wrote to it first)."""
        indexes = list(range(self.plan.users))
        for index in indexes:
            await self.emulator.send_message(user_id(index), "/start")
        await wait_until(
            "replies to /start",
            lambda: all(self.emulator.last_bot_message(user_id(i)) for i in indexes),
            CARD_TIMEOUT * 3,
        )

    async def run_phases(self, bot: Child) -> Child:
        """Returns the bot process the phases ended with (events are connected to a new one)."""
        plan = self.plan
        step(f"{plan.users} users send /start")
        await self.start_chats()
        first = list(range(POINTS_CARDS))
        second = list(range(POINTS_CARDS, 2 * POINTS_CARDS))
        step(f"points, events not flowing: {POINTS_CARDS} cards, {plan.points_seconds:g} s")
        await self.measure_points("events not flowing", first, flowing=False)
        # Connecting events is a deployment change: the account owner sets up the
        # notifications and the bot is restarted. The process that ran without them rightly
        # judged that events do not arrive (its calls ended without "call finished"), and
        # would keep polling until an event proved otherwise.
        step("bot process: restarting with events connected")
        status = await bot.stop()
        self.note_log_problems(bot, status)
        bot = await self.start_bot()
        self.subscribe()
        step(f"points, events flowing: {POINTS_CARDS} cards, {plan.points_seconds:g} s")
        await self.measure_points("events flowing", second, flowing=True)
        self.simulator.control.set_limits(points_per_minute=HUGE_POINTS, points_per_day=HUGE_POINTS)
        step(f"latency: {plan.sequential_calls} calls, one at a time")
        users = list(range(plan.users))
        sequential = [[users[n % len(users)]] for n in range(plan.sequential_calls)]
        await self.measure_latency("1 call at a time", sequential, bot)
        step(f"latency: {plan.users} calls at once")
        await self.measure_latency(f"{plan.users} calls at once", [users], bot)
        return bot


def _default_events_limit() -> str:
    from bot.settings import EventsSettings

    defaults = EventsSettings()
    return f"{defaults.rate_per_second:g}/s, burst {defaults.rate_burst} (the bot's defaults)"


# ----------------------------------------------------------------------------- report


def ms(values: list[float], fraction: float) -> str:
    return f"{percentile(values, fraction) * 1000:8.1f}"


def verdict(ok: bool, judged: bool) -> str:
    if not judged:
        return "no verdict on a smoke run"
    return "OK" if ok else "MISS"


def report(results: Results) -> None:
    plan = results.plan
    print(
        "\nUIS events → call card: the simulator's notifier POSTs events to the bot process's "
        "events listener over loopback HTTP"
    )
    header = (
        f"{'shape':<22}{'calls':>6}{'p50':>9}{'p99':>9}{'max':>9}"
        f"{'queued p50':>11}{'queued p99':>11}{'POST p50':>10}{'miss':>6}"
    )
    for title, pick in (
        ("waiting for answer → ringing card (sendMessage)", "ring"),
        ("talk started → talk card (editMessageText)", "talk"),
    ):
        print(f"\n{title}, ms")
        print(header)
        print("-" * len(header))
        for phase in results.latencies:
            if pick == "ring":
                sent, queued, missing = (
                    phase.ring_send_to_card,
                    phase.ring_queued_to_card,
                    phase.missing_cards,
                )
                post = ms(phase.ring_post, 0.5)
            else:
                sent, queued, missing = (
                    phase.talk_send_to_edit,
                    phase.talk_queued_to_edit,
                    phase.missing_edits,
                )
                post = ""
            print(
                f"{phase.label:<22}{phase.calls:>6}{ms(sent, 0.5):>9}{ms(sent, 0.99):>9}"
                f"{ms(sent, 1.0):>9}{ms(queued, 0.5):>11}{ms(queued, 0.99):>11}{post:>10}"
                f"{missing:>6}"
            )
    print(
        "(p50/p99/max: from the notifier starting its POST to the emulator recording the bot's "
        "request;\n queued: from the event's emission, i.e. with the notifier's own queue - it "
        "sends one delivery\n after another; POST: the notifier's round trip, the bot answers "
        "once the event is stored;\n miss: no card / no edit within "
        f"{CARD_TIMEOUT:g} s)"
    )
    for phase in results.latencies:
        if phase.elapsed_seconds:
            share = 100 * phase.bot_cpu_seconds / phase.elapsed_seconds
            print(
                f"  {phase.label}: bot CPU {share:.0f}% of one core over "
                f"{phase.elapsed_seconds:.1f} s"
            )
    print("\nTarget: p99 event → card <= 300 ms on loopback")
    for phase in results.latencies:
        for name, values, missing in (
            ("ringing card", phase.ring_send_to_card, phase.missing_cards),
            ("talk card", phase.talk_send_to_edit, phase.missing_edits),
        ):
            p99 = percentile(values, 0.99) * 1000
            ok = bool(values) and missing == 0 and p99 <= TARGET_P99_MS
            print(
                f"  {phase.label}, {name}: p99 {p99:.1f} ms"
                + (f", {missing} missing" if missing else "")
                + f"   target <= {TARGET_P99_MS:g} ms: {verdict(ok, plan.judged)}"
            )
    counts = ", ".join(f"{k} {v}" for k, v in results.deliveries.items())
    statuses = ", ".join(f"HTTP {k}: {v}" for k, v in sorted(results.statuses.items()))
    print(f"  notifier deliveries: {counts} ({statuses})")
    print(
        f"  the bot's limit on event requests per sender address: {results.events_limit}; "
        "a refused\n  delivery (429) is not retried (the simulator, like UIS as documented), "
        "so its card never comes"
    )

    print(
        f"\nLive poll, {POINTS_CARDS} calls in talk with their cards open, limits "
        f"{DEMO_POINTS_PER_MINUTE}/minute {DEMO_POINTS_PER_DAY}/day:"
    )
    for points in results.points:
        print(
            f"  {points.label:<20} {points.list_calls:>4} list.calls in {points.seconds:5.1f} s"
            f" → {points.per_minute:6.1f} list.calls/minute, {points.points_per_minute:6.1f} "
            "points/minute"
        )
    by_label = {points.label: points for points in results.points}
    flowing, silent = by_label.get("events flowing"), by_label.get("events not flowing")
    if flowing and silent and silent.per_minute:
        print(
            f"  events flowing / not flowing: {flowing.per_minute / silent.per_minute:.2f}x "
            "list.calls per minute"
        )
    if results.bot_log_problems:
        print(f"  bot log: {len(results.bot_log_problems)} error line(s), e.g.:")
        for line in results.bot_log_problems[:5]:
            print(f"    {line[:160]}")
    else:
        print("  bot log: no errors")
    if not plan.judged:
        print("(smoke run: figures only prove the script works; not comparable with full runs)")


async def run(plan: Plan, events_limit: tuple[float, int] | None) -> int:
    async with temporary_database("callbot_bench_events") as database_url:
        with tempfile.TemporaryDirectory(prefix="bench-events-") as data_dir:
            bench = Bench(plan, database_url, Path(data_dir), events_limit)
            results = await bench.run()
            report(results)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny CI run (~60 s)")
    parser.add_argument("--users", type=int, help="calls ringing at once (default 100)")
    parser.add_argument("--points-seconds", type=float, help="the points windows (default 60)")
    parser.add_argument(
        "--events-rate",
        type=float,
        help="the bot's event requests per second per sender (default: the bot's, 20)",
    )
    parser.add_argument(
        "--events-burst", type=int, help="with --events-rate: its burst (default 10 x rate)"
    )
    args = parser.parse_args(argv)
    import logging

    logging.basicConfig(level=logging.WARNING)
    plan = SMOKE if args.smoke else FULL
    if args.users:
        plan = dataclasses.replace(plan, users=max(2 * POINTS_CARDS, args.users))
    if args.points_seconds:
        plan = dataclasses.replace(plan, points_seconds=args.points_seconds)
    started = time.perf_counter()
    events_limit = None
    if args.events_rate:
        events_limit = (args.events_rate, args.events_burst or round(10 * args.events_rate))
    status = asyncio.run(run(plan, events_limit))
    print(f"\n(total run time {time.perf_counter() - started:.0f} s)")
    return status


if __name__ == "__main__":
    sys.exit(main())
