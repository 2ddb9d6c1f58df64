"""Starting calls: /call and friends, shared contacts, and numbers found in any message."""

from __future__ import annotations

import dataclasses
from typing import Any

from aiogram import Bot, F
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from api.models.manage_call import CallInfo, LegState
from api.phones import find_phone_numbers
from bot.callbacks import Action
from bot.card_messages import draw_card
from bot.filters import for_the_bot, when
from bot.keyboard_cleanup import retire_keyboard
from bot.keyboards import choice, inline
from bot.parsing import parse_id
from bot.routers.login import LOGIN_MENU_CALLBACK
from bot.routers.spec import RouterSpec
from bot.runtime import Runtime
from bot.services.actor import Actor
from bot.services.calls import MissingInput, StartKind, StartRequest
from bot.services.presentation import display_phone, invalid_number_text
from bot.texts import t
from db import call_settings as settings_store
from db import catalog as catalog_store
from db.models import CatalogVirtualNumber

router = RouterSpec("calls")

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


async def _refused_signed_out(
    bot: Bot, chat_id: int, actor: Actor, rt: Runtime, state: FSMContext
) -> bool:
    """Signed out: say "sign in first" with the button, before asking or sending anything."""
    if await rt.auth.credential_for(actor) is not None:
        return False
    await state.clear()
    await bot.send_message(
        chat_id,
        t(actor.lang, "call.sign_in_first"),
        reply_markup=choice([[(t(actor.lang, "btn.sign_in"), LOGIN_MENU_CALLBACK)]]),
    )
    return True


async def proceed(
    bot: Bot, chat_id: int, actor: Actor, rt: Runtime, state: FSMContext, request: StartRequest
) -> None:
    """Start the call, or ask for whatever is still missing (never fail on a missing setting)."""
    if await _refused_signed_out(bot, chat_id, actor, rt, state):
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
        default = await rt.calls.default_virtual_number(actor)
        if default:
            request = dataclasses.replace(request, virtual_number=default)
    missing = await rt.calls.prepare_start(actor, request)
    lang = actor.lang
    if missing is MissingInput.EMPLOYEE:
        await state.clear()
        await bot.send_message(chat_id, t(lang, "settings.employee_missing"))
        return
    if missing is not None:
        await state.set_data(_stash(request))
    if missing is MissingInput.VIRTUAL_NUMBER:
        async with rt.sessions() as session:
            numbers = await catalog_store.list_virtual_numbers(session)
        if not numbers:
            await state.clear()
            await bot.send_message(chat_id, t(lang, "settings.no_virtual_numbers"))
            return
        rows = [[(virtual_number_label(row), f"vn:{row.number}")] for row in numbers]
        await bot.send_message(
            chat_id, t(lang, "settings.ask_virtual_number"), reply_markup=choice(rows)
        )
        return
    if missing is MissingInput.SCENARIO:
        async with rt.sessions() as session:
            scenarios = await catalog_store.list_scenarios(session)
        if not scenarios:
            await state.clear()
            await bot.send_message(chat_id, t(lang, "call.no_scenarios"))
            return
        rows = [[(row.name[:60], f"scn:{row.id}")] for row in scenarios]
        await bot.send_message(chat_id, t(lang, "call.ask_scenario"), reply_markup=choice(rows))
        return
    if missing is MissingInput.OPERATOR_NUMBER:
        await state.set_state(StartFlow.operator)
        await bot.send_message(chat_id, t(lang, "call.ask_operator_number"))
        return
    if missing is MissingInput.MESSAGE:
        await state.set_state(StartFlow.message)
        async with rt.sessions() as session:
            media = await catalog_store.list_media_files(session)
        rows = [[(f"🎵 {row.name}"[:60], f"inf:{row.id}")] for row in media]
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
    outcome = await rt.calls.start_call(actor, request, placeholder.message_id)
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
    rt: Runtime,
    state: FSMContext,
    kind: StartKind,
    arguments: str,
    bot: Bot,
) -> None:
    lang = actor.lang
    contact, _, rest = arguments.strip().partition(" ")
    if kind is StartKind.INFORMER:
        # "/inform <number> <text>": the number may contain spaces, the text follows it.
        numbers = find_phone_numbers(arguments, region=await rt.calls.region_for(actor))
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
    region = await rt.calls.region_for(actor)
    try:
        normalised = rt.calls.normalise_contact(contact, region)
    except ValueError:
        await message.answer(invalid_number_text(lang, "field.contact"))
        return
    request = StartRequest(kind=kind, contact=normalised, message_text=rest or None)
    await proceed(bot, message.chat.id, actor, rt, state, request)


