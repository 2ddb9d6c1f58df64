"""The `callbot` command: one entry point, a subcommand per operator task."""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import socket
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from bot.logging_setup import redact, setup_logging
from bot.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger("callbot")

Command = Callable[[argparse.Namespace, Settings], int]


def _cmd_health(args: argparse.Namespace, settings: Settings) -> int:
    from bot.health import check_heartbeat, dead_letter_detail

    report = check_heartbeat(settings.heartbeat_file, settings.health.max_age_seconds)
    # Dead letters are reported, never a failure: the exit code (what Docker restarts on) is
    # the heartbeat's alone; see bot/health.py.
    events = dead_letter_detail(settings)
    detail = report.detail + (f"; {events}" if events else "")
    print(("healthy: " if report.healthy else "unhealthy: ") + detail)
    return 0 if report.healthy else 1


def _masked(value: Any) -> Any:
    from pydantic import SecretStr

    if isinstance(value, SecretStr):
        return "***" if value.get_secret_value() else ""
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


def _cmd_config(args: argparse.Namespace, settings: Settings) -> int:
    from bot.settings import url_with_password_masked

    effective = _masked(settings.model_dump())
    # Only the password is secret: the driver, host and database are what an operator checks.
    shown_url = url_with_password_masked(settings.database_url)
    if settings.database.url is not None:
        effective["database"]["url"] = shown_url
    effective["database"]["effective_url"] = shown_url
    effective["callapi"]["base_url"] = settings.callapi.base_url
    print(json.dumps(effective, indent=2, ensure_ascii=False, default=str))
    return 0


def _run_async(coroutine: Any) -> Any:
    import asyncio

    return asyncio.run(coroutine)


def _fail(message: str) -> int:
    print(f"callbot: {redact(message)}", file=sys.stderr)
    return 2


def _cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import run
    from db.crypto import CryptoError
    from db.migrate import SchemaNotCurrentError

    try:
        _run_async(run(settings))
    except (SchemaNotCurrentError, CryptoError, ValueError) as exc:
        return _fail(str(exc))
    return 0


def _cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from db.migrate import upgrade_head

    revision = _run_async(upgrade_head(settings.database_url))
    print(f"database schema at revision {revision}")
    return 0


