"""/duty on | off | (alone) who is on duty: the watch for ringing calls without UIS events."""

from __future__ import annotations

from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.routers.spec import RouterSpec
from bot.runtime import Runtime
from bot.services.actor import Actor
from bot.texts import t

router = RouterSpec("duty")


@router.message(Command("duty"))
async def duty_command(message: Message, command: CommandObject, actor: Actor, rt: Runtime) -> None:
    lang = actor.lang
    word = (command.args or "").strip().lower()
    duty = rt.calls.duty
    if word in ("on", "вкл", "да"):
        await rt.calls.set_duty(actor, True)
        if rt.flow.flowing:
            await message.answer(t(lang, "duty.on_events_flow"))
        elif await duty.poll_actor() is None:
            await message.answer(t(lang, "duty.on_not_signed_in"))
        else:
            await message.answer(t(lang, "duty.on", seconds=round(rt.poller.interval())))
        return
    if word in ("off", "выкл", "нет"):
        await rt.calls.set_duty(actor, False)
        left = await duty.on_duty()
        await message.answer(t(lang, "duty.off" if left else "duty.off_nobody_left"))
        return
    if word:
        await message.answer(t(lang, "duty.usage"))
        return
    on_duty = await duty.on_duty()
    if not on_duty:
        await message.answer(t(lang, "duty.nobody"))
        return
    await message.answer(t(lang, "duty.status", names=", ".join(m.name for m in on_duty)))
