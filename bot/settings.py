"""Deployment settings, read from ``CALLBOT_*`` environment variables and an optional ``.env``.

Nested sections use a double underscore: ``CALLBOT_DATABASE__URL``, ``CALLBOT_TELEGRAM__BOT_TOKEN``.
Every secret is a ``SecretStr`` so that it never shows up in a repr, a traceback or a log line.
"""

from __future__ import annotations

import enum
import re
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings import SettingsError as SourceParseError

from api.recording_download import DEFAULT_ALLOWED_HOSTS as RECORDING_HOSTS
from api.recording_download import TELEGRAM_UPLOAD_LIMIT

ENV_PREFIX = "CALLBOT_"
ENV_NESTED_DELIMITER = "__"

UIS_CALL_API_URL = "https://callapi.uiscom.ru/v4.0"
COMAGIC_CALL_API_URL = "https://callapi.comagic.ru/v4.0"


class BotMode(enum.StrEnum):
    POLLING = "polling"
    WEBHOOK = "webhook"


class AccessMode(enum.StrEnum):
    """How a Telegram user that is not an admin gets in."""

    APPROVAL = "approval"  # an admin approves each new user
    ALLOWLIST = "allowlist"  # only ids listed in CALLBOT_TELEGRAM__ALLOWED_USER_IDS


class LogFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"


class CallApiSite(enum.StrEnum):
    UIS = "uis"
    COMAGIC = "comagic"
    CUSTOM = "custom"


def _split_csv(value: Any) -> Any:
    """Let list settings be written as ``1,2,3`` in the environment (and as JSON lists too)."""
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            import json

            return json.loads(stripped)
        return [item.strip() for item in stripped.split(",") if item.strip()]
    return value


class TelegramSettings(BaseModel):
    bot_token: SecretStr | None = None
    # Base URL of a Bot API server; empty means Telegram itself. Tests and `callbot demo`
    # point this at the local emulator.
    api_server: str | None = None
    mode: BotMode = BotMode.POLLING
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"  # noqa: S104 - the webhook listener must be reachable
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    access_mode: AccessMode = AccessMode.APPROVAL
    allowed_user_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)

    _split_admins = field_validator("admin_ids", "allowed_user_ids", mode="before")(_split_csv)

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> TelegramSettings:
        if self.mode is BotMode.WEBHOOK:
            if not self.webhook_url:
                raise ValueError("webhook_url: required when mode is webhook")
            if not self.webhook_url.lower().startswith("https://"):
                # Telegram delivers webhooks over HTTPS only; setWebhook would refuse it later.
                raise ValueError("webhook_url: must be an https:// URL (Telegram requires HTTPS)")
            if self.webhook_secret is None or len(self.webhook_secret.get_secret_value()) < 16:
                raise ValueError(
                    "webhook_secret: required when mode is webhook, at least 16 characters"
                )
        return self


class CallApiSettings(BaseModel):
    site: CallApiSite = CallApiSite.UIS
    url: str | None = None  # only for site=custom (e.g. the offline simulator)
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # Points kept back for in-call actions (hold, transfer, release): list refreshes stop
    # below this so that polling can never starve a manager's button press.
    points_reserve: int = Field(default=5, ge=0)
    default_region: str = Field(default="RU", min_length=2, max_length=2)
    # The UIS account's time zone (personal account settings): UIS reports times such as a
    # call's start without a zone, in this one. UIS accounts default to Moscow time.
    timezone: str = "Europe/Moscow"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                "timezone: unknown time zone, expected an IANA name such as Europe/Moscow"
            ) from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @model_validator(mode="after")
    def _custom_needs_url(self) -> CallApiSettings:
        if self.site is CallApiSite.CUSTOM and not self.url:
            raise ValueError("url: required when site is custom")
        return self

    @property
    def base_url(self) -> str:
        if self.site is CallApiSite.CUSTOM:
            assert self.url is not None
            return self.url.rstrip("/")
        return COMAGIC_CALL_API_URL if self.site is CallApiSite.COMAGIC else UIS_CALL_API_URL


