"""Fast handler tier: fixtures, and the check that every handler has a test here.

One bot application per test, built as production builds it (``build_runtime`` +
``build_app``; the ``Bot`` from ``build_bot`` with its HTTP session swapped for the
recording one), on the session's migrated PostgreSQL database (tables emptied before each
test), its Call API client talking HTTP on loopback to one UIS simulator for the session
(reset before each test). See handler_kit.py.

The coverage check (test_every_handler_reached.py) is moved to the end of the run and
enforced only when the whole tier runs: every test module of tests/handlers collected, no
test of it deselected (``-k``, ``-m``, ``--deselect``, ``--lf``) and no node id chosen on the
command line. Otherwise it skips, saying why.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from api.transport import create_http_client
from bot.app import build_app, build_bot
from bot.runtime import build_runtime
from db.models import AuditLogEntry, Base
from handlers.handler_kit import (
    DESELECTED,
    NOT_WHOLE,
    HandlerRecorder,
    Harness,
    RecordingSession,
)
from sandbox.uis import ManualClock, Simulator, SimulatorOptions, demo_account
from sandbox.world import sandbox_settings, seed_demo

TIER = Path(__file__).parent
CHECK_TEST = "test_every_handler_reached.py::test_every_handler_is_reached_by_a_fast_test"
ENCRYPTION_KEY = "q1uQ9bBgdYgFCkMWqIYJ5v4lXr7yZk0XJfbqg7yC3Xs="
# Never contacted: the bot's HTTP session is replaced by the recording one.
UNUSED_BOT_API = "http://127.0.0.1:9"


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
async def uis_simulator() -> AsyncIterator[tuple[Simulator, str]]:
    simulator = Simulator(
        account=demo_account(), options=SimulatorOptions(), clock=ManualClock(start=time.time())
    )
    async with simulator.running(host="127.0.0.1", port=0) as server:
        yield simulator, server.url


@pytest.fixture(scope="session")
async def call_api_http() -> AsyncIterator[httpx.AsyncClient]:
    """The Call API client's HTTP client (production's), shared by the tier's bots: a new
    one per test would cost more than the test's own requests."""
    client = create_http_client()
    yield client
    await client.aclose()


async def _empty_tables(engine: AsyncEngine) -> None:
    """Every table emptied but the append-only audit log (tests keep to user ids of their
    own where they read it) and the demo catalog (seeded once; a test that changes it puts
    the demo catalog back)."""
    async with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != AuditLogEntry.__tablename__ and not table.name.startswith("catalog_"):
                await connection.execute(delete(table))


@pytest.fixture
async def h(
    uis_simulator: tuple[Simulator, str],
    call_api_http: httpx.AsyncClient,
    migrated_pg_url: str,
    pg_engine: AsyncEngine,
    tmp_path: Path,
) -> AsyncIterator[Harness]:
    simulator, simulator_url = uis_simulator
    simulator.control.reset()
    await _empty_tables(pg_engine)
    settings = sandbox_settings(
        tmp_path,
        migrated_pg_url,
        simulator_url,
        UNUSED_BOT_API,
        security={"encryption_keys": ENCRYPTION_KEY},
    )
    runtime = await build_runtime(settings, http_client=call_api_http)
    await seed_demo(runtime)  # once: the catalog is kept between tests
    bot = build_bot(settings)
    session = RecordingSession(bot.id)
    for middleware in bot.session.middleware:  # the production policy (ResilientRequests)
        session.middleware(middleware)
    await bot.session.close()
    bot.session = session
    app = build_app(runtime, bot)
    harness = Harness(app, session, simulator)
    recorder = HandlerRecorder(harness.ran)
    app.dispatcher.message.middleware(recorder)
    app.dispatcher.callback_query.middleware(recorder)
    app.dispatcher.errors.middleware(recorder)
    await app.startup()
    try:
        yield harness
    finally:
        await app.shutdown()


# ---------------------------------------------------------------- the coverage check gate


def pytest_deselected(items: list[pytest.Item]) -> None:
    for item in items:
        if TIER in Path(str(item.path)).parents:
            item.config.stash[DESELECTED] = True


@pytest.hookimpl(trylast=True)  # after any plugin that reorders or deselects
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    check = [item for item in items if item.nodeid.endswith(CHECK_TEST)]
    for item in check:  # after every other test
        items.remove(item)
        items.append(item)
    if not check:
        return
    modules = {Path(str(item.path)) for item in items if TIER in Path(str(item.path)).parents}
    missing = sorted(p.name for p in TIER.glob("test_*.py") if p not in modules)
    reasons: list[str] = []
    if missing:
        reasons.append(f"modules not collected: {', '.join(missing)}")
    if any("::" in arg for arg in config.args):
        reasons.append("test ids chosen on the command line")
    if reasons:
        config.stash[NOT_WHOLE] = "; ".join(reasons)
