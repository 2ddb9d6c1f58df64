"""/settings: default virtual number, hold message, region, favourite transfer targets,
and asking an admin to link the user to their UIS employee."""

from __future__ import annotations

import logging

from aiogram import Bot, F
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from api.phones import PhoneKind, classify_dial_target
from bot.filters import when
from bot.keyboard_cleanup import retire_keyboard
from bot.keyboards import choice
from bot.parsing import INT32_MAX, parse_id
from bot.routers.calls import virtual_number_label
from bot.routers.spec import RouterSpec
from bot.runtime import Runtime
from bot.services.actor import Actor
from bot.services.presentation import display_phone, invalid_number_text
from bot.texts import Raw, t
from db import call_settings as settings_store
from db import catalog as catalog_store
from db.call_settings import HoldMessage
from db.models import MessageKind

log = logging.getLogger(__name__)

router = RouterSpec("settings")

HOLD_TEXT_MAX = 1000


class SettingsFlow(StatesGroup):
    hold = State()
    region = State()
    favourite = State()
    employee = State()


async def summary(actor: Actor, rt: Runtime) -> tuple[str, list[list[tuple[str, str]]]]:
    lang = actor.lang
    async with rt.sessions() as session:
        effective = await settings_store.get_call_settings(
            session, actor.user_id, language_code=actor.language_code
        )
        favourites = await settings_store.list_favourites(session, actor.user_id)
        employee = (
            await catalog_store.get_employee(session, actor.employee_id)
            if actor.employee_id is not None
            else None
        )
        media = {row.id: row.name for row in await catalog_store.list_media_files(session)}
    not_set = t(lang, "settings.not_set")
    hold = effective.hold_message
    if hold.is_default:
        hold_text = t(lang, "settings.hold_default")
    elif hold.kind is MessageKind.MEDIA:
        hold_text = t(lang, "settings.hold_media", name=media.get(int(hold.value), hold.value))
    else:
        hold_text = t(lang, "settings.hold_tts", text=hold.value[:80])
    if actor.employee_id is None:
        employee_text = not_set
    else:
        employee_text = f"{employee.full_name if employee else ''} (id {actor.employee_id})".strip()
    text = t(
        lang,
        "settings.summary",
        employee=employee_text,
        virtual_number=display_phone(effective.default_virtual_number)
        if effective.default_virtual_number
        else not_set,
        hold_message=Raw(hold_text),
        region=effective.default_region or rt.settings.callapi.default_region,
        favourites_count=len(favourites),
    )
    rows = [
        [(t(lang, "btn.settings_virtual_number"), "set:vn")],
        [(t(lang, "btn.settings_hold"), "set:hold")],
        [(t(lang, "btn.settings_region"), "set:region")],
        [(t(lang, "btn.settings_favourites"), "set:fav")],
    ]
    if actor.employee_id is None:
        rows.append([(t(lang, "btn.request_employee"), "set:emp")])
    return text, rows


@router.message(Command("settings"))
async def settings_command(message: Message, actor: Actor, rt: Runtime, state: FSMContext) -> None:
    await state.clear()
    text, rows = await summary(actor, rt)
    await message.answer(text, reply_markup=choice(rows))