@router.message(Command(*COMMAND_KINDS))
async def start_command(
    message: Message,
    command: CommandObject,
    actor: Actor,
    rt: Runtime,
    state: FSMContext,
    bot: Bot,
) -> None:
    await state.clear()
    if await _refused_signed_out(bot, message.chat.id, actor, rt, state):
        return
    kind = COMMAND_KINDS[command.command.lower()]
    await _begin(message, actor, rt, state, kind, command.args or "", bot)


@router.message(StateFilter(StartFlow.number), when(F.text))
async def number_given(
    message: Message, actor: Actor, rt: Runtime, state: FSMContext, bot: Bot
) -> None:
    data = await state.get_data()
    await _begin(message, actor, rt, state, StartKind(data["kind"]), message.text or "", bot)


@router.message(StateFilter(StartFlow.operator), when(F.text))
async def operator_given(
    message: Message, actor: Actor, rt: Runtime, state: FSMContext, bot: Bot
) -> None:
    lang = actor.lang
    try:
        operator = rt.calls.normalise_contact(
            message.text or "", await rt.calls.region_for(actor), "operator"
        )
    except ValueError:
        await message.answer(invalid_number_text(lang, "field.operator"))
        return
    request = dataclasses.replace(_request_from(await state.get_data()), operator=operator)
    await proceed(bot, message.chat.id, actor, rt, state, request)


@router.message(StateFilter(StartFlow.message), when(F.text))
async def inform_text_given(
    message: Message, actor: Actor, rt: Runtime, state: FSMContext, bot: Bot
) -> None:
    text = (message.text or "").strip()
    if not text:
        await message.answer(t(actor.lang, "login.empty_input"))
        return
    request = dataclasses.replace(_request_from(await state.get_data()), message_text=text)
    await proceed(bot, message.chat.id, actor, rt, state, request)


@router.callback_query(when(F.data.startswith("vn:")))
async def virtual_number_chosen(
    query: CallbackQuery, actor: Actor, rt: Runtime, state: FSMContext, bot: Bot
) -> None:
    number = (query.data or "")[3:]
    async with rt.sessions() as session:
        known = {row.number for row in await catalog_store.list_virtual_numbers(session)}
    if number not in known:
        await query.answer(t(actor.lang, "alert.stale"), show_alert=True)
        return
    async with rt.sessions.begin() as session:
        await settings_store.update_call_settings(
            session, actor.user_id, default_virtual_number=number
        )
    await query.answer(
        t(actor.lang, "settings.virtual_number_saved", number=display_phone(number))[:190]
    )
    await retire_keyboard(query)
    data = await state.get_data()
    if data.get("kind"):
        request = dataclasses.replace(_request_from(data), virtual_number=number)
        await proceed(bot, actor.chat_id, actor, rt, state, request)


@router.callback_query(when(F.data.startswith("scn:")))
async def scenario_chosen(
    query: CallbackQuery, actor: Actor, rt: Runtime, state: FSMContext, bot: Bot
) -> None:
    data = await state.get_data()
    scenario_id = parse_id((query.data or "")[4:])
    async with rt.sessions() as session:
        known = {row.id for row in await catalog_store.list_scenarios(session)}
    # A forged id never reaches UIS: only scenarios of the catalog are offered and accepted.
    if not data.get("kind") or scenario_id is None or scenario_id not in known:
        await query.answer(t(actor.lang, "alert.stale"), show_alert=True)
        return
    await query.answer()
    await retire_keyboard(query)
    request = dataclasses.replace(_request_from(data), scenario_id=scenario_id)
    await proceed(bot, actor.chat_id, actor, rt, state, request)


