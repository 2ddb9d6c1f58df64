"""End-to-end harness: emulator ↔ real bot ↔ simulator, on a fresh PostgreSQL database."""

from __future__ import annotations

import asyncio
import html
import re
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from dbtest_support import temporary_database

from bot.app import build_app, build_bot, run_webhook
from bot.events.catalog import EVENTS
from bot.runtime import Runtime, build_runtime
from bot.texts import Lang, t, text_variables
from db.migrate import upgrade_head
from sandbox.telegram import CallbackAnswer, EmulatorError, TelegramEmulator, VisibleMessage
from sandbox.uis import ManualClock, Simulator, SimulatorOptions, demo_account
from sandbox.world import (
    BOT_TOKEN,
    DEMO_MANAGER_ID,
    Sandbox,
    admit_manager,
    running_sandbox,
    sandbox_settings,
    seed_demo,
)

MANAGER = DEMO_MANAGER_ID
MANAGER_KEY = "demo-key-manager-0001"
CLIENT = "79031234567"
SILENT_CLIENT = "79037654321"


RU = Lang.RU


def visible(text: str) -> str:
    """A text as the chat shows it: Telegram renders the HTML tags and entities away."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def head(key: str, lang: Lang = RU) -> str:
    """The literal start of a text, up to its first placeholder or HTML tag (to find it on a
    screen, which shows no markup)."""
    marked = t(lang, key, **dict.fromkeys(text_variables(lang, key), "\x00"))
    return re.split(r"[\x00<]", marked, maxsplit=1)[0].strip()


def fragments(key: str, lang: Lang = RU) -> list[str]:
    """The literal pieces of a text between its placeholders and tags, as the chat shows them."""
    marked = t(lang, key, **dict.fromkeys(text_variables(lang, key), "\x00"))
    pieces = (html.unescape(piece).strip() for piece in re.split(r"\x00|<[^>]+>", marked))
    return [piece for piece in pieces if piece]


def shows(text: str | None, key: str, lang: Lang = RU) -> bool:
    """Whether a message shows the text ``key`` (every literal piece of it, whatever the
    values of its placeholders)."""
    return all(piece in (text or "") for piece in fragments(key, lang))


def fresh_database() -> AbstractAsyncContextManager[str]:
    """A database of its own for one test (the sandbox migrates it), dropped afterwards."""
    return temporary_database("callbot_e2e")


@dataclass
class World:
    sandbox: Sandbox
    database_url: str

    @property
    def emu(self) -> TelegramEmulator:
        return self.sandbox.emulator

    @property
    def sim(self) -> Any:
        return self.sandbox.simulator.control

    async def say(self, text: str, chat_id: int = MANAGER, **kwargs: Any) -> VisibleMessage:
        """Send a message and return the bot's first new message after it (edits of cards
        by the live poll may come in between)."""
        await self.emu.send_message(chat_id, text, **kwargs)
        return await self.emu.wait_for_bot_message(chat_id, include_edits=False, timeout=15)

    async def reply_matching(
        self, chat_id: int, predicate: Callable[[VisibleMessage], bool]
    ) -> VisibleMessage:
        return await self.emu.wait_for_bot_message(chat_id, predicate=predicate, timeout=15)

    def requests(self, method: str | None = None) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.sim.requests(method)
        return result

    async def log_in_with_key(self, user_id: int = MANAGER, key: str = MANAGER_KEY) -> None:
        await self.say("/login", user_id)
        await self.emu.press_button(user_id, t(RU, "btn.login_key"), timeout=15)
        await self.emu.wait_for_bot_message(user_id, include_edits=False, timeout=15)
        await self.emu.send_message(user_id, key)
        await self.emu.wait_for_bot_message(
            user_id, text_contains="✅", include_edits=False, timeout=15
        )

    async def start_call(
        self, number: str = CLIENT, user_id: int = MANAGER, chat_id: int | None = None
    ) -> VisibleMessage:
        """/call NUMBER, choosing the first virtual number if asked; returns the card."""
        chat = user_id if chat_id is None else chat_id
        await self.emu.send_message(chat, f"/call {number}", user_id=user_id)
        # A new message, not an edit: the live poll may be redrawing an older card meanwhile.
        reply = await self.emu.wait_for_bot_message(chat, include_edits=False, timeout=15)
        if reply.buttons and reply.button_texts[0].startswith("+"):
            await self.emu.press_button(chat, reply.button_texts[0], user_id=user_id, timeout=15)
            reply = await self.emu.wait_for_bot_message(
                chat, text_contains=head("call.starting"), include_edits=False, timeout=15
            )
        return await self._drawn_card(chat, reply.message_id)

    async def _drawn_card(self, chat_id: int, placeholder_id: int) -> VisibleMessage:
        """The "calling…" placeholder once it became a card (every card ends with the footer).

        Other cards in the chat may be redrawn meanwhile by the live poll: match by id.
        """
        return await self.emu.wait_for_bot_message(
            chat_id,
            predicate=lambda message: (
                message.message_id == placeholder_id
                and any(
                    part in (message.text or "")
                    for part in (head("limits.footer"), head("limits.footer_unknown"))
                )
            ),
            after=0,
            timeout=15,
        )

    async def card_after(self, text: str, chat_id: int = MANAGER) -> VisibleMessage:
        """Send a command that starts a call; return the drawn card."""
        await self.emu.send_message(chat_id, text)
        placeholder = await self.emu.wait_for_bot_message(
            chat_id, text_contains=head("call.starting"), include_edits=False, timeout=15
        )
        return await self._drawn_card(chat_id, placeholder.message_id)

    async def talking_call(self) -> tuple[VisibleMessage, int]:
        """/call, both parties answer, Refresh: the card in the talk and the call's id."""
        card = await self.start_call()
        call_id = self.call_id()
        self.answer_all(call_id)
        _, card = await self.press(card, t(Lang.RU, "btn.refresh"))
        assert t(Lang.RU, "card.phase.talk") in (card.text or ""), card.text
        return card, call_id

    def card(self, message_id: int, user_id: int = MANAGER) -> VisibleMessage:
        message = self.emu.message(user_id, message_id)
        assert message is not None
        return message

    async def press(
        self, card: VisibleMessage, text: str, user_id: int = MANAGER
    ) -> tuple[CallbackAnswer, VisibleMessage]:
        try:
            answer = await self.emu.press_button(
                card.chat_id, text, message_id=card.message_id, user_id=user_id, timeout=15
            )
        except EmulatorError as exc:
            recent = [
                (event.seq, event.kind, (event.message.text if event.message else event.text))
                for event in self.emu.events(card.chat_id)[-8:]
            ]
            raise AssertionError(f"{exc}; recent events: {recent}") from exc
        return answer, self.card(card.message_id, card.chat_id)

    def call_id(self) -> int:
        calls = self.sim.calls(include_ended=False)
        assert calls, "no call in progress in the simulator"
        call_session_id: int = calls[-1]["call_session_id"]
        return call_session_id

    def end_call(self, call_session_id: int) -> None:
        """Whoever is still on the line hangs up (or stops ringing)."""
        for _ in range(6):
            call = self.sim.call(call_session_id)
            if call["ended_at"] is not None:
                return
            legs = [leg for leg in call["legs"] if leg["status"] != "disconnected"]
            if not legs:
                return
            leg = legs[0]
            if leg["status"] == "ringing":
                self.sim.fail(call_session_id, leg["leg_id"])
            else:
                self.sim.hang_up(call_session_id, leg["leg_id"])

    def answer_all(self, call_session_id: int) -> None:
        answer_all(self.sim, call_session_id)


