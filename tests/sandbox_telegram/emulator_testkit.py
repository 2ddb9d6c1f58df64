"""Shared helpers of the emulator tests: a running emulator and a polling aiogram bot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from sandbox.telegram import EmulatorServer, TelegramEmulator

TOKEN = "123456:TEST-TOKEN"
BOT_USERNAME = "uis_call_bot"


@asynccontextmanager
async def running_emulator(
    *, group_privacy: bool = True
) -> AsyncIterator[tuple[TelegramEmulator, EmulatorServer]]:
    """A fresh emulator serving on a free loopback port."""
    emulator = TelegramEmulator(
        bot_token=TOKEN, bot_username=BOT_USERNAME, group_privacy=group_privacy
    )
    async with emulator.running(host="127.0.0.1", port=0) as server:
        yield emulator, server


def make_bot(server: EmulatorServer, token: str = TOKEN) -> Bot:
    """An aiogram Bot whose requests go to the emulator (the production code path otherwise)."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(server.base_url))
    return Bot(token, session=session)


@asynccontextmanager
async def polling(dispatcher: Dispatcher, server: EmulatorServer) -> AsyncIterator[Bot]:
    """Run dispatcher.start_polling against the emulator; stop it cleanly on exit."""
    bot = make_bot(server)
    started = asyncio.Event()

    async def mark_started() -> None:
        started.set()

    dispatcher.startup.register(mark_started)
    task = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, polling_timeout=10)
    )
    started_wait = asyncio.create_task(started.wait())
    done, _ = await asyncio.wait({task, started_wait}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:  # polling failed before it started: surface the error
        started_wait.cancel()
        await task
    try:
        # From here on the bot sits in getUpdates: getMe is done, updates arrive at once.
        await server.emulator.wait_for_polling()
        yield bot
    finally:
        if not task.done():
            await dispatcher.stop_polling()
        await task
