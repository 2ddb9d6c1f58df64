"""Admin commands: refused to others, working for an admin (admin router); the approve and
deny buttons of an access request (signed one-shot buttons, cards router)."""

from __future__ import annotations

from bot.texts import t
from handlers.handler_kit import ADMIN, GROUP_ID, GROUP_TITLE, MANAGER, RU, STRANGER, Harness, shows
from sandbox.uis import demo_catalog_bytes

ADMIN_COMMANDS = [
    "/users",
    "/approve 2002",
    "/deny 2002",
    "/assign 2002 102",
    "/catalog",
    "/bindkey -100123",
    "/oncall_chat",
    "/audit",
]


async def test_admin_commands_are_refused_to_a_manager(h: Harness) -> None:
    await h.admit(MANAGER)
    for command in ADMIN_COMMANDS:
        fed = await h.send(MANAGER, command)
        assert fed.last.text == t(RU, "access.admin_only"), command


async def test_a_new_user_is_approved_with_the_request_button(h: Harness) -> None:
    await h.send(ADMIN, "/start")
    await h.send(STRANGER, "/start")
    [request] = [m for m in h.messages(ADMIN.id) if m.from_bot and m.buttons()]
    assert shows(request.text, "access.admin_new_request", user_id=STRANGER.id)
    assert request.button_texts() == [t(RU, "btn.approve"), t(RU, "btn.deny")]
    fed = await h.press(ADMIN, request, t(RU, "btn.approve"))
    assert fed.answer is not None
    assert shows(
        h.last(ADMIN.id).text, "admin.approved", name=STRANGER.first_name, user_id=STRANGER.id
    )
    assert h.last(STRANGER.id).text == t(RU, "access.approved")
    assert h.message(ADMIN.id, request.message_id).buttons() == []  # request handled


async def test_users_lists_everyone_with_their_status(h: Harness) -> None:
    await h.admit(MANAGER)
    await h.send(STRANGER, "/start")
    text = (await h.send(ADMIN, "/users")).last.text
    assert text.startswith(t(RU, "admin.users_title"))
    pending = t(RU, "admin.user_status.pending")
    assert shows(text, "admin.user_line", user_id=STRANGER.id, status=pending)
    approved = t(RU, "admin.user_status.approved")
    assert shows(text, "admin.user_line", user_id=MANAGER.id, status=approved, employee=101)


async def test_approve_and_deny_commands(h: Harness) -> None:
    await h.send(STRANGER, "/start")
    approved = await h.send(ADMIN, f"/approve {STRANGER.id}")
    assert approved.texts[0] == t(
        RU, "admin.approved", name=STRANGER.first_name, user_id=STRANGER.id
    )
    assert h.last(STRANGER.id).text == t(RU, "access.approved")
    denied = await h.send(ADMIN, f"/deny {STRANGER.id}")
    assert denied.texts[0] == t(RU, "admin.denied", name=STRANGER.first_name, user_id=STRANGER.id)
    assert h.last(STRANGER.id).text == t(RU, "access.denied")
    usage = await h.send(ADMIN, "/approve someone")
    assert usage.last.text == t(RU, "admin.usage", usage="/approve USER_ID")
    unknown = await h.send(ADMIN, "/deny 424242")
    assert unknown.last.text == t(RU, "admin.user_not_found", user_id=424242)


