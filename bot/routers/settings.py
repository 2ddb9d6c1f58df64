"""/settings: default virtual number, hold message, region, favourite transfer targets,
and asking an admin to link the user to their UIS employee."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.callback_data import (
    FavouriteAct,
    FavouriteAction,
    HoldMediaPick,
    SettingsItem,
    SettingsPick,
)
from bot.filters import when
from bot.keyboard_cleanup import retire_keyboard
from bot.keyboards import choice
from bot.parsing import parse_id
from bot.routers.calls import virtual_number_choices
from bot.services.access import AccessService
from bot.services.actor import Actor
from bot.services.calls import CallService
from bot.services.catalog import CatalogService
from bot.services.presentation import display_phone, invalid_number_text
from bot.services.user_settings import (
    HOLD_TEXT_MAX,
    FavouriteAdd,
    HoldKind,
    SettingsService,
)
from bot.texts import Raw, lang_for, t

log = logging.getLogger(__name__)


class SettingsFlow(StatesGroup):
    hold = State()
    region = State()
    favourite = State()
    employee = State()


async def summary(
    actor: Actor, user_settings: SettingsService
) -> tuple[str, list[list[tuple[str, str]]]]:
    lang = actor.lang
    overview = await user_settings.overview(actor)
    not_set = t(lang, "settings.not_set")
    if overview.hold_kind is HoldKind.DEFAULT:
        hold_text = t(lang, "settings.hold_default")
    elif overview.hold_kind is HoldKind.MEDIA:
        hold_text = t(lang, "settings.hold_media", name=overview.hold_text)
    else:
        hold_text = t(lang, "settings.hold_tts", text=overview.hold_text[:80])
    if actor.employee_id is None:
        employee_text = not_set
    else:
        employee_text = f"{overview.employee_name or ''} (id {actor.employee_id})".strip()
    text = t(
        lang,
        "settings.summary",
        employee=employee_text,
        virtual_number=display_phone(overview.virtual_number)
        if overview.virtual_number
        else not_set,
        hold_message=Raw(hold_text),
        region=overview.region,
        favourites_count=overview.favourites_count,
    )

    def pick(item: SettingsItem) -> str:
        return SettingsPick(item=item).pack()

    rows = [
        [(t(lang, "btn.settings_virtual_number"), pick(SettingsItem.VIRTUAL_NUMBER))],
        [(t(lang, "btn.settings_hold"), pick(SettingsItem.HOLD))],
        [(t(lang, "btn.settings_region"), pick(SettingsItem.REGION))],
        [(t(lang, "btn.settings_favourites"), pick(SettingsItem.FAVOURITES))],
    ]
    if actor.employee_id is None:
        rows.append([(t(lang, "btn.request_employee"), pick(SettingsItem.EMPLOYEE))])
    return text, rows


async def settings_command(
    message: Message, actor: Actor, user_settings: SettingsService, state: FSMContext
) -> None:
    await state.clear()
    text, rows = await summary(actor, user_settings)
    await message.answer(text, reply_markup=choice(rows))


async def settings_choice(
    query: CallbackQuery,
    callback_data: SettingsPick,
    actor: Actor,
    user_settings: SettingsService,
    catalog: CatalogService,
    calls: CallService,
    state: FSMContext,
    bot: Bot,
) -> None:
    lang = actor.lang
    item = callback_data.item
    await query.answer()
    await state.clear()
    if item is SettingsItem.VIRTUAL_NUMBER:
        numbers = await catalog.virtual_numbers()
        if not numbers:
            await bot.send_message(actor.chat_id, t(lang, "settings.no_virtual_numbers"))
            return
        await bot.send_message(
            actor.chat_id,
            t(lang, "settings.ask_virtual_number"),
            reply_markup=choice(virtual_number_choices(numbers)),
        )
    elif item is SettingsItem.HOLD:
        media = await catalog.media_files()
        rows = [[(f"🎵 {row.name}"[:60], HoldMediaPick(media_id=row.id).pack())] for row in media]
        await state.set_state(SettingsFlow.hold)
        await bot.send_message(
            actor.chat_id,
            t(lang, "settings.ask_hold_message", max_length=HOLD_TEXT_MAX),
            reply_markup=choice(rows) if rows else None,
        )
    elif item is SettingsItem.REGION:
        await state.set_state(SettingsFlow.region)
        region = await calls.region_for(actor)
        await bot.send_message(actor.chat_id, t(lang, "settings.ask_region", region=region))
    elif item is SettingsItem.FAVOURITES:
        await _show_favourites(bot, actor, user_settings)
    else:
        await state.set_state(SettingsFlow.employee)
        await bot.send_message(actor.chat_id, t(lang, "admin.usage", usage="<employee id>"))


async def _show_favourites(bot: Bot, actor: Actor, user_settings: SettingsService) -> None:
    lang = actor.lang
    favourites = await user_settings.favourites(actor)
    lines = [t(lang, "settings.favourites_title")]
    if not favourites:
        lines.append(t(lang, "settings.favourites_empty"))
    lines += [
        t(lang, "settings.favourite_line", name=row.label, number=display_phone(row.target))
        for row in favourites
    ]
    rows = [[(t(lang, "btn.favourite_add"), FavouriteAction(act=FavouriteAct.ADD).pack())]]
    rows += [
        [
            (
                t(lang, "btn.favourite_remove", name=row.label[:30]),
                FavouriteAction(act=FavouriteAct.REMOVE, favourite_id=row.id).pack(),
            )
        ]
        for row in favourites
    ]
    await bot.send_message(actor.chat_id, "\n".join(lines), reply_markup=choice(rows))


async def hold_media_chosen(
    query: CallbackQuery,
    callback_data: HoldMediaPick,
    actor: Actor,
    user_settings: SettingsService,
    catalog: CatalogService,
    state: FSMContext,
) -> None:
    if not await catalog.has_media_file(callback_data.media_id):
        await query.answer(t(actor.lang, "alert.stale"), show_alert=True)
        return
    await user_settings.save_hold_media(actor, callback_data.media_id)
    await state.clear()
    await query.answer(t(actor.lang, "settings.hold_message_saved"))
    await retire_keyboard(query)


async def hold_text_given(
    message: Message, actor: Actor, user_settings: SettingsService, state: FSMContext
) -> None:
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
    await user_settings.save_hold_text(actor, text)
    await state.clear()
    await message.answer(t(lang, "settings.hold_message_saved"))


async def region_given(
    message: Message, actor: Actor, user_settings: SettingsService, state: FSMContext
) -> None:
    value = (message.text or "").strip().upper()
    region = await user_settings.save_region(actor, value)
    if region is None:
        await message.answer(t(actor.lang, "settings.region_invalid", value=value[:10]))
        return
    await state.clear()
    await message.answer(t(actor.lang, "settings.region_saved", region=region))


async def favourite_action(
    query: CallbackQuery,
    callback_data: FavouriteAction,
    actor: Actor,
    user_settings: SettingsService,
    state: FSMContext,
    bot: Bot,
) -> None:
    if callback_data.act is FavouriteAct.ADD:
        await query.answer()
        await state.set_state(SettingsFlow.favourite)
        await bot.send_message(actor.chat_id, t(actor.lang, "settings.ask_favourite"))
        return
    removed = await user_settings.remove_favourite(actor, callback_data.favourite_id)
    if removed is None:
        await query.answer(t(actor.lang, "alert.stale"), show_alert=True)
        return
    await query.answer(t(actor.lang, "settings.favourite_removed", name=removed.label)[:190])
    await _show_favourites(bot, actor, user_settings)


async def favourite_given(
    message: Message,
    actor: Actor,
    user_settings: SettingsService,
    calls: CallService,
    state: FSMContext,
) -> None:
    lang = actor.lang
    region = await calls.region_for(actor)
    added = await user_settings.add_favourite(actor, message.text or "", region)
    if added.result is FavouriteAdd.INVALID:
        await message.answer(invalid_number_text(lang, "field.favourite"))
        return
    if added.result is FavouriteAdd.FULL:
        await message.answer(t(lang, "settings.favourites_full", max=user_settings.max_favourites))
        return
    await state.clear()
    await message.answer(
        t(lang, "settings.favourite_added", name=added.label, number=display_phone(added.number))
    )


async def employee_requested(
    message: Message, actor: Actor, access: AccessService, state: FSMContext, bot: Bot
) -> None:
    raw = (message.text or "").strip()
    employee_id = parse_id(raw)
    if employee_id is None:
        await message.answer(t(actor.lang, "admin.usage", usage="<employee id>"))
        return
    await access.request_employee(actor.user_id, employee_id)
    await state.clear()
    await message.answer(t(actor.lang, "settings.employee_request_sent"))
    for admin_id in access.admin_ids:
        admin = await access.member(admin_id)
        lang = actor.lang if admin is None else lang_for(admin.language_code)
        try:
            await bot.send_message(
                admin_id,
                t(lang, "admin.employee_request", name=actor.display_name, user_id=actor.user_id)
                + f"\n/assign {actor.user_id} {raw}",
            )
        except Exception:  # an admin who never opened a chat with the bot cannot be messaged
            log.info("could not tell admin %s about an employee request", admin_id)


def router() -> Router:
    settings = Router(name="settings")
    settings.message.register(settings_command, Command("settings"))
    settings.callback_query.register(settings_choice, SettingsPick.filter())
    settings.callback_query.register(hold_media_chosen, HoldMediaPick.filter())
    settings.message.register(hold_text_given, StateFilter(SettingsFlow.hold), when(F.text))
    settings.message.register(region_given, StateFilter(SettingsFlow.region), when(F.text))
    settings.callback_query.register(favourite_action, FavouriteAction.filter())
    settings.message.register(favourite_given, StateFilter(SettingsFlow.favourite), when(F.text))
    settings.message.register(employee_requested, StateFilter(SettingsFlow.employee), when(F.text))
    return settings
