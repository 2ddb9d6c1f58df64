"""/login and /logout. Secrets are accepted only in a private chat, and the message that
carried one is deleted before anything else happens."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.callback_data import LoginChoice, LoginPick
from bot.card_messages import draw_card
from bot.filters import PrivateChat, when
from bot.keyboard_cleanup import retire_keyboard
from bot.keyboards import choice
from bot.services.actor import Actor
from bot.services.auth import AuthService, CallApiClientError, CredentialKind
from bot.services.calls import CallService
from bot.services.failures import failure_from
from bot.texts import Lang, Raw, explain_error, t

log = logging.getLogger(__name__)

# The "sign in" button offered where signing in is the missing step (e.g. /call signed out).
LOGIN_MENU_CALLBACK = LoginPick(choice=LoginChoice.MENU).pack()
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


async def login_command(
    message: Message, actor: Actor, auth: AuthService, state: FSMContext, bot: Bot
) -> None:
    await state.clear()
    await _show_login_menu(bot, actor, auth)


async def private_chat_only(message: Message, actor: Actor) -> None:
    """A command that takes a secret, sent in a group: said where it works instead."""
    await message.answer(t(actor.lang, "login.private_only"))


async def login_press_elsewhere(query: CallbackQuery, actor: Actor) -> None:
    await query.answer(t(actor.lang, "login.private_only")[:200], show_alert=True)


async def _show_login_menu(bot: Bot, actor: Actor, auth: AuthService) -> None:
    lang = actor.lang
    # Signed in already: say so, but offer the menu all the same. The bot's record may be
    # alive while UIS ended that session or revoked the key; a new sign-in replaces it.
    current = await auth.status(actor.user_id)
    text = t(lang, "login.choose_method")
    if current is not None and not current.is_expired():
        signed_in = t(lang, "login.already_signed_in", fingerprint=current.fingerprint)
        text = Raw(f"{signed_in}\n\n{text}")
    await bot.send_message(
        actor.chat_id,
        text,
        reply_markup=choice(
            [
                [(t(lang, "btn.login_key"), LoginPick(choice=LoginChoice.KEY).pack())],
                [
                    (
                        t(lang, "btn.login_password"),
                        LoginPick(choice=LoginChoice.PASSWORD).pack(),
                    )
                ],
                [(t(lang, "btn.cancel_action"), LoginPick(choice=LoginChoice.CANCEL).pack())],
            ]
        ),
    )


async def login_choice(
    query: CallbackQuery,
    callback_data: LoginPick,
    actor: Actor,
    auth: AuthService,
    calls: CallService,
    state: FSMContext,
    bot: Bot,
) -> None:
    lang = actor.lang
    choice_made = callback_data.choice
    await query.answer()
    await retire_keyboard(query)
    if choice_made is LoginChoice.MENU:
        await state.clear()
        await _show_login_menu(bot, actor, auth)
    elif choice_made is LoginChoice.KEY:
        await state.set_state(LoginFlow.key)
        await bot.send_message(actor.chat_id, t(lang, "login.ask_key"))
    elif choice_made is LoginChoice.PASSWORD:
        await state.set_state(LoginFlow.login)
        await bot.send_message(actor.chat_id, t(lang, "login.ask_login"))
    elif choice_made in (LoginChoice.STAY, LoginChoice.ONCE):
        stay = choice_made is LoginChoice.STAY
        await _finish_password_login(bot, actor, auth, calls, state, stay=stay)
    else:
        await state.clear()
        await bot.send_message(actor.chat_id, t(lang, "login.cancelled"))


async def key_given(
    message: Message,
    actor: Actor,
    auth: AuthService,
    calls: CallService,
    state: FSMContext,
    bot: Bot,
) -> None:
    lang = actor.lang
    key = (message.text or "").strip()
    await _delete_secret(message, lang)
    if not key:
        await message.answer(t(lang, "login.empty_input"))
        return
    await state.clear()
    await message.answer(t(lang, "login.checking"))
    try:
        signed = await auth.sign_in_with_key(actor, key)
    except CallApiClientError as exc:
        # Explained as a key being checked ("login.key"), not as a read of the call list.
        failure = failure_from(exc, KEY_CHECK)
        context = {**failure.context, "method": KEY_CHECK}
        await message.answer(explain_error(lang, failure.mnemonic, **context).render())
        return
    await message.answer(t(lang, "login.done_key_no_expiry", fingerprint=signed.fingerprint))
    await _offer_repeat(bot, actor, calls)


async def login_given(message: Message, actor: Actor, state: FSMContext) -> None:
    login = (message.text or "").strip()
    if not login:
        await message.answer(t(actor.lang, "login.empty_input"))
        return
    await state.update_data(login=login)
    await state.set_state(LoginFlow.password)
    await message.answer(t(actor.lang, "login.ask_password"))


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
                [(t(lang, "btn.stay_signed_in"), LoginPick(choice=LoginChoice.STAY).pack())],
                [(t(lang, "btn.session_only"), LoginPick(choice=LoginChoice.ONCE).pack())],
            ]
        ),
    )


async def _finish_password_login(
    bot: Bot,
    actor: Actor,
    auth: AuthService,
    calls: CallService,
    state: FSMContext,
    *,
    stay: bool,
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
        signed = await auth.sign_in_with_password(
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
    await _offer_repeat(bot, actor, calls)


async def _offer_repeat(bot: Bot, actor: Actor, calls: CallService) -> None:
    """A press refused for an expired sign-in is offered again right after a new login."""
    update = await calls.redraw_after_login(actor)
    if update is None:
        return
    await draw_card(bot, update)


async def logout_command(
    message: Message, actor: Actor, auth: AuthService, state: FSMContext
) -> None:
    await state.clear()
    kind = await auth.sign_out(actor)
    if kind is None:
        await message.answer(t(actor.lang, "logout.not_signed_in"))
    elif kind is CredentialKind.PERMANENT_KEY:
        await message.answer(t(actor.lang, "logout.done_key"))
    else:
        await message.answer(t(actor.lang, "logout.done_session"))


def router() -> Router:
    """Secrets only in a private chat: the sign-in steps live in a private-only router; the
    same command or button elsewhere is told so."""
    private = Router(name="login.private")
    private.message.filter(PrivateChat())
    private.callback_query.filter(PrivateChat())
    private.message.register(login_command, Command("login"))
    private.callback_query.register(login_choice, LoginPick.filter())
    private.message.register(key_given, StateFilter(LoginFlow.key))
    private.message.register(login_given, StateFilter(LoginFlow.login), when(F.text))
    private.message.register(password_given, StateFilter(LoginFlow.password))
    elsewhere = Router(name="login.elsewhere")
    elsewhere.message.register(private_chat_only, Command("login"))
    elsewhere.callback_query.register(login_press_elsewhere, LoginPick.filter())
    login = Router(name="login")
    login.message.register(logout_command, Command("logout"))
    login.include_routers(private, elsewhere)
    return login
