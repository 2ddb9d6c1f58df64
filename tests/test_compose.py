"""compose.yaml: no Docker engine runs on CI machines, so its structure is checked here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.settings import load_settings

REPOSITORY = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document = yaml.safe_load((REPOSITORY / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:?message} and ${NAME:-default} with ``variables``."""

    def one(match: re.Match[str]) -> str:
        name, _, rest = match.group(1).partition(":")
        if variables.get(name):
            return variables[name]
        if rest.startswith("-"):
            return rest[1:]
        raise AssertionError(f"compose needs {name}")

    return re.sub(r"\$\{([^}]+)\}", one, value)


def test_services_start_in_order_postgres_migrate_bot(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"postgres", "migrate", "bot"}
    migrate, bot = services["migrate"], services["bot"]
    assert migrate["command"] == ["callbot", "migrate"]
    assert migrate["restart"] == "no"  # one-shot
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert bot["command"] == ["callbot", "run"]
    assert bot["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert bot["depends_on"]["postgres"] == {"condition": "service_healthy"}
    # One image, built once from the Dockerfile by the first service that needs it.
    assert migrate["build"] == "."
    assert (REPOSITORY / "Dockerfile").is_file()
    assert migrate["image"] == bot["image"]


def test_health_checks_and_named_volumes(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["bot"]["healthcheck"]["test"] == ["CMD", "callbot", "health"]
    declared = set(compose["volumes"])
    assert declared == {"postgres-data", "callbot-data"}
    used = {
        mount.split(":", 1)[0]
        for service in services.values()
        for mount in service.get("volumes", [])
    }
    assert used == declared  # every mount is a named volume, none is a host path
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "callbot-data:/data" in services["bot"]["volumes"]


def test_secrets_come_from_the_env_file(compose: dict[str, Any]) -> None:
    services = compose["services"]
    text = (REPOSITORY / "compose.yaml").read_text(encoding="utf-8")
    assert "BOT_TOKEN" not in text
    assert "ENCRYPTION_KEYS" not in text
    for name in ("migrate", "bot"):
        assert services[name]["env_file"] == ".env"
    password = services["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert password.startswith("${POSTGRES_PASSWORD:?")
    example = (REPOSITORY / ".env.example").read_text(encoding="utf-8")
    assert re.search(r"^POSTGRES_PASSWORD=$", example, re.MULTILINE)
    with pytest.raises(AssertionError, match="compose needs POSTGRES_PASSWORD"):
        _interpolate(password, {"POSTGRES_PASSWORD": ""})  # .env.example copied as it is


def test_the_bot_reaches_the_postgres_service_with_a_url_the_settings_accept(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    services = compose["services"]
    postgres = services["postgres"]["environment"]
    variables = {"POSTGRES_PASSWORD": "0123456789abcdef"}
    for name in ("migrate", "bot"):
        environment = services[name]["environment"]
        assert set(environment) == {"CALLBOT_DATABASE__URL", "CALLBOT_DATA_DIR"}
        url = _interpolate(environment["CALLBOT_DATABASE__URL"], variables)
        assert url == (
            f"postgresql+asyncpg://{postgres['POSTGRES_USER']}:0123456789abcdef"
            f"@postgres:5432/{postgres['POSTGRES_DB']}"
        )
        for variable, value in environment.items():
            monkeypatch.setenv(variable, _interpolate(value, variables))
        settings = load_settings(_env_file=None)
        assert settings.database_url == url
        assert str(settings.data_dir) == "/data"