def _cmd_rotate_keys(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runtime import resolve_cipher
    from db.credentials import rotate_keys
    from db.crypto import CryptoError
    from db.engine import create_engine

    try:
        cipher, _signer = resolve_cipher(settings, create_key_file=False)
    except CryptoError as exc:
        return _fail(str(exc))

    async def rotate() -> Any:
        engine = create_engine(settings.database_url)
        try:
            return await rotate_keys(engine, cipher)
        finally:
            await engine.dispose()

    report = _run_async(rotate())
    print(
        f"re-encrypted {report.rotated} credential(s); {report.already_current} already "
        "used the newest key"
    )
    if report.undecryptable_ids:
        ids = ", ".join(str(row_id) for row_id in report.undecryptable_ids)
        return _fail(f"no configured key opens credential row(s) {ids}: add the old key")
    return 0


def _cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime

    from db.audit import prune_audit
    from db.engine import create_engine

    try:
        before = datetime.fromisoformat(args.before)
    except ValueError:
        return _fail("--before: expected a date such as 2026-01-31 or 2026-01-31T12:00:00+03:00")
    if before.tzinfo is None:
        before = before.replace(tzinfo=UTC)

    async def prune() -> int:
        engine = create_engine(settings.database_url)
        try:
            return await prune_audit(engine, before)
        finally:
            await engine.dispose()

    try:
        deleted = _run_async(prune())
    except ValueError as exc:
        return _fail(str(exc))
    print(f"deleted {deleted} audit row(s) older than {before.isoformat()}; the prune is audited")
    return 0


def _cmd_ledger(args: argparse.Namespace, settings: Settings) -> int:
    """`callbot ledger prune`: forget calls (and their phone numbers) past the retention."""
    from datetime import UTC, datetime, timedelta

    from db.engine import create_engine
    from db.events import prune_events_before
    from db.ledger import DEFAULT_RETENTION_DAYS, PruneCounts, prune_before
    from db.missed_calls import delete_missed_before

    if args.before is None:
        before = datetime.now(UTC) - timedelta(days=DEFAULT_RETENTION_DAYS)
    else:
        try:
            before = datetime.fromisoformat(args.before)
        except ValueError:
            return _fail(
                "--before: expected a date such as 2026-01-31 or 2026-01-31T12:00:00+03:00"
            )
        if before.tzinfo is None:
            before = before.replace(tzinfo=UTC)

    async def prune() -> PruneCounts:
        engine = create_engine(settings.database_url)
        try:
            async with engine.begin() as connection:
                from sqlalchemy.ext.asyncio import AsyncSession

                async with AsyncSession(bind=connection) as session:
                    counts = await prune_before(session, before)
                    # Event bodies hold the same phone numbers: same retention.
                    await prune_events_before(session, before)
                    # So do missed calls (their messages go with them).
                    await delete_missed_before(session, before)
                    return counts
        finally:
            await engine.dispose()

    counts = _run_async(prune())
    print(
        f"forgot {counts.calls} call(s) and {counts.facts} history line(s) "
        f"last changed before {before.isoformat()}"
    )
    return 0


EVENTS_OFF = (
    "UIS events are off: set CALLBOT_EVENTS__SECRET (32+ random characters) and "
    "CALLBOT_EVENTS__PUBLIC_URL (https://...) first"
)


def _cmd_events(args: argparse.Namespace, settings: Settings) -> int:
    """`callbot events templates|rotate-secret`: what UIS is given, and changing its secret."""
    events = settings.events
    if not events.enabled or events.secret is None or events.public_url is None:
        return _fail(EVENTS_OFF)
    if args.events_command == "rotate-secret":
        return _cmd_events_rotate(args, settings)
    _print_templates(
        settings,
        events.secret.get_secret_value(),
        show_secret=args.show_secret,
        format=args.format,
    )
    return 0


TEMPLATES_INTRO = (
    "In the UIS personal account: Notifications -> Add, one notification per event below;\n"
    "channel HTTP, method POST, the URL and the body as printed (placeholders unquoted).\n"
)
ROTATION_INTRO = (
    "In the UIS personal account: Notifications, for each event below open its notification\n"
    "and replace the URL by the one printed (the method and the body stay as they are).\n"
)


def _print_templates(
    settings: Settings,
    secret: str,
    *,
    show_secret: bool,
    format: str,
    intro: str = TEMPLATES_INTRO,
) -> None:
    """Per event: what the UIS account owner pastes, one notification per event."""
    from bot.events.catalog import EVENTS
    from bot.events.receiver import EVENTS_PREFIX

    shown = secret if show_secret else "***"
    rows = [
        {
            "event": spec.slug,
            "uis_event": {"ru": spec.label_ru, "en": spec.label_en},
            "url": f"{settings.events.public_url}{EVENTS_PREFIX}{shown}/{spec.slug}",
            "method": "POST",
            "body_template": spec.body_template(),
        }
        for spec in EVENTS
    ]
    if format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    print(intro)
    for row in rows:
        labels = row["uis_event"]
        assert isinstance(labels, dict)
        print(f"# {labels['ru']} / {labels['en']}")
        print(f"URL:    {row['url']}")
        print(f"Method: {row['method']}")
        print(f"Body:   {row['body_template']}")
        print()
    if not show_secret:
        print("The secret is masked: add --show-secret to print the URLs to paste.")


def _same(one: str | None, other: str | None) -> bool:
    if one is None or other is None:
        return False
    return hmac.compare_digest(one.encode(), other.encode())


ROTATE_FINISH_HINT = (
    "CALLBOT_EVENTS__SECRET still holds the old secret: set it to the new one (printed by "
    "`callbot events rotate-secret --show-secret`) where the bot reads it (.env, compose), "
    "restart the bot, then run `callbot events rotate-secret --finish` again; nothing changed"
)
ROTATE_UNKNOWN_HINT = (
    "CALLBOT_EVENTS__SECRET holds neither the old nor the new secret of the rotation in "
    "progress: set it to the new one (printed by `callbot events rotate-secret --show-secret`); "
    "nothing changed"
)


def _cmd_events_rotate(args: argparse.Namespace, settings: Settings) -> int:
    """`callbot events rotate-secret [--finish | --restart] [--show-secret]`.

    The configured secret (CALLBOT_EVENTS__SECRET) cannot be changed by this command: it lives
    in the environment. So a rotation is two steps around the operator's edits:

    1. ``rotate-secret`` generates a new secret and stores it, with the configured (old) one,
       encrypted in ``event_secrets``; a running bot accepts both within seconds, without a
       restart. The operator pastes the new URLs into UIS, sets CALLBOT_EVENTS__SECRET to the
       new value and restarts the bot: the old URLs keep working throughout, in either order.
       Running it again while a rotation is in progress changes nothing: it shows the same new
       secret again (e.g. with --show-secret); ``--restart`` replaces it by a fresh one (one
       that leaked), allowed only while the environment does not hold it yet.
    2. ``--finish`` (once CALLBOT_EVENTS__SECRET holds the new secret) deletes the stored
       secrets: only the configured one stays valid. While the environment still holds the old
       secret it refuses (exit 2) and changes nothing: finishing then would leave UIS's new
       URLs without a bot that accepts them after its next restart.

    Only ``--show-secret`` prints a secret; audit rows record the step, never a secret.
    """
    from datetime import UTC

    from bot.runtime import resolve_cipher
    from db.crypto import CryptoError
    from db.engine import create_engine, session_factory
    from db.event_secrets import Rotation, finish_rotation, load_rotation, start_rotation
    from db.migrate import SchemaNotCurrentError, check_at_head

    assert settings.events.secret is not None
    configured = settings.events.secret.get_secret_value()
    try:
        cipher, _signer = resolve_cipher(settings, create_key_file=False)
    except CryptoError as exc:
        return _fail(str(exc))

    async def step() -> tuple[str, Rotation | None]:
        """What was done ("started", "shown", "finished", ...) and the rotation to show."""
        import secrets

        await check_at_head(settings.database_url)
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine).begin() as session:
                rotation = await load_rotation(session, cipher)
                env_is_next = rotation is not None and _same(configured, rotation.next_secret)
                if args.finish:
                    if rotation is None:
                        return "nothing to finish", None
                    if not env_is_next:
                        old = _same(configured, rotation.previous_secret)
                        return ("env is old" if old else "env is unknown"), rotation
                    await finish_rotation(session)
                    await _audit_rotation(session, "finish")
                    return "finished", rotation
                if rotation is not None and not args.restart:
                    return ("env is new" if env_is_next else "shown"), rotation
                if rotation is not None and env_is_next:
                    return "restart refused", rotation
                fresh = secrets.token_urlsafe(32)  # 43 characters, 256 bits
                await start_rotation(session, cipher, next_secret=fresh, previous_secret=configured)
                await _audit_rotation(session, "restart" if rotation else "start")
                return ("restarted" if rotation else "started"), await load_rotation(
                    session, cipher
                )
        finally:
            await engine.dispose()

    try:
        outcome, rotation = _run_async(step())
    except (SchemaNotCurrentError, CryptoError) as exc:
        return _fail(str(exc))
    if outcome == "nothing to finish":
        print("no secret rotation in progress: CALLBOT_EVENTS__SECRET is the only secret accepted")
        return 0
    if outcome == "env is old":
        return _fail(ROTATE_FINISH_HINT)
    if outcome == "env is unknown":
        return _fail(ROTATE_UNKNOWN_HINT)
    if outcome == "restart refused":
        return _fail(
            "CALLBOT_EVENTS__SECRET already holds the new secret of the rotation in progress: "
            "finish it (`callbot events rotate-secret --finish`), then start another"
        )
    assert rotation is not None
    if outcome == "finished":
        print(
            "secret rotation finished: only CALLBOT_EVENTS__SECRET is accepted now; a running "
            "bot stops accepting the old secret within seconds (one still running with the old "
            "value keeps both until it is restarted: restart it)"
        )
        return 0
    started = rotation.started_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if outcome == "started" or outcome == "restarted":
        print(
            "new UIS events secret generated and stored encrypted; the running bot accepts it "
            "beside the old one within seconds (no restart needed), until --finish.\n"
        )
    elif outcome == "env is new":
        print(
            f"a secret rotation started {started} is in progress and CALLBOT_EVENTS__SECRET "
            "already holds the new secret: once the bot runs with it, run "
            "`callbot events rotate-secret --finish`\n"
        )
        return 0
    else:
        print(
            f"a secret rotation started {started} is in progress: the same new secret again "
            "(`--restart` replaces it by a fresh one).\n"
        )
    print("1. Give UIS the new URLs:\n")
    _print_templates(
        settings,
        rotation.next_secret,
        show_secret=args.show_secret,
        format="text",
        intro=ROTATION_INTRO,
    )
    shown = rotation.next_secret if args.show_secret else "*** (add --show-secret to print it)"
    print(
        f"2. Set CALLBOT_EVENTS__SECRET={shown}\n"
        "   where the bot reads it (.env, compose), and restart the bot.\n"
        "3. Run `callbot events rotate-secret --finish`: the old secret stops working."
    )
    return 0