@router.callback_query(when(F.data.startswith("set:")))
async def settings_choice(
    query: CallbackQuery, actor: Actor, rt: Runtime, state: FSMContext, bot: Bot
) -> None:
    lang = actor.lang
    item = (query.data or "")[4:]
    await query.answer()
    await state.clear()
    if item == "vn":
        async with rt.sessions() as session:
            numbers = await catalog_store.list_virtual_numbers(session)
        if not numbers:
            await bot.send_message(actor.chat_id, t(lang, "settings.no_virtual_numbers"))
            return
        rows = [[(virtual_number_label(row), f"vn:{row.number}")] for row in numbers]
        await bot.send_message(
            actor.chat_id, t(lang, "settings.ask_virtual_number"), reply_markup=choice(rows)
        )
    elif item == "hold":
        async with rt.sessions() as session:
            media = await catalog_store.list_media_files(session)
        rows = [[(f"🎵 {row.name}"[:60], f"hold:{row.id}")] for row in media]
        await state.set_state(SettingsFlow.hold)
        await bot.send_message(
            actor.chat_id,
            t(lang, "settings.ask_hold_message", max_length=HOLD_TEXT_MAX),
            reply_markup=choice(rows) if rows else None,
        )
    elif item == "region":
        await state.set_state(SettingsFlow.region)
        async with rt.sessions() as session:
            effective = await settings_store.get_call_settings(session, actor.user_id)
        region = effective.default_region or rt.settings.callapi.default_region
        await bot.send_message(actor.chat_id, t(lang, "settings.ask_region", region=region))
    elif item == "fav":
        await _show_favourites(bot, actor, rt)
    elif item == "emp":
        await state.set_state(SettingsFlow.employee)
        await bot.send_message(actor.chat_id, t(lang, "admin.usage", usage="<employee id>"))


async def _show_favourites(bot: Bot, actor: Actor, rt: Runtime) -> None:
    lang = actor.lang
    async with rt.sessions() as session:
        favourites = await settings_store.list_favourites(session, actor.user_id)
    lines = [t(lang, "settings.favourites_title")]
    if not favourites:
        lines.append(t(lang, "settings.favourites_empty"))
    lines += [
        t(lang, "settings.favourite_line", name=row.label, number=display_phone(row.target))
        for row in favourites
    ]
    rows = [[(t(lang, "btn.favourite_add"), "fav:add")]]
    rows += [
        [(t(lang, "btn.favourite_remove", name=row.label[:30]), f"fav:rm:{row.id}")]
        for row in favourites
    ]
    await bot.send_message(actor.chat_id, "\n".join(lines), reply_markup=choice(rows))


@router.callback_query(when(F.data.startswith("hold:")))
async def hold_media_chosen(
    query: CallbackQuery, actor: Actor, rt: Runtime, state: FSMContext
) -> None:
    raw = (query.data or "")[5:]
    async with rt.sessions() as session:
        known = {row.id for row in await catalog_store.list_media_files(session)}
    if parse_id(raw) not in known:
        await query.answer(t(actor.lang, "alert.stale"), show_alert=True)
        return
    async with rt.sessions.begin() as session:
        await settings_store.update_call_settings(
            session, actor.user_id, hold_message=HoldMessage(MessageKind.MEDIA, raw)
        )
    await state.clear()
    await query.answer(t(actor.lang, "settings.hold_message_saved"))
    await retire_keyboard(query)


@router.message(StateFilter(SettingsFlow.hold), when(F.text))
async def hold_text_given(message: Message, actor: Actor, rt: Runtime, state: FSMContext) -> None:
    text = (message.text or "").strip()
    lang = actor.lang
    if not text:
        await message.answer(t(lang, "login.empty_input"))
        return
    if len(text) > HOLD_TEXT_MAX:
        await message.answer(
            t(lang, "settings.hold_text_too_long", length=len(text), max_length=HOLD_TEXT_MAX)
        )
        return
    async with rt.sessions.begin() as session:
        await settings_store.update_call_settings(
            session, actor.user_id, hold_message=HoldMessage(MessageKind.TTS, text)
        )
    await state.clear()
    await message.answer(t(lang, "settings.hold_message_saved"))


@router.message(StateFilter(SettingsFlow.region), when(F.text))
async def region_given(message: Message, actor: Actor, rt: Runtime, state: FSMContext) -> None:
    import phonenumbers

    value = (message.text or "").strip().upper()
    if value not in phonenumbers.SUPPORTED_REGIONS:
        await message.answer(t(actor.lang, "settings.region_invalid", value=value[:10]))
        return
    async with rt.sessions.begin() as session:
        await settings_store.update_call_settings(session, actor.user_id, default_region=value)
    await state.clear()
    await message.answer(t(actor.lang, "settings.region_saved", region=value))


