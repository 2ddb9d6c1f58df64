"""The bot application: aiogram wiring around the runtime, polling or webhook, clean shutdown."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.enums import ParseMode
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    BufferedInputFile,
    CallbackQuery,
    ErrorEvent,
    ReplyParameters,
    TelegramObject,
)
from aiohttp import web

from api.recording_download import Recording
from bot.bot_api_session import JsonBodySession
from bot.card_messages import draw_card
from bot.events.receiver import MaskingAccessLogger, serve_events
from bot.health import Heartbeat
from bot.keyboards import inline
from bot.middlewares import ActorMiddleware, CommandLeavesFlow, DatabaseGuard, GroupMentions
from bot.routers import all_routers
from bot.routers.admin import notify_admins
from bot.runtime import Runtime, handler_services
from bot.services.access import Member
from bot.services.auth import SessionExpiryWatch
from bot.services.call_types import ButtonData
from bot.services.calls import CardUpdate
from bot.services.recordings import RecordingDelivery
from bot.settings import BotMode, Settings
from bot.telegram_session import ResilientRequests, was_reported
from bot.texts import Lang, lang_for, t
from bot.texts.commands import ALL_COMMANDS, bot_commands
from bot.unit_of_work import UpdateSession
from bot.update_claims import UpdateClaims, purge_expired_claims

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 15.0


class InFlight(BaseMiddleware):
    """Counts handlers running now, so shutdown can wait for them (bounded)."""

    def __init__(self) -> None:
        self.running = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        self.running += 1
        self._idle.clear()
        try:
            return await handler(event, data)
        finally:
            self.running -= 1
            if self.running == 0:
                self._idle.set()

    async def wait_idle(self, seconds: float) -> bool:
        try:
            async with asyncio.timeout(seconds):
                await self._idle.wait()
        except TimeoutError:
            return False
        return True


# Young-generation threshold: one update parsed into aiogram objects allocates hundreds of
# containers, so the default (700) ran a collection several times per button press.
GC_YOUNG_THRESHOLD = 50_000


def tune_garbage_collector() -> None:
    """Set the collector up for a long-running, allocation-heavy server.

    Everything built at start-up (modules, pydantic schemas, the routers) lives as long as the
    process: ``gc.freeze()`` takes it out of every later collection, instead of having each
    full collection walk it again. A higher young threshold makes collections rarer; each
    still frees the same garbage. Measured in benchmarks/bench_bot.py (benchmarks/README.md).
    """
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def build_bot(settings: Settings) -> Bot:
    token = settings.telegram.bot_token
    if token is None or not token.get_secret_value():
        raise ValueError("CALLBOT_TELEGRAM__BOT_TOKEN: required to run the bot")
    session = JsonBodySession(
        api=TelegramAPIServer.from_base(settings.telegram.api_server)
        if settings.telegram.api_server
        else TelegramAPIServer.from_base("https://api.telegram.org")
    )
    session.middleware(ResilientRequests())
    return Bot(
        token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


@dataclass
class BotApp:
    runtime: Runtime
    bot: Bot
    dispatcher: Dispatcher
    in_flight: InFlight
    expiry_watch: SessionExpiryWatch
    heartbeat: Heartbeat
    background: list[asyncio.Task[Any]] = field(default_factory=list)

    def _request_policy(self) -> ResilientRequests | None:
        return next(
            (m for m in self.bot.session.middleware if isinstance(m, ResilientRequests)), None
        )

    async def startup(self) -> None:
        policy = self._request_policy()
        if policy is not None:
            policy.report_losses = False
        await self.runtime.access.ensure_admins()
        await set_commands(self.bot, self.runtime)
        if policy is not None:
            policy.report_losses = True
        self.runtime.poller.start()
        await purge_expired_claims(self.runtime.sessions)
        resumed = await self.runtime.calls.resume_live_cards()
        if resumed:
            log.info("took over %d live call cards from the previous process", resumed)
        if self.runtime.missed is not None:
            await self.runtime.missed.resume()  # call-backs under way, followed again
        if self.runtime.event_intake is not None:
            # After the cards: an event stored but not applied by the last process finds them.
            await self.runtime.event_intake.start()
        if self.runtime.events is not None:
            self.runtime.events.start()  # reads a secret rotation's stored secrets
        self.expiry_watch.start()
        self.heartbeat.start()

    async def shutdown(self) -> None:
        """Wait (bounded) for running handlers, then stop background work and flush."""
        if not await self.in_flight.wait_idle(SHUTDOWN_GRACE_SECONDS):
            log.warning("%d handlers still running at shutdown", self.in_flight.running)
        await self.expiry_watch.stop()
        await self.heartbeat.stop()
        await self.runtime.close()
        policy = self._request_policy()
        if policy is not None:  # background retries of edits and answers, bounded
            with suppress(TimeoutError):
                async with asyncio.timeout(SHUTDOWN_GRACE_SECONDS):
                    await policy.drain()
        await self.bot.session.close()


async def set_commands(bot: Bot, runtime: Runtime) -> None:
    """The command menu in both languages; admins get their own longer menu."""
    for lang in (Lang.RU, Lang.EN):
        language_code = None if lang is Lang.RU else "en"
        commands = [BotCommand(command=c, description=d) for c, d in bot_commands(lang, "user")]
        await bot.set_my_commands(
            commands, scope=BotCommandScopeDefault(), language_code=language_code
        )
    for admin_id in runtime.access.admin_ids:
        admin = await runtime.access.member(admin_id)
        lang = lang_for(admin.language_code if admin else None)
        commands = [BotCommand(command=c, description=d) for c, d in bot_commands(lang, "admin")]
        with suppress(Exception):  # the admin may not have started a chat with the bot yet
            await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id=admin_id))


class PressClock(BaseMiddleware):
    """Tells the Bot API policy when each press arrived (its answer's deadline)."""

    def __init__(self, policy: ResilientRequests) -> None:
        self._policy = policy

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, CallbackQuery):
            self._policy.query_received(event.id)
        return await handler(event, data)