async def _audit_rotation(session: AsyncSession, step: str) -> None:
    """One audit row per rotation step, in the same transaction; never a secret in it."""
    from db.audit import AuditRecord, insert_audit_records
    from db.models import AuditOutcome

    connection = await session.connection()
    record = AuditRecord.create(
        method="callbot.events_rotate_secret",
        outcome=AuditOutcome.OK,
        params={"step": step, "actor": "callbot events rotate-secret"},
    )
    await insert_audit_records(connection, [record])


def _cmd_catalog(args: argparse.Namespace, settings: Settings) -> int:
    """`callbot catalog import FILE`: what the admin's /catalog does, from the server's shell."""
    from pathlib import Path

    from db.catalog import CatalogImportError, apply_catalog, parse_catalog
    from db.engine import create_engine, session_factory
    from db.migrate import SchemaNotCurrentError, check_at_head

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _fail(f"{path}: cannot read the file ({exc.strerror or type(exc).__name__})")
    try:
        catalog = parse_catalog(data, filename=path.name)
    except CatalogImportError as exc:
        # One line per problem, each with where it is (row N / employees[N]) and the field.
        for problem in exc.problems:
            print(f"callbot: {path.name}: {problem}", file=sys.stderr)
        print(f"callbot: {path.name} rejected: nothing imported", file=sys.stderr)
        return 2

    async def store() -> Any:
        await check_at_head(settings.database_url)
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine).begin() as session:
                return await apply_catalog(session, catalog)
        finally:
            await engine.dispose()

    try:
        summary = _run_async(store())
    except SchemaNotCurrentError as exc:
        return _fail(str(exc))
    print(f"imported {path.name} (+added ~updated -removed): {summary}")
    print("a running bot keeps the catalog it has read: restart it (or use /catalog in Telegram)")
    return 0