@router.callback_query(when(F.data.startswith("fav:")))
async def favourite_action(
    query: CallbackQuery, actor: Actor, rt: Runtime, state: FSMContext, bot: Bot
) -> None:
    parts = (query.data or "").split(":")
    if parts[1:] == ["add"]:
        await query.answer()
        await state.set_state(SettingsFlow.favourite)
        await bot.send_message(actor.chat_id, t(actor.lang, "settings.ask_favourite"))
        return
    favourite_id = parse_id(parts[2], maximum=INT32_MAX) if len(parts) == 3 else None
    if parts[1] == "rm" and favourite_id is not None:
        async with rt.sessions.begin() as session:
            favourites = await settings_store.list_favourites(session, actor.user_id)
            match = next((row for row in favourites if row.id == favourite_id), None)
            if match is not None:
                await settings_store.remove_favourite(session, actor.user_id, match.target)
        if match is None:
            await query.answer(t(actor.lang, "alert.stale"), show_alert=True)
            return
        await query.answer(t(actor.lang, "settings.favourite_removed", name=match.label)[:190])
        await _show_favourites(bot, actor, rt)
        return
    await query.answer(t(actor.lang, "alert.stale"), show_alert=True)


@router.message(StateFilter(SettingsFlow.favourite), when(F.text))
async def favourite_given(message: Message, actor: Actor, rt: Runtime, state: FSMContext) -> None:
    lang = actor.lang
    text = (message.text or "").strip()
    region = await rt.calls.region_for(actor)
    # "<number> <name>": try the longest prefix that is a number.
    words = text.split()
    found: tuple[str, str] | None = None
    for cut in range(len(words), 0, -1):
        candidate = " ".join(words[:cut])
        try:
            kind, number = classify_dial_target(
                candidate, field="favourite", region=region, allow_extension=True
            )
        except ValueError:
            continue
        label = " ".join(words[cut:]) or (
            display_phone(number) if kind is PhoneKind.E164 else number
        )
        found = (number, label)
        break
    if found is None:
        await message.answer(invalid_number_text(lang, "field.favourite"))
        return
    number, label = found
    try:
        async with rt.sessions.begin() as session:
            await settings_store.add_favourite(
                session, actor.user_id, label=label[:64], target=number
            )
    except ValueError:
        await message.answer(t(lang, "settings.favourites_full", max=settings_store.MAX_FAVOURITES))
        return
    await state.clear()
    await message.answer(
        t(lang, "settings.favourite_added", name=label, number=display_phone(number))
    )


@router.message(StateFilter(SettingsFlow.employee), when(F.text))
async def employee_requested(
    message: Message, actor: Actor, rt: Runtime, state: FSMContext, bot: Bot
) -> None:
    raw = (message.text or "").strip()
    employee_id = parse_id(raw)
    if employee_id is None:
        await message.answer(t(actor.lang, "admin.usage", usage="<employee id>"))
        return
    await rt.access.request_employee(actor.user_id, employee_id)
    await state.clear()
    await message.answer(t(actor.lang, "settings.employee_request_sent"))
    for admin_id in rt.access.admin_ids:
        admin = await rt.access.member(admin_id)
        lang = actor.lang if admin is None else _lang_of(admin.language_code)
        try:
            await bot.send_message(
                admin_id,
                t(lang, "admin.employee_request", name=actor.display_name, user_id=actor.user_id)
                + f"\n/assign {actor.user_id} {raw}",
            )
        except Exception:  # an admin who never opened a chat with the bot cannot be messaged
            log.info("could not tell admin %s about an employee request", admin_id)


def _lang_of(code: str | None) -> str:
    from bot.texts import lang_for

    return lang_for(code)
