"""Call API client overhead on loopback against the simulator running in its own process.

Prints, at 1 and at 100 concurrent requests, median and p99 per-call time and calls/s for:

  typed[T]    our CallApiClient (validation, envelope, metadata, budget, observer hook) over
              transport T
  raw-httpx[T] httpx.AsyncClient.post of the very same request bytes over transport T
  raw-aiohttp aiohttp.ClientSession.post of the same bytes

for T in {httpx (httpcore), aiohttp (httpx-aiohttp AiohttpTransport)}, plus the simulator's own
throughput (requests it counted per second during the fastest run, and its JSON-RPC dispatcher
alone, without HTTP, in a separate process). Ratios typed/raw over the same transport are the
figure the lead's target (<= 1.3x) refers to.

    .venv/bin/python benchmarks/bench_callapi.py            # full run (about a minute)
    .venv/bin/python benchmarks/bench_callapi.py --smoke    # tiny CI run
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from api.budget import PointsBudget  # noqa: E402
from api.client import CallApiClient  # noqa: E402
from api.credentials import PermanentKeyCredentials  # noqa: E402
from api.envelope import JSON_CONTENT_TYPE, encode_request  # noqa: E402
from api.observer import AttemptRecord  # noqa: E402
from api.transport import TransportChoice, create_http_client  # noqa: E402

KEY = "demo-key-manager-0001"
METHOD = "list.talk_options"
HEADERS = {"Content-Type": JSON_CONTENT_TYPE}
HUGE_LIMIT = 1_000_000_000

Call = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class Stats:
    """Latency distribution and throughput of one configuration at one concurrency."""

    name: str
    concurrency: int
    calls: int
    median_ms: float
    p99_ms: float
    calls_per_second: float
    cpu_us_per_call: float


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextlib.contextmanager
def simulator_process(port: int) -> Iterator[str]:
    """``python -m sandbox.uis`` on loopback; yields its base URL (``http://host:port``)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox.uis", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{base}/_sim/state", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    stderr = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"simulator did not start: {stderr}") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _prepare_simulator(base: str) -> None:
    """Lift the demo account's points limits so the benchmark never hits limit_exceeded."""
    patch = {"limits": {"points_per_minute": HUGE_LIMIT, "points_per_day": HUGE_LIMIT}}
    httpx.patch(f"{base}/_sim/account", json=patch, timeout=5).raise_for_status()


def _simulator_request_count(base: str) -> int:
    state = httpx.get(f"{base}/_sim/state", timeout=5).json()
    count: int = state["requests"]
    return count


def _clear_request_log(base: str) -> None:
    httpx.delete(f"{base}/_sim/requests", timeout=5).raise_for_status()


async def _round(call: Call, concurrency: int, total: int) -> tuple[list[float], float, float]:
    """``total`` calls from ``concurrency`` workers: (latencies, wall s, client CPU s)."""
    latencies: list[float] = []
    per_worker = max(1, total // concurrency)

    async def worker() -> None:
        for _ in range(per_worker):
            started = time.perf_counter()
            await call()
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    cpu_started = time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, time.perf_counter() - started, time.process_time() - cpu_started


def _stats(name: str, concurrency: int, latencies: list[float], wall: float, cpu: float) -> Stats:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return Stats(
        name=name,
        concurrency=concurrency,
        calls=len(ordered),
        median_ms=statistics.median(ordered) * 1000,
        p99_ms=p99 * 1000,
        calls_per_second=len(ordered) / wall,
        cpu_us_per_call=cpu / len(ordered) * 1e6,
    )


def _typed_call(client: CallApiClient) -> Call:
    user = client.bind(PermanentKeyCredentials(KEY), context={"bench": True})

    async def call() -> object:
        return await user.list_talk_options()

    return call


def _raw_httpx_call(http: httpx.AsyncClient, url: str, body: bytes) -> Call:
    async def call() -> object:
        response = await http.post(url, content=body, headers=HEADERS)
        if response.status_code != 200 or b'"result"' not in response.content:
            raise RuntimeError(f"unexpected reply {response.status_code}: {response.content!r}")
        return response.content

    return call


def _raw_aiohttp_call(session: aiohttp.ClientSession, url: str, body: bytes) -> Call:
    async def call() -> object:
        async with session.post(url, data=body, headers=HEADERS) as response:
            content = await response.read()
            if response.status != 200 or b'"result"' not in content:
                raise RuntimeError(f"unexpected reply {response.status}: {content!r}")
            return content

    return call


def _observer(record: AttemptRecord) -> None:
    """A realistic no-op audit hook: the client builds a record per attempt for it."""


async def run_level(
    base: str, concurrency: int, rounds: int, per_round: int, warmup: int
) -> tuple[list[Stats], float]:
    """All configurations at one concurrency, interleaved round by round.

    The machine is shared, so background load comes and goes; rotating the order every round
    spreads it over all configurations instead of penalising whichever ran at a bad moment.
    Returns the stats and the simulator's best observed requests/s (raw-aiohttp rounds).
    """
    url = f"{base}/v4.0"
    body = encode_request(METHOD, {"access_token": KEY}, "bench-1")
    connections = max(concurrency, 1)
    async with contextlib.AsyncExitStack() as stack:
        configs: list[tuple[str, Call]] = []
        for transport in (TransportChoice.HTTPX, TransportChoice.AIOHTTP):
            client = await stack.enter_async_context(
                CallApiClient(
                    base_url=url,
                    transport=transport,
                    budget=PointsBudget(),
                    observer=_observer,
                    max_connections=connections,
                )
            )
            configs.append((f"typed[{transport.value}]", _typed_call(client)))
            http = await stack.enter_async_context(
                create_http_client(transport=transport, max_connections=connections)
            )
            configs.append((f"raw-httpx[{transport.value}]", _raw_httpx_call(http, url, body)))
        session = await stack.enter_async_context(
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections))
        )
        configs.append(("raw-aiohttp", _raw_aiohttp_call(session, url, body)))
        for _, call in configs:
            for _ in range(warmup):
                await call()
        latencies: dict[str, list[float]] = {name: [] for name, _ in configs}
        walls: dict[str, float] = dict.fromkeys(latencies, 0.0)
        cpus: dict[str, float] = dict.fromkeys(latencies, 0.0)
        best_server_rate = 0.0
        for round_number in range(rounds):
            shift = round_number % len(configs)
            for name, call in configs[shift:] + configs[:shift]:
                before = _simulator_request_count(base) if name == "raw-aiohttp" else 0
                samples, wall, cpu = await _round(call, concurrency, per_round)
                if name == "raw-aiohttp":
                    served = _simulator_request_count(base) - before
                    best_server_rate = max(best_server_rate, served / wall)
                latencies[name].extend(samples)
                walls[name] += wall
                cpus[name] += cpu
            _clear_request_log(base)
    stats = [
        _stats(name, concurrency, latencies[name], walls[name], cpus[name]) for name, _ in configs
    ]
    return stats, best_server_rate