def _cmd_doctor(args: argparse.Namespace, settings: Settings) -> int:
    from bot.doctor import run_doctor

    return int(_run_async(run_doctor(settings)))


def _cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    # The demo's terminal is the chat: only warnings and errors of the bot go to stderr
    # (set before importing the demo, whose imports already log at INFO).
    setup_logging("WARNING", secrets=settings.secret_values())

    from sandbox.demo import DemoOptions, run_demo

    options = DemoOptions(
        lang=args.lang,
        data_dir=Path(args.data_dir) if args.data_dir else None,
        script=Path(args.script) if args.script else None,
        auto_answer_seconds=args.auto_answer,
    )
    if options.script is not None and not options.script.is_file():
        return _fail(f"--script: no such file {options.script}")
    try:
        return int(_run_async(run_demo(options)))
    except KeyboardInterrupt:
        # asyncio.run cancelled the demo, which shut the bot down (audit flushed) first.
        print("\nbye", file=sys.stderr)
        return 0


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Command]]:
    parser = argparse.ArgumentParser(
        prog="callbot",
        description="UIS Call Bot: drive UIS (CoMagic) Call API calls from Telegram.",
    )
    commands: dict[str, Command] = {}
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("run", help="run the bot (polling or webhook, from settings)")
    commands["run"] = _cmd_run

    sub.add_parser("migrate", help="upgrade the database schema to this version's head")
    commands["migrate"] = _cmd_migrate

    sub.add_parser("doctor", help="check database, key, Telegram and Call API; say what to fix")
    commands["doctor"] = _cmd_doctor

    sub.add_parser("rotate-keys", help="re-encrypt stored tokens with the newest key")
    commands["rotate-keys"] = _cmd_rotate_keys

    audit = sub.add_parser("audit", help="audit log maintenance")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    prune = audit_sub.add_parser("prune", help="delete audit rows older than a date (audited)")
    prune.add_argument("--before", required=True, help="ISO date or time, e.g. 2026-01-31")
    commands["audit"] = _cmd_audit

    ledger = sub.add_parser("ledger", help="the call ledger (calls, their history)")
    ledger_sub = ledger.add_subparsers(dest="ledger_command", metavar="ACTION", required=True)
    ledger_prune = ledger_sub.add_parser(
        "prune", help="forget calls last changed before a date (they hold phone numbers)"
    )
    ledger_prune.add_argument(
        "--before", help="ISO date or time (default: the retention, 90 days ago)"
    )
    commands["ledger"] = _cmd_ledger

    events = sub.add_parser("events", help="UIS event notifications (what to paste into UIS)")
    events_sub = events.add_subparsers(dest="events_command", metavar="ACTION", required=True)
    templates = events_sub.add_parser(
        "templates", help="per event: the UIS event, the URL, the method and the body to paste"
    )
    templates.add_argument("--format", choices=("text", "json"), default="text")
    templates.add_argument(
        "--show-secret", action="store_true", help="print the URLs with the secret in them"
    )
    rotate = events_sub.add_parser(
        "rotate-secret",
        help="a new events secret, accepted beside the old one until --finish",
    )
    rotate_step = rotate.add_mutually_exclusive_group()
    rotate_step.add_argument(
        "--finish",
        action="store_true",
        help="once CALLBOT_EVENTS__SECRET holds the new secret: stop accepting the old one",
    )
    rotate_step.add_argument(
        "--restart",
        action="store_true",
        help="replace the pending new secret by a fresh one (rotation in progress)",
    )
    rotate.add_argument(
        "--show-secret", action="store_true", help="print the new secret and the URLs with it"
    )
    commands["events"] = _cmd_events

    catalog = sub.add_parser("catalog", help="the account catalog (employees, numbers, ...)")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", metavar="ACTION", required=True)
    catalog_import = catalog_sub.add_parser(
        "import",
        help="import a JSON or CSV catalog file, as /catalog does (format: README)",
    )
    catalog_import.add_argument("file", metavar="FILE", help="catalog.json or catalog.csv")
    commands["catalog"] = _cmd_catalog

    # Listed for --help only: main() hands everything after "simulator" to its own parser.
    sub.add_parser(
        "simulator",
        help="run the offline UIS Call API simulator (see `callbot simulator --help`)",
        add_help=False,
    )

    sub.add_parser("health", help="exit 0 if the running bot's heartbeat is fresh")
    commands["health"] = _cmd_health

    sub.add_parser("config", help="print the effective configuration, secrets masked")
    commands["config"] = _cmd_config

    demo = sub.add_parser(
        "demo",
        help="offline demo: simulator, Telegram emulator and the bot, chat in the terminal",
    )
    demo.add_argument("--lang", choices=["ru", "en"], default="ru", help="chat language")
    demo.add_argument("--script", metavar="FILE", help="run these lines, print the transcript")
    demo.add_argument("--data-dir", metavar="DIR", help="keep data here (default: a temp dir)")
    demo.add_argument(
        "--auto-answer",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="called parties pick up by themselves after this long (default 2)",
    )
    commands["demo"] = _cmd_demo

    return parser, commands


