"""Property/fuzz tier: random messages and button presses through the production dispatcher.

The real bot runs against the Telegram emulator and the UIS simulator (``e2e_kit.world``) in
a thread of its own; hypothesis drives it from the test thread, one update at a time (the
next update is sent when the bot is idle again). Properties, over every message handler
(every command with any arguments, conversation steps, free text, shared contacts, files,
commands and mentions in a group) and every callback prefix:

- every update gets an answer: a message a bot message, a press its callback answer;
- invalid input sends nothing to UIS that acts: the only Call API requests allowed are the
  reads that verify what the user typed at a key or password step (``list.calls``,
  ``login.user``); no call is started or changed (args never contain digits for the signed-in
  manager, and the admin fuzzed here is neither signed in nor linked to an employee);
- no ERROR line is logged: aiogram logs an exception escaping a handler at ERROR.

The figures (updates tried, answered, ERROR lines) are printed; ``pytest -s`` shows them.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from e2e_kit import MANAGER, World, world
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.texts import ALL_COMMANDS
from sandbox.world import DEMO_ADMIN_ID

pytestmark = pytest.mark.e2e

T = TypeVar("T")

EXAMPLES = 500
ALLOWED_METHODS = {"list.calls", "login.user"}
CALLBACK_PREFIXES = ("k", "login:", "set:", "vn:", "scn:", "inf:", "hold:", "fav:", "fav:rm:")
KNOWN_SUFFIXES = (
    "key",
    "password",
    "stay",
    "once",
    "cancel",
    "menu",
    "vn",
    "hold",
    "region",
    "fav",
    "emp",
    "add",
    "rm",
    "79031234567",
    "²",
    "١٢",
    str(2**31),
    str(2**63),
    str(2**70),
    "-1",
    "0",
    "1",
)


@dataclass
class Figures:
    updates: int = 0
    answered: int = 0
    errors: list[str] = field(default_factory=list)


class ErrorLines(logging.Handler):
    def __init__(self, figures: Figures) -> None:
        super().__init__(logging.ERROR)
        self.figures = figures

    def emit(self, record: logging.LogRecord) -> None:
        self.figures.errors.append(f"{record.name}: {record.getMessage()}"[:300])


class WorldThread:
    """An e2e world living in its own event loop, driven synchronously from hypothesis."""

    def __init__(self, tmp_path: Path) -> None:
        self._tmp_path = tmp_path
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._failure: BaseException | None = None
        self.here: World | None = None
        self._thread = threading.Thread(target=self._main, daemon=True)

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported to the test thread
            self._failure = exc
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with world(self._tmp_path) as here:
            here.sim.set_limits(points_per_minute=100_000, points_per_day=1_000_000)
            here.emu.add_user(DEMO_ADMIN_ID, "Анна", language_code="ru")
            await here.say("/start", DEMO_ADMIN_ID)
            here.emu.add_group(GROUP, "Продажи", [MANAGER, DEMO_ADMIN_ID])
            self.here = here
            self._ready.set()
            await self._stop.wait()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=120)

    def __enter__(self) -> WorldThread:
        self._thread.start()
        self._ready.wait(timeout=120)
        if self._failure is not None:
            raise self._failure
        assert self.here is not None, "the world did not start"
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=120)


@contextmanager
def error_lines(figures: Figures) -> Iterator[None]:
    handler = ErrorLines(figures)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)


# --- what a user can send ------------------------------------------------------------------

_free_text = st.text(
    alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=120
).filter(lambda text: bool(text.strip()))
_no_digits = _free_text.filter(lambda text: not any(char.isdigit() for char in text))
_arguments = st.one_of(st.sampled_from(KNOWN_SUFFIXES), _free_text)


@dataclass(frozen=True)
class Say:
    user_id: int
    text: str


@dataclass(frozen=True)
class Press:
    user_id: int
    data: str


@dataclass(frozen=True)
class ShareContact:
    user_id: int
    phone_number: str


@dataclass(frozen=True)
class SendFile:
    user_id: int
    file_name: str
    content: bytes
    caption: str | None


@dataclass(frozen=True)
class SayInGroup:
    """A group message meant for the bot: a command, or a mention of it."""

    user_id: int
    text: str


GROUP = -100900
Update = Say | Press | ShareContact | SendFile | SayInGroup


def _command(arguments: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda command, args, mention: f"/{command}{'@uis_call_bot' if mention else ''} {args}",
        st.sampled_from(ALL_COMMANDS),
        arguments,
        st.booleans(),
    )


def _callback_data() -> st.SearchStrategy[str]:
    data = st.builds(
        lambda prefix, suffix: prefix + suffix,
        st.sampled_from(CALLBACK_PREFIXES),
        st.one_of(st.sampled_from(KNOWN_SUFFIXES), st.text(min_size=0, max_size=60)),
    ) | st.text(min_size=1, max_size=64)
    return data.filter(lambda value: len(value.encode()) <= 64)


def updates() -> st.SearchStrategy[Update]:
    # The manager is signed in and linked to an employee: without digits nothing can be a
    # number to call. The admin may type anything: they can start no call at all.
    manager_says = st.builds(Say, st.just(MANAGER), st.one_of(_command(_no_digits), _no_digits))
    admin_says = st.builds(Say, st.just(DEMO_ADMIN_ID), st.one_of(_command(_arguments), _free_text))
    presses = st.builds(Press, st.sampled_from([MANAGER, DEMO_ADMIN_ID]), _callback_data())
    anyone = st.sampled_from([MANAGER, DEMO_ADMIN_ID])
    contacts = st.builds(ShareContact, anyone, st.text(min_size=1, max_size=30))
    files = st.builds(
        SendFile,
        st.just(DEMO_ADMIN_ID),  # the admin's /catalog step takes files
        st.sampled_from(["catalog.json", "catalog.csv", "notes.txt", "x"]),
        st.binary(min_size=1, max_size=300),
        st.none() | _no_digits,
    )
    in_group = st.builds(
        SayInGroup,
        st.just(MANAGER),
        st.one_of(
            _command(_no_digits),
            st.builds(lambda text: f"@uis_call_bot {text}", _no_digits),
            st.just("@uis_call_bot"),
        ),
    )
    return st.one_of(manager_says, admin_says, presses, contacts, files, in_group)


async def deliver(here: World, update: Update, figures: Figures) -> None:
    figures.updates += 1
    if isinstance(update, Press):
        press = await here.emu.send_callback_query(update.user_id, update.data)
        await here.emu.wait_for_callback_answer(press.query_id, timeout=30)
    else:
        chat = GROUP if isinstance(update, SayInGroup) else update.user_id
        if isinstance(update, Say | SayInGroup):
            await here.emu.send_message(chat, update.text, user_id=update.user_id)
        elif isinstance(update, ShareContact):
            await here.emu.send_contact(chat, phone_number=update.phone_number, first_name="C")
        else:
            await here.emu.send_document(
                chat, update.file_name, update.content, caption=update.caption
            )
        await here.emu.wait_for_bot_message(chat, timeout=30)
    figures.answered += 1
    # One update at a time: the next one goes when every handler has finished.
    assert await here.sandbox.app.in_flight.wait_idle(60)


def test_every_random_update_is_answered_without_errors_or_call_api_actions(
    tmp_path: Path,
) -> None:
    figures = Figures()
    with WorldThread(tmp_path) as running, error_lines(figures):
        here = running.here
        assert here is not None

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        @given(update=updates())
        def one_update(update: Update) -> None:
            running.run(deliver(here, update, figures))

        try:
            one_update()
        finally:
            methods = {request["method"] for request in here.requests()}
            print(
                f"\nfuzz tier: {figures.updates} updates tried, {figures.answered} answered, "
                f"{len(figures.errors)} ERROR lines; Call API methods: {sorted(methods)}"
            )
    assert figures.errors == []
    assert figures.answered == figures.updates
    assert methods <= ALLOWED_METHODS
