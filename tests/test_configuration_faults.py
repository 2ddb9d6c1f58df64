"""Configuration faults a new operator meets (issue 15, items 1-7), each through the real CLI."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from cli_support import callbot

from bot.logging_setup import redact
from bot.settings import SettingsError, load_settings, url_with_password_masked

REPOSITORY = Path(__file__).resolve().parents[1]
DB_PASSWORD = "db-pa55word-xyz"
FERNET_KEY = "q1uQ9bBgdYgFCkMWqIYJ5v4lXr7yZk0XJfbqg7yC3Xs="
BOT_TOKEN = "987654321:AAH-verysecretbottoken-abcdefghijklmnopq"
# Nothing listens on port 1 of the loopback: a connection is refused at once.
REFUSING_ADDRESS = "127.0.0.1:1"


# --- item 1: a database URL's password is never printed --------------------------------------


@pytest.mark.parametrize(
    "typo",
    [
        f"postgresql+asyncpg//bot:{DB_PASSWORD}@db/bot",  # "://" without its colon
        f"bot:{DB_PASSWORD}@db/bot",  # no scheme at all
        f"postgres+asyncpg://bot:{DB_PASSWORD}@db/bot",  # a wrong driver
    ],
)
def test_a_mistyped_database_url_never_echoes_its_password(
    monkeypatch: pytest.MonkeyPatch, typo: str
) -> None:
    monkeypatch.setenv("CALLBOT_DATABASE__URL", typo)
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    assert "CALLBOT_DATABASE__URL" in str(caught.value)
    assert DB_PASSWORD not in str(caught.value)


def test_config_masks_only_the_database_password(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://bot:{DB_PASSWORD}@db.internal:5432/callbot"
    shown = callbot(tmp_path, "config", CALLBOT_DATABASE__URL=url)
    assert shown.returncode == 0, shown.stderr
    assert DB_PASSWORD not in shown.stdout + shown.stderr
    assert '"effective_url": "postgresql+asyncpg://bot:***@db.internal:5432/callbot"' in (
        shown.stdout
    )
    assert url_with_password_masked("sqlite+aiosqlite:///data/x.sqlite3") == (
        "sqlite+aiosqlite:///data/x.sqlite3"
    )


# --- item 2: an unreachable database or Telegram is one line, not a traceback ----------------


def test_an_unreachable_database_is_one_line_and_a_failure(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://bot:{DB_PASSWORD}@{REFUSING_ADDRESS}/callbot"
    keys = {"CALLBOT_DATABASE__URL": url, "CALLBOT_SECURITY__ENCRYPTION_KEYS": FERNET_KEY}
    for command in ("migrate", "run", "rotate-keys"):
        failed = callbot(tmp_path, command, CALLBOT_TELEGRAM__BOT_TOKEN=BOT_TOKEN, **keys)
        assert failed.returncode != 0, command
        assert failed.stdout == "", command
        lines = failed.stderr.strip().splitlines()
        assert len(lines) == 1, (command, failed.stderr)
        assert "CALLBOT_DATABASE__URL" in lines[0]
        assert DB_PASSWORD not in failed.stderr

    detailed = callbot(tmp_path, "migrate", CALLBOT_LOG__LEVEL="DEBUG", **keys)
    assert detailed.returncode != 0
    assert "Traceback" in detailed.stderr
    assert DB_PASSWORD not in detailed.stderr


def test_a_database_that_does_not_exist_is_one_line(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://postgres@127.0.0.1:5432/callbot_no_such_database_15"
    failed = callbot(
        tmp_path, "migrate", CALLBOT_DATABASE__URL=url, CALLBOT_SECURITY__ENCRYPTION_KEYS=FERNET_KEY
    )
    assert failed.returncode != 0
    assert len(failed.stderr.strip().splitlines()) == 1, failed.stderr
    assert "callbot_no_such_database_15" in failed.stderr


def test_an_unreachable_telegram_at_start_is_one_line(tmp_path: Path) -> None:
    assert callbot(tmp_path, "migrate").returncode == 0
    failed = callbot(
        tmp_path,
        "run",
        CALLBOT_TELEGRAM__BOT_TOKEN=BOT_TOKEN,
        CALLBOT_TELEGRAM__API_SERVER=f"http://{REFUSING_ADDRESS}",
        CALLBOT_SECURITY__ENCRYPTION_KEYS=FERNET_KEY,
        CALLBOT_LOG__LEVEL="WARNING",
    )
    assert failed.returncode != 0
    lines = failed.stderr.strip().splitlines()
    assert len(lines) == 1, failed.stderr
    assert "CALLBOT_TELEGRAM__API_SERVER" in lines[0]
    assert BOT_TOKEN not in failed.stderr


# --- item 3: the redactor keeps ordinary words ------------------------------------------------


def test_the_missing_token_message_keeps_the_word_required(tmp_path: Path) -> None:
    assert redact("CALLBOT_TELEGRAM__BOT_TOKEN: required to run the bot") == (
        "CALLBOT_TELEGRAM__BOT_TOKEN: required to run the bot"
    )
    # Fields that do carry secrets are still masked, in each of their spellings.
    masked = redact("token=abc123 password:hunter22 {'secret': 'xyz'} \"token\": \"q\"")
    for value in ("abc123", "hunter22", "xyz", '"q"'):
        assert value not in masked
    assert callbot(tmp_path, "migrate").returncode == 0
    refused = callbot(tmp_path, "run")
    assert refused.returncode != 0
    assert "CALLBOT_TELEGRAM__BOT_TOKEN: required" in refused.stderr


# --- item 4: .env.example copied as it is -------------------------------------------------------


def test_env_example_copied_as_is_is_not_healthy_and_doctor_does_not_crash(
    tmp_path: Path,
) -> None:
    shutil.copy(REPOSITORY / ".env.example", tmp_path / ".env")
    settings = load_settings(_env_file=tmp_path / ".env")
    assert settings.telegram.bot_token is None
    assert settings.health.heartbeat_file is None
    assert settings.database.url is None

    health = callbot(tmp_path, "health")
    assert health.returncode == 1
    assert health.stdout.startswith("unhealthy")

    doctor = callbot(
        tmp_path,
        "doctor",
        # Environment beats .env: keep the Call API probe on the loopback (no internet here).
        CALLBOT_CALLAPI__SITE="custom",
        CALLBOT_CALLAPI__URL=f"http://{REFUSING_ADDRESS}/v4.0",
    )
    assert doctor.returncode == 1
    assert "Traceback" not in doctor.stderr
    assert "[FAIL] telegram: no bot token" in doctor.stdout


# --- item 5: the embedded database is private --------------------------------------------------


def test_the_sqlite_file_is_created_owner_only(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        migrated = callbot(tmp_path, "migrate")
    finally:
        os.umask(previous)
    assert migrated.returncode == 0, migrated.stderr
    database = tmp_path / "data" / "callbot.sqlite3"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


# --- item 6: quiet migrations, no key file as a side effect, HTTPS webhooks --------------------


def test_migrate_and_doctor_print_no_alembic_chatter(tmp_path: Path) -> None:
    migrated = callbot(tmp_path, "migrate")
    assert migrated.returncode == 0
    assert "alembic" not in migrated.stdout + migrated.stderr
    doctor = callbot(
        tmp_path,
        "doctor",
        CALLBOT_CALLAPI__SITE="custom",
        CALLBOT_CALLAPI__URL=f"http://{REFUSING_ADDRESS}/v4.0",
    )
    assert "alembic" not in doctor.stdout + doctor.stderr


def test_doctor_and_rotate_keys_create_no_key_file(tmp_path: Path) -> None:
    assert callbot(tmp_path, "migrate").returncode == 0
    key_file = tmp_path / "data" / "callbot.key"
    doctor = callbot(
        tmp_path,
        "doctor",
        CALLBOT_CALLAPI__SITE="custom",
        CALLBOT_CALLAPI__URL=f"http://{REFUSING_ADDRESS}/v4.0",
    )
    assert "[ok  ] encryption key" in doctor.stdout
    assert not key_file.exists()
    rotated = callbot(tmp_path, "rotate-keys")
    assert rotated.returncode != 0
    assert "CALLBOT_SECURITY__ENCRYPTION_KEYS" in rotated.stderr
    assert not key_file.exists()


def test_a_plain_http_webhook_url_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLBOT_TELEGRAM__MODE", "webhook")
    monkeypatch.setenv("CALLBOT_TELEGRAM__WEBHOOK_SECRET", "a-long-enough-webhook-secret")
    monkeypatch.setenv("CALLBOT_TELEGRAM__WEBHOOK_URL", "http://bot.example/webhook")
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    assert "CALLBOT_TELEGRAM__WEBHOOK_URL: must be an https:// URL" in str(caught.value)
    monkeypatch.setenv("CALLBOT_TELEGRAM__WEBHOOK_URL", "https://bot.example/webhook")
    assert load_settings(_env_file=None).telegram.webhook_url == "https://bot.example/webhook"


# --- item 7: CI starts the right PostgreSQL when several versions are installed ---------------


def test_ci_starts_the_newest_cluster_on_port_5432(tmp_path: Path) -> None:
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    started = tmp_path / "started"
    scripts = {
        # Down until pg_ctlcluster has "started" it.
        "pg_isready": f'#!/bin/sh\ntest -e "{started}"\n',
        "pg_lsclusters": (
            "#!/bin/sh\n"
            "echo '9.6 main 5432 down postgres /var/lib/postgresql/9.6/main log'\n"
            "echo '15  main 5432 down postgres /var/lib/postgresql/15/main log'\n"
            "echo '16  main 5432 down postgres /var/lib/postgresql/16/main log'\n"
            "echo '17  other 5433 down postgres /var/lib/postgresql/17/other log'\n"
        ),
        "pg_ctlcluster": f'#!/bin/sh\necho "$@" > "{started}"\n',
    }
    for name, body in scripts.items():
        path = fake_bin / name
        path.write_text(body)
        path.chmod(0o755)
    env = dict(os.environ, PATH=f"{fake_bin}:{os.environ['PATH']}")
    result = subprocess.run(
        ["bash", str(REPOSITORY / ".ci" / "start-postgresql")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert started.read_text().split() == ["--skip-systemctl-redirect", "16", "main", "start"]
    assert "start-postgresql" in (REPOSITORY / ".ci" / "run").read_text()
    assert "ls /etc/postgresql" not in (REPOSITORY / ".ci" / "run").read_text()
