"""UIS events in, over real HTTP: the URL's secret, the size limit, dead letters, duplicates,
and events as facts for the call ledger (talk started moves a card, call finished ends it at
the next list.calls)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_kit import MANAGER, World, _free_port, world
from process_kit import visible
from sqlalchemy import select

from bot.texts import Lang, t
from db.engine import create_engine, session_factory
from db.ledger import find_call, history
from db.models import UisEventRecord

pytestmark = pytest.mark.e2e

RU = Lang.RU
SECRET = "events-secret-" + "x" * 30


@asynccontextmanager
async def events_world(tmp_path: Path) -> AsyncIterator[tuple[World, httpx.AsyncClient]]:
    port = _free_port()
    events = {
        "secret": SECRET,
        "public_url": "https://bot.example.com",
        "host": "127.0.0.1",
        "port": port,
    }
    async with (
        world(tmp_path, events=events) as here,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http,
    ):
        yield here, http


async def _rows(here: World) -> list[UisEventRecord]:
    engine = create_engine(here.database_url)
    try:
        async with session_factory(engine)() as session:
            return list((await session.scalars(select(UisEventRecord))).all())
    finally:
        await engine.dispose()


async def _states_once_settled(here: World, seconds: float = 15.0) -> list[tuple[str, str]]:
    """(event, state) of every stored event, once none is waiting to be applied (or in
    ``seconds``, whatever they are then)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        states = sorted((row.event, row.state) for row in await _rows(here))
        if all(state != "received" for _event, state in states):
            return states
        if asyncio.get_running_loop().time() > deadline:
            return states
        await asyncio.sleep(0.05)


async def _facts(here: World, call_session_id: int) -> list[Any]:
    assert await here.sandbox.runtime.calls.ledger.flush(max_wait=10)
    engine = create_engine(here.database_url)
    try:
        async with session_factory(engine)() as session:
            row = await find_call(session, call_session_id=call_session_id)
            assert row is not None
            return list(await history(session, row.id))
    finally:
        await engine.dispose()


async def test_the_url_secret_size_and_body_decide_what_is_taken(tmp_path: Path) -> None:
    async with events_world(tmp_path) as (here, http):
        body = b'{"call_session_id": 2500000099, "employee_id": 101}'
        wrong = await http.post("/uis/events/not-the-secret/talk_started", content=body)
        assert wrong.status_code == 404
        unknown = await http.post(f"/uis/events/{SECRET}/no_such_event", content=body)
        assert unknown.status_code == 404
        huge = await http.post(
            f"/uis/events/{SECRET}/call_finished", content=b"{" + b" " * 70_000 + b"}"
        )
        assert huge.status_code == 413
        assert await _rows(here) == []  # nothing of those was kept

        idless = await http.post(f"/uis/events/{SECRET}/lost_call", content=b'{"employee_ids": 1}')
        assert idless.status_code == 400
        taken = await http.post(f"/uis/events/{SECRET}/talk_started", content=body)
        assert taken.status_code == 200
        again = await http.post(f"/uis/events/{SECRET}/talk_started", content=body)
        assert again.status_code == 200
        assert again.text == "duplicate"
        # The reply comes once the event is stored; applying it follows in the background.
        assert await _states_once_settled(here) == [
            ("lost_call", "dead"),
            ("talk_started", "applied"),
        ]


