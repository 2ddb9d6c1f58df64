"""python -m sandbox.telegram: serve a Telegram Bot API emulator until interrupted.

    python -m sandbox.telegram --host 127.0.0.1 --port 8081 --token 123456:TEST-TOKEN \
        --username uis_call_bot --user 1001:Ivan:ru --user 1002:Anna:en

The token may come from EMULATOR_BOT_TOKEN instead of --token (keeps it out of `ps`). The
first line on stdout is "Telegram emulator listening on <base_url>", for scripts that start it
with --port 0. Drive it through HTTP under <base_url>/_emu/ (see sandbox/telegram/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import os
import signal
import sys
from collections.abc import Sequence
from contextlib import suppress

from sandbox.telegram.emulator import TelegramEmulator

TOKEN_ENVIRONMENT_VARIABLE = "EMULATOR_BOT_TOKEN"  # noqa: S105 - a variable name, not a secret


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _parse_user(spec: str) -> tuple[int, str, str | None, str | None, str | None]:
    """ "ID:FirstName[:lang[:username[:phone]]]" -> fields for add_user."""
    parts = spec.split(":")
    if len(parts) < 2 or not parts[0].isdigit() or not parts[1]:
        raise argparse.ArgumentTypeError(
            f"expected ID:FirstName[:lang[:username[:phone]]], got {spec!r}"
        )
    padded = [*parts, "", "", ""]
    return int(parts[0]), parts[1], padded[2] or None, padded[3] or None, padded[4] or None


def build_parser() -> argparse.ArgumentParser:
    """Command-line options of the emulator."""
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.telegram", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback)")
    parser.add_argument("--port", type=int, default=8081, help="port; 0 picks a free one")
    parser.add_argument("--token", help=f"bot token (default: ${TOKEN_ENVIRONMENT_VARIABLE})")
    parser.add_argument("--username", default="uis_call_bot", help="bot username")
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        type=_parse_user,
        metavar="ID:NAME[:LANG[:USERNAME[:PHONE]]]",
        help="create a user (repeatable)",
    )
    parser.add_argument(
        "--no-group-privacy",
        action="store_true",
        help="deliver every group message to the bot (privacy mode off)",
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host (the control interface has no authentication)",
    )
    return parser


async def serve(emulator: TelegramEmulator, host: str, port: int) -> None:
    """Run until SIGINT/SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):
            loop.add_signal_handler(signal_number, stop.set)
    async with emulator.running(host=host, port=port) as server:
        print(f"Telegram emulator listening on {server.base_url}", flush=True)
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = build_parser().parse_args(argv)
    token = args.token or os.environ.get(TOKEN_ENVIRONMENT_VARIABLE)
    if not token:
        print(f"give --token or set {TOKEN_ENVIRONMENT_VARIABLE}", file=sys.stderr)
        return 2
    if not args.allow_remote and not _is_loopback(args.host):
        print(f"refusing to bind {args.host}: not a loopback address", file=sys.stderr)
        return 2
    try:
        emulator = TelegramEmulator(
            bot_token=token,
            bot_username=args.username,
            group_privacy=not args.no_group_privacy,
        )
    except ValueError as exc:
        print(f"invalid token: {exc}", file=sys.stderr)
        return 2
    for user_id, first_name, language_code, username, phone_number in args.user:
        emulator.add_user(
            user_id,
            first_name,
            language_code=language_code,
            username=username,
            phone_number=phone_number,
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(serve(emulator, args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
