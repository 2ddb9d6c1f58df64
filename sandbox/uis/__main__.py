"""``python -m sandbox.uis``: run the simulator on the real clock until interrupted."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from urllib.parse import urlsplit

from sandbox.uis.notifications import RENDERING_CHOICES
from sandbox.uis.options import SimulatorOptions
from sandbox.uis.simulator import serve

# A person trying the demo expects calls to connect without driving /_sim by hand; tests and
# benchmarks pass --no-auto-answer (SimulatorOptions itself defaults to no automatic answers).
DEMO_AUTO_ANSWER_SECONDS = 3.0


PROGRAM_NAME = "python -m sandbox.uis"


def build_parser(prog: str = PROGRAM_NAME) -> argparse.ArgumentParser:
    """The command-line interface; ``callbot simulator`` passes its own name for ``--help``."""
    defaults = SimulatorOptions()
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Offline UIS Call API v4.0 simulator (JSON-RPC at /v4.0, control at /_sim).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument("--port", type=int, default=8089, help="port (0 = any free port)")
    parser.add_argument("--account", help="account JSON file (default: built-in demo account)")
    answer = parser.add_mutually_exclusive_group()
    answer.add_argument(
        "--auto-answer",
        type=float,
        default=DEMO_AUTO_ANSWER_SECONDS,
        metavar="SECONDS",
        help="ringing parties answer by themselves after SECONDS (default %(default)s)",
    )
    answer.add_argument(
        "--no-auto-answer",
        dest="auto_answer",
        action="store_const",
        const=None,
        help="parties answer only when told through the control interface",
    )
    parser.add_argument(
        "--dialing-timeout",
        type=float,
        default=defaults.dialing_timeout_seconds,
        metavar="SECONDS",
        help="a party that rings this long fails (default %(default)s)",
    )
    parser.add_argument(
        "--leg-labels",
        choices=("ru", "en"),
        default=defaults.leg_label_language,
        help="language of list.calls leg states (default %(default)s)",
    )
    parser.add_argument(
        "--metadata-location",
        choices=("result", "envelope", "none"),
        default=defaults.metadata_location,
        help="where replies carry metadata.limits (default %(default)s)",
    )
    parser.add_argument(
        "--accept-plus",
        action="store_true",
        help="accept a leading '+' in phone numbers instead of refusing it",
    )
    parser.add_argument(
        "--direction-mnemonic",
        default=defaults.direction_refusal_mnemonic,
        help="mnemonic of a call refused by direction rules (default %(default)s)",
    )
    parser.add_argument(
        "--early-switching-rule",
        choices=("uis", "callgear"),
        default=defaults.early_switching_rule,
        help="which docs edition's early_switching constraint to enforce",
    )
    parser.add_argument(
        "--notify-url",
        metavar="BASE",
        help=(
            "send UIS event notifications: every event is POSTed to BASE/{event} (inbound_call, "
            "waiting_for_answer, outbound_call, talk_started, talk_finished, call_finished, "
            "lost_call, call_recording_ready) with a default JSON template of all its variables; "
            "change them under /_sim/notifications"
        ),
    )
    renderings = (
        ("values", "placeholders render JSON-encoded (strings quoted) or raw"),
        ("empty", "an empty value renders as null or as nothing"),
        ("lists", "leg_ids and other lists render as a JSON array or a '1,2' string"),
    )
    for name, explanation in renderings:
        parser.add_argument(
            f"--notify-{name}",
            choices=RENDERING_CHOICES[name],
            default=getattr(defaults, f"notification_{name}"),
            help=f"{explanation} (default %(default)s)",
        )
    parser.add_argument(
        "--parameter-check-order",
        choices=("credentials_first", "parameters_first"),
        default=defaults.parameter_check_order,
        help="refuse bad credentials or undocumented parameters first (default %(default)s)",
    )
    return parser


def options_from_args(args: argparse.Namespace) -> SimulatorOptions:
    """SimulatorOptions from parsed command-line arguments."""
    return SimulatorOptions(
        auto_answer_seconds=args.auto_answer,
        dialing_timeout_seconds=args.dialing_timeout,
        leg_label_language=args.leg_labels,
        metadata_location=args.metadata_location,
        refuse_plus_in_numbers=not args.accept_plus,
        direction_refusal_mnemonic=args.direction_mnemonic,
        early_switching_rule=args.early_switching_rule,
        parameter_check_order=args.parameter_check_order,
        notification_values=args.notify_values,
        notification_empty=args.notify_empty,
        notification_lists=args.notify_lists,
    )


def main(argv: Sequence[str] | None = None, prog: str = PROGRAM_NAME) -> None:
    """Parse arguments and serve until SIGINT/SIGTERM."""
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    if args.notify_url is not None:
        parts = urlsplit(args.notify_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            parser.error(f"--notify-url must be an absolute http(s) URL, got {args.notify_url!r}")
    serve(args.host, args.port, args.account, options_from_args(args), notify_url=args.notify_url)


if __name__ == "__main__":
    main()
