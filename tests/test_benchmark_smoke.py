"""A benchmark smoke run (CI) is too small to judge a target: it prints figures, no verdict."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_under_test_{name}", BENCHMARKS / name)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def _bot_report(plan_name: str) -> str:
    bench = _load("bench_bot.py")
    plan = getattr(bench, plan_name)
    # Figures far below both targets: a full run says MISS, a smoke run must not.
    slow = [0.5] * 10
    phases = [
        bench.Samples(label="bot, serial", to_request=slow, to_answer=slow),
        bench.Samples(label="floor bot, serial", to_request=[0.001] * 10, to_answer=slow),
        bench.Samples(
            label=f"bot, {plan.users} chats",
            to_request=slow,
            to_answer=slow,
            window_seconds=1.0,
            completed_in_window=3,
            elapsed_seconds=1.0,
            cpu_span_seconds=1.0,
            bot_cpu_seconds=0.5,
            world_cpu_seconds=0.5,
        ),
        bench.Samples(
            label=f"floor bot, {plan.users} chats",
            to_request=slow,
            to_answer=slow,
            window_seconds=1.0,
            completed_in_window=5,
            elapsed_seconds=1.0,
            cpu_span_seconds=1.0,
            bot_cpu_seconds=0.5,
            world_cpu_seconds=0.5,
        ),
    ]
    results = bench.Results(
        plan=plan,
        phases=phases,
        feed_update=[0.0001],
        parse_and_feed=[0.0001],
        client_to_request=[0.001],
        client_round_trip=[0.001],
        claim_take=[0.0005],
        claim_done=[0.0004],
        claim_round_trip=[0.0009],
        card_press_claimed=False,
        message_claimed=True,
        intent_append=[0.00001],
        intent_with_create=[0.00003],
        intent_line_bytes=440,
        fresh=bench.FreshStart(to_polling=3.0, to_first_request=3.2, presses=7, reached=7),
    )
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        bench.report(results)
    return out.getvalue()


def test_bench_bot_smoke_prints_no_verdict_but_a_full_run_does() -> None:
    smoke = _bot_report("SMOKE")
    assert "MISS" not in smoke
    assert ": OK" not in smoke
    assert "presses/s" in smoke  # the figures are still there
    assert "spawn → first press at UIS: 3.20 s" in smoke
    assert "card presses (signed one-shot buttons) are NOT claimed" in smoke
    full = _bot_report("FULL")
    assert "target >= 500: MISS" in full
    # The bot spends 0.5 s / 3 presses of CPU, the floor bot 0.5 s / 5: 1.67x the floor's.
    assert "floor bot CPU per press, 1000 chats: 1.67x   target <= 1.2x: MISS" in full
    assert "CPU target missed" in full


def test_bench_audit_smoke_prints_no_verdict() -> None:
    # The bench makes (and drops) its own database on the local server.
    env = {key: value for key, value in os.environ.items() if not key.startswith("CALLBOT_")}
    shown = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_audit.py"), "--smoke"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    assert "writer >=" in shown.stdout
    assert "MISS" not in shown.stdout
    assert "OK " not in shown.stdout


def _events_report(plan_name: str) -> str:
    bench = _load("bench_events.py")
    plan = getattr(bench, plan_name)
    fast, slow = [0.02] * 50, [0.02] * 98 + [0.4] * 2  # p99 0.4 s: over the 300 ms target
    results = bench.Results(
        plan=plan,
        latencies=[
            bench.Latencies(
                label="1 call at a time",
                calls=50,
                ring_send_to_card=fast,
                ring_queued_to_card=fast,
                ring_post=fast,
                talk_send_to_edit=fast,
                talk_queued_to_edit=fast,
            ),
            bench.Latencies(
                label="100 calls at once",
                calls=100,
                ring_send_to_card=slow,
                ring_queued_to_card=slow,
                ring_post=fast,
                talk_send_to_edit=[0.02] * 99,
                talk_queued_to_edit=[0.02] * 99,
                missing_edits=1,
            ),
        ],
        points=[
            bench.Points(label="events not flowing", seconds=60.0, list_calls=15, points=15.0),
            bench.Points(label="events flowing", seconds=60.0, list_calls=3, points=3.0),
        ],
    )
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        bench.report(results)
    return out.getvalue()


def test_bench_events_smoke_prints_no_verdict_but_a_full_run_does() -> None:
    smoke = _events_report("SMOKE")
    assert "MISS" not in smoke
    assert ": OK" not in smoke
    assert "events flowing / not flowing: 0.20x list.calls per minute" in smoke
    full = _events_report("FULL")
    assert "1 call at a time, ringing card: p99 20.0 ms   target <= 300 ms: OK" in full
    assert "100 calls at once, ringing card: p99 400.0 ms   target <= 300 ms: MISS" in full
    # A card that never came is a miss whatever the others' latency.
    assert "100 calls at once, talk card: p99 20.0 ms, 1 missing   target <= 300 ms: MISS" in full


def test_bench_events_smoke_runs_and_prints_no_verdict() -> None:
    # The bench makes (and drops) its own database on the local server and spawns the bot.
    env = {key: value for key, value in os.environ.items() if not key.startswith("CALLBOT_")}
    shown = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_events.py"), "--smoke"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    assert "waiting for answer → ringing card" in shown.stdout
    assert "list.calls/minute" in shown.stdout
    assert "MISS" not in shown.stdout
    assert ": OK" not in shown.stdout
