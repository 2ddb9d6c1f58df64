"""Admin commands: who may use the bot, who is which employee, the catalog, group keys, audit."""

from __future__ import annotations

import io
import logging
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import Bot, F
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, Message

from api.client import CallApiClient
from api.credentials import PermanentKeyCredentials
from api.errors import CallApiClientError
from bot.callbacks import Action
from bot.filters import when
from bot.keyboards import inline
from bot.logging_setup import SECRETS
from bot.parsing import parse_id
from bot.routers.login import KEY_CHECK, _delete_secret
from bot.routers.spec import RouterSpec
from bot.runtime import Runtime
from bot.services.access import Member
from bot.services.actor import Actor
from bot.services.failures import failure_from
from bot.texts import explain_error, lang_for, t
from db import catalog as catalog_store
from db import credentials as credential_store
from db.audit import export_audit_csv
from db.catalog import CatalogImportError, CatalogSection
from db.models import AccessState, CredentialKind
from db.users import EmployeeAlreadyAssignedError

log = logging.getLogger(__name__)

router = RouterSpec("admin")

CATALOG_MAX_BYTES = 5 * 1024 * 1024


class AdminFlow(StatesGroup):
    catalog = State()
    group_key = State()


def _is_admin(actor: Actor) -> bool:
    return actor.is_admin


async def _refuse(message: Message, actor: Actor) -> None:
    await message.answer(t(actor.lang, "access.admin_only"))


def _username(username: str | None) -> str:
    return f"@{username}" if username else "—"


