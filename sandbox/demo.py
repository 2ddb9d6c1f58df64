"""`callbot demo`: the whole bot offline in one process, driven from a terminal chat.

The UIS simulator (real clock, parties pick up by themselves after a couple of seconds), the
Telegram Bot API emulator and the real bot (polling the emulator) run together on an embedded
SQLite database in a throw-away data directory. The terminal plays the demo manager's Telegram
client: typed lines are sent as messages, numbered buttons are pressed, and every message the
bot sends or edits is printed as the chat would show it (Telegram renders the HTML, so the text
comes without tags), together with the toasts and alerts of button answers.

Lines starting with "!" drive the demo itself (see ``!help``). ``--script FILE`` runs the same
lines without a terminal and exits non-zero at the first line that fails, which makes the demo
a smoke test of the whole stack.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shlex
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from sandbox.telegram import TelegramEmulator
from sandbox.telegram.errors import EmulatorError, EmulatorTimeout
from sandbox.telegram.models import BotEvent, VisibleMessage
from sandbox.uis import SimulatorOptions
from sandbox.uis.clock import RealClock
from sandbox.world import (
    DEMO_EMPLOYEE_ID,
    DEMO_MANAGER_ID,
    Sandbox,
    admit_manager,
    running_sandbox,
)

DEMO_KEY = "demo-key-manager-0001"
INBOUND_CONTACT = "79031234567"
DEFAULT_AUTO_ANSWER_SECONDS = 2.0
# A press is answered by the bot within this time or the line fails (the simulator is local).
PRESS_TIMEOUT_SECONDS = 20.0
# After each line: wait until the bot is idle and the chat has been quiet this long.
QUIET_SECONDS = 0.3
SETTLE_TIMEOUT_SECONDS = 20.0
DEFAULT_EXPECT_TIMEOUT_SECONDS = 20.0
SCRIPT_RESOURCE = "demo_script.txt"

_OUTPUT_KINDS = frozenset({"sent", "edited", "deleted", "callback_answer", "api_error"})

TEXTS: dict[str, dict[str, str]] = {
    "ru": {
        "intro": (
            "UIS Call Bot — офлайн-демо\n"
            "Всё работает на этом компьютере: симулятор UIS Call API, эмулятор Telegram и "
            "настоящий бот в одном процессе. Никуда в сеть демо не ходит.\n"
            "Стороны звонка снимают трубку сами через {auto} с (или сразу по !answer).\n"
            "\n"
            "Администратор уже одобрил вас (пользователь {user}) и привязал к сотруднику UIS "
            "{employee} «Иван Петров».\n"
            "Войдите в UIS: /login → «Ключ доступа» → {key}\n"
            "Потом попробуйте /call 89031234567 и кнопки карточки звонка.\n"
            "Кнопка — её номер (или !press N); номер телефона, когда бот его просит, "
            "отправляется текстом. Команды демо начинаются с «!» (список: !help); выход: "
            "!quit или Ctrl-D."
        ),
        "admitted": (
            "[демо] как администратор: пользователь {user} одобрен и привязан к сотруднику "
            "{employee} (Иван Петров)"
        ),
        "data_dir": "[демо] данные: {path}",
        "inbound": (
            "[демо] входящий звонок с {contact} сотруднику {employee}, звонок {call}: "
            "он звонит; /calls покажет его"
        ),
        "missed": (
            "[демо] входящий звонок с {contact} сотруднику {employee}, звонок {call}: клиент "
            "положил трубку, не дождавшись ответа"
        ),
        "answered": "[демо] звонок {call}: ответил участник {leg} ({number})",
        "failed": "[демо] звонок {call}: участник {leg} ({number}) не ответил",
        "hung_up": "[демо] звонок {call}: участник {leg} ({number}) положил трубку",
        "waited": "[демо] прошло {seconds} с",
        "expected": "[демо] есть: «{text}»",
        "bye": "[демо] выключаемся…",
        "done": "[демо] бот остановлен, журнал аудита записан",
    },
    "en": {
        "intro": (
            "UIS Call Bot: offline demo\n"
            "Everything runs on this computer: the UIS Call API simulator, a Telegram emulator "
            "and the real bot, in one process. The demo never touches the network.\n"
            "Called parties pick up by themselves after {auto} s (or at once with !answer).\n"
            "\n"
            "An administrator has approved you (user {user}) and linked you to UIS employee "
            "{employee} (Иван Петров).\n"
            "Sign in to UIS: /login → “Access key” → {key}\n"
            "Then try /call 89031234567 and the buttons of the call card.\n"
            "Press a button by its number (or !press N); a phone number the bot asks for is "
            "sent as text. Demo commands start with '!' (list: !help); quit with !quit or "
            "Ctrl-D."
        ),
        "admitted": (
            "[demo] as the administrator: user {user} approved and linked to employee "
            "{employee} (Иван Петров)"
        ),
        "data_dir": "[demo] data: {path}",
        "inbound": (
            "[demo] inbound call from {contact} to employee {employee}, call {call}: "
            "it is ringing; /calls shows it"
        ),
        "missed": (
            "[demo] inbound call from {contact} to employee {employee}, call {call}: the client "
            "hung up before anyone answered"
        ),
        "answered": "[demo] call {call}: party {leg} ({number}) answered",
        "failed": "[demo] call {call}: party {leg} ({number}) did not answer",
        "hung_up": "[demo] call {call}: party {leg} ({number}) hung up",
        "waited": "[demo] {seconds} s passed",
        "expected": "[demo] seen: “{text}”",
        "bye": "[demo] shutting down…",
        "done": "[demo] bot stopped, audit log flushed",
    },
}

HELP = """\
Demo commands (everything else you type is sent to the bot as a chat message):
  N                      press button N of the newest message with buttons, if it has one
                         and the bot is not waiting for your answer; otherwise the digits
                         are sent as a message (a phone number, DTMF digits)
  !press N               press button N, always
  !press TEXT            press the button whose label is / contains TEXT
  !answer                the ringing party picks up (newest call first)
  !fail                  the ringing party does not answer (busy / no answer)
  !hangup                the client hangs up the newest active call
  !inbound [NUMBER]      inbound call from NUMBER (default 79031234567) to employee 101:
                         it rings your card (the simulator's events reach the bot)
  !missed [NUMBER]       the same, but the client hangs up while it rings: a missed call
                         with "Call back"
  !wait S                let S seconds pass (calls and the live card move on)
  !expect TEXT [S]       wait up to S s (default 20) until the bot shows TEXT; fails otherwise
  !calls                 the simulator's view of the calls
  !points                Call API points spent so far (simulator's accounting)
  !help                  this list
  !quit                  stop the demo (also Ctrl-D / Ctrl-C)
Lines starting with # are comments (useful in --script files)."""


class DemoLineError(Exception):
    """A demo line that could not be carried out (fails a --script run)."""


class DemoQuit(Exception):
    """The user asked to leave."""


@dataclass(frozen=True)
class DemoOptions:
    """What `callbot demo` was asked to do."""

    lang: str = "ru"
    data_dir: Path | None = None
    script: Path | None = None
    auto_answer_seconds: float = DEFAULT_AUTO_ANSWER_SECONDS


def packaged_script() -> Path:
    """The example script shipped next to this module."""
    return Path(__file__).with_name(SCRIPT_RESOURCE)


def format_buttons(message: VisibleMessage) -> list[str]:
    """One line per keyboard row, buttons numbered row by row from 1."""
    lines: list[str] = []
    number = 0
    for row in message.buttons:
        cells = []
        for button in row:
            number += 1
            cells.append(f"[{number}] {button.text}")
        lines.append("   " + "   ".join(cells))
    return lines


def format_event(event: BotEvent) -> list[str]:
    """How one bot-side event of the chat looks in the transcript."""
    if event.kind in ("sent", "edited") and event.message is not None:
        message = event.message
        verb = "new" if event.kind == "sent" else "edited"
        lines = [f"── bot · {verb} message #{message.message_id} " + "─" * 20]
        lines += [f"   {line}" for line in (message.text or "").splitlines()]
        lines += format_buttons(message)
        return lines
    if event.kind == "deleted":
        return [f"── bot · deleted message #{event.message_id}"]
    if event.kind == "callback_answer":
        if not event.text:
            return []
        label = "alert" if event.show_alert else "toast"
        return [f"   ({label}) {event.text}"]
    if event.kind == "api_error":
        return [f"   (Bot API refused {event.method}: {event.text})"]
    return []


def newest_with_buttons(messages: Iterable[VisibleMessage]) -> VisibleMessage | None:
    """The newest bot message that shows inline buttons."""
    with_buttons = [m for m in messages if m.from_bot and m.buttons]
    return max(with_buttons, key=lambda m: m.message_id, default=None)


_LEADING_SYMBOLS = re.compile(r"^[^\w]+", re.UNICODE)


def _label_core(text: str) -> str:
    return _LEADING_SYMBOLS.sub("", text).strip().casefold()


def find_button(messages: Iterable[VisibleMessage], wanted: str) -> tuple[VisibleMessage, int]:
    """The (message, flat index) of the button labelled ``wanted``, newest message first.

    Tries the exact label, then the label without its leading emoji, then a unique
    case-insensitive substring; several substring matches in one message are an error.
    """
    needle = wanted.strip().casefold()
    ordered = sorted((m for m in messages if m.from_bot and m.buttons), key=lambda m: -m.message_id)
    for message in ordered:
        texts = message.button_texts
        for match in (
            lambda label: label.casefold() == needle,
            lambda label: _label_core(label) == _label_core(wanted),
        ):
            hits = [index for index, label in enumerate(texts) if match(label)]
            if hits:
                return message, hits[0]
        hits = [index for index, label in enumerate(texts) if needle in label.casefold()]
        if len(hits) == 1:
            return message, hits[0]
        if len(hits) > 1:
            labels = ", ".join(repr(texts[index]) for index in hits)
            raise DemoLineError(f"{wanted!r} matches several buttons: {labels}")
    raise DemoLineError(f"no button {wanted!r} in the chat")


def _stdin_lines(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
    """Read the terminal in a daemon thread (input() blocks; a daemon never holds up exit)."""

    def read() -> None:
        while True:
            try:
                line = input()
            except (EOFError, OSError):
                loop.call_soon_threadsafe(queue.put_nowait, None)
                return
            loop.call_soon_threadsafe(queue.put_nowait, line)

    threading.Thread(target=read, name="demo-stdin", daemon=True).start()


class DemoChat:
    """The terminal side of the manager's chat: sends lines, prints what the bot shows."""

    def __init__(self, sandbox: Sandbox, lang: str, out: TextIO) -> None:
        self.sandbox = sandbox
        self.emulator: TelegramEmulator = sandbox.emulator
        self.lang = lang
        self.out = out
        self.chat_id = DEMO_MANAGER_ID
        self._cursor = 0  # last event seq printed

    def say(self, text_id: str, **values: Any) -> None:
        self.print(TEXTS[self.lang][text_id].format(**values))

    def print(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    # -- the bot's side ---------------------------------------------------------------

    def print_new_events(self) -> None:
        """Print the chat's bot events not printed yet, in order."""
        events = self.emulator.events(self.chat_id, after=self._cursor)
        for event in events:
            self._cursor = max(self._cursor, event.seq)
            if event.kind in _OUTPUT_KINDS:
                for line in format_event(event):
                    self.print(line)

    async def follow(self) -> None:
        """Print bot events as they happen (runs until cancelled)."""
        while True:
            with contextlib.suppress(EmulatorTimeout):
                await self.emulator.wait_for(
                    self.chat_id,
                    lambda event: event.kind in _OUTPUT_KINDS,
                    timeout=3600.0,
                    after=self._cursor,
                )
            self.print_new_events()

    async def settle(self) -> None:
        """Wait until the bot has handled what we did and the chat has been quiet a moment."""
        in_flight = self.sandbox.app.in_flight
        deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS
        await asyncio.sleep(0.05)
        while time.monotonic() < deadline:
            mark = self.emulator.checkpoint()
            await in_flight.wait_idle(max(0.0, deadline - time.monotonic()))
            await asyncio.sleep(QUIET_SECONDS)
            if (
                self.emulator.checkpoint() == mark
                and in_flight.running == 0
                and self.emulator.pending_update_count == 0
            ):
                break
        self.print_new_events()

    # -- the user's side --------------------------------------------------------------

    async def handle(self, line: str) -> None:
        """Carry out one typed line; raises DemoLineError / DemoQuit."""
        text = line.strip()
        if not text or text.startswith("#"):
            return
        if text.isdigit() and await self.digits_press_a_button(int(text)):
            await self.press_number(int(text))
        elif text.startswith("!"):
            await self.command(text[1:])
        else:
            await self.emulator.send_message(self.chat_id, text)
        await self.settle()

    async def digits_press_a_button(self, number: int) -> bool:
        """Whether a typed line of digits means "press button ``number``".

        Only when the newest message with buttons has that button AND the bot is not waiting
        for a typed answer (its conversation state is empty). Otherwise the digits are what
        the user means to say: "send the number" is answered with 89037654321, a DTMF or a
        TTS prompt with digits. ``!press N`` always presses.
        """
        message = newest_with_buttons(self.emulator.visible_messages(self.chat_id))
        if message is None or not 1 <= number <= len(message.button_texts):
            return False
        app = self.sandbox.app
        conversation = app.dispatcher.fsm.get_context(
            app.bot, chat_id=self.chat_id, user_id=self.chat_id
        )
        return await conversation.get_state() is None

    async def command(self, text: str) -> None:
        try:
            words = shlex.split(text)
        except ValueError as exc:
            raise DemoLineError(f"cannot parse !{text}: {exc}") from None
        if not words:
            raise DemoLineError("an empty ! command (see !help)")
        name, arguments = words[0].lower(), words[1:]
        handler = self._commands().get(name)
        if handler is None:
            raise DemoLineError(f"unknown demo command !{name} (see !help)")
        await handler(arguments)

    def _commands(self) -> dict[str, Callable[[list[str]], Any]]:
        return {
            "help": self._help,
            "press": self._press,
            "answer": self._answer,
            "fail": self._fail,
            "hangup": self._hang_up,
            "inbound": self._inbound,
            "missed": self._missed,
            "wait": self._wait,
            "expect": self._expect,
            "calls": self._calls,
            "points": self._points,
            "quit": self._quit,
            "exit": self._quit,
        }

    async def _help(self, arguments: list[str]) -> None:
        self.print(HELP)

    async def _quit(self, arguments: list[str]) -> None:
        raise DemoQuit

    async def _press(self, arguments: list[str]) -> None:
        if not arguments:
            raise DemoLineError("!press N or !press TEXT")
        if len(arguments) == 1 and arguments[0].isdigit():
            await self.press_number(int(arguments[0]))
            return
        message, index = find_button(
            self.emulator.visible_messages(self.chat_id), " ".join(arguments)
        )
        await self._press_at(message, index)

    async def press_number(self, number: int) -> None:
        message = newest_with_buttons(self.emulator.visible_messages(self.chat_id))
        if message is None:
            raise DemoLineError("no message with buttons in the chat")
        count = len(message.button_texts)
        if not 1 <= number <= count:
            raise DemoLineError(
                f"message #{message.message_id} has buttons 1..{count}, not {number}"
            )
        await self._press_at(message, number - 1)

    async def _press_at(self, message: VisibleMessage, index: int) -> None:
        label = message.button_texts[index]
        self.print(f"   (you press [{index + 1}] {label})")
        try:
            await self.emulator.press_button(
                self.chat_id,
                index=index,
                message_id=message.message_id,
                timeout=PRESS_TIMEOUT_SECONDS,
            )
        except EmulatorTimeout:
            raise DemoLineError(f"the bot did not answer the press of {label!r}") from None
        except EmulatorError as exc:
            raise DemoLineError(str(exc)) from None

    def _active_calls(self) -> list[dict[str, Any]]:
        calls = self.sandbox.simulator.control.calls(include_ended=False)
        return sorted(calls, key=lambda call: call["call_session_id"], reverse=True)

    def _first_leg(self, status: str) -> tuple[dict[str, Any], dict[str, Any]]:
        for call in self._active_calls():
            for leg in call["legs"]:
                if leg.get("status") == status:
                    return call, leg
        raise DemoLineError(f"no call has a {status} party right now")

    async def _answer(self, arguments: list[str]) -> None:
        call, leg = self._first_leg("ringing")
        self.sandbox.simulator.control.answer(call["call_session_id"], leg["leg_id"])
        self.say("answered", call=call["call_session_id"], leg=leg["leg_id"], number=leg["number"])

    async def _fail(self, arguments: list[str]) -> None:
        call, leg = self._first_leg("ringing")
        self.sandbox.simulator.control.fail(call["call_session_id"], leg["leg_id"])
        self.say("failed", call=call["call_session_id"], leg=leg["leg_id"], number=leg["number"])

    async def _hang_up(self, arguments: list[str]) -> None:
        for call in self._active_calls():
            contact = [leg for leg in call["legs"] if leg.get("role") == "contact"]
            talking = [leg for leg in contact if leg.get("status") == "connected"]
            if talking:
                leg = talking[0]
                self.sandbox.simulator.control.hang_up(call["call_session_id"], leg["leg_id"])
                self.say(
                    "hung_up", call=call["call_session_id"], leg=leg["leg_id"], number=leg["number"]
                )
                return
        raise DemoLineError("no active call with a client on the line")

    async def _inbound(self, arguments: list[str]) -> None:
        contact = arguments[0] if arguments else INBOUND_CONTACT
        control = self.sandbox.simulator.control
        try:
            call = control.place_inbound_call(contact, employee_id=DEMO_EMPLOYEE_ID)
        except Exception as exc:
            raise DemoLineError(f"the simulator refused the inbound call: {exc}") from None
        self.say(
            "inbound", contact=contact, employee=DEMO_EMPLOYEE_ID, call=call["call_session_id"]
        )

    async def _missed(self, arguments: list[str]) -> None:
        contact = arguments[0] if arguments else INBOUND_CONTACT
        control = self.sandbox.simulator.control
        try:
            call = control.place_inbound_call(contact, employee_id=DEMO_EMPLOYEE_ID)
            caller = next(leg for leg in call["legs"] if leg.get("role") == "contact")
            control.hang_up(call["call_session_id"], caller["leg_id"])
        except Exception as exc:
            raise DemoLineError(f"the simulator refused the inbound call: {exc}") from None
        self.say("missed", contact=contact, employee=DEMO_EMPLOYEE_ID, call=call["call_session_id"])

    async def _wait(self, arguments: list[str]) -> None:
        seconds = self._seconds(arguments[0] if arguments else "1")
        await asyncio.sleep(seconds)
        self.print_new_events()
        self.say("waited", seconds=f"{seconds:g}")

    async def _expect(self, arguments: list[str]) -> None:
        if not arguments:
            raise DemoLineError("!expect TEXT [SECONDS]")
        timeout = DEFAULT_EXPECT_TIMEOUT_SECONDS
        if len(arguments) > 1 and re.fullmatch(r"\d+(\.\d+)?", arguments[-1]):
            timeout = self._seconds(arguments.pop())
        wanted = " ".join(arguments)
        if any(wanted in (m.text or "") for m in self.emulator.visible_messages(self.chat_id)):
            self.say("expected", text=wanted)
            return
        try:
            await self.emulator.wait_for_bot_message(
                self.chat_id, text_contains=wanted, timeout=timeout, after=self._cursor
            )
        except EmulatorTimeout:
            self.print_new_events()
            raise DemoLineError(f"the bot did not show {wanted!r} within {timeout:g} s") from None
        self.print_new_events()
        self.say("expected", text=wanted)

    async def _calls(self, arguments: list[str]) -> None:
        calls = self.sandbox.simulator.control.calls()
        if not calls:
            self.print("[sim] no calls")
        for call in calls:
            legs = ", ".join(
                f"{leg.get('role')} {leg.get('number')}: {leg.get('status')}"
                for leg in call["legs"]
            )
            self.print(f"[sim] call {call['call_session_id']} {call['state']}: {legs}")

    async def _points(self, arguments: list[str]) -> None:
        report = self.sandbox.simulator.control.points()
        shown = {key: value for key, value in report.items() if key != "charges"}
        self.print(f"[sim] points: {shown}")

    @staticmethod
    def _seconds(text: str) -> float:
        try:
            seconds = float(text)
        except ValueError:
            raise DemoLineError(f"not a number of seconds: {text!r}") from None
        if not 0 <= seconds <= 600:
            raise DemoLineError("seconds must be between 0 and 600")
        return seconds


async def _admit(sandbox: Sandbox, lang: str) -> None:
    """What an admin does for a new manager, done before the manager writes.

    The bot records a user when they first write; the demo records them the same way first,
    because an admin can only approve a user the bot knows.
    """
    runtime = sandbox.runtime
    await runtime.access.see(
        DEMO_MANAGER_ID,
        username=None,
        first_name="Иван",
        last_name="Петров",
        language_code=lang,
        chat_id=DEMO_MANAGER_ID,
        chat_type="private",
        chat_title=None,
    )
    await admit_manager(runtime)
    member = await runtime.access.member(DEMO_MANAGER_ID)
    if member is None or not member.allowed or member.employee_id != DEMO_EMPLOYEE_ID:
        raise RuntimeError("the demo could not approve and link the demo manager")


@contextlib.asynccontextmanager
async def _data_dir(given: Path | None) -> AsyncIterator[Path]:
    if given is not None:
        await asyncio.to_thread(given.mkdir, parents=True, exist_ok=True)
        yield given
        return
    with tempfile.TemporaryDirectory(prefix="callbot-demo-") as path:
        yield Path(path)


def script_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Numbered lines of a script file."""
    yield from enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)


async def _run_script(chat: DemoChat, path: Path) -> int:
    for number, line in script_lines(path):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        chat.print(f"\nyou › {line.strip()}")
        try:
            await chat.handle(line)
        except DemoQuit:
            return 0
        except DemoLineError as exc:
            chat.print_new_events()
            chat.print(f"✗ {path.name}:{number}: {exc}")
            return 1
    return 0


async def _run_interactive(chat: DemoChat, echo: bool) -> int:
    """Lines from stdin; ``echo`` (stdin is not a terminal, e.g. a pipe) prints each line into
    the transcript as a script run does, since no terminal has shown it."""
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    _stdin_lines(asyncio.get_running_loop(), queue)
    follower = asyncio.create_task(chat.follow(), name="demo-follow")
    try:
        while True:
            line = await queue.get()
            if line is None:
                return 0
            if echo and line.strip():
                chat.print(f"\nyou › {line.strip()}")
            try:
                await chat.handle(line)
            except DemoQuit:
                return 0
            except DemoLineError as exc:
                chat.print(f"✗ {exc}")
    finally:
        follower.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await follower


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


async def run_demo(options: DemoOptions, out: TextIO = sys.stdout) -> int:
    """Run the demo until the script ends, !quit, EOF or Ctrl-C; returns the exit status."""
    lang = options.lang if options.lang in TEXTS else "ru"
    simulator_options = SimulatorOptions(auto_answer_seconds=options.auto_answer_seconds)
    async with _data_dir(options.data_dir) as data_dir:
        status = 1
        async with running_sandbox(
            data_dir,
            clock=RealClock(),
            simulator_options=simulator_options,
            connect_events=True,  # `!inbound` rings the manager's card, as UIS events would
        ) as sandbox:
            chat = DemoChat(sandbox, lang, out)
            sandbox.emulator.add_user(
                DEMO_MANAGER_ID, "Иван", last_name="Петров", language_code=lang
            )
            chat.say(
                "intro",
                auto=f"{options.auto_answer_seconds:g}",
                user=DEMO_MANAGER_ID,
                employee=DEMO_EMPLOYEE_ID,
                key=DEMO_KEY,
            )
            if options.data_dir is not None:
                chat.say("data_dir", path=data_dir)
            await _admit(sandbox, lang)
            chat.say("admitted", user=DEMO_MANAGER_ID, employee=DEMO_EMPLOYEE_ID)
            try:
                if options.script is not None:
                    status = await _run_script(chat, options.script)
                else:
                    status = await _run_interactive(chat, echo=not _is_terminal(sys.stdin))
            finally:
                chat.say("bye")
        chat.say("done")
    return status