class DatabaseSettings(BaseModel):
    # Empty means the embedded SQLite file inside data_dir; see Settings.database_url.
    url: SecretStr | None = None
    echo: bool = False

    @field_validator("url")
    @classmethod
    def _known_driver(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        expected = (
            "expected sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER:PASSWORD@HOST:PORT/DB"
        )
        scheme, separator, _rest = value.get_secret_value().partition("://")
        # Never echo the URL itself, nor anything that may be part of it: without "://" the
        # "scheme" is the whole URL, password included.
        if not separator or not _SCHEME.fullmatch(scheme):
            raise ValueError(f"not a database URL: {expected}")
        if scheme not in {"sqlite+aiosqlite", "postgresql+asyncpg"}:
            raise ValueError(f"unsupported driver {scheme!r}: {expected}")
        return value


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,40}")


def url_with_password_masked(url: str) -> str:
    """``url`` with only its password replaced by ``***`` (for `callbot config`)."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return "***"
    if not password:
        return url
    userinfo, _at, host = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


class SecuritySettings(BaseModel):
    # Fernet keys, comma-separated, newest first: the first encrypts, all decrypt.
    encryption_keys: SecretStr | None = None


class LogSettings(BaseModel):
    level: str = "INFO"
    format: LogFormat = LogFormat.TEXT

    @field_validator("level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return upper


class HealthSettings(BaseModel):
    # Polling opens no port, so liveness is a heartbeat file the bot touches;
    # `callbot health` checks its age (the Docker HEALTHCHECK runs that).
    heartbeat_file: Path | None = None
    max_age_seconds: float = Field(default=90.0, gt=0)


class EventsSettings(BaseModel):
    """UIS event notifications in (off unless both the secret and the public URL are set)."""

    # In every event URL's path: `{public_url}/uis/events/{secret}/{event}`.
    secret: SecretStr | None = None
    public_url: str | None = None  # what UIS is given (behind the operator's TLS proxy)
    # Polling mode opens this listener for events; webhook mode serves them on the webhook port.
    host: str = "0.0.0.0"  # noqa: S104 - UIS must reach it (through the operator's proxy)
    port: int = Field(default=8081, ge=1, le=65535)
    # Requests per second and burst per source address. UIS sends several per call (inbound,
    # one "waiting for answer" per phone rung, talk started/finished, call finished) from a few
    # addresses, and a refused event is lost (UIS is not known to send it again): 100 calls
    # ringing at once must fit (benchmarks/bench_events.py lost 40-76 of 100 cards at 20/100).
    rate_per_second: float = Field(default=200.0, gt=0)
    rate_burst: int = Field(default=2000, ge=1)

    @property
    def enabled(self) -> bool:
        return self.secret is not None and self.public_url is not None

    @model_validator(mode="after")
    def _both_or_neither(self) -> EventsSettings:
        if (self.secret is None) != (self.public_url is None):
            raise ValueError("secret and public_url: set both to receive UIS events, or neither")
        if self.secret is not None and len(self.secret.get_secret_value()) < 32:
            raise ValueError("secret: at least 32 random characters")
        if self.public_url is not None:
            if not self.public_url.lower().startswith("https://"):
                raise ValueError("public_url: must be an https:// URL (events carry numbers)")
            self.public_url = self.public_url.rstrip("/")
        return self


class RecordingsSettings(BaseModel):
    """Call recordings sent to the employees on the call (off by default: a recording is
    personal data, and sending it means it passes through Telegram's servers)."""

    enabled: bool = False
    # Where a recording link (from an untrusted event) may point: these names and their
    # subdomains. The UIS platform's own domains by default.
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(RECORDING_HOSTS)
    )
    # Larger recordings are not fetched: the user is told to open them in UIS. The default is
    # what a bot may upload to Telegram.
    max_bytes: int = Field(default=TELEGRAM_UPLOAD_LIMIT, ge=1, le=TELEGRAM_UPLOAD_LIMIT)
    timeout_seconds: float = Field(default=20.0, gt=0, le=120)

    _split_hosts = field_validator("allowed_hosts", mode="before")(_split_csv)

    @field_validator("allowed_hosts")
    @classmethod
    def _host_names(cls, value: list[str]) -> list[str]:
        hosts = [host.strip().strip(".").lower() for host in value if host.strip()]
        for host in hosts:
            if not _HOST.fullmatch(host):
                raise ValueError("expected host names such as uiscom.ru (no scheme, no path)")
        return hosts


