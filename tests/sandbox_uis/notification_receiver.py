"""A webhook receiver for the simulator's event notifications: an aiohttp server on 127.0.0.1
port 0 that records every request, plus a harness that subscribes a simulator to it. Not a test
module (no test_ prefix).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from simulator_harness import Harness, running_harness

from sandbox.uis import Account, SimulatorOptions

SECRET = "s3cret"


@dataclass
class Received:
    """One request the receiver got."""

    path: str
    method: str
    content_type: str
    body: str

    @property
    def event(self) -> str:
        """The event slug: the last path segment."""
        return self.path.rsplit("/", 1)[1]

    def json(self) -> Any:
        """The body as JSON (fails the test when it is not JSON)."""
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        """The body as form fields."""
        return dict(parse_qsl(self.body, keep_blank_values=True))


@dataclass
class Receiver:
    """Records requests; answers ``status`` after ``delay`` seconds."""

    base_url: str = ""
    received: list[Received] = field(default_factory=list)
    status: int = 200
    delay: float = 0.0

    async def handle(self, request: web.Request) -> web.Response:
        """Record one request."""
        self.received.append(
            Received(request.path, request.method, request.content_type, await request.text())
        )
        if self.delay:
            await asyncio.sleep(self.delay)
        return web.Response(status=self.status, text="ok")

    @property
    def events(self) -> list[str]:
        """The event slugs received, in arrival order."""
        return [item.event for item in self.received]

    def bodies(self, event: str) -> list[Any]:
        """The JSON bodies received for ``event``."""
        return [item.json() for item in self.received if item.event == event]

    def body(self, event: str) -> dict[str, Any]:
        """The one JSON body received for ``event``."""
        bodies = self.bodies(event)
        assert len(bodies) == 1, f"{len(bodies)} {event} notifications: {self.events}"
        body: dict[str, Any] = bodies[0]
        return body


@contextlib.asynccontextmanager
async def running_receiver() -> AsyncIterator[Receiver]:
    """A receiver at ``http://127.0.0.1:<port>/uis/events/<secret>/{event}``."""
    receiver = Receiver()
    app = web.Application()
    app.router.add_route("*", "/uis/events/{secret}/{event}", receiver.handle)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert server is not None
    port = int(getattr(server, "sockets", [])[0].getsockname()[1])
    receiver.base_url = f"http://127.0.0.1:{port}/uis/events/{SECRET}"
    try:
        yield receiver
    finally:
        await runner.cleanup()


@dataclass
class Notified:
    """A simulator (through its harness) whose events go to a receiver."""

    h: Harness
    rx: Receiver

    async def sim(self, verb: str, path: str, body: Any = None) -> Any:
        """A control request over HTTP (``path`` below /_sim); fails on a non-200 reply."""
        response = await self.h.client.request(
            verb, self.h.server.control_url + path, json=body if body is not None else {}
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def sim_error(self, verb: str, path: str, body: Any, status: int) -> str:
        """A control request expected to fail with ``status``; returns the error text."""
        response = await self.h.client.request(verb, self.h.server.control_url + path, json=body)
        assert response.status_code == status, response.text
        return str(response.json()["error"])

    async def settle(self) -> list[str]:
        """Wait until every queued/delayed delivery was sent; the events received so far."""
        await self.sim("POST", "/notifications/drain", {"timeout": 5})
        return self.rx.events

    async def inbound(self, **body: Any) -> int:
        """An inbound call placed through the control interface; returns its id."""
        call = await self.sim("POST", "/calls/inbound", {"contact": "79031234567", **body})
        return int(call["call_session_id"])

    def leg(self, call_id: int, role: str, index: int = -1) -> int:
        """The id of a leg playing ``role`` (the newest by default)."""
        legs = [leg for leg in self.h.legs(call_id) if leg["role"] == role]
        return int(legs[index]["leg_id"])


@contextlib.asynccontextmanager
async def notified_harness(
    options: SimulatorOptions | None = None,
    account: Account | None = None,
    *,
    subscribe: bool = True,
) -> AsyncIterator[Notified]:
    """A harness whose simulator notifies every event to a fresh receiver (default templates,
    subscribed over HTTP as ``--notify-url`` would)."""
    async with running_receiver() as rx, running_harness(options, account) as h:
        notified = Notified(h, rx)
        if subscribe:
            await notified.sim("POST", "/notifications/subscriptions", {"base_url": rx.base_url})
        yield notified
