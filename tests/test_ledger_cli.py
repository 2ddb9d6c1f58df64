"""`callbot ledger prune`: the ledger holds phone numbers, so old calls are forgotten."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from cli_support import callbot

from db import ledger as ledger_store
from db.engine import create_engine, session_factory
from db.migrate import upgrade_head
from db.types import utcnow


async def test_prune_forgets_calls_past_the_date_and_the_default_retention(
    tmp_path: Path, empty_pg_url: str
) -> None:
    await upgrade_head(empty_pg_url)
    engine = create_engine(empty_pg_url)
    try:
        async with session_factory(engine).begin() as session:
            for external_id, age in (("tg-old", 200), ("tg-month", 30), ("tg-new", 0)):
                await ledger_store.open_call(
                    session,
                    phase="finished",
                    source="start",
                    external_id=external_id,
                    contact_number="79031234567",
                    now=utcnow() - timedelta(days=age),
                )
        by_default = callbot(tmp_path, "ledger", "prune", CALLBOT_DATABASE__URL=empty_pg_url)
        assert by_default.returncode == 0, by_default.stderr
        assert "forgot 1 call(s)" in by_default.stdout
        cutoff = (utcnow() - timedelta(days=7)).date().isoformat()
        dated = callbot(
            tmp_path, "ledger", "prune", "--before", cutoff, CALLBOT_DATABASE__URL=empty_pg_url
        )
        assert dated.returncode == 0, dated.stderr
        assert "forgot 1 call(s)" in dated.stdout
        async with session_factory(engine)() as session:
            assert await ledger_store.find_call(session, external_id="tg-new") is not None
            assert await ledger_store.find_call(session, external_id="tg-month") is None
    finally:
        await engine.dispose()


def test_a_bad_date_is_refused_naming_the_option(tmp_path: Path) -> None:
    assert callbot(tmp_path, "migrate").returncode == 0
    refused = callbot(tmp_path, "ledger", "prune", "--before", "yesterday")
    assert refused.returncode == 2
    assert "--before: expected a date" in refused.stderr
