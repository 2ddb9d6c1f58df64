"""Conversations (issue 14): used keyboards are retired, admins are not flooded."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from e2e_kit import CLIENT, MANAGER, head, world

from bot.texts import Lang, t
from sandbox.world import DEMO_ADMIN_ID

pytestmark = pytest.mark.e2e

RU = Lang.RU


def plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", str(text)))


async def test_menus_and_pickers_lose_their_buttons_once_used(tmp_path: Path) -> None:
    async with world(tmp_path, logged_in=False) as here:
        menu = await here.say("/login")
        assert menu.buttons
        await here.emu.press_button(MANAGER, t(RU, "btn.login_key"), timeout=15)
        await here.emu.wait_for_bot_message(MANAGER, include_edits=False, timeout=15)
        assert not here.emu.message(MANAGER, menu.message_id).buttons  # type: ignore[union-attr]
        await here.emu.send_message(MANAGER, "demo-key-manager-0001")
        await here.emu.wait_for_bot_message(
            MANAGER, text_contains="✅", include_edits=False, timeout=15
        )

        picker = await here.say(f"/call {CLIENT}")
        # Catalog names, not bare numbers.
        assert any("Москва, отдел продаж" in label for label in picker.button_texts)
        await here.emu.press_button(MANAGER, picker.button_texts[0], timeout=15)
        await here.emu.wait_for_bot_message(MANAGER, include_edits=False, timeout=15)
        assert not here.emu.message(MANAGER, picker.message_id).buttons  # type: ignore[union-attr]


async def test_a_handled_access_request_loses_its_buttons_and_names_the_username(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as here:
        await here.say("/start", DEMO_ADMIN_ID)
        newcomer = 3003
        here.emu.add_user(newcomer, "Пётр", username="petr_k", language_code="ru")
        await here.say("/start", newcomer)
        request = await here.reply_matching(DEMO_ADMIN_ID, lambda m: "3003" in (m.text or ""))
        assert request.text == plain(
            t(
                RU,
                "access.admin_new_request",
                name="Пётр",
                username="@petr_k",
                user_id=newcomer,
                language="ru",
            )
        )
        await here.emu.press_button(
            DEMO_ADMIN_ID, t(RU, "btn.approve"), message_id=request.message_id, timeout=15
        )
        await here.reply_matching(newcomer, lambda m: bool(m.text))
        await here.sandbox.app.in_flight.wait_idle(30)
        shown = here.emu.message(DEMO_ADMIN_ID, request.message_id)
        assert shown is not None
        assert not shown.buttons


async def test_a_wave_of_new_users_does_not_flood_an_admin(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        await here.say("/start", DEMO_ADMIN_ID)
        before = len(here.emu.visible_messages(DEMO_ADMIN_ID, from_bot=True))
        desk = here.sandbox.runtime.access.requests
        newcomers = range(5000, 5000 + desk.per_window + 10)
        for user_id in newcomers:
            here.emu.add_user(user_id, f"User {user_id}", language_code="ru")
            await here.say("/start", user_id)
        await here.sandbox.app.in_flight.wait_idle(30)
        shown = here.emu.visible_messages(DEMO_ADMIN_ID, from_bot=True)[before:]
        assert len(shown) == desk.per_window + 1, [m.text for m in shown]
        assert shown[-1].text == plain(t(RU, "access.admin_more_requests"))
        users = await here.say("/users", DEMO_ADMIN_ID)
        assert str(newcomers[-1]) in (users.text or "")


@pytest.mark.parametrize("bot_is_admin", [False, True], ids=["privacy-mode", "bot-is-admin"])
async def test_groups_answer_commands_and_mentions_only(tmp_path: Path, bot_is_admin: bool) -> None:
    async with world(tmp_path) as here:
        group = here.emu.add_group(-100600, "Продажи", [MANAGER], bot_is_admin=bot_is_admin)
        chat = group.chat_id
        # A mention followed by a command runs the command.
        reply = await here.say(f"@uis_call_bot /call {CLIENT}", chat, user_id=MANAGER)
        assert reply.buttons or head("call.starting") in (reply.text or ""), reply.text
        await here.sandbox.app.in_flight.wait_idle(30)
        # A mention with a number in it offers to call it, like a private message does.
        offer = await here.say("@uis_call_bot позвони 8 903 765-43-21", chat, user_id=MANAGER)
        assert offer.button_texts
        assert "765" in offer.button_texts[0]
        # A message not meant for the bot gets no answer (where Telegram delivers it at all):
        # the next answer in the chat is the one to the /help that follows it.
        await here.emu.send_message(chat, "созвонимся по 8 903 765-43-21", user_id=MANAGER)
        reply = await here.say("/help@uis_call_bot", chat, user_id=MANAGER)
        assert "/call" in (reply.text or "")


async def test_history_names_the_zone_and_the_started_call(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        await here.start_call()
        call_id = here.call_id()
        history = await here.say("/history")
        text = history.text or ""
        # Times are the UIS account's (CALLBOT_CALLAPI__TIMEZONE, Moscow by default), named.
        zone = ZoneInfo("Europe/Moscow")
        assert text.startswith(plain(t(RU, "history.title_zone", zone="Europe/Moscow")))
        started = [line for line in text.splitlines() if "start.employee_call" in line]
        assert started
        assert plain(t(RU, "history.call_suffix", call_id=call_id)) in started[0]
        now = datetime.now(zone)
        clocks = {(now - timedelta(minutes=m)).strftime("%d.%m %H:%M") for m in range(3)}
        assert any(clock in started[0] for clock in clocks), (clocks, started[0])


def test_background_reads_are_folded_into_one_line() -> None:
    from datetime import UTC, datetime, timedelta

    from bot.routers.info import fold_background
    from db.models import AuditLogEntry, AuditOutcome

    start = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

    def row(minute: int, method: str, update_id: int | None) -> AuditLogEntry:
        return AuditLogEntry(
            method=method,
            outcome=AuditOutcome.OK,
            occurred_at=start + timedelta(minutes=minute),
            telegram_update_id=update_id,
        )

    newest_first = [
        row(9, "hold.call", 7),
        *(row(minute, "list.calls", None) for minute in range(8, 2, -1)),
        row(2, "list.calls", 6),  # a refresh the user asked for stays a line of its own
        row(1, "list.calls", None),
        row(0, "start.employee_call", 5),
    ]
    shown = fold_background(newest_first)
    assert [getattr(entry, "method", None) for entry in shown] == [
        "hold.call",
        "list.calls",
        "list.calls",
        "list.calls",
        "start.employee_call",
    ]
    folded = shown[1]
    assert getattr(folded, "count", None) == 6
    assert getattr(folded, "first", None) == start + timedelta(minutes=3)
    assert getattr(folded, "last", None) == start + timedelta(minutes=8)


async def test_calls_leaves_out_a_call_transferred_away(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        card = await here.start_call()
        call_id = here.call_id()
        here.answer_all(call_id)
        _, card = await here.press(card, t(RU, "btn.refresh"))
        listed = await here.say("/calls")
        assert listed.text == plain(t(RU, "calls.title"))  # still the manager's call
        await here.sandbox.app.in_flight.wait_idle(30)
        _, card = await here.press(card, t(RU, "btn.hold"))
        _, card = await here.press(card, t(RU, "btn.transfer"))
        _, card = await here.press(card, "Мария Иванова")
        ringing = [leg for leg in here.sim.call(call_id)["legs"] if leg["status"] == "ringing"]
        here.sim.answer(call_id, ringing[0]["leg_id"])
        _, card = await here.press(card, t(RU, "btn.refresh"))
        _, card = await here.press(card, t(RU, "btn.complete_transfer"))
        assert here.sim.call(call_id)["ended_at"] is None  # the client talks to Мария now
        after = await here.say("/calls")
        assert after.text == plain(t(RU, "calls.empty"))