async def run_all(
    base: str, levels: list[tuple[int, int, int]], warmup: int
) -> tuple[list[Stats], float]:
    """Every level ``(concurrency, rounds, calls per round)``; stats and best simulator req/s."""
    results: list[Stats] = []
    best = 0.0
    for concurrency, rounds, per_round in levels:
        stats, rate = await run_level(base, concurrency, rounds, per_round, warmup)
        results.extend(stats)
        best = max(best, rate)
    return results, best


_DISPATCHER_SCRIPT = """
import json, sys, time
from sandbox.uis import Simulator, demo_account
from sandbox.uis.rpc import RpcDispatcher
sim = Simulator(account=demo_account())
sim.control.set_limits(points_per_minute={limit}, points_per_day={limit})
dispatcher = RpcDispatcher(sim.runtime)
body = {body!r}
for _ in range(200):
    dispatcher.handle(body, "127.0.0.1")
sim.control.clear_requests()
count = {count}
started = time.perf_counter()
for _ in range(count):
    dispatcher.handle(body, "127.0.0.1")
print(json.dumps({{"per_second": count / (time.perf_counter() - started)}}))
"""


def dispatcher_rate(count: int) -> float | None:
    """The simulator's JSON-RPC pipeline alone (no HTTP), in a separate process."""
    body = encode_request(METHOD, {"access_token": KEY}, "bench-1")
    script = _DISPATCHER_SCRIPT.format(limit=HUGE_LIMIT, body=body, count=count)
    try:
        output = subprocess.run(
            [sys.executable, "-c", script],
            cwd=REPO,
            capture_output=True,
            check=True,
            timeout=300,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        ).stdout
        rate: float = json.loads(output)["per_second"]
    except (subprocess.SubprocessError, ValueError, KeyError):
        return None
    return rate


