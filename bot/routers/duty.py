"""/duty on | off | (alone) who is on duty: the watch for ringing calls without UIS events."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.services.actor import Actor
from bot.services.duty import DutyDesk, DutyStart
from bot.texts import t

ON_WORDS = ("on", "вкл", "да")
OFF_WORDS = ("off", "выкл", "нет")


async def duty_command(
    message: Message, command: CommandObject, actor: Actor, duty: DutyDesk
) -> None:
    lang = actor.lang
    word = (command.args or "").strip().lower()
    if word in ON_WORDS:
        started = await duty.go_on(actor)
        if started is DutyStart.EVENTS_FLOW:
            await message.answer(t(lang, "duty.on_events_flow"))
        elif started is DutyStart.NOT_SIGNED_IN:
            await message.answer(t(lang, "duty.on_not_signed_in"))
        else:
            await message.answer(t(lang, "duty.on", seconds=round(duty.poll_interval())))
        return
    if word in OFF_WORDS:
        anyone_left = await duty.go_off(actor)
        await message.answer(t(lang, "duty.off" if anyone_left else "duty.off_nobody_left"))
        return
    if word:
        await message.answer(t(lang, "duty.usage"))
        return
    on_duty = await duty.on_duty()
    if not on_duty:
        await message.answer(t(lang, "duty.nobody"))
        return
    await message.answer(t(lang, "duty.status", names=", ".join(m.name for m in on_duty)))


def router() -> Router:
    duty = Router(name="duty")
    duty.message.register(duty_command, Command("duty"))
    return duty
