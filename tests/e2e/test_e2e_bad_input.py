"""Bad input never crashes a handler; commands leave conversations; refusals come first.

Issue 14: every update gets an answer, no Call API request for input that is invalid, and no
ERROR line in the log (a crash in a handler is logged at ERROR by aiogram).
"""

from __future__ import annotations

import base64
import html
import logging
import re
import secrets
import struct
from pathlib import Path

import asyncpg
import pytest
from e2e_kit import CLIENT, MANAGER, MANAGER_KEY, World, world

from bot.callbacks import Action
from bot.logging_setup import SECRETS, redact
from bot.texts import Lang, t
from sandbox.world import DEMO_ADMIN_ID

pytestmark = pytest.mark.e2e

RU = Lang.RU


def plain(text: str) -> str:
    """A bot text as the user sees it (the emulator shows rendered HTML as plain text)."""
    return html.unescape(re.sub(r"<[^>]+>", "", str(text)))


def error_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def settle(here: World) -> None:
    """Wait until the bot has taken the last update and finished every handler."""
    await here.emu.wait_for_bot_message(MANAGER, include_edits=False, timeout=15)
    assert await here.sandbox.app.in_flight.wait_idle(30)


async def answer_to(here: World, data: str, chat_id: int = MANAGER) -> tuple[str | None, bool]:
    press = await here.emu.send_callback_query(chat_id, data)
    answer = await here.emu.wait_for_callback_answer(press.query_id, timeout=15)
    return answer.text, answer.show_alert


def forged_card_payload(card_id: int) -> str:
    body = struct.pack(">IBq16s", card_id, int(Action.REFRESH), 0, secrets.token_bytes(16))
    return "k" + base64.urlsafe_b64encode(body + secrets.token_bytes(8)).rstrip(b"=").decode()