async def test_assign_links_a_user_to_an_employee(h: Harness) -> None:
    await h.admit(MANAGER)
    await h.approve(STRANGER)
    usage = await h.send(ADMIN, f"/assign {STRANGER.id}")
    assert usage.last.text == t(RU, "admin.usage", usage="/assign USER_ID EMPLOYEE_ID [PHONE]")
    missing = await h.send(ADMIN, f"/assign {STRANGER.id} 999")
    assert missing.last.text == t(RU, "admin.employee_not_found", employee_id=999)
    taken = await h.send(ADMIN, f"/assign {STRANGER.id} 101")
    assert taken.last.text == t(RU, "admin.employee_taken", employee_id=101)
    bad_phone = await h.send(ADMIN, f"/assign {STRANGER.id} 100 phone")
    assert bad_phone.last.text == t(
        RU, "call.number_invalid", field="PHONE", expected=t(RU, "call.expected_phone")
    )
    done = await h.send(ADMIN, f"/assign {STRANGER.id} 100")
    assert done.texts[0] == t(
        RU,
        "admin.employee_assigned",
        name=STRANGER.first_name,
        employee="Анна Смирнова",
        employee_id=100,
    )
    assert h.last(STRANGER.id).text == t(RU, "settings.employee_assigned", employee="Анна Смирнова")


async def test_catalog_upload(h: Harness) -> None:
    asked = await h.send(ADMIN, "/catalog")
    assert asked.last.text == t(RU, "admin.catalog_ask")
    broken = await h.send_document(ADMIN, "catalog.json", b"{not json")
    assert shows(broken.last.text, "admin.catalog_failed")
    imported = await h.send_document(ADMIN, "catalog.json", demo_catalog_bytes())
    assert shows(imported.last.text, "admin.catalog_imported")


async def test_bindkey_binds_a_key_to_a_group(h: Harness) -> None:
    await h.send(ADMIN, "/oncall_chat", chat_id=GROUP_ID)  # the bot has seen the group
    in_group = await h.send(ADMIN, f"/bindkey {GROUP_ID}", chat_id=GROUP_ID)
    assert in_group.last.text == t(RU, "login.private_only")
    usage = await h.send(ADMIN, "/bindkey 42")
    assert usage.last.text == t(RU, "admin.usage", usage="/bindkey GROUP_CHAT_ID (negative)")
    asked = await h.send(ADMIN, f"/bindkey {GROUP_ID}")
    assert asked.last.text == t(RU, "login.ask_key")
    fed = await h.send(ADMIN, "demo-key-admin-0002")
    assert not [m for m in h.messages(ADMIN.id) if "demo-key-admin-0002" in m.text]
    assert fed.texts[0] == t(RU, "login.secret_deleted")
    assert shows(fed.last.text, "admin.key_bound", group=GROUP_TITLE)


async def test_a_bad_group_key_is_explained(h: Harness) -> None:
    await h.send(ADMIN, f"/bindkey {GROUP_ID}")
    fed = await h.send(ADMIN, "demo-key-blocked-0004")
    assert shows(fed.last.text, "error.mnemonic_line", mnemonic="access_token_blocked")


async def test_oncall_chat_only_in_a_group(h: Harness) -> None:
    private = await h.send(ADMIN, "/oncall_chat")
    assert private.last.text == t(RU, "oncall.group_only")
    group = await h.send(ADMIN, "/oncall_chat", chat_id=GROUP_ID)
    assert group.last.chat_id == GROUP_ID
    assert group.last.text == t(RU, "oncall.bound")


async def test_audit_export(h: Harness) -> None:
    usage = await h.send(ADMIN, "/audit 0")
    assert usage.last.text == t(RU, "admin.usage", usage="/audit [DAYS 1-366]")
    await h.manager_ready()  # something in the audit log
    fed = await h.send(ADMIN, "/audit 2")
    document = fed.last
    assert document.document_name is not None
    assert document.document_name.endswith(".csv")
    assert shows(document.text, "admin.audit_caption")
    assert document.document is not None
    assert b"list.calls" in document.document


async def test_an_admin_from_the_settings_cannot_be_denied_from_the_chat(h: Harness) -> None:
    await h.send(ADMIN, "/start")
    fed = await h.send(ADMIN, f"/deny {ADMIN.id}")
    assert fed.last.text == t(RU, "admin.configured_admin", user_id=ADMIN.id)
    users = (await h.send(ADMIN, "/users")).last.text
    assert t(RU, "admin.user_status.admin") in users
