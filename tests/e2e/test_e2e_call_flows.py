"""A manager's day through the real bot: emulator ↔ bot ↔ simulator, audit on PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest
from e2e_kit import CLIENT, MANAGER, MANAGER_KEY, RU, World, head, shows, world

from bot.texts import t

pytestmark = pytest.mark.e2e


async def _audit_methods(here: World) -> list[tuple[str, str, int | None]]:
    await here.sandbox.runtime.audit.flush(max_wait=10)
    connection = await asyncpg.connect(
        here.database_url.replace("postgresql+asyncpg://", "postgresql://")
    )
    try:
        rows = await connection.fetch(
            "SELECT method, outcome::text AS outcome, telegram_update_id, params::text AS params"
            " FROM audit_log ORDER BY occurred_at, id"
        )
    finally:
        await connection.close()
    for row in rows:
        assert MANAGER_KEY not in row["params"]
    return [(row["method"], row["outcome"], row["telegram_update_id"]) for row in rows]


async def test_consultation_transfer_block_and_release_are_audited(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        card = await here.start_call("8 (903) 123-45-67")
        assert t(RU, "card.phase.dialing") in (card.text or "")
        assert card.button_texts == [t(RU, "btn.cancel"), t(RU, "btn.refresh")]
        call_id = here.call_id()
        start = here.requests("start.employee_call")[-1]["params"]
        assert start["direction"] == "out"
        assert start["contact"] == CLIENT
        assert start["external_id"].startswith("tg-")

        here.answer_all(call_id)
        _, card = await here.press(card, t(RU, "btn.refresh"))
        assert t(RU, "card.phase.talk") in (card.text or "")
        assert t(RU, "btn.hold") in card.button_texts

        answer, card = await here.press(card, t(RU, "btn.hold"))
        assert answer.text == t(RU, "done.hold")
        assert head("limits.footer") in (card.text or "")  # the points footer after every action
        assert card.button_texts == [
            t(RU, "btn.unhold"),
            t(RU, "btn.transfer"),
            t(RU, "btn.release"),
            t(RU, "btn.refresh"),
        ]
        _, card = await here.press(card, t(RU, "btn.transfer"))
        _, card = await here.press(card, "Мария Иванова")
        assert t(RU, "card.phase.dialing_third") in (card.text or "")
        assert here.requests("make.call")[-1]["params"]["to"] == "79160000102"

        third = [leg for leg in here.sim.call(call_id)["legs"] if leg["status"] == "ringing"]
        here.sim.answer(call_id, third[0]["leg_id"])
        _, card = await here.press(card, t(RU, "btn.refresh"))
        assert t(RU, "card.phase.consulting") in (card.text or "")
        _, card = await here.press(card, t(RU, "btn.restore"))
        assert t(RU, "card.phase.talk") in (card.text or "")
        assert here.sim.call(call_id)["state"] == "TALK"

        _, card = await here.press(card, t(RU, "btn.block"))
        assert shows(card.text, "card.block_confirm")
        _, card = await here.press(card, t(RU, "btn.confirm"))
        assert CLIENT in here.sim.blacklist()
        _, card = await here.press(card, t(RU, "btn.release"))
        assert t(RU, "card.phase.finished") in (card.text or "")
        assert card.buttons == ()

        methods = [method for method, outcome, _ in await _audit_methods(here) if outcome == "ok"]
        for method in (
            "list.calls",
            "start.employee_call",
            "hold.call",
            "make.call",
            "restore.talk",
            "block.contact",
            "release.call",
        ):
            assert method in methods, method
        rows = await _audit_methods(here)
        assert all(update_id is not None for method, _, update_id in rows if method != "list.calls")


async def test_blind_transfer_nobody_answers_ends_the_call(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        card = await here.start_call()
        call_id = here.call_id()
        here.answer_all(call_id)
        await here.press(card, t(RU, "btn.refresh"))
        _, card = await here.press(card, t(RU, "btn.hold"))
        _, card = await here.press(card, t(RU, "btn.transfer"))
        _, card = await here.press(card, "Олег Сидоров")
        _, card = await here.press(card, t(RU, "btn.transfer_now"))
        assert shows(card.text, "card.transfer_now_warning")
        _, card = await here.press(card, t(RU, "btn.confirm"))
        assert t(RU, "card.phase.transferred") in (card.text or "")
        ringing = [leg for leg in here.sim.call(call_id)["legs"] if leg["status"] == "ringing"]
        here.sim.fail(call_id, ringing[0]["leg_id"])
        assert here.sim.call(call_id)["ended_at"] is not None


async def test_inbound_call_shows_up_under_calls(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        inbound = here.sim.place_inbound_call("79037777777", employee_id=101)
        here.answer_all(inbound["call_session_id"])
        await here.emu.send_message(MANAGER, "/calls")
        card = await here.reply_matching(
            MANAGER, lambda m: t(RU, "card.phase.talk") in (m.text or "")
        )
        assert "+7 903 777-77-77" in (card.text or "")
        assert str(inbound["call_session_id"]) in (card.text or "")
        _, card = await here.press(card, t(RU, "btn.hold"))
        assert here.sim.call(inbound["call_session_id"])["state"] == "HOLD"


async def test_number_in_any_message_offers_a_call_and_a_double_tap_starts_one(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as here:
        await here.emu.send_message(MANAGER, "ИНН 7707083893, заказ 123456")
        reply = await here.emu.wait_for_bot_message(MANAGER, timeout=15)
        assert reply.buttons == ()
        offer = await here.say("Перезвоните клиенту: +7 903 123-45-67, он ждет")
        assert offer.button_texts == [t(RU, "btn.start_call", number="+7 903 123-45-67")]
        await here.say("/settings")  # choose the virtual number ahead, so the tap calls at once
        await here.emu.press_button(MANAGER, t(RU, "btn.settings_virtual_number"), timeout=15)
        chooser = await here.emu.wait_for_bot_message(MANAGER, timeout=15)
        await here.emu.press_button(MANAGER, chooser.button_texts[0], timeout=15)
        before = len(here.requests("start.employee_call"))
        first = await here.emu.tap_button(
            MANAGER, offer.button_texts[0], message_id=offer.message_id
        )
        second = await here.emu.tap_button(
            MANAGER, offer.button_texts[0], message_id=offer.message_id
        )
        await here.emu.wait_for_callback_answer(first.query_id, timeout=15)
        repeated = await here.emu.wait_for_callback_answer(second.query_id, timeout=15)
        await here.reply_matching(MANAGER, lambda m: "ID" in (m.text or ""))
        await asyncio.sleep(0.2)
        assert len(here.requests("start.employee_call")) == before + 1
        assert repeated.show_alert


async def test_shared_contact_offers_a_call(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        await here.emu.send_contact(MANAGER, phone_number="+79031234567", first_name="Клиент")
        offer = await here.emu.wait_for_bot_message(MANAGER, timeout=15)
        assert offer.button_texts == [t(RU, "btn.start_call", number="+7 903 123-45-67")]


async def test_password_login_deletes_the_secret_and_logout_closes_the_session(
    tmp_path: Path,
) -> None:
    async with world(tmp_path, logged_in=False) as here:
        await here.say("/login")
        await here.emu.press_button(MANAGER, t(RU, "btn.login_password"), timeout=15)
        await here.emu.wait_for_bot_message(MANAGER, timeout=15)
        await here.say("demo.manager")
        sent = await here.emu.send_message(MANAGER, "demo-pass-manager")
        await here.emu.wait_for_bot_message(
            MANAGER, predicate=lambda m: t(RU, "btn.session_only") in m.button_texts, timeout=15
        )
        await here.emu.press_button(MANAGER, t(RU, "btn.session_only"), timeout=15)
        done = await here.emu.wait_for_bot_message(
            MANAGER, text_contains="✅", include_edits=False, timeout=15
        )
        assert shows(done.text, "login.done_session")
        visible = [message.text for message in here.emu.visible_messages(MANAGER)]
        assert "demo-pass-manager" not in visible
        assert here.emu.message(MANAGER, sent.message_id or 0) is None
        for request in here.requests():
            assert "demo-pass-manager" not in str(request)
        await here.say("/logout")
        assert here.requests("logout.user")


async def test_group_login_is_refused_and_cards_mask_numbers(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        group = here.emu.add_group(-100500, "Дежурные", [MANAGER])
        reply = await here.say("/login", group.chat_id, user_id=MANAGER)
        assert shows(reply.text, "login.private_only")
        card = await here.start_call(CLIENT, chat_id=group.chat_id)
        assert "+7 903 ***-**-67" in (card.text or "")
        assert CLIENT not in (card.text or "")


async def test_every_way_to_start_a_call_reaches_uis(tmp_path: Path) -> None:
    async with world(tmp_path) as here:
        await here.start_call()  # picks the virtual number once; remembered afterwards
        await here.card_after("/simple_call +7 903 765-43-21")
        simple = here.requests("start.simple_call")[-1]["params"]
        assert simple["operator"] == "79160000101"
        assert simple["direction"] == "out"
        await here.card_after("/vcall 89037654321")
        assert here.requests("start.vnumber_call")[-1]["params"]["contact"] == "79037654321"
        chooser = await here.say("/scenario 89037654321")
        assert "Опрос клиентов" in chooser.button_texts
        await here.emu.press_button(MANAGER, "Опрос клиентов", timeout=15)
        await here.reply_matching(MANAGER, lambda m: head("limits.footer") in (m.text or ""))
        assert here.requests("start.scenario_call")[-1]["params"]["scenario_id"] == 2
        await here.card_after("/inform 89037654321 Ваш заказ готов")
        informer = here.requests("start.informer_call")[-1]["params"]
        assert informer["contact_message"] == {"type": "tts", "value": "Ваш заказ готов"}
        picker = await here.say("/inform 89037654321")
        await here.emu.press_button(MANAGER, picker.button_texts[0], timeout=15)
        await here.reply_matching(MANAGER, lambda m: head("limits.footer") in (m.text or ""))
        media = here.requests("start.informer_call")[-1]["params"]["contact_message"]
        assert media["type"] == "media"