async def test_events_move_the_card_through_the_ledger(tmp_path: Path) -> None:
    async with events_world(tmp_path) as (here, http):
        card = await here.start_call()
        call_id = here.call_id()
        assert t(RU, "card.phase.dialing") in (card.text or "")
        here.answer_all(call_id)
        talk = f'{{"event": "talk_started", "call_session_id": {call_id}, "leg_ids": "1,2",'
        talk += ' "employee_id": 101, "contact_phone_number": ""79031234567""}'
        assert (
            await http.post(f"/uis/events/{SECRET}/talk_started", content=talk)
        ).status_code == 200
        card = await here.emu.wait_for_bot_message(
            card.chat_id,
            predicate=lambda m: (
                m.message_id == card.message_id and t(RU, "card.phase.talk") in (m.text or "")
            ),
            after=0,
            timeout=10,
        )
        facts = await _facts(here, call_id)
        moved = [f for f in facts if f.source == "event" and f.kind == "talk_started"]
        # The event itself moved the call, or the live poll had already seen the talk.
        assert moved
        assert moved[0].applied or moved[0].phase_before == "talk"

        here.end_call(call_id)
        finished = f'{{"call_session_id": {call_id}, "talk_time_duration": 12}}'
        reply = await http.post(
            f"/uis/events/{SECRET}/call_finished",
            content=finished,
            headers={"Content-Type": "application/json"},
        )
        assert reply.status_code == 200
        await here.emu.wait_for_bot_message(
            card.chat_id,
            predicate=lambda m: (
                m.message_id == card.message_id and t(RU, "card.phase.finished") in (m.text or "")
            ),
            after=0,
            timeout=15,
        )
        facts = await _facts(here, call_id)
        ended = [f for f in facts if f.applied and f.phase_after == "finished"]
        assert ended
        assert ended[0].source == "snapshot"  # the event announced it; list.calls confirmed it
        assert any(f.source == "event" and f.kind == "call_finished" for f in facts)


async def test_a_burst_from_one_address_is_limited(tmp_path: Path) -> None:
    async with events_world(tmp_path) as (_here, http):
        replies = await asyncio.gather(
            *(http.post("/uis/events/wrong/talk_started", content=b"{}") for _ in range(150))
        )
        statuses = {reply.status_code for reply in replies}
        assert statuses == {404, 429}


def _waiting(call: dict[str, Any], employee_id: int = 101) -> str:
    leg = next(leg for leg in call["legs"] if leg.get("employee_id") == employee_id)
    return (
        f'{{"event": "waiting_for_answer", "call_session_id": {call["call_session_id"]},'
        f' "employee_id": {employee_id}, "leg_id": {leg["leg_id"]},'
        ' "contact_phone_number": "79037777777", "virtual_phone_number": "74993720692",'
        ' "direction": "in", "external_id": "", "employee_full_name": "Иван Петров"}'
    )


async def _new_card(here: World, text: str, seconds: float = 5) -> Any:
    return await here.emu.wait_for_bot_message(
        MANAGER, text_contains=text, include_edits=False, timeout=seconds
    )


async def test_the_ringing_employee_gets_the_card_and_it_becomes_the_talk(tmp_path: Path) -> None:
    async with events_world(tmp_path) as (here, http):
        inbound = here.sim.place_inbound_call("79037777777", employee_id=101)
        call_id = inbound["call_session_id"]
        sent = await http.post(
            f"/uis/events/{SECRET}/waiting_for_answer", content=_waiting(inbound)
        )
        assert sent.status_code == 200
        card = await _new_card(here, visible(t(RU, "card.phase.ringing")))
        text = card.text or ""
        assert "+7 903 777-77-77" in text
        assert visible(t(RU, "card.ringing_hint")) in text
        assert card.buttons == ()  # nothing to press while it rings: release would hang up

        # The same event again, or the inbound event of the same call: still one card.
        await http.post(f"/uis/events/{SECRET}/waiting_for_answer", content=_waiting(inbound))
        here.answer_all(call_id)
        talk = f'{{"call_session_id": {call_id}, "employee_id": 101, "leg_ids": "1,2"}}'
        await http.post(f"/uis/events/{SECRET}/talk_started", content=talk)
        card = await here.emu.wait_for_bot_message(
            MANAGER,
            predicate=lambda m: (
                m.message_id == card.message_id and t(RU, "card.phase.talk") in (m.text or "")
            ),
            after=0,
            timeout=10,
        )
        cards = [
            m
            for m in here.emu.visible_messages(MANAGER, from_bot=True)
            if t(RU, "card.phase.talk") in (m.text or "")
        ]
        assert len(cards) == 1
        _, card = await here.press(card, t(RU, "btn.hold"))
        assert len(here.requests("hold.call")) == 1
        assert here.sim.call(call_id)["state"] == "HOLD"


