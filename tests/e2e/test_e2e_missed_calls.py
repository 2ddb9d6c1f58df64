"""Missed calls end to end: the simulator's (or a posted) "lost call" event, the messages to the
users of the employees tried, one owner for the call-back, and how it ends — over real HTTP,
real PostgreSQL, the simulator as UIS and the emulator as Telegram."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from dbtest_support import held_by_another_transaction
from e2e_kit import EVENTS_SECRET, MANAGER, World, events_world, head
from process_kit import visible

from bot.services.presentation import display_phone
from bot.texts import Lang, format_duration, t
from db.models import AccessState
from sandbox.telegram import VisibleMessage
from sandbox.world import DEMO_ADMIN_ID

pytestmark = pytest.mark.e2e

RU = Lang.RU
COLLEAGUE = 1002  # linked to employee 100 (Анна Смирнова), the second of scenario 1
COLLEAGUE_KEY = "demo-key-admin-0002"
CALLER = "79037777777"
SALES_LINE = "74993720692"  # "Москва, отдел продаж", scenario 1: employees 101 then 100


@asynccontextmanager
async def missed_world(
    tmp_path: Path, *, colleague: bool = False
) -> AsyncIterator[tuple[World, httpx.AsyncClient]]:
    """The bot with UIS events from the simulator, and a client to post forged ones."""
    async with events_world(tmp_path) as here:
        if colleague:
            here.emu.add_user(COLLEAGUE, "Анна", last_name="Смирнова", language_code="ru")
            await here.say("/start", COLLEAGUE)
            access = here.sandbox.runtime.access
            assert await access.set_access(DEMO_ADMIN_ID, COLLEAGUE, AccessState.ALLOWED)
            assert await access.assign_employee(DEMO_ADMIN_ID, COLLEAGUE, 100, "79160000100")
            await here.log_in_with_key(COLLEAGUE, COLLEAGUE_KEY)
        port = here.sandbox.settings.events.port
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            yield here, http


async def _post_lost(
    http: httpx.AsyncClient,
    call_session_id: int,
    number: str,
    employee_ids: list[int],
    *,
    wait: int = 25,
) -> None:
    body = {
        "event": "lost_call",
        "call_session_id": call_session_id,
        "employee_ids": employee_ids,
        "contact_phone_number": number,
        "contact_full_name": None,
        "scenario_name": "Входящая линия продаж",
        "wait_time_duration": wait,
        "virtual_phone_number": SALES_LINE,
        "notification_time": "2026-11-30 12:00:00",
    }
    reply = await http.post(f"/uis/events/{EVENTS_SECRET}/lost_call", content=json.dumps(body))
    assert reply.status_code == 200, reply.text


def _nobody_answers(here: World, call_id: int) -> None:
    """Every employee the call rings does not pick up, then the caller gives up."""
    for _ in range(10):
        call = here.sim.call(call_id)
        if call["ended_at"] is not None:
            return
        legs = [leg for leg in call["legs"] if leg["status"] != "disconnected"]
        ringing = [leg for leg in legs if leg["status"] == "ringing"]
        if ringing:
            here.sim.fail(call_id, ringing[0]["leg_id"])
        elif legs:
            here.sim.hang_up(call_id, legs[0]["leg_id"])
    raise AssertionError("the call did not end")


async def _shown(
    here: World, chat_id: int, text: str, message_id: int | None = None
) -> VisibleMessage:
    """The first message (or edit) in the chat that shows ``text``."""
    return await here.emu.wait_for_bot_message(
        chat_id,
        predicate=lambda m: (
            (message_id is None or m.message_id == message_id) and text in (m.text or "")
        ),
        after=0,
        timeout=15,
    )


def _now(here: World, chat_id: int, message_id: int) -> VisibleMessage:
    message = here.emu.message(chat_id, message_id)
    assert message is not None
    return message


async def _name(here: World, user_id: int) -> str:
    member = await here.sandbox.runtime.access.member(user_id)
    assert member is not None
    return member.display_name


TITLE = visible(t(RU, "missed.title"))
CALL_BACK = t(RU, "btn.call_back")


async def test_a_missed_call_reaches_both_employees_and_one_of_them_calls_back(
    tmp_path: Path,
) -> None:
    async with missed_world(tmp_path, colleague=True) as (here, _http):
        inbound = here.sim.place_inbound_call(CALLER, virtual_phone_number=SALES_LINE)
        _nobody_answers(here, inbound["call_session_id"])  # the simulator sends "lost call"
        mine = await _shown(here, MANAGER, TITLE)
        theirs = await _shown(here, COLLEAGUE, TITLE)
        for message in (mine, theirs):
            text = message.text or ""
            assert "+7 903 777-77-77" in text  # private chats: the full number
            named = t(RU, "missed.to_named", number="+7 499 372-06-92", name="Москва, отдел продаж")
            assert visible(named) in text
            assert message.button_texts == [CALL_BACK]

        # Both press Call back at the same moment: exactly one call-back goes to UIS.
        presses = await asyncio.gather(
            here.emu.tap_button(MANAGER, CALL_BACK, message_id=mine.message_id),
            here.emu.tap_button(
                COLLEAGUE, CALL_BACK, message_id=theirs.message_id, user_id=COLLEAGUE
            ),
        )
        answers = await asyncio.gather(
            *(here.emu.wait_for_callback_answer(press.query_id, 15) for press in presses)
        )
        assert sorted(answer.show_alert for answer in answers) == [False, True]  # one loser
        starts = here.requests("start.employee_call")
        assert len(starts) == 1
        employee = starts[0]["params"]["employee"]["id"]
        winner, loser = (MANAGER, COLLEAGUE) if employee == 101 else (COLLEAGUE, MANAGER)
        assert starts[0]["params"]["contact"] == CALLER
        assert starts[0]["params"]["virtual_phone_number"] == SALES_LINE  # the number dialled
        winner_copy, loser_copy = (mine, theirs) if winner == MANAGER else (theirs, mine)
        claimed = visible(t(RU, "missed.claimed", name=await _name(here, winner)))
        await _shown(here, loser, claimed, loser_copy.message_id)
        await _shown(here, winner, visible(t(RU, "missed.claimed_you")), winner_copy.message_id)
        assert _now(here, loser, loser_copy.message_id).buttons == ()
        assert _now(here, winner, winner_copy.message_id).buttons == ()
        # The claimer got a normal call card.
        await here.emu.wait_for_bot_message(
            winner,
            predicate=lambda m: head("limits.footer") in (m.text or ""),
            after=0,
            timeout=15,
        )

        # A redelivered press does nothing twice.
        await here.emu.redeliver(presses[0].update_id or 0)
        await asyncio.sleep(0.5)
        assert len(here.requests("start.employee_call")) == 1

        # The claimer and the client talk: every copy says so.
        here.answer_all(here.call_id())
        talked = visible(t(RU, "missed.talked", name=await _name(here, winner)))
        await _shown(here, winner, talked, winner_copy.message_id)
        await _shown(here, loser, talked, loser_copy.message_id)


async def test_the_same_caller_again_counts_and_an_unanswered_call_back_is_offered_again(
    tmp_path: Path,
) -> None:
    async with missed_world(tmp_path) as (here, _http):
        first = here.sim.place_inbound_call(CALLER, employee_id=101)
        _nobody_answers(here, first["call_session_id"])
        message = await _shown(here, MANAGER, TITLE)
        second = here.sim.place_inbound_call(CALLER, employee_id=101)
        _nobody_answers(here, second["call_session_id"])
        two = visible(t(RU, "missed.title_count", count=2, time="\x00")).split(" (", 1)[0]
        await _shown(here, MANAGER, two, message.message_id)
        # Missed-call messages only: a ringing card the events drew ends as "no answer", with
        # the same sign (under load the bot can draw one before it hears the call ended).
        shown = [
            m
            for m in here.emu.visible_messages(MANAGER, from_bot=True)
            if (m.text or "").startswith((TITLE, two))
        ]
        assert len(shown) == 1  # the same message, edited

        answer = await here.emu.press_button(
            MANAGER, CALL_BACK, message_id=message.message_id, timeout=15
        )
        assert not answer.show_alert
        assert len(here.requests("start.employee_call")) == 1
        # The manager's own phone rings first and nobody picks it up.
        call_id = here.call_id()
        _nobody_answers(here, call_id)
        unanswered = visible(t(RU, "missed.unanswered", name=await _name(here, MANAGER)))
        again = await _shown(here, MANAGER, unanswered, message.message_id)
        assert again.button_texts == [CALL_BACK]


async def test_the_client_getting_through_later_resolves_the_missed_call(tmp_path: Path) -> None:
    async with missed_world(tmp_path) as (here, _http):
        missed = here.sim.place_inbound_call(CALLER, employee_id=101)
        _nobody_answers(here, missed["call_session_id"])
        message = await _shown(here, MANAGER, TITLE)
        later = here.sim.place_inbound_call(CALLER, employee_id=101)
        here.answer_all(later["call_session_id"])  # "talk started", an inbound call
        resolved = await _shown(
            here, MANAGER, visible(t(RU, "missed.got_through")), message.message_id
        )
        assert resolved.buttons == ()
        assert here.requests("start.employee_call") == []


async def test_nobody_tried_goes_to_the_admins_then_to_the_on_call_chat(tmp_path: Path) -> None:
    async with missed_world(tmp_path) as (here, http):
        await here.say("/start", DEMO_ADMIN_ID)
        # The caller hung up in the voice menu: no employee was tried, no on-call chat yet.
        await _post_lost(http, 2590000001, "79035550001", [])
        to_admin = await _shown(here, DEMO_ADMIN_ID, TITLE)
        assert "+7 903 555-00-01" in (to_admin.text or "")
        assert visible(t(RU, "missed.waited", duration=format_duration(RU, 25))) in (
            to_admin.text or ""
        )
        assert not [
            m for m in here.emu.visible_messages(MANAGER, from_bot=True) if TITLE in (m.text or "")
        ]

        group = here.emu.add_group(-100900, "Дежурные", [DEMO_ADMIN_ID, MANAGER])
        await here.emu.send_message(group.chat_id, "/oncall_chat", user_id=DEMO_ADMIN_ID)
        await _shown(here, group.chat_id, visible(t(RU, "oncall.bound")))
        await _post_lost(http, 2590000002, "79035550002", [])
        in_group = await _shown(here, group.chat_id, TITLE)
        text = in_group.text or ""
        assert display_phone("79035550002", masked=True) in text  # masked in a group
        assert "555-00-02" not in text
        # Anyone allowed in the on-call chat may call back.
        answer = await here.emu.press_button(
            group.chat_id, CALL_BACK, message_id=in_group.message_id, user_id=MANAGER, timeout=15
        )
        assert not answer.show_alert, answer.text
        starts = here.requests("start.employee_call")
        assert len(starts) == 1
        assert starts[0]["params"]["contact"] == "79035550002"
        claimed = visible(t(RU, "missed.claimed", name=await _name(here, MANAGER)))
        await _shown(here, group.chat_id, claimed, in_group.message_id)


@pytest.mark.parametrize(
    ("number", "key"),
    [("78091234567", "alert.missed_premium"), ("442071234567", "alert.missed_international")],
    ids=["premium", "international"],
)
async def test_a_forged_lost_call_to_a_premium_or_international_number_is_refused(
    tmp_path: Path, number: str, key: str
) -> None:
    async with missed_world(tmp_path) as (here, http):
        await _post_lost(http, 2590000003, number, [101])
        message = await _shown(here, MANAGER, TITLE)
        sent_before = len(here.requests())
        answer = await here.emu.press_button(
            MANAGER, CALL_BACK, message_id=message.message_id, timeout=15
        )
        assert answer.show_alert
        assert answer.text == t(RU, key, number=display_phone(number))
        await asyncio.sleep(0.3)
        assert [r for r in here.requests()[sent_before:] if r["method"].startswith("start.")] == []
        # Nothing was claimed: the button is still there (with a fresh token).
        offered: Any = await _shown(here, MANAGER, TITLE, message.message_id)
        assert _now(here, MANAGER, offered.message_id).button_texts == [CALL_BACK]


async def test_a_press_right_as_the_message_arrives_is_not_told_its_button_is_stale(
    tmp_path: Path,
) -> None:
    """The message reaches the chat before the bot has stored which chats show it (Telegram
    gives the message id). Here the store is held up by a table lock; in CI a loaded machine
    did it, and the press got "button is stale" instead of an answer."""
    async with missed_world(tmp_path) as (here, http):
        # Reads go on; the bot's insert of the message's copy waits.
        async with held_by_another_transaction(
            here.database_url, "LOCK TABLE missed_call_messages IN EXCLUSIVE MODE"
        ) as release:
            await _post_lost(http, 2590000005, "442071234567", [101])
            message = await _shown(here, MANAGER, TITLE)
            asyncio.get_running_loop().call_later(1.0, release.set)
            answer = await here.emu.press_button(
                MANAGER, CALL_BACK, message_id=message.message_id, timeout=15
            )
        assert answer.text == t(
            RU, "alert.missed_international", number=display_phone("442071234567")
        )


async def test_a_refused_call_back_is_offered_again_and_an_unknown_outcome_keeps_the_claim(
    tmp_path: Path,
) -> None:
    async with missed_world(tmp_path) as (here, http):
        await _post_lost(http, 2590000004, CALLER, [101])
        message = await _shown(here, MANAGER, TITLE)
        # UIS refuses the start (the account may not call mobile numbers): nobody owns it.
        here.sim.patch_account({"direction_rules": {"mobile": False}})
        await here.emu.press_button(MANAGER, CALL_BACK, message_id=message.message_id, timeout=15)
        refused = here.requests("start.employee_call")
        assert len(refused) == 1
        assert refused[0]["outcome"] != "ok"
        claimed = visible(t(RU, "missed.claimed_you"))
        await _shown(here, MANAGER, claimed, message.message_id)
        offered = await here.emu.wait_for_bot_message(
            MANAGER,
            predicate=lambda m: m.message_id == message.message_id and bool(m.buttons),
            timeout=15,
        )
        assert claimed not in (offered.text or "")
        assert offered.button_texts == [CALL_BACK]

        # The start's reply is lost: it may have rung the client, so the claim stays.
        here.sim.patch_account({"direction_rules": {"mobile": True}})
        here.sandbox.runtime.calls.lost_start_lookups = (2.0, 3.0)  # instead of 5 … 120 s
        here.sim.inject_fault("drop_connection", method="start.employee_call")
        await here.emu.press_button(MANAGER, CALL_BACK, message_id=message.message_id, timeout=15)
        assert len(here.requests("start.employee_call")) == 2
        await asyncio.sleep(0.5)
        now = _now(here, MANAGER, message.message_id)
        assert claimed in (now.text or "")
        assert now.buttons == ()

        # Until the ledger's lookups settle that UIS never listed it: then the claim is
        # released, with a word that it may have rung, and Call back is offered again.
        unconfirmed = visible(t(RU, "missed.unconfirmed", name="Иван Петров"))
        released = await _shown(here, MANAGER, unconfirmed, message.message_id)
        assert released.button_texts == [CALL_BACK]


async def test_a_repeat_call_that_rang_someone_new_reaches_them_too(tmp_path: Path) -> None:
    async with missed_world(tmp_path, colleague=True) as (here, http):
        await _post_lost(http, 2590000011, CALLER, [101])
        mine = await _shown(here, MANAGER, TITLE)
        await _post_lost(http, 2590000012, CALLER, [100])  # this time the colleague was tried
        title_two = visible(t(RU, "missed.title_count", count=2, time="")).split("(")[0].strip()
        await _shown(here, MANAGER, title_two, mine.message_id)  # the same copy, counted
        theirs = await _shown(here, COLLEAGUE, title_two)
        assert theirs.button_texts == [CALL_BACK]
        copies = [
            m
            for m in here.emu.visible_messages(MANAGER, from_bot=True)
            if TITLE in (m.text or "") or title_two in (m.text or "")
        ]
        assert len(copies) == 1
