"""/login and /logout. Secrets are accepted only in a private chat, and the message that
carried one is deleted before anything else happens."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from aiogram import Bot, F
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from api.errors import CallApiClientError
from bot.card_messages import draw_card
from bot.filters import when
from bot.keyboard_cleanup import retire_keyboard
from bot.keyboards import choice
from bot.routers.spec import RouterSpec
from bot.runtime import Runtime
from bot.services.actor import Actor
from bot.services.failures import failure_from
from bot.texts import Lang, Raw, explain_error, t
from db.models import CredentialKind

log = logging.getLogger(__name__)

router = RouterSpec("login")

# The "sign in" button offered where signing in is the missing step (e.g. /call signed out).
LOGIN_MENU_CALLBACK = "login:menu"
# How a pasted key's check is named to the error texts (it is a list.calls on the wire).
KEY_CHECK = "login.key"


class LoginFlow(StatesGroup):
    key = State()
    login = State()
    password = State()
    stay = State()


def format_time(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


async def _delete_secret(message: Message, lang: Lang) -> None:
    """Delete the message with a secret; say so either way (the user must know)."""
    try:
        await message.delete()
    except TelegramAPIError:
        await message.answer(t(lang, "login.secret_not_deleted"))
        return
    await message.answer(t(lang, "login.secret_deleted"))


@router.message(Command("login"))
async def login_command(message: Message, actor: Actor, rt: Runtime, state: FSMContext) -> None:
    lang = actor.lang
    if not actor.is_private_chat:
        await message.answer(t(lang, "login.private_only"))
        return
    await state.clear()
    await _show_login_menu(message.bot, actor, rt)


async def _show_login_menu(bot: Bot | None, actor: Actor, rt: Runtime) -> None:
    lang = actor.lang
    if bot is None:
        return
    # Signed in already: say so, but offer the menu all the same. The bot's record may be
    # alive while UIS ended that session or revoked the key; a new sign-in replaces it.
    current = await rt.auth.status(actor.user_id)
    text = t(lang, "login.choose_method")
    if current is not None and not current.is_expired():
        signed_in = t(lang, "login.already_signed_in", fingerprint=current.fingerprint)
        text = Raw(f"{signed_in}\n\n{text}")
    await bot.send_message(
        actor.chat_id,
        text,
        reply_markup=choice(
            [
                [(t(lang, "btn.login_key"), "login:key")],
                [(t(lang, "btn.login_password"), "login:password")],
                [(t(lang, "btn.cancel_action"), "login:cancel")],
            ]
        ),
    )


@router.callback_query(when(F.data.startswith("login:")))
async def login_choice(
    query: CallbackQuery, actor: Actor, rt: Runtime, state: FSMContext, bot: Bot
) -> None:
    lang = actor.lang
    if not actor.is_private_chat:
        await query.answer(t(lang, "login.private_only")[:200], show_alert=True)
        return
    choice_made = (query.data or "").split(":", 1)[1]
    await query.answer()
    await retire_keyboard(query)
    if choice_made == LOGIN_MENU_CALLBACK.split(":", 1)[1]:
        await state.clear()
        await _show_login_menu(bot, actor, rt)
    elif choice_made == "key":
        await state.set_state(LoginFlow.key)
        await bot.send_message(actor.chat_id, t(lang, "login.ask_key"))
    elif choice_made == "password":
        await state.set_state(LoginFlow.login)
        await bot.send_message(actor.chat_id, t(lang, "login.ask_login"))
    elif choice_made in ("stay", "once"):
        await _finish_password_login(bot, actor, rt, state, stay=choice_made == "stay")
    else:
        await state.clear()
        await bot.send_message(actor.chat_id, t(lang, "login.cancelled"))


@router.message(StateFilter(LoginFlow.key))
async def key_given(message: Message, actor: Actor, rt: Runtime, state: FSMContext) -> None:
    lang = actor.lang
    key = (message.text or "").strip()
    await _delete_secret(message, lang)
    if not key:
        await message.answer(t(lang, "login.empty_input"))
        return
    await state.clear()
    await message.answer(t(lang, "login.checking"))
    try:
        signed = await rt.auth.sign_in_with_key(actor, key)
    except CallApiClientError as exc:
        # Explained as a key being checked ("login.key"), not as a read of the call list.
        failure = failure_from(exc, KEY_CHECK)
        context = {**failure.context, "method": KEY_CHECK}
        await message.answer(explain_error(lang, failure.mnemonic, **context).render())
        return
    await message.answer(t(lang, "login.done_key_no_expiry", fingerprint=signed.fingerprint))
    await _offer_repeat(message.bot, actor, rt)


@router.message(StateFilter(LoginFlow.login), when(F.text))
async def login_given(message: Message, actor: Actor, state: FSMContext) -> None:
    login = (message.text or "").strip()
    if not login:
        await message.answer(t(actor.lang, "login.empty_input"))
        return
    await state.update_data(login=login)
    await state.set_state(LoginFlow.password)
    await message.answer(t(actor.lang, "login.ask_password"))


@router.message(StateFilter(LoginFlow.password))
async def password_given(message: Message, actor: Actor, state: FSMContext) -> None:
    lang = actor.lang
    password = message.text or ""
    await _delete_secret(message, lang)
    if not password:
        await message.answer(t(lang, "login.empty_input"))
        return
    # Kept only in this conversation's memory until the user answers the next question.
    await state.update_data(password=password)
    await state.set_state(LoginFlow.stay)
    await message.answer(
        t(lang, "login.ask_stay_signed_in"),
        reply_markup=choice(
            [
                [(t(lang, "btn.stay_signed_in"), "login:stay")],
                [(t(lang, "btn.session_only"), "login:once")],
            ]
        ),
    )


async def _finish_password_login(
    bot: Bot, actor: Actor, rt: Runtime, state: FSMContext, *, stay: bool
) -> None:
    lang = actor.lang
    data = await state.get_data()
    await state.clear()
    login, password = data.get("login"), data.get("password")
    if not login or not password:
        await bot.send_message(actor.chat_id, t(lang, "login.cancelled"))
        return
    await bot.send_message(actor.chat_id, t(lang, "login.checking"))
    try:
        signed = await rt.auth.sign_in_with_password(
            actor, str(login), str(password), stay_signed_in=stay
        )
    except CallApiClientError as exc:
        failure = failure_from(exc, "login.user")
        context = {**failure.context, "method": "login.user"}
        await bot.send_message(
            actor.chat_id, explain_error(lang, failure.mnemonic, **context).render()
        )
        return
    key = "login.done_session_stay" if signed.stay_signed_in else "login.done_session"
    await bot.send_message(
        actor.chat_id,
        t(lang, key, fingerprint=signed.fingerprint, expires_at=format_time(signed.expires_at)),
    )
    await _offer_repeat(bot, actor, rt)


async def _offer_repeat(bot: Bot | None, actor: Actor, rt: Runtime) -> None:
    """A press refused for an expired sign-in is offered again right after a new login."""
    if bot is None:
        return
    update = await rt.calls.redraw_after_login(actor)
    if update is None:
        return
    await draw_card(bot, update)


@router.message(Command("logout"))
async def logout_command(message: Message, actor: Actor, rt: Runtime, state: FSMContext) -> None:
    await state.clear()
    kind = await rt.auth.sign_out(actor)
    if kind is None:
        await message.answer(t(actor.lang, "logout.not_signed_in"))
    elif kind is CredentialKind.PERMANENT_KEY:
        await message.answer(t(actor.lang, "logout.done_key"))
    else:
        await message.answer(t(actor.lang, "logout.done_session"))