@router.callback_query(when(F.data.startswith("inf:")))
async def inform_media_chosen(
    query: CallbackQuery, actor: Actor, rt: Runtime, state: FSMContext, bot: Bot
) -> None:
    data = await state.get_data()
    media_id = parse_id((query.data or "")[4:])
    async with rt.sessions() as session:
        known = {row.id for row in await catalog_store.list_media_files(session)}
    if data.get("kind") != StartKind.INFORMER.value or media_id is None or media_id not in known:
        await query.answer(t(actor.lang, "alert.stale"), show_alert=True)
        return
    await query.answer()
    await retire_keyboard(query)
    request = dataclasses.replace(_request_from(data), media_id=media_id)
    await proceed(bot, actor.chat_id, actor, rt, state, request)


def transferred_away(call: CallInfo, actor: Actor) -> bool:
    """The user's employee has left a call another employee now takes (it was transferred):
    no longer the user's call, although the user started it."""
    if actor.employee_id is None or not call.legs:
        return False
    still_mine = any(
        leg.employee_id == actor.employee_id and leg.state_kind is not LegState.DISCONNECTED
        for leg in call.legs
    )
    someone_else = any(
        leg.employee_id not in (None, actor.employee_id)
        and leg.state_kind is not LegState.DISCONNECTED
        for leg in call.legs
    )
    return not still_mine and someone_else


@router.message(Command("calls"))
async def calls_command(message: Message, actor: Actor, rt: Runtime, bot: Bot) -> None:
    from bot.services.failures import failure_from
    from bot.texts import explain_error

    try:
        calls = await rt.calls.my_active_calls(actor)
    except Exception as exc:
        failure = failure_from(exc, "list.calls")
        await message.answer(
            explain_error(actor.lang, failure.mnemonic, **failure.context).render()
        )
        return
    calls = [call for call in calls if not transferred_away(call, actor)]
    if not calls:
        await message.answer(t(actor.lang, "calls.empty"))
        return
    for call in calls:
        placeholder = await message.answer(t(actor.lang, "calls.title"))
        update = await rt.calls.open_card(actor, call, placeholder.message_id)
        await draw_card(bot, update)


@router.message(Command("block"))
async def block_command(message: Message, actor: Actor, rt: Runtime, bot: Bot) -> None:
    update = await rt.calls.ask_block(actor)
    if update is None:
        await message.answer(t(actor.lang, "calls.empty"))
        return
    await draw_card(bot, update)


async def _offer_numbers(message: Message, actor: Actor, rt: Runtime, numbers: list[str]) -> None:
    lang = actor.lang
    buttons = [
        [
            await rt.calls.issue_button(
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


@router.message(when(F.contact))
async def contact_shared(message: Message, actor: Actor, rt: Runtime) -> None:
    assert message.contact is not None
    region = await rt.calls.region_for(actor)
    numbers = find_phone_numbers(message.contact.phone_number, region=region) or find_phone_numbers(
        "+" + message.contact.phone_number.lstrip("+"), region=region
    )
    if not numbers:
        await message.reply(t(actor.lang, "call.no_number_found"))
        return
    await _offer_numbers(message, actor, rt, numbers)


@router.message(for_the_bot, when(F.text | F.caption))
async def numbers_in_text(message: Message, actor: Actor, rt: Runtime) -> None:
    """Any message the user sends or forwards: offer a Call button for each valid number."""
    text = message.text or message.caption or ""
    if text.startswith("/"):
        await message.answer(t(actor.lang, "common.unknown_command"))
        return
    numbers = find_phone_numbers(text, region=await rt.calls.region_for(actor))
    if not numbers:
        await message.reply(t(actor.lang, "call.no_number_found"))
        return
    await _offer_numbers(message, actor, rt, numbers)
