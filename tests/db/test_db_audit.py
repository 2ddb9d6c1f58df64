"""Audit log: records, idempotent inserts, /history, CSV export, append-only rule, prune."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from dbtest_support import unique_id
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from db.audit import (
    CSV_COLUMNS,
    AuditRecord,
    export_audit_csv,
    insert_audit_json_lines,
    insert_audit_records,
    new_audit_id,
    prune_audit,
    recent_audit_entries,
    scrub,
    write_audit_record,
)
from db.models import AuditLogEntry, AuditOutcome
from db.types import utcnow


def test_secrets_are_removed_from_params_at_any_depth() -> None:
    record = AuditRecord.create(
        method="login.user",
        outcome="ok",
        params={
            "login": "demo.manager",
            "password": "demo-pass-manager",
            "access_token": "tok",
            "nested": {"Refresh_Token": "r", "items": [{"api_key": "k", "keep": 1}]},
            "note": "a\x00b",
            "ratio": float("nan"),
        },
        limits={"minute_remaining": 59},
        request_id=17,
    )
    assert record.params == {
        "login": "demo.manager",
        "nested": {"items": [{"keep": 1}]},
        "note": "ab",
        "ratio": "nan",
    }
    assert record.request_id == "17"
    assert "demo-pass-manager" not in record.to_json()
    assert record.id.version == 7
    assert scrub({"when": datetime(2025, 1, 1, tzinfo=UTC)}) == {
        "when": "2025-01-01 00:00:00+00:00"
    }
    assert scrub("lone \ud800 surrogate") == "lone ? surrogate"


def test_ids_are_unique_and_time_ordered() -> None:
    ids = [new_audit_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    assert ids[0].int >> 80 <= ids[-1].int >> 80  # millisecond prefix never goes back


def test_json_line_round_trip() -> None:
    record = AuditRecord.create(
        method="start.employee_call",
        outcome=AuditOutcome.API_ERROR,
        params={"contact": "79031234567"},
        chat_id=-1001,
        telegram_user_id=42,
        telegram_update_id=900,
        callapi_login="demo.manager",
        request_id="req-1",
        error_code=-32602,
        error_mnemonic="invalid_parameter_value",
        error_detail="contact",
        call_session_id=None,
        latency_ms=35.5,
        limits={"day_remaining": 990},
    )
    assert AuditRecord.from_json(record.to_json()) == record


async def test_inserts_are_idempotent_and_rows_come_back_as_written(engine: AsyncEngine) -> None:
    user = unique_id()
    records = [
        AuditRecord.create(
            method="hold.call",
            outcome="ok",
            params={"call_session_id": index},
            telegram_user_id=user,
            occurred_at=utcnow() - timedelta(seconds=10 - index),
            latency_ms=float(index),
        )
        for index in range(5)
    ]
    lines = [record.to_json() for record in records]
    async with engine.begin() as connection:
        assert await insert_audit_records(connection, records[:2]) == 2
        assert await insert_audit_json_lines(connection, lines) == 3  # two already there
        assert await insert_audit_json_lines(connection, lines) == 0
        assert await insert_audit_json_lines(connection, []) == 0
    sessions = async_sessionmaker(engine)
    async with sessions() as session:
        history = await recent_audit_entries(session, user, limit=3)
        assert [entry.params["call_session_id"] for entry in history] == [4, 3, 2]
        newest = history[0]
        assert newest.id == records[4].id
        assert newest.occurred_at == records[4].occurred_at
        assert newest.occurred_at.tzinfo is not None
        assert newest.outcome is AuditOutcome.OK
        assert newest.limits is None


async def test_csv_export_of_a_time_range(engine: AsyncEngine) -> None:
    user = unique_id()
    base = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    async with engine.begin() as connection:
        await insert_audit_records(
            connection,
            [
                AuditRecord.create(
                    method="tag.call",
                    outcome="ok",
                    params={"tag_id": 11, "comment": "Горячий"},
                    telegram_user_id=user,
                    occurred_at=base + timedelta(minutes=minute),
                    callapi_login='=HYPERLINK("http://x")',
                    limits={"minute_remaining": 50},
                )
                for minute in range(4)
            ]
            + [
                AuditRecord.create(
                    method="hold.call",
                    outcome=AuditOutcome.REFUSED_LOCALLY,
                    telegram_user_id=user,
                    error_detail="points budget: reserve reached",
                    occurred_at=base + timedelta(minutes=2, seconds=30),
                )
            ],
        )
    async with async_sessionmaker(engine)() as session:
        document = await export_audit_csv(
            session,
            base + timedelta(minutes=1),
            base + timedelta(minutes=3),
            telegram_user_id=user,
        )
    assert document.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read the Cyrillic right
    rows = list(csv.reader(io.StringIO(document.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    body = [dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:]]
    assert [row["method"] for row in body] == ["tag.call", "tag.call", "hold.call"]
    assert body[0]["occurred_at"] == "2025-03-01T12:01:00+00:00"
    assert json.loads(body[0]["params"]) == {"comment": "Горячий", "tag_id": 11}
    assert body[0]["callapi_login"].startswith("'=")  # not run as a formula
    assert body[2]["outcome"] == "refused_locally"
    assert body[2]["limits"] == ""


async def test_update_delete_truncate_are_refused_on_postgresql(pg_engine: AsyncEngine) -> None:
    record = AuditRecord.create(method="hold.call", outcome="ok", telegram_user_id=unique_id())
    assert await write_audit_record(pg_engine, record)
    for statement in (
        "UPDATE audit_log SET method = 'forged' WHERE id = :id",
        "DELETE FROM audit_log WHERE id = :id",
        "TRUNCATE audit_log",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with pg_engine.begin() as connection:
                await connection.execute(text(statement), {"id": record.id})
    async with async_sessionmaker(pg_engine)() as session:
        entry = await session.get(AuditLogEntry, record.id)
        assert entry is not None
        assert entry.method == "hold.call"


async def test_prune_is_the_only_way_out_and_is_itself_audited(engine: AsyncEngine) -> None:
    user = unique_id()
    cutoff = utcnow() - timedelta(days=3650)  # older than any other test's rows
    ancient = [
        AuditRecord.create(
            method="hold.call",
            outcome="ok",
            telegram_user_id=user,
            occurred_at=cutoff - timedelta(days=days),
        )
        for days in (1, 2)
    ]
    kept = AuditRecord.create(
        method="hold.call", outcome="ok", telegram_user_id=user, occurred_at=cutoff
    )
    async with engine.begin() as connection:
        await insert_audit_records(connection, [*ancient, kept])
    with pytest.raises(ValueError, match="future"):
        await prune_audit(engine, utcnow() + timedelta(days=1))
    assert await prune_audit(engine, cutoff, actor="admin 1000") == 2
    sessions = async_sessionmaker(engine)
    async with sessions() as session:
        remaining = await recent_audit_entries(session, user)
        assert [entry.id for entry in remaining] == [kept.id]
        prune_row = (
            await session.scalars(
                select(AuditLogEntry)
                .where(AuditLogEntry.method == "callbot.audit_prune")
                .order_by(AuditLogEntry.occurred_at.desc())
                .limit(1)
            )
        ).one()
        assert prune_row.params == {
            "before": cutoff.isoformat(),
            "deleted": 2,
            "actor": "admin 1000",
        }
    if engine.dialect.name == "postgresql":  # the bypass ended with the prune's transaction
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as connection:
                await connection.execute(
                    text("DELETE FROM audit_log WHERE id = :id"), {"id": kept.id}
                )


async def test_record_ids_collide_only_on_purpose(engine: AsyncEngine) -> None:
    """A client-generated id is the row's identity: a second row with it is not stored."""
    first = AuditRecord.create(method="a", outcome="ok", record_id=uuid.uuid4())
    same_id = AuditRecord.create(method="b", outcome="ok", record_id=first.id)
    async with engine.begin() as connection:
        assert await insert_audit_records(connection, [first]) == 1
        assert await insert_audit_records(connection, [same_id]) == 0
    async with async_sessionmaker(engine)() as session:
        count = await session.scalar(
            select(func.count()).select_from(AuditLogEntry).where(AuditLogEntry.id == first.id)
        )
        assert count == 1


async def test_a_garbage_error_code_cannot_make_a_row_unstorable(engine: AsyncEngine) -> None:
    record = AuditRecord.create(
        method="hold.call",
        outcome=AuditOutcome.API_ERROR,
        error_code=2**40,
        error_detail="from a broken server",
        telegram_user_id=unique_id(),
    )
    assert record.error_code is None
    assert record.error_detail == f"error code {2**40}; from a broken server"
    assert await write_audit_record(engine, record)
