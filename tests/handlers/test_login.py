"""/login (key and password), the login menu's buttons, /logout (login router)."""

from __future__ import annotations

from bot.texts import command_help, explain_error, t
from handlers.handler_kit import GROUP_ID, MANAGER, MANAGER_KEY, RU, Harness, shows


async def test_login_is_refused_in_a_group(h: Harness) -> None:
    await h.admit(MANAGER)
    fed = await h.send(MANAGER, "/login", chat_id=GROUP_ID)
    assert fed.last.chat_id == GROUP_ID
    assert fed.last.text == t(RU, "login.private_only")


async def test_login_with_a_permanent_key_deletes_the_key_message(h: Harness) -> None:
    await h.admit(MANAGER)
    menu = (await h.send(MANAGER, "/login")).last
    assert menu.text == t(RU, "login.choose_method")
    assert menu.button_texts() == [
        t(RU, "btn.login_key"),
        t(RU, "btn.login_password"),
        t(RU, "btn.cancel_action"),
    ]
    asked = await h.press(MANAGER, menu, t(RU, "btn.login_key"))
    assert asked.answer is not None
    assert asked.last.text == t(RU, "login.ask_key")
    assert h.message(MANAGER.id, menu.message_id).buttons() == []  # the menu is retired

    fed = await h.send(MANAGER, MANAGER_KEY)
    assert not [m for m in h.messages(MANAGER.id) if MANAGER_KEY in m.text]  # deleted
    assert fed.texts[0] == t(RU, "login.secret_deleted")
    assert fed.texts[1] == t(RU, "login.checking")
    assert shows(fed.texts[2], "login.done_key_no_expiry")
    assert h.sim.requests("list.calls")  # the key was checked at UIS

    again = await h.send(MANAGER, "/login")
    assert shows(again.last.text, "login.already_signed_in")


async def test_a_key_uis_does_not_know_is_explained(h: Harness) -> None:
    await h.admit(MANAGER)
    menu = (await h.send(MANAGER, "/login")).last
    await h.press(MANAGER, menu, t(RU, "btn.login_key"))
    fed = await h.send(MANAGER, "no-such-key-0000")
    explained = explain_error(RU, "access_token_invalid", method="login.key")
    assert explained.human_title in fed.last.text, fed.last.text
    assert shows(fed.last.text, "error.mnemonic_line", mnemonic="access_token_invalid")


async def test_login_with_a_password_staying_signed_in(h: Harness) -> None:
    await h.admit(MANAGER)
    menu = (await h.send(MANAGER, "/login")).last
    asked = await h.press(MANAGER, menu, t(RU, "btn.login_password"))
    assert asked.last.text == t(RU, "login.ask_login")
    fed = await h.send(MANAGER, "demo.manager")
    assert fed.last.text == t(RU, "login.ask_password")
    fed = await h.send(MANAGER, "demo-pass-manager")
    assert not [m for m in h.messages(MANAGER.id) if "demo-pass-manager" in m.text]
    assert fed.texts[0] == t(RU, "login.secret_deleted")
    stay = fed.last
    assert stay.text == t(RU, "login.ask_stay_signed_in")
    done = await h.press(MANAGER, stay, t(RU, "btn.stay_signed_in"))
    assert done.texts[0] == t(RU, "login.checking")
    assert shows(done.last.text, "login.done_session_stay")
    assert h.sim.requests("login.user")


async def test_login_menu_cancel(h: Harness) -> None:
    await h.admit(MANAGER)
    menu = (await h.send(MANAGER, "/login")).last
    fed = await h.press(MANAGER, menu, t(RU, "btn.cancel_action"))
    assert fed.last.text == t(RU, "login.cancelled")


async def test_an_empty_login_is_asked_again(h: Harness) -> None:
    await h.admit(MANAGER)
    menu = (await h.send(MANAGER, "/login")).last
    await h.press(MANAGER, menu, t(RU, "btn.login_password"))
    fed = await h.send(MANAGER, "   ")
    assert fed.last.text == t(RU, "login.empty_input")


async def test_logout(h: Harness) -> None:
    await h.admit(MANAGER)
    assert (await h.send(MANAGER, "/logout")).last.text == t(RU, "logout.not_signed_in")
    await h.log_in(MANAGER)
    assert (await h.send(MANAGER, "/logout")).last.text == t(RU, "logout.done_key")
    # Signed out for real: /call asks to sign in.
    assert (await h.send(MANAGER, "/call 79031234567")).last.text == t(RU, "call.sign_in_first")


async def test_a_command_typed_at_the_password_step_leaves_the_step(h: Harness) -> None:
    await h.admit(MANAGER)
    menu = (await h.send(MANAGER, "/login")).last
    await h.press(MANAGER, menu, t(RU, "btn.login_password"))
    await h.send(MANAGER, "demo.manager")
    fed = await h.send(MANAGER, "/help")
    assert fed.last.text == command_help(RU, "user")
    assert not h.sim.requests("login.user")
    # The flow is over: a later text is read for numbers, not taken for a password.
    assert (await h.send(MANAGER, "secret")).last.text == t(RU, "call.no_number_found")


async def test_an_expired_key_and_a_wrong_password_are_explained(h: Harness) -> None:
    await h.admit(MANAGER)
    menu = (await h.send(MANAGER, "/login")).last
    await h.press(MANAGER, menu, t(RU, "btn.login_key"))
    expired = await h.send(MANAGER, "demo-key-expired-0003")
    assert shows(expired.last.text, "error.mnemonic_line", mnemonic="access_token_expired")
    menu = (await h.send(MANAGER, "/login")).last
    await h.press(MANAGER, menu, t(RU, "btn.login_password"))
    await h.send(MANAGER, "demo.manager")
    stay = (await h.send(MANAGER, "wrong-password")).last
    wrong = await h.press(MANAGER, stay, t(RU, "btn.session_only"))
    assert shows(wrong.last.text, "error.mnemonic_line")
    assert (await h.send(MANAGER, "/logout")).last.text == t(RU, "logout.not_signed_in")


async def test_a_login_button_pressed_in_a_group_is_refused(h: Harness) -> None:
    await h.admit(MANAGER)
    refusal = (await h.send(MANAGER, "/login", chat_id=GROUP_ID)).last
    fed = await h.press_data(MANAGER, refusal, "login:key")
    assert fed.answer is not None
    assert fed.answer.text == t(RU, "login.private_only")
    assert fed.answer.show_alert
    assert fed.new == []  # nothing asked for a key in the group
