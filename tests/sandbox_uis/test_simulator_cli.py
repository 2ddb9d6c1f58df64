"""`python -m sandbox.uis` runs the simulator on the real clock in its own process."""

from __future__ import annotations

import asyncio
import http.server
import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from simulator_harness import JSON_HEADERS, MANAGER_KEY

from sandbox.uis import Simulator, SimulatorOptions, demo_account
from sandbox.uis.__main__ import build_parser, main, options_from_args

REPO = Path(__file__).resolve().parents[2]


def test_command_line_options_map_onto_simulator_options() -> None:
    args = build_parser().parse_args(
        [
            "--port",
            "0",
            "--auto-answer",
            "2.5",
            "--leg-labels",
            "en",
            "--accept-plus",
            "--metadata-location",
            "envelope",
            "--direction-mnemonic",
            "x_forbidden",
        ]
    )
    options = options_from_args(args)
    assert options.auto_answer_seconds == 2.5
    assert options.leg_label_language == "en"
    assert options.refuse_plus_in_numbers is False
    assert options.metadata_location == "envelope"
    assert options.direction_refusal_mnemonic == "x_forbidden"
    defaults = options_from_args(build_parser().parse_args([]))
    assert defaults.auto_answer_seconds == 3.0  # the interactive demo connects by itself
    assert defaults == SimulatorOptions(auto_answer_seconds=3.0)
    silent = options_from_args(build_parser().parse_args(["--no-auto-answer"]))
    assert silent == SimulatorOptions()
    rendered = options_from_args(
        build_parser().parse_args(
            ["--notify-values", "raw", "--notify-empty", "nothing", "--notify-lists", "string"]
        )
    )
    assert (
        rendered.notification_values,
        rendered.notification_empty,
        rendered.notification_lists,
    ) == ("raw", "nothing", "string")


def test_notify_url_must_be_an_http_url(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--notify-url", "localhost:8080/uis/events"], prog="callbot simulator")
    assert exit_info.value.code == 2
    assert "--notify-url must be an absolute http(s) URL" in capsys.readouterr().err


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, dict[str, object]]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_module_serves_until_terminated(tmp_path: Path) -> None:
    account = demo_account().to_json()
    account["name"] = "From a file"
    account_file = tmp_path / "account.json"
    account_file.write_text(json.dumps(account, ensure_ascii=False), encoding="utf-8")
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    notify_url = f"http://127.0.0.1:{receiver.server_address[1]}/uis/events/s3cret"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sandbox.uis",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--account",
            str(account_file),
            "--auto-answer",
            "0.2",
            "--notify-url",
            notify_url,
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "listening on http://127.0.0.1:" in line, line
        url = line.rsplit(" ", 1)[1].strip()
        with httpx.Client(headers=JSON_HEADERS, timeout=10) as client:

            def rpc(method: str, **params: object) -> dict[str, object]:
                envelope = {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": method,
                    "params": {"access_token": MANAGER_KEY, **params},
                }
                reply: dict[str, object] = client.post(url, json=envelope).json()
                return reply

            started = rpc(
                "start.employee_call",
                first_call="employee",
                virtual_phone_number="74993720692",
                contact="79031234567",
                employee={"id": 101},
            )
            assert "result" in started
            # On the real clock the background ticker answers both parties by itself.
            deadline = time.monotonic() + 20
            state = ""
            while time.monotonic() < deadline and state != "TALK":
                time.sleep(0.1)
                calls = client.get(url.replace("/v4.0", "/_sim/calls")).json()
                state = calls[0]["state"]
            assert state == "TALK"
            assert client.get(url.replace("/v4.0", "/_sim/state")).json()["clock"] == "real"
            # --notify-url: the events of that call reached BASE/{event}.
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and len(_Receiver.received) < 2:
                time.sleep(0.05)
            assert [path for path, _ in _Receiver.received] == [
                "/uis/events/s3cret/waiting_for_answer",
                "/uis/events/s3cret/talk_started",
            ]
            assert _Receiver.received[0][1]["event"] == "waiting_for_answer"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
        receiver.shutdown()
        receiver.server_close()
    assert process.returncode == 0


async def test_real_clock_background_ticker_fires_events() -> None:
    sim = Simulator(options=SimulatorOptions(auto_answer_seconds=0.05))
    async with sim.running() as server, httpx.AsyncClient(headers=JSON_HEADERS) as client:
        envelope = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "start.employee_call",
            "params": {
                "access_token": MANAGER_KEY,
                "first_call": "employee",
                "virtual_phone_number": "74993720692",
                "contact": "79031234567",
                "employee": {"id": 101},
            },
        }
        reply = (await client.post(server.url, json=envelope)).json()
        call_id = reply["result"]["data"]["call_session_id"]
        call = sim.runtime.engine.calls[call_id]  # read without ticking, unlike sim.control
        for _ in range(400):
            if call.state == "TALK":
                break
            await asyncio.sleep(0.05)
        assert call.state == "TALK"
