"""Presses on call cards (and other one-shot buttons), and typed transfer numbers."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.callbacks import PREFIX, Action
from bot.card_messages import draw_card
from bot.filters import when
from bot.routers.admin import decide_user
from bot.routers.calls import proceed
from bot.services.access import AccessService
from bot.services.actor import Actor
from bot.services.calls import CallService, PressOutcome, StartKind, StartRequest
from bot.services.catalog import CatalogService
from bot.services.missed_calls import MissedCalls
from bot.texts import t

log = logging.getLogger(__name__)


class TransferFlow(StatesGroup):
    number = State()


async def _after_press(
    bot: Bot,
    actor: Actor,
    calls: CallService,
    catalog: CatalogService,
    access: AccessService,
    state: FSMContext,
    outcome: PressOutcome,
) -> None:
    if outcome.update is not None:
        await draw_card(bot, outcome.update)
    if outcome.ask_transfer_number is not None:
        await state.set_state(TransferFlow.number)
        await state.update_data(card_id=outcome.ask_transfer_number)
        await bot.send_message(actor.chat_id, t(actor.lang, "card.ask_transfer_target"))
    if outcome.loose is not None:
        action, payload = outcome.loose
        if action is Action.START_CALL and isinstance(payload.get("number"), str):
            request = StartRequest(kind=StartKind.EMPLOYEE, contact=payload["number"])
            await proceed(bot, actor.chat_id, actor, calls, catalog, state, request)
        elif action in (Action.APPROVE_USER, Action.DENY_USER):
            await decide_user(bot, actor, access, action, payload)


async def card_press(
    query: CallbackQuery,
    actor: Actor,
    calls: CallService,
    catalog: CatalogService,
    access: AccessService,
    missed: MissedCalls | None,
    state: FSMContext,
    bot: Bot,
) -> None:
    outcome = await calls.press(actor, query.data or "")
    if outcome.alert is not None:
        await query.answer(outcome.alert[:200], show_alert=True)
        return
    if outcome.loose is not None and outcome.loose[0] is Action.CALL_BACK:
        await _call_back(query, actor, missed, outcome.loose[1])
        return
    # Redraw first: the button's spinner is the progress indicator until the card shows
    # the result, then the toast repeats it.
    try:
        await _after_press(bot, actor, calls, catalog, access, state, outcome)
    finally:
        await query.answer(outcome.toast[:200] if outcome.toast else None)


async def _call_back(
    query: CallbackQuery, actor: Actor, missed: MissedCalls | None, payload: dict[str, Any]
) -> None:
    """Call back on a missed call: the service claims it and starts the call; the press is
    answered whatever happens."""
    alert: str | None = None
    toast: str | None = None
    try:
        if missed is None:
            alert = t(actor.lang, "alert.stale")
        else:
            result = await missed.call_back(actor, payload)
            alert, toast = result.alert, result.toast
    except Exception:
        log.exception("Call back failed")
        alert = t(actor.lang, "alert.missed_failed")
    finally:
        if alert is not None:
            await query.answer(alert[:200], show_alert=True)
        else:
            await query.answer(toast[:200] if toast else None)


async def transfer_number_given(
    message: Message,
    actor: Actor,
    calls: CallService,
    catalog: CatalogService,
    access: AccessService,
    state: FSMContext,
    bot: Bot,
) -> None:
    data = await state.get_data()
    await state.clear()
    outcome = await calls.transfer_to_typed(actor, int(data.get("card_id", 0)), message.text or "")
    if outcome.alert is not None:
        await message.answer(outcome.alert)
        return
    await _after_press(bot, actor, calls, catalog, access, state, outcome)


def presses() -> Router:
    """Button presses get a router of their own, first in the dispatcher: a press is the most
    frequent update, and aiogram resolves middlewares and filters router by router, so one
    that is found in the first router skips the work of the others."""
    presses = Router(name="presses")
    presses.callback_query.register(card_press, when(F.data.startswith(PREFIX)))
    return presses


def router() -> Router:
    cards = Router(name="cards")
    cards.message.register(transfer_number_given, StateFilter(TransferFlow.number), when(F.text))
    return cards