_HOST = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")


class AuditSettings(BaseModel):
    # How often the audit journal is flushed to disk (fdatasync). Every intent and row is in
    # the kernel at once (a killed process loses nothing); a power loss or kernel crash loses
    # at most this many seconds of them. 0 syncs each write, in the request path (milliseconds
    # per request on ordinary disks).
    journal_sync_seconds: float = Field(default=1.0, ge=0, le=60)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_NESTED_DELIMITER,
        env_file=".env",
        env_file_encoding="utf-8",
        # `.env.example` copied as it is leaves most variables empty: empty means "not set"
        # (the default), never an empty path (the current directory) or an empty token.
        env_ignore_empty=True,
        extra="ignore",
    )

    data_dir: Path = Path("data")
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    callapi: CallApiSettings = Field(default_factory=CallApiSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    log: LogSettings = Field(default_factory=LogSettings)
    health: HealthSettings = Field(default_factory=HealthSettings)
    events: EventsSettings = Field(default_factory=EventsSettings)
    audit: AuditSettings = Field(default_factory=AuditSettings)
    recordings: RecordingsSettings = Field(default_factory=RecordingsSettings)

    @model_validator(mode="after")
    def _events_secret_is_its_own(self) -> Settings:
        events, telegram = self.events.secret, self.telegram.webhook_secret
        same = (
            events is not None
            and telegram is not None
            and events.get_secret_value() == telegram.get_secret_value()
        )
        if same:
            raise ValueError("events.secret: must differ from telegram.webhook_secret")
        return self

    @property
    def database_url(self) -> str:
        if self.database.url is not None:
            return self.database.url.get_secret_value()
        return f"sqlite+aiosqlite:///{(self.data_dir / 'callbot.sqlite3').as_posix()}"

    @property
    def heartbeat_file(self) -> Path:
        return self.health.heartbeat_file or self.data_dir / "heartbeat"

    def secret_values(self) -> list[str]:
        """Every configured secret, for the log redaction filter."""
        secrets: list[str] = []
        for secret in (
            self.telegram.bot_token,
            self.telegram.webhook_secret,
            self.events.secret,
            self.database.url,
            self.security.encryption_keys,
        ):
            if secret is not None and secret.get_secret_value():
                secrets.append(secret.get_secret_value())
        if self.security.encryption_keys is not None:
            secrets.extend(
                key.strip()
                for key in self.security.encryption_keys.get_secret_value().split(",")
                if key.strip()
            )
        if self.database.url is not None:
            password = _url_password(self.database.url.get_secret_value())
            if password:
                secrets.append(password)
        return secrets


def _url_password(url: str) -> str | None:
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).password
    except ValueError:
        return None


class SettingsError(Exception):
    """Raised with a short, secret-free message naming the offending variable(s)."""


def env_name(location: tuple[int | str, ...]) -> str:
    """Turn a pydantic error location into the environment variable an operator sets."""
    parts = [str(part) for part in location if not str(part).isdigit()]
    return ENV_PREFIX + ENV_NESTED_DELIMITER.join(part.upper() for part in parts)


def _describe(error: Any) -> str:
    location = tuple(error.get("loc", ()))
    message = str(error.get("msg", "invalid value"))
    # Validators that fail a whole section say which field in a "field: reason" prefix.
    if message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    field, sep, rest = message.partition(": ")
    if sep and field.isidentifier() and " " not in field:
        location = (*location, field)
        message = rest
    return f"{env_name(location)}: {message}"


def load_settings(**overrides: Any) -> Settings:
    """Read settings, turning validation errors into a one-line ``SettingsError``.

    The error names each variable and the expectation, never the value given: a value
    may be a secret.
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(_describe(error) for error in exc.errors(include_input=False))
        raise SettingsError(f"invalid configuration: {problems}") from None
    except SourceParseError as exc:
        # pydantic-settings names the field but not the value; keep only the field.
        match = re.search(r'field "([^"]+)"', str(exc))
        name = env_name((match.group(1),)) if match else ENV_PREFIX + "*"
        raise SettingsError(f"invalid configuration: {name}: not valid JSON") from None
