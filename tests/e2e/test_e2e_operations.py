"""Admins, sign-in edge cases, lost replies, limits, history, menus and liveness."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from e2e_kit import CLIENT, MANAGER, MANAGER_KEY, RU, head, shows, visible, world

from bot.health import check_heartbeat
from bot.texts import Lang, explain_error, t
from db.catalog import list_employees
from sandbox.uis import SimulatorOptions, demo_catalog_bytes
from sandbox.world import DEMO_ADMIN_ID

pytestmark = pytest.mark.e2e


async def test_a_lost_start_reply_is_found_by_external_id(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        here.sim.inject_fault("reply_lost", method="start.employee_call")
        card = await here.start_call()
        assert "outcome_unknown" in (card.text or "")
        call = here.sim.calls(include_ended=False)[-1]
        # The first lookup (5 s after the request) finds the call: the card becomes its card.
        card = await here.reply_matching(
            MANAGER,
            lambda m: (
                m.message_id == card.message_id and str(call["call_session_id"]) in (m.text or "")
            ),
        )
        assert card.button_texts == [t(Lang.RU, "btn.cancel"), t(Lang.RU, "btn.refresh")]
        # It was not started twice.
        assert len(here.requests("start.employee_call")) == 1


async def test_a_lost_start_that_never_happened_says_so(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        here.sim.inject_fault("drop_connection", method="start.employee_call")
        card = await here.start_call()
        assert "outcome_unknown" in (card.text or "") or "transport_" in (card.text or "")
        assert card.buttons == ()
        assert not here.sim.calls(include_ended=False)


@pytest.mark.parametrize(
    ("key", "mnemonic"),
    [
        ("demo-key-expired-0003", "access_token_expired"),
        ("demo-key-blocked-0004", "access_token_blocked"),
        ("no-such-key-at-all", "access_token_invalid"),
    ],
)
async def test_a_dead_key_is_refused_with_its_mnemonic_and_not_stored(
    tmp_path: Path, key: str, mnemonic: str
) -> None:
    async with world(tmp_path, logged_in=False) as here:
        await here.say("/login")
        await here.emu.press_button(MANAGER, t(RU, "btn.login_key"), timeout=15)
        await here.emu.wait_for_bot_message(MANAGER, include_edits=False, timeout=15)
        await here.emu.send_message(MANAGER, key)
        refusal = await here.reply_matching(MANAGER, lambda m: mnemonic in (m.text or ""))
        explained = explain_error(RU, mnemonic, method="login.key")
        assert visible(explained.action) in (refusal.text or "")
        assert await here.sandbox.runtime.auth.status(MANAGER) is None
        shown = [message.text for message in here.emu.visible_messages(MANAGER)]
        assert key not in shown


async def test_without_login_a_call_asks_to_sign_in(tmp_path: Path) -> None:
    async with world(tmp_path, logged_in=False) as here:
        reply = await here.say("/call 79031234567")
        assert reply.button_texts == [t(Lang.RU, "btn.sign_in")]
        assert not here.requests()


async def test_an_expiring_session_is_warned_about(tmp_path: Path) -> None:
    # UIS's clock runs 55 minutes behind ours: a new session has 5 minutes left for us.
    async with world(tmp_path, logged_in=False, clock_offset=-55 * 60) as here:
        await here.say("/login")
        await here.emu.press_button(MANAGER, t(RU, "btn.login_password"), timeout=15)
        await here.emu.wait_for_bot_message(MANAGER, include_edits=False, timeout=15)
        await here.say("demo.manager")
        await here.emu.send_message(MANAGER, "demo-pass-manager")
        await here.emu.wait_for_bot_message(
            MANAGER, predicate=lambda m: t(RU, "btn.session_only") in m.button_texts, timeout=15
        )
        await here.emu.press_button(MANAGER, t(RU, "btn.session_only"), timeout=15)
        await here.reply_matching(MANAGER, lambda m: "✅" in (m.text or ""))
        mark = here.emu.checkpoint()
        sent = await here.sandbox.app.expiry_watch.check_now()
        assert sent == 1
        warning = await here.emu.wait_for_bot_message(MANAGER, after=mark, timeout=15)
        assert "/login" in (warning.text or "")
        assert await here.sandbox.app.expiry_watch.check_now() == 0  # once per session


async def test_admin_approves_a_new_user_and_exports_the_audit(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        here.emu.add_user(DEMO_ADMIN_ID, "Анна", language_code="ru")
        await here.say("/start", DEMO_ADMIN_ID)
        newcomer = 3003
        here.emu.add_user(newcomer, "Пётр", language_code="en")
        refusal = await here.say("/call 79031234567", newcomer)
        assert "admin" in (refusal.text or "").lower()
        request = await here.reply_matching(DEMO_ADMIN_ID, lambda m: "3003" in (m.text or ""))
        await here.emu.press_button(
            DEMO_ADMIN_ID, t(RU, "btn.approve"), message_id=request.message_id, timeout=15
        )
        welcome = await here.reply_matching(newcomer, lambda m: bool(m.text))
        assert welcome.text
        users = await here.say("/users", DEMO_ADMIN_ID)
        assert "3003" in (users.text or "")
        assigned = await here.say("/assign 3003 103", DEMO_ADMIN_ID)
        assert "Олег Сидоров" in (assigned.text or "")

        await here.start_call(CLIENT)  # something to audit
        await here.emu.send_message(DEMO_ADMIN_ID, "/audit 1")
        sent = await here.reply_matching(DEMO_ADMIN_ID, lambda m: m.document is not None)
        assert sent.document is not None
        csv_text = here.emu.document(sent.document.file_id).content.decode("utf-8-sig")
        assert "start.employee_call" in csv_text
        assert "demo-key-manager-0001" not in csv_text

        refused = await here.say("/users", MANAGER)
        assert refused.text == visible(t(RU, "access.admin_only"))


async def test_limits_history_and_the_command_menus(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        limits = await here.say("/limits")
        assert "60" in (limits.text or "")
        assert "1000" in (limits.text or "")
        await here.start_call()
        history = await here.say("/history")
        assert "start.employee_call" in (history.text or "")
        assert "list.calls" in (history.text or "")
        russian = [item["command"] for item in here.emu.my_commands(language_code="")]
        english = [item["command"] for item in here.emu.my_commands(language_code="en")]
        assert "call" in russian
        assert russian == english
        descriptions = {item["description"] for item in here.emu.my_commands(language_code="en")}
        assert descriptions.isdisjoint(
            {item["description"] for item in here.emu.my_commands(language_code="")}
        )


async def test_english_user_gets_english_texts(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        here.emu.add_user(MANAGER, "Ivan", language_code="en")
        await asyncio.sleep(0)
        reply = await here.say("/help")
        assert "/call" in (reply.text or "")
        assert "Commands" in (reply.text or "")


async def test_the_live_poll_redraws_a_card_when_the_call_changes(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        here.sandbox.runtime.poller.min_interval = 0.2
        here.sandbox.runtime.poller.minute_share = 1.0
        card = await here.start_call()
        here.answer_all(here.call_id())
        mark = here.emu.checkpoint()
        redrawn = await here.emu.wait_for_bot_message(
            MANAGER,
            after=mark,
            predicate=lambda m: (
                m.message_id == card.message_id and t(RU, "card.phase.talk") in (m.text or "")
            ),
            timeout=20,
        )
        assert t(RU, "btn.hold") in redrawn.button_texts


async def test_heartbeat_is_fresh_while_running(tmp_path: Path) -> None:
    async with world(tmp_path, logged_in=False) as here:
        deadline = time.monotonic() + 10
        report = check_heartbeat(here.sandbox.settings.heartbeat_file, 90)
        while not report.healthy and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            report = check_heartbeat(here.sandbox.settings.heartbeat_file, 90)
        assert report.healthy, report.detail


async def test_english_leg_labels_are_understood(tmp_path: Path) -> None:
    async with world(tmp_path, simulator_options=SimulatorOptions(leg_label_language="en")) as here:
        card = await here.start_call()
        here.answer_all(here.call_id())
        _, card = await here.press(card, t(RU, "btn.refresh"))
        assert t(RU, "btn.hold") in card.button_texts
        _, card = await here.press(card, t(RU, "btn.hold"))
        assert t(RU, "btn.unhold") in card.button_texts


async def test_a_press_refused_for_an_ended_session_is_offered_again_after_login(
    tmp_path: Path,
) -> None:
    async with world(tmp_path, logged_in=False) as here:
        await here.say("/login")
        await here.emu.press_button(MANAGER, t(RU, "btn.login_password"), timeout=15)
        await here.emu.wait_for_bot_message(MANAGER, include_edits=False, timeout=15)
        await here.say("demo.manager")
        await here.emu.send_message(MANAGER, "demo-pass-manager")
        await here.emu.wait_for_bot_message(
            MANAGER, predicate=lambda m: t(RU, "btn.session_only") in m.button_texts, timeout=15
        )
        await here.emu.press_button(MANAGER, t(RU, "btn.session_only"), timeout=15)
        await here.reply_matching(MANAGER, lambda m: "✅" in (m.text or ""))
        card = await here.start_call()
        here.answer_all(here.call_id())
        _, card = await here.press(card, t(RU, "btn.refresh"))
        # UIS ends the session (its hour is over); the bot has no password to renew it.
        here.sandbox.simulator.clock.advance(3601)  # type: ignore[attr-defined]
        _, card = await here.press(card, t(RU, "btn.hold"))
        text = card.text or ""
        assert "access_token_invalid" in text or "login_required_again" in text, text
        assert not [r for r in here.requests("hold.call") if r["outcome"] == "success"]
        mark = here.emu.checkpoint()
        # Signing in again offers the card again, with working buttons. By our clock the
        # session has not ended: /login says so and offers the menu all the same (before, it
        # refused with "/logout first", and /logout asked UIS to end a session it had ended).
        menu = await here.say("/login")
        assert head_of_signed_in() in (menu.text or "")
        assert t(Lang.RU, "btn.login_key") in menu.button_texts
        await here.emu.press_button(MANAGER, t(Lang.RU, "btn.login_key"), timeout=15)
        await here.emu.wait_for_bot_message(MANAGER, include_edits=False, timeout=15)
        await here.emu.send_message(MANAGER, MANAGER_KEY)
        await here.emu.wait_for_bot_message(
            MANAGER, text_contains="✅", include_edits=False, timeout=15
        )
        assert here.requests("logout.user") == []
        redrawn = await here.emu.wait_for_bot_message(
            MANAGER,
            after=mark,
            predicate=lambda m: m.message_id == card.message_id,
            timeout=15,
        )
        assert t(RU, "btn.hold") in redrawn.button_texts
        _, card = await here.press(redrawn, t(RU, "btn.hold"))
        assert t(RU, "btn.unhold") in card.button_texts


def head_of_signed_in() -> str:
    """The start of "you're signed in (…)" as the chat shows it."""
    return t(Lang.RU, "login.already_signed_in", fingerprint="").split("<code>", 1)[0]


async def test_admin_uploads_the_catalog_file(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        here.emu.add_user(DEMO_ADMIN_ID, "Анна", language_code="ru")
        await here.say("/start", DEMO_ADMIN_ID)
        asked = await here.say("/catalog", DEMO_ADMIN_ID)
        assert asked.text == visible(t(RU, "admin.catalog_ask"))

        await here.emu.send_document(DEMO_ADMIN_ID, "catalog.json", b"{not json")
        failed = await here.emu.wait_for_bot_message(DEMO_ADMIN_ID, include_edits=False, timeout=15)
        assert shows(failed.text, "admin.catalog_failed")

        # Still waiting for the file: a corrected one is taken.
        catalog = json.loads(demo_catalog_bytes())
        catalog["employees"].append(
            {"id": 104, "full_name": "Пётр Новиков", "phones": ["79160000104"]}
        )
        body = json.dumps(catalog, ensure_ascii=False).encode()
        await here.emu.send_document(DEMO_ADMIN_ID, "catalog.json", body)
        imported = await here.emu.wait_for_bot_message(
            DEMO_ADMIN_ID,
            text_contains=head("admin.catalog_imported"),
            include_edits=False,
            timeout=15,
        )
        assert shows(imported.text, "admin.catalog_imported")
        async with here.sandbox.runtime.sessions() as session:
            names = {row.full_name for row in await list_employees(session)}
        assert "Пётр Новиков" in names

        # The upload is over: another file is not taken as a catalog. (Updates of one chat
        # are handled in order, so any answer to the file comes before the answer to /help.)
        notes = await here.emu.send_document(DEMO_ADMIN_ID, "notes.txt", b"hello")
        assert notes.message_id is not None
        await here.say("/help", DEMO_ADMIN_ID)
        later = [
            message.text or ""
            for message in here.emu.visible_messages(DEMO_ADMIN_ID, from_bot=True)
            if message.message_id > notes.message_id
        ]
        assert later
        catalog_replies = (head("admin.catalog_imported"), head("admin.catalog_failed"))
        assert not any(reply in text for text in later for reply in catalog_replies)
