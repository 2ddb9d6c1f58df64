from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import asyncpg
from dbtest_support import asyncpg_dsn

REPO = Path(__file__).resolve().parents[1]


async def test_pg_url_points_at_its_own_database(pg_url: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(pg_url))
    try:
        name = await connection.fetchval("SELECT current_database()")
    finally:
        await connection.close()
    assert name.startswith("callbot_test_")
    assert pg_url.endswith("/" + name)


def test_unreachable_server_fails_with_a_hint(tmp_path: Path) -> None:
    probe = tmp_path / "test_probe.py"
    probe.write_text(
        textwrap.dedent(
            """
            async def test_needs_database(pg_url):
                assert pg_url
            """
        )
    )
    for helper in ("conftest.py", "dbtest_support.py"):
        (tmp_path / helper).write_text((REPO / "tests" / helper).read_text())
    env = dict(os.environ)
    env["CALLBOT_TEST_DATABASE_URL"] = "postgresql+asyncpg://postgres@127.0.0.1:1/postgres"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "asyncio_mode=auto",
            "-o",
            "asyncio_default_fixture_loop_scope=session",
            str(probe),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "pg_ctlcluster" in output
    assert "skipped" not in output
