"""Starting calls: /call and friends, shared contacts, and numbers found in any message."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from api.phones import find_phone_numbers
from bot.callback_data import InformMediaPick, ScenarioPick, VirtualNumberPick
from bot.callbacks import Action
from bot.card_messages import draw_card
from bot.filters import for_the_bot, when
from bot.keyboard_cleanup import retire_keyboard
from bot.keyboards import choice, inline
from bot.routers.login import LOGIN_MENU_CALLBACK
from bot.services.actor import Actor
from bot.services.calls import CallService, MissingInput, StartKind, StartRequest
from bot.services.catalog import CatalogService, CatalogVirtualNumber
from bot.services.failures import failure_from
from bot.services.presentation import display_phone, invalid_number_text
from bot.services.user_settings import SettingsService
from bot.texts import explain_error, t

COMMAND_KINDS = {
    "call": StartKind.EMPLOYEE,
    "simple_call": StartKind.SIMPLE,
    "vcall": StartKind.VNUMBER,
    "scenario": StartKind.SCENARIO,
    "inform": StartKind.INFORMER,
}
# The account's own limit is only learnt from a tts_text_exceeded reply; 1000 is UIS's
# default and what the hold text is checked against.
TTS_MAX_LENGTH = 1000


class StartFlow(StatesGroup):
    number = State()
    operator = State()
    message = State()


def virtual_number_label(row: CatalogVirtualNumber) -> str:
    """A virtual number as the picker shows it: the number and its catalog name."""
    number = display_phone(row.number)
    return f"{number} · {row.name}"[:60] if row.name else number


def _request_from(data: dict[str, Any]) -> StartRequest:
    fields = {field.name for field in dataclasses.fields(StartRequest)}
    values = {key: value for key, value in data.items() if key in fields}
    values["kind"] = StartKind(values["kind"])
    return StartRequest(**values)


def _stash(request: StartRequest) -> dict[str, Any]:
    data = dataclasses.asdict(request)
    data["kind"] = request.kind.value
    return data


def virtual_number_choices(numbers: Sequence[CatalogVirtualNumber]) -> list[list[tuple[str, str]]]:
    return [
        [(virtual_number_label(row), VirtualNumberPick(number=row.number).pack())]
        for row in numbers
    ]


async def _refused_signed_out(
    bot: Bot, chat_id: int, actor: Actor, calls: CallService, state: FSMContext
) -> bool:
    """Signed out: say "sign in first" with the button, before asking or sending anything."""
    if await calls.signed_in(actor):
        return False
    await state.clear()
    await bot.send_message(
        chat_id,
        t(actor.lang, "call.sign_in_first"),
        reply_markup=choice([[(t(actor.lang, "btn.sign_in"), LOGIN_MENU_CALLBACK)]]),
    )
    return True


async def proceed(
    bot: Bot,
    chat_id: int,
    actor: Actor,
    calls: CallService,
    catalog: CatalogService,
    state: FSMContext,
    request: StartRequest,
) -> None:
    """Start the call, or ask for whatever is still missing (never fail on a missing setting)."""
    if await _refused_signed_out(bot, chat_id, actor, calls, state):
        return
    if request.message_text is not None and len(request.message_text) > TTS_MAX_LENGTH:
        # Checked here, like the hold text: UIS would spend points to refuse it.
        await state.set_data(_stash(dataclasses.replace(request, message_text=None)))
        await state.set_state(StartFlow.message)
        await bot.send_message(
            chat_id,
            t(
                actor.lang,
                "call.inform_text_too_long",
                length=len(request.message_text),
                max_length=TTS_MAX_LENGTH,
            ),
        )
        return
    if request.virtual_number is None:
        default = await calls.default_virtual_number(actor)
        if default:
            request = dataclasses.replace(request, virtual_number=default)
    missing = await calls.prepare_start(actor, request)
    lang = actor.lang
    if missing is MissingInput.EMPLOYEE:
        await state.clear()
        await bot.send_message(chat_id, t(lang, "settings.employee_missing"))
        return
    if missing is not None:
        await state.set_data(_stash(request))
    if missing is MissingInput.VIRTUAL_NUMBER:
        numbers = await catalog.virtual_numbers()
        if not numbers:
            await state.clear()
            await bot.send_message(chat_id, t(lang, "settings.no_virtual_numbers"))
            return
        await bot.send_message(
            chat_id,
            t(lang, "settings.ask_virtual_number"),
            reply_markup=choice(virtual_number_choices(numbers)),
        )
        return
    if missing is MissingInput.SCENARIO:
        scenarios = await catalog.scenarios()
        if not scenarios:
            await state.clear()
            await bot.send_message(chat_id, t(lang, "call.no_scenarios"))
            return
        rows = [[(row.name[:60], ScenarioPick(scenario_id=row.id).pack())] for row in scenarios]
        await bot.send_message(chat_id, t(lang, "call.ask_scenario"), reply_markup=choice(rows))
        return
    if missing is MissingInput.OPERATOR_NUMBER:
        await state.set_state(StartFlow.operator)
        await bot.send_message(chat_id, t(lang, "call.ask_operator_number"))
        return
    if missing is MissingInput.MESSAGE:
        await state.set_state(StartFlow.message)
        media = await catalog.media_files()
        rows = [[(f"🎵 {row.name}"[:60], InformMediaPick(media_id=row.id).pack())] for row in media]
        await bot.send_message(
            chat_id,
            t(lang, "call.ask_inform_message", max_length=TTS_MAX_LENGTH),
            reply_markup=choice(rows) if rows else None,
        )
        return
    await state.clear()
    placeholder = await bot.send_message(
        chat_id,
        t(
            lang,
            "call.starting",
            number=display_phone(request.contact, masked=not actor.is_private_chat),
        ),
    )
    outcome = await calls.start_call(actor, request, placeholder.message_id)
    if outcome.error is not None:
        await bot.edit_message_text(
            outcome.error, chat_id=chat_id, message_id=placeholder.message_id
        )
        return
    if outcome.update is not None:
        await draw_card(bot, outcome.update)


async def _begin(
    message: Message,
    actor: Actor,
    calls: CallService,
    catalog: CatalogService,
    state: FSMContext,
    kind: StartKind,
    arguments: str,
    bot: Bot,
) -> None:
    lang = actor.lang
    contact, _, rest = arguments.strip().partition(" ")
    if kind is StartKind.INFORMER:
        # "/inform <number> <text>": the number may contain spaces, the text follows it.
        numbers = find_phone_numbers(arguments, region=await calls.region_for(actor))
        contact = numbers[0] if numbers else contact
        rest = arguments.split(contact, 1)[-1].strip() if numbers and contact in arguments else rest
    elif arguments.strip():
        contact = arguments.strip()
        rest = ""
    if not contact:
        await state.set_data({"kind": kind.value, "contact": ""})
        await state.set_state(StartFlow.number)
        await message.answer(t(lang, "call.ask_number"))
        return
    region = await calls.region_for(actor)
    try:
        normalised = calls.normalise_contact(contact, region)
    except ValueError:
        await message.answer(invalid_number_text(lang, "field.contact"))
        return
    request = StartRequest(kind=kind, contact=normalised, message_text=rest or None)
    await proceed(bot, message.chat.id, actor, calls, catalog, state, request)


async def start_command(
    message: Message,
    command: CommandObject,
    actor: Actor,
    calls: CallService,
    catalog: CatalogService,
    state: FSMContext,
    bot: Bot,
) -> None:
    await state.clear()
    if await _refused_signed_out(bot, message.chat.id, actor, calls, state):
        return
    kind = COMMAND_KINDS[command.command.lower()]
    await _begin(message, actor, calls, catalog, state, kind, command.args or "", bot)


async def number_given(
    message: Message,
    actor: Actor,
    calls: CallService,
    catalog: CatalogService,
    state: FSMContext,
    bot: Bot,
) -> None:
    data = await state.get_data()
    kind = StartKind(data["kind"])
    await _begin(message, actor, calls, catalog, state, kind, message.text or "", bot)


async def operator_given(
    message: Message,
    actor: Actor,
    calls: CallService,
    catalog: CatalogService,
    state: FSMContext,
    bot: Bot,
) -> None:
    lang = actor.lang
    try:
        operator = calls.normalise_contact(
            message.text or "", await calls.region_for(actor), "operator"
        )
    except ValueError:
        await message.answer(invalid_number_text(lang, "field.operator"))
        return
    request = dataclasses.replace(_request_from(await state.get_data()), operator=operator)
    await proceed(bot, message.chat.id, actor, calls, catalog, state, request)


async def inform_text_given(
    message: Message,
    actor: Actor,
    calls: CallService,
    catalog: CatalogService,
    state: FSMContext,
    bot: Bot,
) -> None:
    text = (message.text or "").strip()
    if not text:
        await message.answer(t(actor.lang, "login.empty_input"))
        return
    request = dataclasses.replace(_request_from(await state.get_data()), message_text=text)
    await proceed(bot, message.chat.id, actor, calls, catalog, state, request)


async def virtual_number_chosen(
    query: CallbackQuery,
    callback_data: VirtualNumberPick,
    actor: Actor,
    calls: CallService,
    catalog: CatalogService,
    user_settings: SettingsService,
    state: FSMContext,
    bot: Bot,
) -> None:
    number = callback_data.number
    if not await catalog.has_virtual_number(number):
        await query.answer(t(actor.lang, "alert.stale"), show_alert=True)
        return
    await user_settings.save_virtual_number(actor, number)
    await query.answer(
        t(actor.lang, "settings.virtual_number_saved", number=display_phone(number))[:190]
    )
    await retire_keyboard(query)
    data = await state.get_data()
    if data.get("kind"):
        request = dataclasses.replace(_request_from(data), virtual_number=number)
        await proceed(bot, actor.chat_id, actor, calls, catalog, state, request)


async def scenario_chosen(
    query: CallbackQuery,
    callback_data: ScenarioPick,
    actor: Actor,
    calls: CallService,
    catalog: CatalogService,
    state: FSMContext,
    bot: Bot,
) -> None:
    data = await state.get_data()
    scenario_id = callback_data.scenario_id
    # A forged id never reaches UIS: only scenarios of the catalog are offered and accepted.
    if not data.get("kind") or not await catalog.has_scenario(scenario_id):
        await query.answer(t(actor.lang, "alert.stale"), show_alert=True)
        return
    await query.answer()
    await retire_keyboard(query)
    request = dataclasses.replace(_request_from(data), scenario_id=scenario_id)
    await proceed(bot, actor.chat_id, actor, calls, catalog, state, request)


async def inform_media_chosen(
    query: CallbackQuery,
    callback_data: InformMediaPick,
    actor: Actor,
    calls: CallService,
    catalog: CatalogService,
    state: FSMContext,
    bot: Bot,
) -> None:
    data = await state.get_data()
    media_id = callback_data.media_id
    informer = data.get("kind") == StartKind.INFORMER.value
    if not informer or not await catalog.has_media_file(media_id):
        await query.answer(t(actor.lang, "alert.stale"), show_alert=True)
        return
    await query.answer()
    await retire_keyboard(query)
    request = dataclasses.replace(_request_from(data), media_id=media_id)
    await proceed(bot, actor.chat_id, actor, calls, catalog, state, request)


async def calls_command(message: Message, actor: Actor, calls: CallService, bot: Bot) -> None:
    try:
        mine = await calls.my_calls_now(actor)
    except Exception as exc:
        failure = failure_from(exc, "list.calls")
        await message.answer(
            explain_error(actor.lang, failure.mnemonic, **failure.context).render()
        )
        return
    if not mine:
        await message.answer(t(actor.lang, "calls.empty"))
        return
    for call in mine:
        placeholder = await message.answer(t(actor.lang, "calls.title"))
        update = await calls.open_card(actor, call, placeholder.message_id)
        await draw_card(bot, update)


async def block_command(message: Message, actor: Actor, calls: CallService, bot: Bot) -> None:
    update = await calls.ask_block(actor)
    if update is None:
        await message.answer(t(actor.lang, "calls.empty"))
        return
    await draw_card(bot, update)


async def _offer_numbers(
    message: Message, actor: Actor, calls: CallService, numbers: list[str]
) -> None:
    lang = actor.lang
    buttons = [
        [
            await calls.issue_button(
                actor,
                t(lang, "btn.start_call", number=display_phone(number)),
                Action.START_CALL,
                {"number": number},
            )
        ]
        for number in numbers[:5]
    ]
    text = (
        t(lang, "call.offer_number", number=display_phone(numbers[0]))
        if len(numbers) == 1
        else t(lang, "call.offer_many")
    )
    await message.reply(text, reply_markup=inline(buttons))


async def contact_shared(message: Message, actor: Actor, calls: CallService) -> None:
    assert message.contact is not None
    region = await calls.region_for(actor)
    numbers = find_phone_numbers(message.contact.phone_number, region=region) or find_phone_numbers(
        "+" + message.contact.phone_number.lstrip("+"), region=region
    )
    if not numbers:
        await message.reply(t(actor.lang, "call.no_number_found"))
        return
    await _offer_numbers(message, actor, calls, numbers)


async def numbers_in_text(message: Message, actor: Actor, calls: CallService) -> None:
    """Any message the user sends or forwards: offer a Call button for each valid number."""
    text = message.text or message.caption or ""
    if text.startswith("/"):
        await message.answer(t(actor.lang, "common.unknown_command"))
        return
    numbers = find_phone_numbers(text, region=await calls.region_for(actor))
    if not numbers:
        await message.reply(t(actor.lang, "call.no_number_found"))
        return
    await _offer_numbers(message, actor, calls, numbers)


def router() -> Router:
    calls = Router(name="calls")
    calls.message.register(start_command, Command(*COMMAND_KINDS))
    calls.message.register(number_given, StateFilter(StartFlow.number), when(F.text))
    calls.message.register(operator_given, StateFilter(StartFlow.operator), when(F.text))
    calls.message.register(inform_text_given, StateFilter(StartFlow.message), when(F.text))
    calls.callback_query.register(virtual_number_chosen, VirtualNumberPick.filter())
    calls.callback_query.register(scenario_chosen, ScenarioPick.filter())
    calls.callback_query.register(inform_media_chosen, InformMediaPick.filter())
    calls.message.register(calls_command, Command("calls"))
    calls.message.register(block_command, Command("block"))
    calls.message.register(contact_shared, when(F.contact))
    # The free-text number detector: after every other handler of this router on purpose.
    calls.message.register(numbers_in_text, for_the_bot, when(F.text | F.caption))
    return calls
