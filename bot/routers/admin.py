"""Admin commands: who may use the bot, who is which employee, the catalog, group keys, audit."""

from __future__ import annotations

import io
import logging
from contextlib import suppress
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, Message

from bot.callbacks import Action
from bot.filters import IsAdmin, PrivateChat, when
from bot.keyboards import inline
from bot.parsing import parse_id
from bot.routers.login import KEY_CHECK, _delete_secret, private_chat_only
from bot.services.access import AccessService, AccessState, Member
from bot.services.actor import Actor
from bot.services.admin import AUDIT_MAX_DAYS, AdminService, Assignment
from bot.services.auth import AuthService, CallApiClientError
from bot.services.calls import CallService
from bot.services.catalog import CatalogImportError, CatalogService
from bot.services.failures import failure_from
from bot.texts import explain_error, lang_for, t
from bot.texts.commands import ADMIN_COMMANDS

log = logging.getLogger(__name__)

CATALOG_MAX_BYTES = 5 * 1024 * 1024


class AdminFlow(StatesGroup):
    catalog = State()
    group_key = State()


async def admin_only(message: Message, actor: Actor) -> None:
    """An admin command from someone who is not an admin."""
    await message.answer(t(actor.lang, "access.admin_only"))


def _username(username: str | None) -> str:
    return f"@{username}" if username else "—"


async def notify_admins(
    bot: Bot, member: Member, access: AccessService, calls: CallService
) -> None:
    """A new user asks for access: each admin gets one-shot approve/deny buttons.

    At most a few per admin and minute (``AccessRequestDesk``): a wave of new users becomes
    one "more are waiting" note instead of a message each.
    """
    if access.mode.value != "approval":
        return
    desk = access.requests
    for admin_id in access.admin_ids:
        admission = desk.admit(admin_id)
        if admission == "skip":
            continue
        admin = await access.member(admin_id)
        lang = lang_for(admin.language_code if admin else None)
        if admission == "more":
            await bot.send_message(admin_id, t(lang, "access.admin_more_requests"))
            continue
        admin_actor = Actor(user_id=admin_id, chat_id=admin_id, lang=lang, is_admin=True)
        payload = {"user_id": member.user_id}
        buttons = [
            [
                await calls.issue_button(
                    admin_actor, t(lang, "btn.approve"), Action.APPROVE_USER, payload
                ),
                await calls.issue_button(
                    admin_actor, t(lang, "btn.deny"), Action.DENY_USER, payload
                ),
            ]
        ]
        text = t(
            lang,
            "access.admin_new_request",
            name=member.display_name,
            username=_username(member.username),
            user_id=member.user_id,
            language=member.language_code or "—",
        )
        try:
            sent = await bot.send_message(admin_id, text, reply_markup=inline(buttons))
        except Exception:  # an admin who never opened a chat with the bot cannot be messaged
            log.warning("could not notify admin %s of a new user", admin_id)
            continue
        desk.shown(member.user_id, admin_id, sent.message_id)


async def decide_user(
    bot: Bot, actor: Actor, access: AccessService, action: Action, payload: dict[str, Any]
) -> None:
    user_id = payload.get("user_id")
    if not actor.is_admin or not isinstance(user_id, int):
        return
    allow = action is Action.APPROVE_USER
    await _set_access(bot, actor, access, user_id, allow)


async def _set_access(
    bot: Bot, actor: Actor, access: AccessService, user_id: int, allow: bool
) -> None:
    if user_id in access.admin_ids:
        # Settings make them an admin again at their next message: say so, change nothing.
        await bot.send_message(
            actor.chat_id, t(actor.lang, "admin.configured_admin", user_id=user_id)
        )
        return
    member = await access.set_access(
        actor.user_id, user_id, AccessState.ALLOWED if allow else AccessState.BLOCKED
    )
    if member is None:
        await bot.send_message(
            actor.chat_id, t(actor.lang, "admin.user_not_found", user_id=user_id)
        )
        return
    # The request's buttons have done their job, for every admin who was shown them.
    for admin_chat, message_id in access.requests.handled(user_id):
        with suppress(TelegramAPIError):
            await bot.edit_message_reply_markup(
                chat_id=admin_chat, message_id=message_id, reply_markup=None
            )
    key = "admin.approved" if allow else "admin.denied"
    await bot.send_message(
        actor.chat_id, t(actor.lang, key, name=member.display_name, user_id=user_id)
    )
    user_lang = lang_for(member.language_code)
    try:
        await bot.send_message(
            user_id, t(user_lang, "access.approved" if allow else "access.denied")
        )
    except Exception:
        log.info("could not tell user %s about the decision", user_id)


