"""CALLBOT_RECORDINGS__*: off by default, the UIS domains, Telegram's limit; no setting can
open the download guard to loopback (that switch is the sandbox's alone)."""

from __future__ import annotations

import pytest

from api.recording_download import DEFAULT_ALLOWED_HOSTS, TELEGRAM_UPLOAD_LIMIT
from bot.services.recordings import RecordingDelivery, megabytes
from bot.settings import RecordingsSettings, SettingsError, load_settings


def test_recordings_are_off_by_default_with_the_uis_domains_and_telegrams_limit() -> None:
    settings = load_settings(_env_file=None).recordings
    assert settings.enabled is False
    assert settings.allowed_hosts == list(DEFAULT_ALLOWED_HOSTS)
    assert settings.max_bytes == TELEGRAM_UPLOAD_LIMIT == 50_000_000
    assert 0 < settings.timeout_seconds <= 60


def test_recordings_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLBOT_RECORDINGS__ENABLED", "true")
    monkeypatch.setenv("CALLBOT_RECORDINGS__ALLOWED_HOSTS", "UISCOM.ru, media.example.com.")
    monkeypatch.setenv("CALLBOT_RECORDINGS__MAX_BYTES", "1000000")
    settings = load_settings(_env_file=None).recordings
    assert settings.enabled is True
    assert settings.allowed_hosts == ["uiscom.ru", "media.example.com"]
    assert settings.max_bytes == 1_000_000


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CALLBOT_RECORDINGS__ALLOWED_HOSTS", "https://uiscom.ru/records"),
        ("CALLBOT_RECORDINGS__ALLOWED_HOSTS", "uiscom.ru:443"),
        ("CALLBOT_RECORDINGS__MAX_BYTES", "60000000"),  # over what Telegram takes
        ("CALLBOT_RECORDINGS__TIMEOUT_SECONDS", "0"),
    ],
)
def test_a_bad_recordings_setting_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=variable):
        load_settings(_env_file=None)


def test_no_setting_opens_the_guard_to_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LOOPBACK_FOR_TESTS", "ALLOW_LOOPBACK", "ALLOW_PRIVATE"):
        monkeypatch.setenv(f"CALLBOT_RECORDINGS__{name}", "true")
    monkeypatch.setenv("CALLBOT_RECORDINGS__ALLOWED_HOSTS", "127.0.0.1")
    settings = load_settings(_env_file=None).recordings
    assert set(RecordingsSettings.model_fields) == {
        "enabled",
        "allowed_hosts",
        "max_bytes",
        "timeout_seconds",
    }
    delivery = RecordingDelivery(settings, sessions=None)  # type: ignore[arg-type]
    assert delivery.policy.loopback_for_tests is False
    delivery.trust_loopback_for_tests()
    assert delivery.policy.loopback_for_tests is True


def test_sizes_read_in_decimal_megabytes() -> None:
    assert megabytes(52_400_000) == "52.4"
    assert megabytes(1200) == "0.1"