def _run_simulator(arguments: list[str]) -> int:
    # Everything after "simulator" belongs to the simulator's own parser (incl. --help). The
    # sandbox is imported here only: the product never loads it otherwise.
    from sandbox.uis.__main__ import main as simulator_main

    simulator_main(arguments, prog="callbot simulator")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser, commands = build_parser()
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["simulator"]:
        return _run_simulator(arguments[1:])
    args = parser.parse_args(arguments)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"callbot: {exc}", file=sys.stderr)
        return 2
    setup_logging(
        settings.log.level,
        json_format=settings.log.format.value == "json",
        secrets=settings.secret_values(),
    )
    try:
        return commands[args.command](args, settings)
    except Exception as exc:
        explanation = explain_failure(exc, settings)
        if explanation is None:
            raise
        # An unreachable service is an operator's fix, not a bug: one line, the details at DEBUG.
        log.debug("%s failed", args.command, exc_info=True)
        return _fail(explanation)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def explain_failure(exc: BaseException, settings: Settings) -> str | None:
    """One line saying what to check for a failure of the surroundings; None for a bug."""
    from aiogram.exceptions import (
        TelegramAPIError,
        TelegramNetworkError,
        TelegramUnauthorizedError,
    )
    from sqlalchemy.exc import DBAPIError

    api_server = settings.telegram.api_server or "https://api.telegram.org"
    if isinstance(exc, TelegramUnauthorizedError):
        return "Telegram refused the bot token: check CALLBOT_TELEGRAM__BOT_TOKEN"
    if isinstance(exc, TelegramNetworkError):
        return (
            f"cannot reach the Telegram Bot API at {api_server} ({_first_line(exc)}): check "
            "network access from this server (or CALLBOT_TELEGRAM__API_SERVER)"
        )
    if isinstance(exc, TelegramAPIError):
        return f"the Telegram Bot API at {api_server} refused: {_first_line(exc)}"
    cause: BaseException = exc
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        # SQLAlchemy's adapter error wraps the driver's own, which names the problem.
        cause = exc.orig.__cause__ or exc.orig
    unreachable = isinstance(exc, ConnectionError | socket.gaierror | TimeoutError)
    if isinstance(exc, DBAPIError) or _is_database_error(cause) or unreachable:
        # Telegram's and the Call API's network errors arrive wrapped (above, and as
        # api.errors.TransportError inside the bot): a bare connection error here is the
        # database's (refused, unknown host, timed out).
        return (
            f"cannot use the database ({_first_line(cause)}): check CALLBOT_DATABASE__URL and "
            "that the database server is running and accepts this user"
        )
    return None


def _is_database_error(exc: BaseException) -> bool:
    try:
        from asyncpg import PostgresError
        from asyncpg.exceptions import InterfaceError
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return False
    return isinstance(exc, PostgresError | InterfaceError)


if __name__ == "__main__":
    sys.exit(main())
