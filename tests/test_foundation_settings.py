from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.logging_setup import SECRETS, redact, setup_logging
from bot.settings import SettingsError, load_settings

BOT_TOKEN = "987654321:AAH-verysecretbottoken-abcdefghijklmnopq"
DB_PASSWORD = "db-pa55word-xyz"
FERNET_KEY = "q1uQ9bBgdYgFCkMWqIYJ5v4lXr7yZk0XJfbqg7yC3Xs="


def test_defaults_use_embedded_sqlite_and_uis() -> None:
    settings = load_settings(_env_file=None)
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.database_url.endswith("data/callbot.sqlite3")
    assert settings.callapi.base_url == "https://callapi.uiscom.ru/v4.0"


def test_nested_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLBOT_DATABASE__URL", f"postgresql+asyncpg://bot:{DB_PASSWORD}@db/bot")
    monkeypatch.setenv("CALLBOT_TELEGRAM__ADMIN_IDS", "1, 2,3")
    monkeypatch.setenv("CALLBOT_CALLAPI__SITE", "comagic")
    settings = load_settings(_env_file=None)
    assert settings.database_url == f"postgresql+asyncpg://bot:{DB_PASSWORD}@db/bot"
    assert settings.telegram.admin_ids == [1, 2, 3]
    assert settings.callapi.base_url == "https://callapi.comagic.ru/v4.0"
    assert DB_PASSWORD not in repr(settings)


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "CALLBOT_CALLAPI__SITE=custom\nCALLBOT_CALLAPI__URL=http://127.0.0.1:1/v4.0/\n"
    )
    settings = load_settings(_env_file=env_file)
    assert settings.callapi.base_url == "http://127.0.0.1:1/v4.0"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("CALLBOT_CALLAPI__TIMEOUT_SECONDS", "soon", "CALLBOT_CALLAPI__TIMEOUT_SECONDS: "),
        ("CALLBOT_TELEGRAM__MODE", "carrier-pigeon", "CALLBOT_TELEGRAM__MODE: "),
        ("CALLBOT_TELEGRAM__ADMIN_IDS", "12,abc", "CALLBOT_TELEGRAM__ADMIN_IDS: "),
        ("CALLBOT_CALLAPI__SITE", "custom", "CALLBOT_CALLAPI__URL: required"),
        ("CALLBOT_LOG__LEVEL", "loud", "CALLBOT_LOG__LEVEL: expected one of"),
    ],
)
def test_bad_setting_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message


def test_secret_in_bad_setting_is_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    secret_url = f"mysql://root:{DB_PASSWORD}@db/bot"
    monkeypatch.setenv("CALLBOT_DATABASE__URL", secret_url)
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    assert "CALLBOT_DATABASE__URL" in str(caught.value)
    assert DB_PASSWORD not in str(caught.value)
    assert "mysql" in str(caught.value)


def test_webhook_mode_requires_a_long_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLBOT_TELEGRAM__MODE", "webhook")
    monkeypatch.setenv("CALLBOT_TELEGRAM__WEBHOOK_URL", "https://bot.example/hook")
    monkeypatch.setenv("CALLBOT_TELEGRAM__WEBHOOK_SECRET", "short")
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    assert "CALLBOT_TELEGRAM__WEBHOOK_SECRET" in str(caught.value)
    assert "short" not in str(caught.value).replace("at least", "")


def test_redaction_masks_known_and_shaped_secrets() -> None:
    SECRETS.add("user-token-value-123")
    text = redact(
        f"GET https://api.telegram.org/bot{BOT_TOKEN}/getMe "
        '{"access_token": "abcdef123456", "password":"hunter22"} '
        f"postgresql+asyncpg://bot:{DB_PASSWORD}@db/bot token user-token-value-123"
    )
    for secret in (BOT_TOKEN, "abcdef123456", "hunter22", DB_PASSWORD, "user-token-value-123"):
        assert secret not in text
    assert "getMe" in text
    assert "postgresql+asyncpg://bot:***@db/bot" in text


def test_log_records_are_redacted_including_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    setup_logging("DEBUG", secrets=[BOT_TOKEN], stream=stream)
    log = logging.getLogger("tests.redaction")
    log.info("token is %s", BOT_TOKEN)
    try:
        raise RuntimeError(f"failed with access_token=zzz-{DB_PASSWORD}")
    except RuntimeError:
        log.exception("boom")
    setup_logging("DEBUG", json_format=True, stream=stream)
    log.info("again %s", BOT_TOKEN)
    output = stream.getvalue()
    assert BOT_TOKEN not in output
    assert DB_PASSWORD not in output
    assert "RuntimeError" in output
    assert '"message": "again ***"' in output


def test_httpx_request_lines_are_silenced() -> None:
    setup_logging("DEBUG", stream=io.StringIO())
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING


def test_cli_never_prints_secrets_from_the_environment(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CALLBOT_")}
    env.update(
        CALLBOT_TELEGRAM__BOT_TOKEN=BOT_TOKEN,
        CALLBOT_DATABASE__URL=f"postgresql+asyncpg://bot:{DB_PASSWORD}@db/bot",
        CALLBOT_SECURITY__ENCRYPTION_KEYS=FERNET_KEY,
        CALLBOT_LOG__LEVEL="DEBUG",
    )
    shown = subprocess.run(
        [sys.executable, "-m", "bot.cli", "config"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    output = shown.stdout + shown.stderr
    assert '"bot_token": "***"' in output
    for secret in (BOT_TOKEN, DB_PASSWORD, FERNET_KEY):
        assert secret not in output

    env["CALLBOT_TELEGRAM__MODE"] = "webhook"
    env["CALLBOT_TELEGRAM__WEBHOOK_SECRET"] = BOT_TOKEN
    refused = subprocess.run(
        [sys.executable, "-m", "bot.cli", "config"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode == 2
    assert "CALLBOT_TELEGRAM__WEBHOOK_URL" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    for secret in (BOT_TOKEN, DB_PASSWORD, FERNET_KEY):
        assert secret not in refused.stdout + refused.stderr


def test_health_reports_missing_and_fresh_heartbeat(tmp_path: Path) -> None:
    from bot.health import check_heartbeat, touch

    beat = tmp_path / "heartbeat"
    assert not check_heartbeat(beat, 60).healthy
    touch(beat)
    assert check_heartbeat(beat, 60).healthy
    assert not check_heartbeat(beat, 60, now=beat.stat().st_mtime + 61).healthy


def test_env_example_documents_every_setting() -> None:
    from pydantic import BaseModel

    from bot.settings import Settings

    documented = {
        line.split("=", 1)[0]
        for line in (Path(__file__).resolve().parents[1] / ".env.example").read_text().splitlines()
        if line.startswith("CALLBOT_")
    }
    expected: set[str] = set()
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            expected.update(
                f"CALLBOT_{name.upper()}__{sub.upper()}" for sub in annotation.model_fields
            )
        else:
            expected.add(f"CALLBOT_{name.upper()}")
    assert documented == expected
