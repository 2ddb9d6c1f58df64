"""`callbot events rotate-secret`: the old events secret stays valid beside the new one until
`--finish`, picked up by running receivers without a restart; and `callbot health` counts dead
letters. Real PostgreSQL, real HTTP on loopback, the CLI in-process through its main(argv)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from e2e_kit import ENCRYPTION_KEY, _free_port
from sqlalchemy import select

from bot import cli
from bot.events.intake import EventIntake
from bot.events.parse import ParsedEvent
from bot.events.receiver import EventReceiver, RateLimiter, serve_events
from bot.health import touch
from bot.runtime import accepted_event_secrets
from bot.settings import load_settings
from db import events as event_store
from db.crypto import TokenCipher
from db.engine import create_engine, session_factory
from db.event_secrets import Rotation, load_rotation
from db.migrate import upgrade_head
from db.models import AuditLogEntry, EventSecretRecord

pytestmark = pytest.mark.e2e

OLD = "old-events-secret-" + "o" * 30
WRONG = "not-the-secret-" + "w" * 30
BODY = b'{"call_session_id": 2500000123, "employee_id": 101}'


@pytest.fixture
def operator_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """What the operator's shell (or .env) holds; the CLI runs in this process."""
    monkeypatch.chdir(tmp_path)  # no .env of a developer's
    monkeypatch.setenv("CALLBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CALLBOT_SECURITY__ENCRYPTION_KEYS", ENCRYPTION_KEY)
    monkeypatch.setenv("CALLBOT_EVENTS__SECRET", OLD)
    monkeypatch.setenv("CALLBOT_EVENTS__PUBLIC_URL", "https://bot.example.com")
    root = logging.getLogger()
    level = root.level
    yield
    # cli.main() installed its log handler on this test's captured stderr: take it away.
    for handler in list(root.handlers):
        if handler.get_name() == "callbot":
            root.removeHandler(handler)
    root.setLevel(level)