def _user_id_arg(command: CommandObject) -> int | None:
    return parse_id((command.args or "").strip(), signed=True)


async def users_command(message: Message, actor: Actor, access: AccessService) -> None:
    members = await access.members()
    lang = actor.lang
    if not members:
        await message.answer(t(lang, "admin.users_empty"))
        return
    status_key = {
        AccessState.PENDING: "admin.user_status.pending",
        AccessState.ALLOWED: "admin.user_status.approved",
        AccessState.BLOCKED: "admin.user_status.blocked",
    }
    lines = [t(lang, "admin.users_title")]
    for member in members[:100]:
        status = "admin.user_status.admin" if member.is_admin else status_key[member.access]
        lines.append(
            t(
                lang,
                "admin.user_line",
                user_id=member.user_id,
                name=member.display_name,
                username=_username(member.username),
                status=t(lang, status),
                employee=member.employee_id if member.employee_id is not None else "—",
            )
        )
    await message.answer("\n".join(lines))


async def approve_command(
    message: Message, command: CommandObject, actor: Actor, access: AccessService, bot: Bot
) -> None:
    user_id = _user_id_arg(command)
    if user_id is None:
        await message.answer(t(actor.lang, "admin.usage", usage=f"/{command.command} USER_ID"))
        return
    await _set_access(bot, actor, access, user_id, command.command == "approve")


async def assign_command(
    message: Message, command: CommandObject, actor: Actor, admin: AdminService, bot: Bot
) -> None:
    lang = actor.lang
    parts = (command.args or "").split()
    user_id = parse_id(parts[0]) if len(parts) in (2, 3) else None
    employee_id = parse_id(parts[1]) if len(parts) in (2, 3) else None
    if user_id is None or employee_id is None:
        await message.answer(t(lang, "admin.usage", usage="/assign USER_ID EMPLOYEE_ID [PHONE]"))
        return
    assigned = await admin.assign(
        actor, user_id, employee_id, parts[2] if len(parts) == 3 else None
    )
    if assigned.result is Assignment.EMPLOYEE_NOT_FOUND:
        await message.answer(t(lang, "admin.employee_not_found", employee_id=employee_id))
        return
    if assigned.result is Assignment.PHONE_INVALID:
        await message.answer(
            t(
                lang,
                "call.number_invalid",
                field="PHONE",
                expected=t(lang, "call.expected_phone"),
            )
        )
        return
    if assigned.result is Assignment.EMPLOYEE_TAKEN:
        await message.answer(t(lang, "admin.employee_taken", employee_id=employee_id))
        return
    member = assigned.member
    if member is None:
        await message.answer(t(lang, "admin.user_not_found", user_id=user_id))
        return
    await message.answer(
        t(
            lang,
            "admin.employee_assigned",
            name=member.display_name,
            employee=assigned.employee_name,
            employee_id=employee_id,
        )
    )
    try:
        await bot.send_message(
            user_id,
            t(
                lang_for(member.language_code),
                "settings.employee_assigned",
                employee=assigned.employee_name,
            ),
        )
    except Exception:
        log.info("could not tell user %s about the employee link", user_id)


async def catalog_command(message: Message, actor: Actor, state: FSMContext) -> None:
    await state.set_state(AdminFlow.catalog)
    await message.answer(t(actor.lang, "admin.catalog_ask"))


async def catalog_file(
    message: Message, actor: Actor, catalog: CatalogService, state: FSMContext, bot: Bot
) -> None:
    lang = actor.lang
    document = message.document
    assert document is not None
    if (document.file_size or 0) > CATALOG_MAX_BYTES:
        await message.answer(t(lang, "admin.catalog_failed", reason="file is larger than 5 MB"))
        return
    buffer = io.BytesIO()
    await bot.download(document, destination=buffer)
    try:
        counts = await catalog.import_file(buffer.getvalue(), document.file_name)
    except CatalogImportError as exc:
        await message.answer(t(lang, "admin.catalog_failed", reason=str(exc)[:3000]))
        return
    await state.clear()
    await message.answer(
        t(
            lang,
            "admin.catalog_imported",
            employees=counts.employees,
            virtual_numbers=counts.virtual_numbers,
            scenarios=counts.scenarios,
            media_files=counts.media_files,
            tags=counts.tags,
        )
    )


