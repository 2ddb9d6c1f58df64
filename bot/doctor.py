"""`callbot doctor`: check everything a deployment needs and say what to fix."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TextIO

from bot.logging_setup import redact
from bot.settings import Settings

# A token that cannot exist: the Call API answers it with an auth error (no points are
# charged for errors), unless the server's IP is not whitelisted, which is what we probe.
PROBE_TOKEN = "callbot-doctor-probe"  # noqa: S105 - deliberately not a real key


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str | None = None


async def check_database(settings: Settings) -> Check:
    from db.migrate import SchemaNotCurrentError, check_at_head

    try:
        await check_at_head(settings.database_url)
    except SchemaNotCurrentError as exc:
        return Check("database", False, str(exc), "run `callbot migrate`")
    except Exception as exc:
        return Check(
            "database",
            False,
            f"cannot connect: {type(exc).__name__}: {exc}",
            "check CALLBOT_DATABASE__URL and that the server is running",
        )
    return Check("database", True, "reachable, schema at head")


async def check_encryption(settings: Settings) -> Check:
    from bot.runtime import resolve_cipher
    from db.credentials import count_undecryptable
    from db.crypto import CryptoError, KeyFileMissingError
    from db.engine import create_engine, session_factory

    try:
        cipher, _signer = resolve_cipher(settings, create_key_file=False)
    except KeyFileMissingError as exc:
        # Nothing can be encrypted without a key yet, so nothing is lost: not a failure.
        return Check("encryption key", True, str(exc))
    except CryptoError as exc:
        return Check("encryption key", False, str(exc), "set CALLBOT_SECURITY__ENCRYPTION_KEYS")
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            broken = await count_undecryptable(session, cipher)
    except Exception:
        return Check("encryption key", True, f"{cipher.key_count} key(s) loaded")
    finally:
        await engine.dispose()
    if broken:
        return Check(
            "encryption key",
            False,
            f"{broken} stored credential(s) cannot be decrypted with the configured keys",
            "add the previous key to CALLBOT_SECURITY__ENCRYPTION_KEYS (newest first)",
        )
    return Check("encryption key", True, f"{cipher.key_count} key(s); every stored token opens")


async def check_telegram(settings: Settings) -> Check:
    from aiogram.exceptions import TelegramAPIError, TelegramNetworkError

    from bot.app import build_bot

    token = settings.telegram.bot_token
    if token is None or not token.get_secret_value():
        return Check(
            "telegram", False, "no bot token", "set CALLBOT_TELEGRAM__BOT_TOKEN (from @BotFather)"
        )
    bot = build_bot(settings)
    try:
        me = await bot.get_me()
    except TelegramNetworkError as exc:
        return Check(
            "telegram",
            False,
            f"Bot API unreachable: {exc}",
            "check network access to the Bot API server (or CALLBOT_TELEGRAM__API_SERVER)",
        )
    except TelegramAPIError as exc:
        return Check("telegram", False, f"getMe failed: {exc}", "check the bot token")
    except Exception as exc:
        return Check(
            "telegram",
            False,
            f"Bot API unreachable: {type(exc).__name__}",
            "check network access to the Bot API server",
        )
    finally:
        await bot.session.close()
    return Check("telegram", True, f"bot @{me.username} (id {me.id})")


async def _stored_provider(settings: Settings) -> Any:
    """Any stored credential (UIS whitelists IPs per account: only a real key can tell)."""
    from sqlalchemy import select

    from api.credentials import LoginSessionCredentials, PermanentKeyCredentials
    from bot.runtime import resolve_cipher
    from db.credentials import load_chat_credential, load_user_credential
    from db.engine import create_engine, session_factory
    from db.models import CredentialKind, StoredCredential

    try:
        cipher, _signer = resolve_cipher(settings, create_key_file=False)
        engine = create_engine(settings.database_url)
    except Exception:
        return None
    try:
        async with session_factory(engine)() as session:
            row = await session.scalar(select(StoredCredential).order_by(StoredCredential.id))
            if row is None:
                return None
            credential = (
                await load_user_credential(session, cipher, row.telegram_user_id)
                if row.telegram_user_id is not None
                else await load_chat_credential(session, cipher, row.chat_id or 0)
            )
    except Exception:
        return None
    finally:
        await engine.dispose()
    if credential is None:
        return None
    if credential.kind is CredentialKind.PERMANENT_KEY:
        return PermanentKeyCredentials(credential.access_token)
    return LoginSessionCredentials(
        credential.login or "",
        credential.password,
        access_token=credential.access_token,
        expire_at=None if credential.expires_at is None else credential.expires_at.timestamp(),
    )


def _whitelist_fix(ip: object) -> str:
    return (
        f"ask the UIS account admin to add {ip} in the personal account: "
        "Administrator → Account → Security rules → API tab"
    )


async def check_call_api(settings: Settings) -> Check:
    """One list.calls with a stored key (about one point), else an unauthenticated probe."""
    from api.client import CallApiClient
    from api.credentials import PermanentKeyCredentials
    from api.errors import AccessDeniedError, AuthError, CallApiError, TransportError

    url = settings.callapi.base_url
    provider = await _stored_provider(settings)
    async with CallApiClient(base_url=url) as client:
        try:
            await client.bind(provider or PermanentKeyCredentials(PROBE_TOKEN)).list_calls()
        except AuthError as exc:
            if provider is None:
                return Check(
                    "call api",
                    True,
                    f"{url} answers; no stored key yet to check this server's IP whitelist "
                    "with (UIS checks it per account): sign in with /login, then run doctor again",
                )
            return Check(
                "call api", False, f"{url}: the stored key is refused ({exc.mnemonic})", "/login"
            )
        except AccessDeniedError as exc:
            if exc.mnemonic == "ip_not_whitelisted":
                ip = exc.params.get("ip", "this server's address")
                return Check(
                    "call api", False, f"{url}: ip_not_whitelisted ({ip})", _whitelist_fix(ip)
                )
            return Check("call api", False, f"{url}: {exc.mnemonic}", "see the UIS account rights")
        except CallApiError as exc:
            return Check("call api", False, f"{url}: {exc.mnemonic}", None)
        except TransportError as exc:
            return Check(
                "call api",
                False,
                f"{url}: {exc.kind.value}",
                "check network access to the Call API (or CALLBOT_CALLAPI__SITE/URL)",
            )
    return Check("call api", True, f"{url} answers; this server's IP is whitelisted")


async def check_events(settings: Settings) -> Check:
    """UIS events: configured or not, and bodies refused in the last day (dead letters)."""
    from datetime import UTC, datetime

    from db.engine import create_engine, session_factory
    from db.events import DEAD_LETTER_WINDOW, dead_letters

    if not settings.events.enabled:
        return Check(
            "uis events",
            True,
            'off (cards refresh by polling list.calls); see README "Connect UIS events"',
        )
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            dead = await dead_letters(session, datetime.now(UTC) - DEAD_LETTER_WINDOW)
    except Exception as exc:
        return Check("uis events", False, f"cannot count dead letters: {type(exc).__name__}")
    finally:
        await engine.dispose()
    if dead:
        return Check(
            "uis events",
            False,
            f"{dead} event(s) refused in the last 24 h (no usable call_session_id)",
            "compare the notification bodies in UIS with `callbot events templates`",
        )
    return Check("uis events", True, "on; no refused event in the last 24 h")


CHECKS: tuple[Callable[[Settings], Awaitable[Check]], ...] = (
    check_database,
    check_encryption,
    check_telegram,
    check_call_api,
    check_events,
)


async def run_doctor(settings: Settings, out: TextIO | None = None) -> int:
    stream = out or sys.stdout
    failed = 0
    for probe in CHECKS:
        check = await probe(settings)
        mark = "ok  " if check.ok else "FAIL"
        print(f"[{mark}] {check.name}: {redact(check.detail)}", file=stream)
        if not check.ok:
            failed += 1
            if check.fix:
                print(f"       fix: {redact(check.fix)}", file=stream)
    print("all checks passed" if not failed else f"{failed} check(s) failed", file=stream)
    return 0 if not failed else 1