async def _already_reported(event: ErrorEvent) -> bool:
    if was_reported(event.exception):
        return True
    return UNHANDLED  # type: ignore[no-any-return]


def _wire_recordings(bot: Bot, recordings: RecordingDelivery) -> None:
    """Recordings go as a reply to the card (a card deleted meanwhile: sent all the same)."""

    def reply_to(message_id: int) -> ReplyParameters:
        return ReplyParameters(message_id=message_id, allow_sending_without_reply=True)

    async def send_file(chat_id: int, message_id: int, recording: Recording, caption: str) -> None:
        document = BufferedInputFile(recording.content, filename=recording.file_name)
        await bot.send_document(
            chat_id, document, caption=caption, reply_parameters=reply_to(message_id)
        )

    async def send_note(chat_id: int, message_id: int, text: str) -> None:
        await bot.send_message(chat_id, text, reply_parameters=reply_to(message_id))

    recordings.send_file = send_file
    recordings.send_note = send_note


def build_app(runtime: Runtime, bot: Bot) -> BotApp:
    dispatcher = Dispatcher(
        storage=MemoryStorage(),
        # One update at a time per user and chat: a double tap cannot interleave two presses.
        events_isolation=SimpleEventIsolation(),
    )
    in_flight = InFlight()
    dispatcher.update.outer_middleware(in_flight)
    # Outside the update claim, which is the first thing that reads the database.
    dispatcher.update.outer_middleware(DatabaseGuard())
    dispatcher.update.outer_middleware(UpdateClaims(runtime.sessions))
    # Inside the claim: a redelivered update, refused by the claim, opens no session.
    dispatcher.update.outer_middleware(UpdateSession(runtime.sessions))
    dispatcher.workflow_data.update(handler_services(runtime))

    async def notify(bot_: Bot, member: Member) -> None:
        await notify_admins(bot_, member, runtime.access, runtime.calls)

    actor_middleware = ActorMiddleware(runtime.access, notify)
    dispatcher.message.outer_middleware(GroupMentions())
    dispatcher.message.outer_middleware(actor_middleware)
    dispatcher.callback_query.outer_middleware(actor_middleware)
    dispatcher.message.outer_middleware(CommandLeavesFlow(frozenset(ALL_COMMANDS)))
    requests_policy = next(
        (m for m in bot.session.middleware if isinstance(m, ResilientRequests)), None
    )
    if requests_policy is not None:
        dispatcher.callback_query.outer_middleware(PressClock(requests_policy))
    # A Bot API request whose loss ResilientRequests already logged (one line naming the
    # chat) needs no second report with a traceback from the dispatcher.
    dispatcher.errors.register(_already_reported)
    for router in all_routers():
        dispatcher.include_router(router)

    async def publish(update: CardUpdate) -> None:
        await draw_card(bot, update)

    runtime.calls.publish = publish

    async def post(chat_id: int, text: str) -> int:
        message = await bot.send_message(chat_id, text)
        return message.message_id

    runtime.calls.post = post
    if runtime.recordings is not None:
        _wire_recordings(bot, runtime.recordings)

    if runtime.missed is not None:

        async def post_with_buttons(chat_id: int, text: str, rows: list[list[ButtonData]]) -> int:
            message = await bot.send_message(chat_id, text, reply_markup=inline(rows))
            return message.message_id

        runtime.missed.post = post_with_buttons

    async def warn_expiry(user_id: int, expires_at: datetime) -> None:
        member = await runtime.access.member(user_id)
        lang = lang_for(member.language_code if member else None)
        minutes = max(1, int((expires_at - datetime.now(UTC)).total_seconds() // 60))
        await bot.send_message(
            user_id,
            t(
                lang,
                "login.expiry_warning",
                minutes=minutes,
                expires_at=expires_at.strftime("%H:%M UTC"),
            ),
        )

    expiry_watch = SessionExpiryWatch(runtime.sessions, warn_expiry)

    async def warn_if_ending(user_id: int) -> int:
        # A call just went live: warn at once if the session ends within the window.
        return await expiry_watch.check_now(only_user=user_id)

    runtime.calls.on_card_live = warn_if_ending

    async def warn_events_silent(call_id: int, seconds: float) -> None:
        for admin_id in sorted(runtime.access.admin_ids):
            admin = await runtime.access.member(admin_id)
            lang = lang_for(admin.language_code if admin else None)
            text = t(lang, "events.silent_admin", call_id=call_id, seconds=round(seconds))
            try:
                await bot.send_message(admin_id, text)
            except Exception:
                log.exception("could not warn admin %s that UIS events stopped", admin_id)

    runtime.flow.on_silent = warn_events_silent
    return BotApp(
        runtime=runtime,
        bot=bot,
        dispatcher=dispatcher,
        in_flight=in_flight,
        expiry_watch=expiry_watch,
        heartbeat=Heartbeat(runtime.settings.heartbeat_file),
    )


async def run_polling(app: BotApp, stop: asyncio.Event | None = None) -> None:
    """Poll until SIGINT/SIGTERM (or ``stop``), then shut down cleanly."""
    await app.startup()
    events_listener = None
    try:
        receiver = app.runtime.events
        if receiver is not None:
            events = app.runtime.settings.events
            events_listener = await serve_events(receiver, events.host, events.port)
        await app.bot.delete_webhook(drop_pending_updates=False)
        polling = asyncio.create_task(
            app.dispatcher.start_polling(
                app.bot,
                handle_signals=stop is None,
                close_bot_session=False,
                allowed_updates=app.dispatcher.resolve_used_update_types(),
            )
        )
        if stop is not None:
            waiter = asyncio.create_task(stop.wait())
            await asyncio.wait({polling, waiter}, return_when=asyncio.FIRST_COMPLETED)
            if not polling.done():
                await app.dispatcher.stop_polling()
            waiter.cancel()
        await polling
    finally:
        if events_listener is not None:
            await events_listener.cleanup()
        await app.shutdown()


async def run_webhook(app: BotApp, stop: asyncio.Event | None = None) -> None:
    """Serve Telegram's webhook (secret token checked in constant time) and /healthz."""
    from aiogram.webhook.aiohttp_server import setup_application

    from bot.webhook import CheckedRequestHandler

    settings = app.runtime.settings.telegram
    assert settings.webhook_secret is not None
    assert settings.webhook_url is not None
    secret = settings.webhook_secret.get_secret_value()
    web_app = web.Application()

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "handlers_running": app.in_flight.running})

    web_app.router.add_get("/healthz", healthz)
    CheckedRequestHandler(app.dispatcher, app.bot, secret_token=secret).register(
        web_app, path="/webhook"
    )
    if app.runtime.events is not None:
        app.runtime.events.register(web_app)  # UIS events share the webhook's server
    setup_application(web_app, app.dispatcher, bot=app.bot)
    runner = web.AppRunner(web_app, access_log_class=MaskingAccessLogger)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    await app.startup()
    try:
        await site.start()
        await app.bot.set_webhook(
            settings.webhook_url,
            secret_token=secret,
            allowed_updates=app.dispatcher.resolve_used_update_types(),
        )
        await (stop or _signal_event()).wait()
    finally:
        await runner.cleanup()
        await app.shutdown()


def _signal_event() -> asyncio.Event:
    """An event set by SIGINT/SIGTERM (webhook mode has no polling loop that handles them)."""
    import signal

    event = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):
            loop.add_signal_handler(sig, event.set)
    return event


async def run(settings: Settings, stop: asyncio.Event | None = None) -> None:
    from bot.runtime import build_runtime
    from db.migrate import check_at_head

    await check_at_head(settings.database_url)
    bot = build_bot(settings)
    runtime = await build_runtime(settings)
    app = build_app(runtime, bot)
    tune_garbage_collector()
    if settings.telegram.mode is BotMode.WEBHOOK:
        await run_webhook(app, stop)
    else:
        await run_polling(app, stop)