def _print_table(results: list[Stats]) -> None:
    print(
        f"{'configuration':<20}{'conc':>5}{'calls':>7}{'median ms':>11}{'p99 ms':>10}"
        f"{'calls/s':>9}{'client CPU us/call':>20}"
    )
    for s in results:
        print(
            f"{s.name:<20}{s.concurrency:>5}{s.calls:>7}{s.median_ms:>11.3f}{s.p99_ms:>10.3f}"
            f"{s.calls_per_second:>9.0f}{s.cpu_us_per_call:>20.0f}"
        )


def _print_ratios(results: list[Stats]) -> None:
    by_key = {(s.name, s.concurrency): s for s in results}
    print(
        "\nratios typed / raw-httpx over the same transport (> 1 = our layer costs that much more;"
        " throughput ratio = raw calls/s / typed calls/s)"
    )
    for concurrency in sorted({s.concurrency for s in results}):
        for transport in ("httpx", "aiohttp"):
            typed = by_key[(f"typed[{transport}]", concurrency)]
            raw = by_key[(f"raw-httpx[{transport}]", concurrency)]
            median = typed.median_ms / raw.median_ms
            print(
                f"  c={concurrency:<3} {transport:<7}: median {median:5.2f}x"
                f"  p99 {typed.p99_ms / raw.p99_ms:5.2f}x"
                f"  throughput {raw.calls_per_second / typed.calls_per_second:5.2f}x"
                f"  client CPU {typed.cpu_us_per_call / raw.cpu_us_per_call:5.2f}x"
            )
    print("transport comparison (raw, same bytes)")
    for concurrency in sorted({s.concurrency for s in results}):
        over_httpx = by_key[("raw-httpx[httpx]", concurrency)]
        over_aiohttp = by_key[("raw-httpx[aiohttp]", concurrency)]
        plain = by_key[("raw-aiohttp", concurrency)]
        print(
            f"  c={concurrency:<3} httpx-transport / aiohttp-transport: median "
            f"{over_httpx.median_ms / over_aiohttp.median_ms:5.2f}x, throughput "
            f"{over_aiohttp.calls_per_second / over_httpx.calls_per_second:5.2f}x in favour of "
            f"aiohttp; httpx API over aiohttp / plain aiohttp: median "
            f"{over_aiohttp.median_ms / plain.median_ms:5.2f}x, CPU "
            f"{over_aiohttp.cpu_us_per_call / plain.cpu_us_per_call:5.2f}x"
        )


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, start the simulator process, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--smoke", action="store_true", help="tiny run for CI")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds per level")
    args = parser.parse_args(argv)
    levels: list[tuple[int, int, int]]
    if args.smoke:
        levels, warmup, dispatcher_count = [(1, 1, 30), (100, 1, 200)], 10, 500
    else:
        rounds = args.rounds
        levels = [(1, rounds, 3000 // rounds), (100, rounds, 5000 // rounds)]
        warmup, dispatcher_count = 200, 20000
    port = _free_port()
    print(
        f"python {sys.version.split()[0]}, httpx {httpx.__version__}, aiohttp {aiohttp.__version__}"
    )
    print(f"method {METHOD}; simulator: python -m sandbox.uis --host 127.0.0.1 --port {port}\n")
    with simulator_process(port) as base:
        _prepare_simulator(base)
        results, server_rate = asyncio.run(run_all(base, levels, warmup))
    _print_table(results)
    _print_ratios(results)
    print(f"\nsimulator served {server_rate:.0f} requests/s over HTTP (best raw-aiohttp run)")
    rate = dispatcher_rate(dispatcher_count)
    if rate is not None:
        print(f"simulator JSON-RPC dispatcher alone (no HTTP, own process): {rate:.0f} requests/s")


if __name__ == "__main__":
    main()
