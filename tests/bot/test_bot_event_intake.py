"""Durable intake: a body is stored before it is answered, even while PostgreSQL refuses
connections (the local journal), and applied once when the database is back."""

from __future__ import annotations

from pathlib import Path

from dbtest_support import refuse_connections
from sqlalchemy import select

from bot.events.intake import EventIntake
from bot.events.parse import ParsedEvent
from db.engine import create_engine, session_factory
from db.events import EventState, store_event
from db.migrate import upgrade_head
from db.models import UisEventRecord

BODY = b'{"call_session_id": 2500000001, "employee_id": 101, "leg_ids": [1, 2]}'


async def test_an_event_taken_while_the_database_is_down_is_applied_once_it_is_back(
    tmp_path: Path, empty_pg_url: str
) -> None:
    await upgrade_head(empty_pg_url)
    engine = create_engine(empty_pg_url)
    applied: list[ParsedEvent] = []

    async def apply(event: ParsedEvent) -> None:
        applied.append(event)

    intake = EventIntake(session_factory(engine), tmp_path / "event-journal", apply)
    await intake.start()
    try:
        await refuse_connections(empty_pg_url, refuse=True)
        try:
            reply = await intake.receive("talk_started", BODY, "application/json", "10.0.0.1")
            assert reply.status == 200  # stored (locally): UIS need not send it again
            assert intake.stats.journaled == 1
            assert applied == []
        finally:
            await refuse_connections(empty_pg_url, refuse=False)
        await intake.move_journaled()
        duplicate = await intake.receive("talk_started", BODY, "application/json", "10.0.0.1")
        assert duplicate.text == "duplicate"
        await intake.close()
        assert [event.call_session_id for event in applied] == [2500000001]
        async with session_factory(engine)() as session:
            rows = (await session.scalars(select(UisEventRecord))).all()
        assert [(row.event, row.state, row.source) for row in rows] == [
            ("talk_started", "applied", "10.0.0.1")
        ]
        assert not list((tmp_path / "event-journal").glob("segment-*.jsonl"))
    finally:
        await engine.dispose()


async def test_an_event_stored_but_not_applied_is_applied_at_the_next_start(
    tmp_path: Path, empty_pg_url: str
) -> None:
    await upgrade_head(empty_pg_url)
    engine = create_engine(empty_pg_url)
    try:
        async with session_factory(engine).begin() as session:
            await store_event(
                session,
                event="call_finished",
                body=BODY,
                content_type=None,
                source=None,
                call_session_id=2500000001,
                state=EventState.RECEIVED,
            )
        applied: list[str] = []

        async def apply(event: ParsedEvent) -> None:
            applied.append(event.event)

        intake = EventIntake(session_factory(engine), tmp_path / "event-journal", apply)
        await intake.start()
        await intake.close()
        assert applied == ["call_finished"]
        restarted = EventIntake(session_factory(engine), tmp_path / "event-journal", apply)
        await restarted.start()
        await restarted.close()
        assert applied == ["call_finished"]  # applied once, not at every start
    finally:
        await engine.dispose()
