"""Helpers for the simulator tests: a simulator on 127.0.0.1 port 0 with a manual clock and an
httpx client that talks to it over real loopback HTTP. Not a test module (no test_ prefix).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from sandbox.uis import (
    Account,
    ManualClock,
    RunningServer,
    Simulator,
    SimulatorOptions,
    demo_account,
)
from sandbox.uis.reference import load_reference_json

# The reference lives in shared/ beside the checkout (CI lays a copy there too).
SHARED_METHODS_JSON = next(
    (
        candidate
        for candidate in (
            Path(__file__).resolve().parents[3] / "shared" / "callapi" / "methods.json",
            Path("/work/shared/callapi/methods.json"),
        )
        if candidate.exists()
    ),
    Path("/work/shared/callapi/methods.json"),
)
VN = "74993720692"
VN2 = "74951234567"
CONTACT = "79031234567"
SILENT_CONTACT = "79037654321"
INTERNATIONAL = "442071234567"
MANAGER_KEY = "demo-key-manager-0001"
JSON_HEADERS = {"Content-Type": "application/json; charset=UTF-8"}


def reference_json() -> dict[str, Any]:
    """The shared methods.json when present (the source of truth), else the packaged extract."""
    if SHARED_METHODS_JSON.exists():
        data: dict[str, Any] = json.loads(SHARED_METHODS_JSON.read_text(encoding="utf-8"))
        return data
    return load_reference_json()


def error_of(reply: dict[str, Any]) -> dict[str, Any]:
    """The error object of a reply (fails the test when the reply is a success)."""
    assert "error" in reply, f"expected an error, got {reply}"
    error: dict[str, Any] = reply["error"]
    return error


def mnemonic_of(reply: dict[str, Any]) -> str:
    """error.data.mnemonic of a reply."""
    return str(error_of(reply)["data"]["mnemonic"])


def data_of(reply: dict[str, Any]) -> Any:
    """result.data of a reply (fails the test when the reply is an error)."""
    assert "result" in reply, f"expected a success, got {reply}"
    return reply["result"]["data"]


@dataclass
class Harness:
    """A running simulator and a client for it."""

    sim: Simulator
    clock: ManualClock
    server: RunningServer
    client: httpx.AsyncClient
    _ids: Iterator[int] = field(default_factory=lambda: iter(range(1, 1_000_000)))

    @property
    def control(self) -> Any:
        """The simulator's Python control interface."""
        return self.sim.control

    async def post_raw(
        self, content: bytes, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        """POST raw bytes to /v4.0."""
        return await self.client.post(
            self.server.url, content=content, headers=JSON_HEADERS if headers is None else headers
        )

    async def post(self, envelope: Any) -> dict[str, Any]:
        """POST a JSON envelope and return the decoded reply (HTTP 200 expected)."""
        response = await self.post_raw(json.dumps(envelope).encode())
        assert response.status_code == 200, response.text
        reply: dict[str, Any] = response.json()
        return reply

    async def rpc(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Call ``method`` with exactly ``params``."""
        request_id = next(self._ids)
        reply = await self.post(
            {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}
        )
        assert reply["id"] == request_id
        return reply

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Call ``method`` with the manager's permanent key added."""
        return await self.rpc(method, {"access_token": MANAGER_KEY, **params})

    async def ok(self, method: str, **params: Any) -> Any:
        """Call ``method`` (with the manager's key) and return result.data."""
        return data_of(await self.call(method, **params))

    async def start_employee_call(self, contact: str = CONTACT, **extra: Any) -> int:
        """start.employee_call from employee 101 to ``contact``; returns the call_session_id."""
        params: dict[str, Any] = {
            "first_call": "employee",
            "virtual_phone_number": VN,
            "contact": contact,
            "employee": {"id": 101},
            **extra,
        }
        data = await self.ok("start.employee_call", **params)
        return int(data["call_session_id"])

    async def talking_call(self, contact: str = CONTACT) -> int:
        """A call in TALK between employee 101 (B) and ``contact`` (A)."""
        call_id = await self.start_employee_call(contact)
        self.control.answer(call_id)  # the employee picks up, the contact starts ringing
        self.control.answer(call_id)  # the contact picks up
        assert self.state(call_id) == "TALK"
        return call_id

    async def held_call(self) -> int:
        """A call in HOLD."""
        call_id = await self.talking_call()
        await self.ok(
            "hold.call", call_session_id=call_id, contact_message={"type": "media", "value": "501"}
        )
        return call_id

    async def dialing_call(self, to: str = "102") -> int:
        """A call in DIALING: A on hold, B waits, C rings."""
        call_id = await self.held_call()
        await self.ok("make.call", call_session_id=call_id, to=to)
        assert self.state(call_id) == "DIALING"
        return call_id

    def state(self, call_id: int) -> str:
        """The diagram state of a call."""
        return str(self.control.call(call_id)["state"])

    def legs(self, call_id: int) -> list[dict[str, Any]]:
        """The legs of a call as the control interface shows them."""
        legs: list[dict[str, Any]] = self.control.call(call_id)["legs"]
        return legs

    def leg_id(self, call_id: int, role: str) -> int:
        """The id of the newest active leg playing ``role``."""
        for leg in reversed(self.legs(call_id)):
            if leg["role"] == role and leg["status"] != "disconnected":
                return int(leg["leg_id"])
        raise AssertionError(f"no active {role} leg in call {call_id}")


@contextlib.asynccontextmanager
async def running_harness(
    options: SimulatorOptions | None = None, account: Account | None = None
) -> AsyncIterator[Harness]:
    """A simulator with the demo account (or ``account``) on a manual clock, served on
    127.0.0.1 port 0, and an httpx client for it."""
    clock = ManualClock()
    sim = Simulator(
        account=account if account is not None else demo_account(),
        options=options if options is not None else SimulatorOptions(),
        clock=clock,
    )
    async with (
        sim.running(host="127.0.0.1", port=0) as server,
        httpx.AsyncClient(timeout=10) as client,
    ):
        yield Harness(sim=sim, clock=clock, server=server, client=client)


@contextlib.contextmanager
def simulator_in_thread(
    options: SimulatorOptions | None = None, account: Account | None = None
) -> Iterator[tuple[Simulator, RunningServer]]:
    """Serve a simulator from its own event loop in a background thread (for sync tests such
    as hypothesis properties). Only the HTTP interfaces may be used from the calling thread."""
    sim = Simulator(
        account=account if account is not None else demo_account(),
        options=options or SimulatorOptions(),
        clock=ManualClock(),
    )
    ready = threading.Event()
    box: dict[str, Any] = {}

    async def main() -> None:
        stop = asyncio.Event()
        box["loop"] = asyncio.get_running_loop()
        box["stop"] = stop
        async with sim.running(host="127.0.0.1", port=0) as server:
            box["server"] = server
            ready.set()
            await stop.wait()

    thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    thread.start()
    assert ready.wait(10), "simulator thread did not start"
    try:
        yield sim, box["server"]
    finally:
        box["loop"].call_soon_threadsafe(box["stop"].set)
        thread.join(10)


async def valid_params(h: Harness, method: str) -> dict[str, Any]:
    """Params that succeed for ``method`` in the current world, creating calls as needed."""
    key = {"access_token": MANAGER_KEY}
    start_base = {**key, "virtual_phone_number": VN, "contact": CONTACT}
    if method == "login.user":
        return {"login": "demo.manager", "password": "demo-pass-manager"}
    if method in ("logout.user", "list.talk_options", "list.calls"):
        return dict(key)
    if method == "start.employee_call":
        return {**start_base, "first_call": "employee", "employee": {"id": 101}}
    if method == "start.scenario_call":
        return {**start_base, "first_call": "employee", "scenario_id": 1}
    if method == "start.vnumber_call":
        return {**start_base, "first_call": "contact"}
    if method == "start.informer_call":
        return {**start_base, "contact_message": {"type": "tts", "value": "Напоминание"}}
    if method == "start.simple_call":
        return {**start_base, "first_call": "operator", "operator": "79161112233"}
    if method in ("make.call", "unhold.call"):
        call_id = await h.held_call()
        extra = {"to": "102"} if method == "make.call" else {}
        return {**key, "call_session_id": call_id, **extra}
    if method in ("transfer.talk", "restore.talk"):
        return {**key, "call_session_id": await h.dialing_call()}
    call_id = await h.talking_call()
    per_method: dict[str, dict[str, Any]] = {
        "hold.call": {"contact_message": {"type": "media", "value": "501"}},
        "tag.call": {"tag_id": 11},
        "disconnect.leg": {"leg_id": h.leg_id(call_id, "operator")},
        "add.coach": {},
        "record.call": {"action": "on"},
        "block.contact": {},
        "call.talk_option": {"button": "2"},
        "send.dtmf": {"dtmf_string": "5"},
        "release.call": {},
    }
    return {**key, "call_session_id": call_id, **per_method[method]}
