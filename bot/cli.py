"""The `callbot` command: one entry point, a subcommand per operator task."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

from bot.logging_setup import redact, setup_logging
from bot.settings import Settings, SettingsError, load_settings

log = logging.getLogger("callbot")

Command = Callable[[argparse.Namespace, Settings], int]


def _cmd_health(args: argparse.Namespace, settings: Settings) -> int:
    from bot.health import check_heartbeat

    report = check_heartbeat(settings.heartbeat_file, settings.health.max_age_seconds)
    print(("healthy: " if report.healthy else "unhealthy: ") + report.detail)
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
    effective = _masked(settings.model_dump())
    effective["database"]["effective_url"] = redact(settings.database_url)
    effective["callapi"]["base_url"] = settings.callapi.base_url
    print(json.dumps(effective, indent=2, ensure_ascii=False, default=str))
    return 0


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Command]]:
    parser = argparse.ArgumentParser(
        prog="callbot",
        description="UIS Call Bot: drive UIS (CoMagic) Call API calls from Telegram.",
    )
    commands: dict[str, Command] = {}
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("health", help="exit 0 if the running bot's heartbeat is fresh")
    commands["health"] = _cmd_health

    sub.add_parser("config", help="print the effective configuration, secrets masked")
    commands["config"] = _cmd_config

    return parser, commands


def main(argv: Sequence[str] | None = None) -> int:
    parser, commands = build_parser()
    args = parser.parse_args(argv)
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
    return commands[args.command](args, settings)


if __name__ == "__main__":
    sys.exit(main())