async def callbot(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """`callbot ARGV` in-process (in a thread: main() runs its own event loop)."""
    capsys.readouterr()
    code = await asyncio.to_thread(cli.main, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
async def database(empty_pg_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    await upgrade_head(empty_pg_url)
    monkeypatch.setenv("CALLBOT_DATABASE__URL", empty_pg_url)
    return empty_pg_url


async def _ignore(_event: ParsedEvent) -> None:
    return None


@asynccontextmanager
async def receiver(tmp_path: Path, name: str) -> AsyncIterator[httpx.AsyncClient]:
    """A running events receiver as `callbot run` builds it, with the environment of now."""
    settings = load_settings()
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    intake = EventIntake(sessions, tmp_path / f"journal-{name}", _ignore)
    await intake.start()
    secrets = accepted_event_secrets(
        settings, sessions, TokenCipher([ENCRYPTION_KEY]), reload_every=1.0, retry_after_miss=0.5
    )
    events = EventReceiver(intake, secrets, RateLimiter(1000, 1000))
    events.start()
    port = _free_port()
    runner = await serve_events(events, "127.0.0.1", port)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            yield http
    finally:
        await runner.cleanup()
        await events.close()
        await intake.close()
        await engine.dispose()


async def status(http: httpx.AsyncClient, secret: str) -> int:
    reply = await http.post(f"/uis/events/{secret}/talk_started", content=BODY)
    return reply.status_code


async def eventually(http: httpx.AsyncClient, secret: str, expected: int) -> None:
    """The status a receiver gives ``secret`` once it read the stored secrets again."""
    got = await status(http, secret)
    for _ in range(25):  # 5 s; the receivers of these tests read them every second
        if got == expected:
            break
        await asyncio.sleep(0.2)
        got = await status(http, secret)
    assert got == expected


async def stored(url: str) -> tuple[Rotation | None, list[bytes]]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            rotation = await load_rotation(session, TokenCipher([ENCRYPTION_KEY]))
            raw = list(await session.scalars(select(EventSecretRecord.secret_ciphertext)))
            return rotation, raw
    finally:
        await engine.dispose()


async def audit_rows(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            rows = await session.scalars(
                select(AuditLogEntry).where(AuditLogEntry.method == "callbot.events_rotate_secret")
            )
            return [
                repr({c.key: getattr(row, c.key) for c in row.__mapper__.columns}) for row in rows
            ]
    finally:
        await engine.dispose()


async def test_the_old_secret_stays_valid_beside_the_new_one_until_finish(
    tmp_path: Path,
    database: str,
    operator_env: None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with receiver(tmp_path, "old") as on_old:
        assert await status(on_old, OLD) == 200
        assert await status(on_old, WRONG) == 404

        code, out, err = await callbot(capsys, "events", "rotate-secret")
        assert code == 0, err
        rotation, raw = await stored(database)
        assert rotation is not None
        new = rotation.next_secret
        assert len(new) >= 32
        assert rotation.previous_secret == OLD
        # Encrypted at rest: neither secret is in the stored column.
        assert len(raw) == 2
        assert all(new.encode() not in value and OLD.encode() not in value for value in raw)
        # Masked unless asked: the URLs and the variable to set, without the secret.
        assert new not in out + err
        assert OLD not in out + err
        assert "https://bot.example.com/uis/events/***/talk_started" in out
        assert "CALLBOT_EVENTS__SECRET=***" in out
        assert "--finish" in out

        # The running receiver takes the new secret without a restart, and still the old one.
        await eventually(on_old, new, 200)
        assert await status(on_old, OLD) == 200
        assert await status(on_old, WRONG) == 404

        # Again: the same rotation, this time with the secret printed to paste.
        code, out, err = await callbot(capsys, "events", "rotate-secret", "--show-secret")
        assert code == 0, err
        assert "in progress" in out
        assert f"https://bot.example.com/uis/events/{new}/talk_started" in out
        assert f"CALLBOT_EVENTS__SECRET={new}" in out
        assert (await stored(database))[0] == rotation

        # Finishing while the environment still holds the old secret: refused, nothing changed.
        code, out, err = await callbot(capsys, "events", "rotate-secret", "--finish")
        assert code == 2
        assert "CALLBOT_EVENTS__SECRET still holds the old secret" in err
        assert "nothing changed" in err
        assert new not in out + err
        assert OLD not in out + err
        assert (await stored(database))[0] == rotation
        assert await status(on_old, OLD) == 200
        assert await status(on_old, new) == 200

        # The operator sets the new value and restarts the bot: the old URLs still work.
        monkeypatch.setenv("CALLBOT_EVENTS__SECRET", new)
        async with receiver(tmp_path, "new") as on_new:
            assert await status(on_new, OLD) == 200
            assert await status(on_new, new) == 200

            code, out, err = await callbot(capsys, "events", "rotate-secret", "--finish")
            assert code == 0, err
            assert "finished" in out
            assert new not in out + err
            assert OLD not in out + err
            assert (await stored(database)) == (None, [])

            # The restarted bot stops accepting the old secret within seconds.
            await eventually(on_new, OLD, 404)
            assert await status(on_new, new) == 200
            assert await status(on_new, WRONG) == 404
            # A bot still running with the old value keeps the new one (UIS sends it now)
            # until it is restarted, and its own configured one.
            await asyncio.sleep(1.2)
            assert await status(on_old, new) == 200
            assert await status(on_old, OLD) == 200
            assert await status(on_old, WRONG) == 404

        # Finishing twice is harmless.
        code, out, _err = await callbot(capsys, "events", "rotate-secret", "--finish")
        assert code == 0
        assert "no secret rotation in progress" in out

    rows = await audit_rows(database)
    assert len(rows) == 2  # start, finish: the refused finish and the repeat changed nothing
    assert all(new not in row and OLD not in row for row in rows)


async def test_restart_replaces_the_pending_secret_and_keeps_the_old(
    database: str,
    operator_env: None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert (await callbot(capsys, "events", "rotate-secret"))[0] == 0
    first = (await stored(database))[0]
    assert first is not None
    code, out, err = await callbot(capsys, "events", "rotate-secret", "--restart")
    assert code == 0, err
    second = (await stored(database))[0]
    assert second is not None
    assert second.next_secret != first.next_secret
    assert second.previous_secret == OLD
    assert first.next_secret not in out + err
    assert second.next_secret not in out + err

    # Once the environment holds the new secret, a restart would drop the old one too early.
    monkeypatch.setenv("CALLBOT_EVENTS__SECRET", second.next_secret)
    code, _out, err = await callbot(capsys, "events", "rotate-secret", "--restart")
    assert code == 2
    assert "finish it" in err
    assert (await stored(database))[0] == second

    # A secret that is neither the old nor the new one: refused, naming the variable.
    monkeypatch.setenv("CALLBOT_EVENTS__SECRET", WRONG)
    code, _out, err = await callbot(capsys, "events", "rotate-secret", "--finish")
    assert code == 2
    assert "CALLBOT_EVENTS__SECRET holds neither" in err
    assert WRONG not in err
    assert (await stored(database))[0] == second


async def _dead_letters(url: str, count: int) -> None:
    engine = create_engine(url)
    try:
        async with session_factory(engine).begin() as session:
            for number in range(count):
                await event_store.store_event(
                    session,
                    event="lost_call",
                    body=b'{"employee_ids": %d}' % number,
                    content_type=None,
                    source="127.0.0.1",
                    call_session_id=None,
                    state=event_store.EventState.DEAD,
                    problem="no call_session_id",
                )
    finally:
        await engine.dispose()


async def test_health_counts_dead_letters_and_stays_healthy(
    tmp_path: Path,
    database: str,
    operator_env: None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    touch(tmp_path / "data" / "heartbeat")
    code, out, _err = await callbot(capsys, "health")
    assert code == 0
    assert out.startswith("healthy: heartbeat")
    assert "no UIS event kept as a dead letter in the last 24 h" in out

    await _dead_letters(database, 2)
    code, out, _err = await callbot(capsys, "health")
    assert code == 0  # reported, never a reason for Docker to restart the bot
    assert "2 UIS event(s) kept as dead letters in the last 24 h: see `callbot doctor`" in out

    # The database does not answer: the heartbeat still does, and says the count is missing.
    monkeypatch.setenv(
        "CALLBOT_DATABASE__URL", f"postgresql+asyncpg://postgres@127.0.0.1:{_free_port()}/x"
    )
    started = time.monotonic()
    code, out, _err = await callbot(capsys, "health")
    assert code == 0
    assert out.startswith("healthy: heartbeat")
    assert "could not count UIS dead letters" in out
    assert time.monotonic() - started < 8

    # Events off: health says nothing about them.
    monkeypatch.delenv("CALLBOT_EVENTS__SECRET")
    monkeypatch.delenv("CALLBOT_EVENTS__PUBLIC_URL")
    code, out, _err = await callbot(capsys, "health")
    assert code == 0
    assert "UIS" not in out