async def bindkey_command(
    message: Message, command: CommandObject, actor: Actor, state: FSMContext
) -> None:
    """/bindkey GROUP_CHAT_ID, in a private chat: the key itself is asked for next."""
    lang = actor.lang
    chat_id = _user_id_arg(command)
    if chat_id is None or chat_id >= 0:
        await message.answer(t(lang, "admin.usage", usage="/bindkey GROUP_CHAT_ID (negative)"))
        return
    await state.set_state(AdminFlow.group_key)
    await state.update_data(group_chat_id=chat_id)
    await message.answer(t(lang, "login.ask_key"))


async def group_key_given(
    message: Message, actor: Actor, auth: AuthService, state: FSMContext
) -> None:
    lang = actor.lang
    key = (message.text or "").strip()
    await _delete_secret(message, lang)
    data = await state.get_data()
    await state.clear()
    group_chat_id = int(data.get("group_chat_id", 0))
    if not key or not group_chat_id:
        await message.answer(t(lang, "login.empty_input"))
        return
    try:
        bound = await auth.bind_group_key(actor, group_chat_id, key)
    except CallApiClientError as exc:
        failure = failure_from(exc, KEY_CHECK)
        context = {**failure.context, "method": KEY_CHECK}
        await message.answer(explain_error(lang, failure.mnemonic, **context).render())
        return
    await message.answer(
        t(lang, "admin.key_bound", fingerprint=bound.fingerprint, group=bound.group_title)
    )


async def oncall_chat_command(message: Message, actor: Actor, admin: AdminService) -> None:
    """/oncall_chat, sent in a group by an admin: missed calls nobody in particular was tried
    for come to this group (stored in the database; a later binding replaces it)."""
    lang = actor.lang
    if actor.is_private_chat:
        await message.answer(t(lang, "oncall.group_only"))
        return
    await admin.bind_oncall_chat(actor)
    await message.answer(t(lang, "oncall.bound"))


async def audit_command(
    message: Message, command: CommandObject, actor: Actor, admin: AdminService
) -> None:
    """/audit [DAYS]: the audit log of the last DAYS days (default 1) as a CSV file."""
    lang = actor.lang
    days = parse_id((command.args or "1").strip(), maximum=AUDIT_MAX_DAYS)
    if days is None or days < 1:
        await message.answer(t(lang, "admin.usage", usage=f"/audit [DAYS 1-{AUDIT_MAX_DAYS}]"))
        return
    export = await admin.audit_export(days)
    if export.rows == 0:
        await message.answer(t(lang, "admin.audit_empty", period=export.period))
        return
    await message.answer_document(
        BufferedInputFile(export.content, filename=export.file_name),
        caption=t(lang, "admin.audit_caption", period=export.period, count=export.rows),
    )


def router() -> Router:
    """Admin commands run for admins only (a router-level filter); anyone else who types one
    is told it is for admins. /bindkey takes a key, so only in a private chat."""
    admins = Router(name="admin.admins")
    admins.message.filter(IsAdmin())
    admins.message.register(users_command, Command("users"))
    admins.message.register(approve_command, Command("approve", "deny"))
    admins.message.register(assign_command, Command("assign"))
    admins.message.register(catalog_command, Command("catalog"))
    admins.message.register(catalog_file, StateFilter(AdminFlow.catalog), when(F.document))
    admins.message.register(bindkey_command, Command("bindkey"), PrivateChat())
    admins.message.register(private_chat_only, Command("bindkey"))
    admins.message.register(group_key_given, StateFilter(AdminFlow.group_key))
    admins.message.register(oncall_chat_command, Command("oncall_chat"))
    admins.message.register(audit_command, Command("audit"))
    others = Router(name="admin.others")
    others.message.register(admin_only, Command(*ADMIN_COMMANDS))
    admin = Router(name="admin")
    admin.include_routers(admins, others)
    return admin