def answer_all(sim: Any, call_session_id: int) -> None:
    """Every ringing party picks up (employee first, then the contact it dials)."""
    for _ in range(4):
        call = sim.call(call_session_id)
        ringing = [leg for leg in call["legs"] if leg["status"] == "ringing"]
        if not ringing:
            return
        sim.answer(call_session_id, ringing[0]["leg_id"])


@asynccontextmanager
async def world(
    tmp_path: Path,
    *,
    admitted: bool = True,
    logged_in: bool = True,
    simulator_options: SimulatorOptions | None = None,
    clock_offset: float = 0.0,
    **settings: Any,
) -> AsyncIterator[World]:
    async with (
        fresh_database() as database_url,
        running_sandbox(
            tmp_path,
            database_url=database_url,
            clock=ManualClock(start=time.time() + clock_offset),
            simulator_options=simulator_options,
            security={"encryption_keys": "q1uQ9bBgdYgFCkMWqIYJ5v4lXr7yZk0XJfbqg7yC3Xs="},
            **settings,
        ) as sandbox,
    ):
        here = World(sandbox, database_url)
        here.emu.add_user(MANAGER, "Иван", last_name="Петров", language_code="ru")
        await here.say("/start")
        if admitted:
            await admit_manager(sandbox.runtime)
        if admitted and logged_in:
            await here.log_in_with_key()
        yield here