async def test_someone_else_answering_takes_the_buttons_away(tmp_path: Path) -> None:
    async with events_world(tmp_path) as (here, http):
        inbound = here.sim.place_inbound_call("79037777777", employee_id=101)
        call_id = inbound["call_session_id"]
        await http.post(f"/uis/events/{SECRET}/waiting_for_answer", content=_waiting(inbound))
        card = await _new_card(here, visible(t(RU, "card.phase.ringing")))
        other = (
            f'{{"call_session_id": {call_id}, "employee_id": 102,'
            ' "employee_full_name": "Мария Иванова", "leg_ids": [5, 6]}'
        )
        await http.post(f"/uis/events/{SECRET}/talk_started", content=other)
        card = await here.emu.wait_for_bot_message(
            MANAGER,
            predicate=lambda m: (
                m.message_id == card.message_id
                and t(RU, "card.phase.answered_elsewhere") in (m.text or "")
            ),
            after=0,
            timeout=10,
        )
        assert visible(t(RU, "card.answered_by", name="Мария Иванова")) in (card.text or "")
        assert card.buttons == ()


async def test_a_forged_event_can_draw_a_card_but_never_act(tmp_path: Path) -> None:
    async with events_world(tmp_path) as (here, http):
        forged = {"call_session_id": 2599999999, "legs": [{"employee_id": 101, "leg_id": 1}]}
        await http.post(f"/uis/events/{SECRET}/waiting_for_answer", content=_waiting(forged))
        card = await _new_card(here, visible(t(RU, "card.phase.ringing")))
        talk = '{"call_session_id": 2599999999, "employee_id": 101}'
        await http.post(f"/uis/events/{SECRET}/talk_started", content=talk)
        card = await here.emu.wait_for_bot_message(
            MANAGER,
            predicate=lambda m: m.message_id == card.message_id and bool(m.buttons),
            after=0,
            timeout=10,
        )
        answer, _card = await here.press(card, t(RU, "btn.hold"))
        assert here.requests("hold.call") == []
        assert answer.text in (t(RU, "alert.not_your_call"), t(RU, "alert.stale"))


def _inbound(call: dict[str, Any]) -> str:
    return (
        f'{{"event": "inbound_call", "call_session_id": {call["call_session_id"]},'
        ' "contact_phone_number": "79037777777", "virtual_phone_number": "74993720692",'
        ' "contact_full_name": "Анна Смирнова", "scenario_name": "Продажи днём"}'
    )


@pytest.mark.parametrize("inbound_first", [True, False], ids=["inbound-first", "inbound-late"])
async def test_the_ringing_card_is_completed_from_the_inbound_event_and_the_catalog(
    tmp_path: Path, inbound_first: bool
) -> None:
    async with events_world(tmp_path) as (here, http):
        call = here.sim.place_inbound_call("79037777777", employee_id=101)
        bodies = [("inbound_call", _inbound(call)), ("waiting_for_answer", _waiting(call))]
        for event, body in bodies if inbound_first else reversed(bodies):
            assert (await http.post(f"/uis/events/{SECRET}/{event}", content=body)).is_success
        named = visible(
            t(RU, "card.contact_named", name="Анна Смирнова", contact="+7 903 777-77-77")
        )
        card = await here.emu.wait_for_bot_message(
            MANAGER, predicate=lambda m: named in (m.text or ""), after=0, timeout=10
        )
        text = card.text or ""
        assert visible(t(RU, "card.phase.ringing")) in text
        # The virtual number by its catalog name, and the scenario UIS named.
        line = t(
            RU, "card.virtual_number_named", number="+7 499 372-06-92", name="Москва, отдел продаж"
        )
        assert visible(line) in text
        assert visible(t(RU, "card.scenario", name="Продажи днём")) in text
        ringing = [
            m
            for m in here.emu.visible_messages(MANAGER, from_bot=True)
            if str(call["call_session_id"]) in (m.text or "")
        ]
        assert len(ringing) == 1