async def test_admin_commands_read_ids_strictly_and_within_range(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with world(tmp_path) as here:
        await here.say("/start", DEMO_ADMIN_ID)
        huge = str(2**70)
        usages = {
            "/approve ²": "/approve USER_ID",
            f"/approve {huge}": "/approve USER_ID",
            "/deny ١٢": "/deny USER_ID",
            f"/deny -{huge}": "/deny USER_ID",
            "/assign ² 101": "/assign USER_ID EMPLOYEE_ID [PHONE]",
            "/assign 1 ²": "/assign USER_ID EMPLOYEE_ID [PHONE]",
            f"/assign {MANAGER} {huge}": "/assign USER_ID EMPLOYEE_ID [PHONE]",
            "/audit ²": "/audit [DAYS 1-366]",
            f"/audit {huge}": "/audit [DAYS 1-366]",
            "/bindkey -²": "/bindkey GROUP_CHAT_ID (negative)",
            f"/bindkey -{huge}": "/bindkey GROUP_CHAT_ID (negative)",
        }
        for command, usage in usages.items():
            reply = await here.say(command, DEMO_ADMIN_ID)
            assert reply.text == plain(t(RU, "admin.usage", usage=usage)), command
        # A user id that fits no bigint is "no such user", not a database error.
        reply = await here.say(f"/approve {2**63 - 1}", DEMO_ADMIN_ID)
        assert reply.text == plain(t(RU, "admin.user_not_found", user_id=2**63 - 1))
        # An employee already linked to someone else is explained, not "Usage: <exception>".
        other = 3004
        here.emu.add_user(other, "Ольга", language_code="ru")
        await here.say("/start", other)
        reply = await here.say(f"/assign {other} 101", DEMO_ADMIN_ID)
        assert reply.text == plain(t(RU, "admin.employee_taken", employee_id=101))
    assert error_lines(caplog) == []


async def test_forged_and_unknown_buttons_are_answered_without_a_call_api_request(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with world(tmp_path) as here:
        before = len(here.requests())
        stale = t(RU, "alert.stale")
        forged = {
            "hold:²": stale,
            f"hold:{2**70}": stale,
            "fav:rm:²": stale,
            f"fav:rm:{2**40}": stale,
            "fav:": stale,
            "scn:²": stale,
            "inf:²": stale,
            f"inf:{2**70}": stale,
            "vn:²": stale,
            forged_card_payload(2**31): stale,
            forged_card_payload(2**32 - 1): stale,
            "zzz": t(RU, "alert.unknown_button"),
            "login": t(RU, "alert.unknown_button"),
            "set": t(RU, "alert.unknown_button"),
            "k": stale,
        }
        for data, expected in forged.items():
            text, _alert = await answer_to(here, data)
            assert text == expected, data
        assert len(here.requests()) == before
    assert error_lines(caplog) == []


async def test_the_employee_request_step_reads_digits_strictly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with world(tmp_path, logged_in=False) as here:
        asked = here.emu.checkpoint()
        await answer_to(here, "set:emp")
        await here.emu.wait_for_bot_message(MANAGER, timeout=15, after=asked, include_edits=False)
        for typed in ("²", "١٢", str(2**70)):
            reply = await here.say(typed)
            assert reply.text == plain(t(RU, "admin.usage", usage="<employee id>")), typed
        # A message the bot has no use for (a file without caption) is still answered.
        await here.emu.send_document(MANAGER, "notes.txt", b"hello")
        reply = await here.emu.wait_for_bot_message(MANAGER, timeout=15, include_edits=False)
        assert reply.text == plain(t(RU, "common.not_understood"))
    assert error_lines(caplog) == []


async def test_a_command_typed_at_a_step_leaves_the_step_and_runs(tmp_path: Path) -> None:
    async with world(tmp_path, logged_in=False) as here:
        await here.say("/login")
        await here.emu.press_button(MANAGER, t(RU, "btn.login_key"), timeout=15)
        await here.emu.wait_for_bot_message(MANAGER, include_edits=False, timeout=15)
        limits = await here.say("/limits")
        assert limits.text == plain(t(RU, "limits.full_unknown"))
        assert here.requests() == []  # nothing was sent to UIS as a key
        typed = [m.text for m in here.emu.visible_messages(MANAGER, from_bot=False)]
        assert "/limits" in typed  # not deleted as a secret
        # The step is over: a later text is not taken for a key either.
        await here.say("hello")
        assert here.requests() == []

        # A key (or password) may start with "/": without a command entity it is the answer.
        await here.say("/login")
        await here.emu.press_button(MANAGER, t(RU, "btn.login_key"), timeout=15)
        await here.emu.wait_for_bot_message(MANAGER, include_edits=False, timeout=15)
        await here.emu.send_message(MANAGER, "/no-such-command-key")
        progress = {plain(t(RU, key)) for key in ("login.secret_deleted", "login.checking")}
        await here.emu.wait_for_bot_message(
            MANAGER, predicate=lambda m: m.text not in progress, include_edits=False, timeout=15
        )
        assert here.requests("list.calls")

        # /settings steps too: a command is a command, not a bad answer.
        await here.say("/settings")
        await here.emu.press_button(MANAGER, t(RU, "btn.settings_region"), timeout=15)
        await here.emu.wait_for_bot_message(MANAGER, include_edits=False, timeout=15)
        reply = await here.say("/help")
        assert "/call" in (reply.text or "")
        reply = await here.say("DE")  # the region step is over: no region is saved
        assert reply.text != plain(t(RU, "settings.region_saved", region="DE"))


async def test_call_while_signed_out_says_sign_in_first(tmp_path: Path) -> None:
    async with world(tmp_path, logged_in=False) as here:
        for command in (f"/call {CLIENT}", "/call", f"/vcall {CLIENT}", f"/inform {CLIENT} hi"):
            reply = await here.say(command)
            assert reply.text == plain(t(RU, "call.sign_in_first")), command
            assert reply.button_texts == [t(RU, "btn.sign_in")]
        assert here.requests() == []
        await here.emu.press_button(MANAGER, t(RU, "btn.sign_in"), timeout=15)
        menu = await here.emu.wait_for_bot_message(MANAGER, timeout=15, include_edits=False)
        assert menu.text == plain(t(RU, "login.choose_method"))


async def test_informer_text_and_scenario_are_checked_before_uis(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with world(tmp_path) as here:
        long_text = "слово " * 200
        reply = await here.say(f"/inform {CLIENT} {long_text}")
        assert reply.text == plain(
            t(RU, "call.inform_text_too_long", length=len(long_text.strip()), max_length=1000)
        )
        assert not here.requests("start.informer_call")
        picker = await here.say(f"/scenario {CLIENT}")
        if picker.button_texts[0].startswith("+"):  # the virtual number is asked for first
            await here.emu.press_button(MANAGER, picker.button_texts[0], timeout=15)
            picker = await here.emu.wait_for_bot_message(
                MANAGER, text_contains=plain(t(RU, "call.ask_scenario")), timeout=15
            )
        text, _ = await answer_to(here, "scn:987654")
        assert text == t(RU, "alert.stale")
        assert not here.requests("start.scenario_call")
    assert error_lines(caplog) == []


async def test_while_the_database_is_down_every_update_is_answered(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        name = here.database_url.rsplit("/", 1)[-1]
        admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
        try:
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
            )
            here.sandbox.runtime.access.forget(MANAGER)
            reply = await here.say("/settings")
            assert reply.text == plain(t(RU, "common.unavailable"))
            text, alert = await answer_to(here, "set:vn")
            assert (text, alert) == (t(RU, "alert.unavailable"), True)
        finally:
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            await admin.close()
        reply = await here.say("/settings")
        assert reply.buttons


async def test_only_verified_or_stored_secrets_are_redacted(tmp_path: Path) -> None:
    async with world(tmp_path, logged_in=False) as here:
        # A wrong key and a failed password sign-in: what was typed is not a secret we keep,
        # so it does not mask that word in every later log line.
        await here.say("/login")
        await here.emu.press_button(MANAGER, t(RU, "btn.login_key"), timeout=15)
        await here.emu.wait_for_bot_message(MANAGER, include_edits=False, timeout=15)
        await here.emu.send_message(MANAGER, "Traceback-wrong-key")
        await settle(here)
        await here.say("/login")
        await here.emu.press_button(MANAGER, t(RU, "btn.login_password"), timeout=15)
        await here.emu.wait_for_bot_message(MANAGER, include_edits=False, timeout=15)
        await here.say("nobody@example.test")
        await here.emu.send_message(MANAGER, "Traceback")
        await settle(here)
        await here.emu.press_button(MANAGER, t(RU, "btn.session_only"), timeout=15)
        await settle(here)
        assert here.requests("login.user")
        assert "Traceback" not in SECRETS
        assert "Traceback-wrong-key" not in SECRETS
        assert redact("Traceback (most recent call last)") == "Traceback (most recent call last)"
        # A verified key is masked while it is stored, and no longer once signed out.
        await here.log_in_with_key()
        assert MANAGER_KEY in SECRETS
        await here.say("/logout")
        assert MANAGER_KEY not in SECRETS


async def test_bot_api_faults_are_retried_off_the_path_or_reported_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with world(tmp_path) as here:
        # A 5xx on a callback answer: the answer still arrives (retried in the background).
        here.emu.inject_error("answerCallbackQuery", error_code=500, description="Internal")
        text, _ = await answer_to(here, "zzz")
        assert text == t(RU, "alert.unknown_button")
        # A 5xx on sendMessage may have delivered it: not sent again; one ERROR line names
        # the chat, and the dispatcher adds no traceback of its own.
        caplog.clear()
        shown_before = len(here.emu.visible_messages(MANAGER, from_bot=True))
        here.emu.inject_error("sendMessage", error_code=500, description="Internal")
        await here.emu.send_message(MANAGER, "/help")
        reply = await here.say("/limits")  # answered after the /help (one update at a time)
        assert reply.text == plain(t(RU, "limits.full_unknown")) or "60" in (reply.text or "")
        assert len(here.emu.visible_messages(MANAGER, from_bot=True)) == shown_before + 1
        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1
        assert str(MANAGER) in errors[0]