WEBHOOK_SECRET = "webhook-secret-0123456789"
ENCRYPTION_KEY = "q1uQ9bBgdYgFCkMWqIYJ5v4lXr7yZk0XJfbqg7yC3Xs="


@dataclass
class WebhookBot:
    """The bot in webhook mode on a loopback port; tests post updates to it themselves."""

    emulator: TelegramEmulator
    simulator: Simulator
    runtime: Runtime
    base_url: str
    webhook_url: str

    async def deliver(self, http: aiohttp.ClientSession, update: dict[str, Any]) -> int:
        """POST one update the way Telegram does; returns the HTTP status."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        async with http.post(f"{self.base_url}/webhook", json=update, headers=headers) as reply:
            return reply.status


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@asynccontextmanager
async def webhook_bot(
    tmp_path: Path, prepare: Callable[[Runtime], Awaitable[None]] | None = None
) -> AsyncIterator[WebhookBot]:
    """A migrated database with the demo catalog, the simulator, the emulator (the manager is a
    user there) and the bot serving its webhook; ``prepare`` runs before the bot starts."""
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
        webhook_url = f"https://bot.example.test:{port}/webhook"
        telegram: dict[str, Any] = {
            "mode": "webhook",
            "webhook_url": webhook_url,
            "webhook_secret": WEBHOOK_SECRET,
            "webhook_host": "127.0.0.1",
            "webhook_port": port,
        }
        settings = sandbox_settings(
            tmp_path,
            url,
            sim_server.url,
            emu_server.base_url,
            telegram=telegram,
            security={"encryption_keys": ENCRYPTION_KEY},
        )
        await upgrade_head(url)
        runtime = await build_runtime(settings)
        await seed_demo(runtime)
        if prepare is not None:
            await prepare(runtime)
        app = build_app(runtime, build_bot(settings))
        stop = asyncio.Event()
        serving = asyncio.create_task(run_webhook(app, stop))
        base_url = f"http://127.0.0.1:{port}"
        try:
            async with aiohttp.ClientSession() as http:
                for _ in range(100):
                    try:
                        async with http.get(f"{base_url}/healthz") as health:
                            if health.status == 200:
                                break
                    except aiohttp.ClientConnectionError:
                        await asyncio.sleep(0.1)
            yield WebhookBot(emulator, simulator, runtime, base_url, webhook_url)
        finally:
            stop.set()
            await serving


EVENTS_SECRET = "events-secret-" + "y" * 30


@asynccontextmanager
async def events_world(
    tmp_path: Path,
    rendering: dict[str, str] | None = None,
    *,
    subscribe: bool = True,
    **settings: Any,
) -> AsyncIterator[World]:
    """The bot with events on, and (``subscribe``) the simulator subscribed to each event as
    the README says: one notification per event, our URL, our body template."""
    port = _free_port()
    events = {
        "secret": EVENTS_SECRET,
        "public_url": "https://bot.example.com",
        "host": "127.0.0.1",
        "port": port,
    }
    async with world(tmp_path, events=events, **settings) as here:
        notifier = here.sandbox.simulator.notifier
        for spec in EVENTS if subscribe else ():
            notifier.subscribe(
                spec.slug,
                f"http://127.0.0.1:{port}/uis/events/{EVENTS_SECRET}/{spec.slug}",
                template=spec.body_template(),
                rendering=rendering,
            )
        yield here
