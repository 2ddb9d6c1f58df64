"""Migrations: stairway on both backends, models == migrations, head check, wheel install."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from db.audit import AuditRecord, insert_audit_records
from db.engine import create_engine, is_postgresql
from db.migrate import (
    SchemaNotCurrentError,
    check_at_head,
    current_revision,
    downgrade,
    head_revision,
    known_revisions,
    schema_differences,
    upgrade,
    upgrade_head,
)
from db.models import AuditOutcome

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["postgresql", "sqlite"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("empty_pg_url"))
    return f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}"


async def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()
    return set(names)


async def audit_triggers(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass")
            )
            return {row[0] for row in rows}
    finally:
        await engine.dispose()


async def test_stairway_up_down_up_every_revision(empty_url: str) -> None:
    revisions = known_revisions()
    assert revisions[0] == "0001"
    assert revisions[-1] == head_revision()
    previous = "base"
    for revision in revisions:
        await upgrade(empty_url, revision)
        assert await current_revision(empty_url) == revision
        await downgrade(empty_url, previous)
        assert await current_revision(empty_url) == (None if previous == "base" else previous)
        await upgrade(empty_url, revision)
        assert await current_revision(empty_url) == revision
        previous = revision
    assert "audit_log" in await table_names(empty_url)
    await downgrade(empty_url, "base")
    assert await table_names(empty_url) <= {"alembic_version"}


async def test_append_only_trigger_exists_only_on_postgresql_from_0002(empty_url: str) -> None:
    await upgrade(empty_url, "0001")
    if is_postgresql(empty_url):
        assert await audit_triggers(empty_url) == set()
    await upgrade_head(empty_url)
    if is_postgresql(empty_url):
        assert await audit_triggers(empty_url) == {
            "audit_log_append_only",
            "audit_log_no_truncate",
        }
    await downgrade(empty_url, "0001")
    if is_postgresql(empty_url):
        assert await audit_triggers(empty_url) == set()


async def _store_unknown_outcome(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            record = AuditRecord.create(method="hold.call", outcome=AuditOutcome.OUTCOME_UNKNOWN)
            await insert_audit_records(connection, [record])
    finally:
        await engine.dispose()


async def test_outcome_unknown_arrives_with_0005_and_blocks_going_back(empty_url: str) -> None:
    await upgrade(empty_url, "0004")
    with pytest.raises(IntegrityError):
        await _store_unknown_outcome(empty_url)
    await upgrade(empty_url, "0005")
    await downgrade(empty_url, "0004")  # no such rows yet: the way back is open
    await upgrade(empty_url, "0005")
    await _store_unknown_outcome(empty_url)
    with pytest.raises(RuntimeError, match="outcome_unknown"):
        await downgrade(empty_url, "0004")  # the append-only log keeps its rows
    assert await current_revision(empty_url) == "0005"


async def test_models_match_migrations(empty_url: str) -> None:
    await upgrade_head(empty_url)
    assert await schema_differences(empty_url) == []


async def test_comparison_notices_a_drifted_schema(empty_url: str) -> None:
    """The check above can fail: a schema that differs from the models is reported."""
    await upgrade_head(empty_url)
    engine = create_engine(empty_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP INDEX ix_call_cards_call_id"))
    finally:
        await engine.dispose()
    differences = await schema_differences(empty_url)
    assert any("ix_call_cards_call_id" in repr(item) for item in differences)


async def test_check_at_head_tells_the_operator_what_to_run(empty_url: str) -> None:
    with pytest.raises(SchemaNotCurrentError, match="run `callbot migrate`"):
        await check_at_head(empty_url)
    await upgrade(empty_url, "0001")
    with pytest.raises(SchemaNotCurrentError, match=r"revision 0001.*run `callbot migrate`"):
        await check_at_head(empty_url)
    assert await upgrade_head(empty_url) == head_revision()
    await check_at_head(empty_url)
    await upgrade_head(empty_url)  # idempotent
    engine = create_engine(empty_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        await engine.dispose()
    with pytest.raises(SchemaNotCurrentError, match="newer version"):
        await check_at_head(empty_url)


def run_python(code: str, *args: str, cwd: Path, pythonpath: Path) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CALLBOT_")}
    env["PYTHONPATH"] = str(pythonpath)
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


MIGRATE_AND_CHECK = """
import asyncio, sys
import db
from db.catalog import parse_catalog
from sandbox.uis import demo_catalog_bytes
from db.migrate import check_at_head, upgrade_head
asyncio.run(upgrade_head(sys.argv[1]))
asyncio.run(check_at_head(sys.argv[1]))
assert len(parse_catalog(demo_catalog_bytes(), filename="demo.json").employees or []) == 4
print(db.__file__)
"""


def test_migrations_run_from_any_working_directory(tmp_path: Path) -> None:
    """No alembic.ini and no repo-relative paths needed: `callbot migrate` works anywhere."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    url = f"sqlite+aiosqlite:///{tmp_path / 'anywhere.sqlite3'}"
    run_python(MIGRATE_AND_CHECK, url, cwd=elsewhere, pythonpath=REPO)


@pytest.mark.slow
def test_migrations_and_demo_catalog_work_from_a_built_wheel(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy(REPO / "pyproject.toml", source)
    readme = REPO / "README.md"
    if readme.exists():
        shutil.copy(readme, source)
    else:  # pyproject names it; the wheel's content does not depend on it
        (source / "README.md").write_text("placeholder\n")
    for package in ("api", "bot", "db", "sandbox"):
        shutil.copytree(
            REPO / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    dist = tmp_path / "dist"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-w",
            str(dist),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    (wheel,) = dist.glob("*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(site)
    for required in (
        "db/migrations/env.py",
        "db/migrations/script.py.mako",
        "db/migrations/versions/0001_initial_schema.py",
        "db/migrations/versions/0002_audit_append_only.py",
        "sandbox/uis/data/demo_catalog.json",
    ):
        assert required in names, f"{required} missing from the wheel"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    url = f"sqlite+aiosqlite:///{tmp_path / 'wheel.sqlite3'}"
    printed = run_python(MIGRATE_AND_CHECK, url, cwd=elsewhere, pythonpath=site)
    assert printed.strip().startswith(str(site)), printed


def test_alembic_ini_reads_the_url_from_the_environment(tmp_path: Path) -> None:
    """Developers run `alembic` by hand from the repo root; the URL comes from the env."""
    database = tmp_path / "by-hand.sqlite3"
    env = {key: value for key, value in os.environ.items() if not key.startswith("CALLBOT_")}
    env["CALLBOT_DATABASE__URL"] = f"sqlite+aiosqlite:///{database}"
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(REPO / "alembic.ini"), "upgrade", "head"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert database.exists()