async def notify_admins(bot: Bot, member: Member, runtime: Runtime) -> None:
    """A new user asks for access: each admin gets one-shot approve/deny buttons.

    At most a few per admin and minute (``AccessRequestDesk``): a wave of new users becomes
    one "more are waiting" note instead of a message each.
    """
    if runtime.access.mode.value != "approval":
        return
    desk = runtime.access.requests
    for admin_id in runtime.access.admin_ids:
        admission = desk.admit(admin_id)
        if admission == "skip":
            continue
        admin = await runtime.access.member(admin_id)
        lang = lang_for(admin.language_code if admin else None)
        if admission == "more":
            await bot.send_message(admin_id, t(lang, "access.admin_more_requests"))
            continue
        admin_actor = Actor(user_id=admin_id, chat_id=admin_id, lang=lang, is_admin=True)
        payload = {"user_id": member.user_id}
        buttons = [
            [
                await runtime.calls.issue_button(
                    admin_actor, t(lang, "btn.approve"), Action.APPROVE_USER, payload
                ),
                await runtime.calls.issue_button(
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
    bot: Bot, actor: Actor, rt: Runtime, action: Action, payload: dict[str, Any]
) -> None:
    user_id = payload.get("user_id")
    if not actor.is_admin or not isinstance(user_id, int):
        return
    allow = action is Action.APPROVE_USER
    await _set_access(bot, actor, rt, user_id, allow)


async def _set_access(bot: Bot, actor: Actor, rt: Runtime, user_id: int, allow: bool) -> None:
    member = await rt.access.set_access(
        actor.user_id, user_id, AccessState.ALLOWED if allow else AccessState.BLOCKED
    )
    if member is None:
        await bot.send_message(
            actor.chat_id, t(actor.lang, "admin.user_not_found", user_id=user_id)
        )
        return
    # The request's buttons have done their job, for every admin who was shown them.
    for admin_chat, message_id in rt.access.requests.handled(user_id):
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


@router.message(Command("users"))
async def users_command(message: Message, actor: Actor, rt: Runtime) -> None:
    if not _is_admin(actor):
        await _refuse(message, actor)
        return
    members = await rt.access.members()
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


@router.message(Command("approve", "deny"))
async def approve_command(
    message: Message, command: CommandObject, actor: Actor, rt: Runtime, bot: Bot
) -> None:
    if not _is_admin(actor):
        await _refuse(message, actor)
        return
    user_id = _user_id_arg(command)
    if user_id is None:
        await message.answer(t(actor.lang, "admin.usage", usage=f"/{command.command} USER_ID"))
        return
    await _set_access(bot, actor, rt, user_id, command.command == "approve")


@router.message(Command("assign"))
async def assign_command(
    message: Message, command: CommandObject, actor: Actor, rt: Runtime, bot: Bot
) -> None:
    if not _is_admin(actor):
        await _refuse(message, actor)
        return
    lang = actor.lang
    parts = (command.args or "").split()
    user_id = parse_id(parts[0]) if len(parts) in (2, 3) else None
    employee_id = parse_id(parts[1]) if len(parts) in (2, 3) else None
    if user_id is None or employee_id is None:
        await message.answer(t(lang, "admin.usage", usage="/assign USER_ID EMPLOYEE_ID [PHONE]"))
        return
    async with rt.sessions() as session:
        employee = await catalog_store.get_employee(session, employee_id)
    if employee is None:
        await message.answer(t(lang, "admin.employee_not_found", employee_id=employee_id))
        return
    phone = parts[2] if len(parts) == 3 else (str(employee.phones[0]) if employee.phones else None)
    if phone is not None:
        try:
            phone = rt.calls.normalise_contact(phone, rt.settings.callapi.default_region, "phone")
        except ValueError:
            await message.answer(
                t(
                    lang,
                    "call.number_invalid",
                    field="PHONE",
                    expected=t(lang, "call.expected_phone"),
                )
            )
            return
    try:
        member = await rt.access.assign_employee(actor.user_id, user_id, employee_id, phone)
    except EmployeeAlreadyAssignedError:
        await message.answer(t(lang, "admin.employee_taken", employee_id=employee_id))
        return
    if member is None:
        await message.answer(t(lang, "admin.user_not_found", user_id=user_id))
        return
    await message.answer(
        t(
            lang,
            "admin.employee_assigned",
            name=member.display_name,
            employee=employee.full_name,
            employee_id=employee_id,
        )
    )
    try:
        await bot.send_message(
            user_id,
            t(
                lang_for(member.language_code),
                "settings.employee_assigned",
                employee=employee.full_name,
            ),
        )
    except Exception:
        log.info("could not tell user %s about the employee link", user_id)


@router.message(Command("catalog"))
async def catalog_command(message: Message, actor: Actor, state: FSMContext) -> None:
    if not _is_admin(actor):
        await _refuse(message, actor)
        return
    await state.set_state(AdminFlow.catalog)
    await message.answer(t(actor.lang, "admin.catalog_ask"))


@router.message(StateFilter(AdminFlow.catalog), when(F.document))
async def catalog_file(
    message: Message, actor: Actor, rt: Runtime, state: FSMContext, bot: Bot
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
        async with rt.sessions.begin() as session:
            summary = await catalog_store.import_catalog(
                session, buffer.getvalue(), filename=document.file_name
            )
    except CatalogImportError as exc:
        await message.answer(t(lang, "admin.catalog_failed", reason=str(exc)[:3000]))
        return
    await state.clear()
    rt.calls.invalidate_catalog()

    def count(section: CatalogSection) -> int:
        changes = summary.sections.get(section)
        return 0 if changes is None else changes.added + changes.updated

    await message.answer(
        t(
            lang,
            "admin.catalog_imported",
            employees=count(CatalogSection.EMPLOYEES),
            virtual_numbers=count(CatalogSection.VIRTUAL_NUMBERS),
            scenarios=count(CatalogSection.SCENARIOS),
            media_files=count(CatalogSection.MEDIA_FILES),
            tags=count(CatalogSection.TAGS),
        )
    )


@router.message(Command("bindkey"))
async def bindkey_command(
    message: Message, command: CommandObject, actor: Actor, state: FSMContext
) -> None:
    """/bindkey GROUP_CHAT_ID, in a private chat: the key itself is asked for next."""
    lang = actor.lang
    if not _is_admin(actor):
        await _refuse(message, actor)
        return
    if not actor.is_private_chat:
        await message.answer(t(lang, "login.private_only"))
        return
    chat_id = _user_id_arg(command)
    if chat_id is None or chat_id >= 0:
        await message.answer(t(lang, "admin.usage", usage="/bindkey GROUP_CHAT_ID (negative)"))
        return
    await state.set_state(AdminFlow.group_key)
    await state.update_data(group_chat_id=chat_id)
    await message.answer(t(lang, "login.ask_key"))


@router.message(StateFilter(AdminFlow.group_key))
async def group_key_given(message: Message, actor: Actor, rt: Runtime, state: FSMContext) -> None:
    lang = actor.lang
    key = (message.text or "").strip()
    await _delete_secret(message, lang)
    data = await state.get_data()
    await state.clear()
    group_chat_id = int(data.get("group_chat_id", 0))
    if not key or not group_chat_id:
        await message.answer(t(lang, "login.empty_input"))
        return
    client: CallApiClient = rt.client
    try:
        await client.bind(PermanentKeyCredentials(key), context=actor.audit_context()).list_calls()
    except CallApiClientError as exc:
        failure = failure_from(exc, KEY_CHECK)
        context = {**failure.context, "method": KEY_CHECK}
        await message.answer(explain_error(lang, failure.mnemonic, **context).render())
        return
    from db import users as user_store

    async with rt.sessions.begin() as session:
        chat = await user_store.get_chat(session, group_chat_id)
        if chat is None:
            await user_store.record_chat_seen(session, group_chat_id, chat_type="group")
        saved = await credential_store.bind_chat_credential(
            session,
            rt.cipher,
            group_chat_id,
            login=None,
            access_token=key,
            expires_at=None,
            bound_by=actor.user_id,
            kind=CredentialKind.PERMANENT_KEY,
        )
    SECRETS.add_user_secret(key)  # verified and stored: a secret we keep
    rt.auth.invalidate()
    title = chat.title if chat is not None and chat.title else str(group_chat_id)
    await message.answer(t(lang, "admin.key_bound", fingerprint=saved.fingerprint, group=title))


@router.message(Command("oncall_chat"))
async def oncall_chat_command(message: Message, actor: Actor, rt: Runtime) -> None:
    """/oncall_chat, sent in a group by an admin: missed calls nobody in particular was tried
    for come to this group (stored in the database; a later binding replaces it)."""
    lang = actor.lang
    if not _is_admin(actor):
        await _refuse(message, actor)
        return
    if actor.is_private_chat:
        await message.answer(t(lang, "oncall.group_only"))
        return
    from db import missed_calls as missed_store

    async with rt.sessions.begin() as session:
        await missed_store.bind_oncall_chat(session, actor.chat_id, bound_by=actor.user_id)
    await message.answer(t(lang, "oncall.bound"))


@router.message(Command("audit"))
async def audit_command(
    message: Message, command: CommandObject, actor: Actor, rt: Runtime
) -> None:
    """/audit [DAYS]: the audit log of the last DAYS days (default 1) as a CSV file."""
    lang = actor.lang
    if not _is_admin(actor):
        await _refuse(message, actor)
        return
    days = parse_id((command.args or "1").strip(), maximum=366)
    if days is None or days < 1:
        await message.answer(t(lang, "admin.usage", usage="/audit [DAYS 1-366]"))
        return
    end = datetime.now(UTC)
    start = end - timedelta(days=days)
    period = f"{start:%Y-%m-%d %H:%M} — {end:%Y-%m-%d %H:%M} UTC"
    await rt.audit.flush(max_wait=5.0)
    async with rt.sessions() as session:
        data = await export_audit_csv(session, start, end)
    count = max(data.count(b"\n") - 1, 0)
    if count == 0:
        await message.answer(t(lang, "admin.audit_empty", period=period))
        return
    await message.answer_document(
        BufferedInputFile(data, filename=f"callbot-audit-{end:%Y%m%d-%H%M}.csv"),
        caption=t(lang, "admin.audit_caption", period=period, count=count),
    )
