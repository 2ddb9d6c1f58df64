"""The public :class:`Simulator`: an offline UIS Call API on loopback, plus :func:`serve`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from sandbox.uis.account import Account, demo_account, load_account
from sandbox.uis.clock import Clock, ManualClock, RealClock
from sandbox.uis.control import SimulatorControl
from sandbox.uis.notifier import Notifier
from sandbox.uis.options import SimulatorOptions
from sandbox.uis.reference import Reference, packaged_reference
from sandbox.uis.runtime import Runtime
from sandbox.uis.server import CONTROL_PREFIX, RPC_PATH, build_app

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunningServer:
    """Where a running simulator listens."""

    host: str
    port: int

    @property
    def base_url(self) -> str:
        """``http://host:port`` (IPv6 hosts in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The Call API endpoint, ``http://host:port/v4.0``."""
        return self.base_url + RPC_PATH

    @property
    def control_url(self) -> str:
        """The control interface root, ``http://host:port/_sim``."""
        return self.base_url + CONTROL_PREFIX


class Simulator:
    """An offline UIS Call API v4.0 with a scripted world behind it.

    ``Simulator(account=demo_account(), options=SimulatorOptions(), clock=ManualClock())``;
    serve it with ``async with sim.running(host="127.0.0.1", port=0) as server`` and drive the
    world with ``sim.control``.
    """

    def __init__(
        self,
        account: Account | None = None,
        options: SimulatorOptions | None = None,
        clock: Clock | None = None,
        reference: Reference | None = None,
    ) -> None:
        self.clock: Clock = clock if clock is not None else RealClock()
        self.runtime = Runtime(
            account=account if account is not None else demo_account(),
            options=options if options is not None else SimulatorOptions(),
            clock=self.clock,
            reference=reference if reference is not None else packaged_reference(),
        )
        self.control = SimulatorControl(self.runtime)
        if isinstance(self.clock, ManualClock):
            # advance() fires due events synchronously, so tests see their effect at once.
            self.clock.subscribe(self._on_clock_advanced)

    def _on_clock_advanced(self, now: float) -> None:
        self.runtime.tick()

    @property
    def options(self) -> SimulatorOptions:
        """The options in force (change them with ``control.patch_options``)."""
        return self.runtime.options

    @property
    def notifier(self) -> Notifier:
        """Event notifications: subscriptions, delivery faults, the delivery log."""
        return self.runtime.notifier

    @property
    def account(self) -> Account:
        """The live account (change it with the control methods)."""
        return self.runtime.account

    def build_app(self) -> web.Application:
        """A fresh aiohttp application serving this simulator."""
        return build_app(self.runtime, self.control)

    async def _ticker(self) -> None:
        """Fire timed events on a real clock (a manual clock fires them in advance())."""
        while True:
            try:
                self.runtime.tick()
            except Exception:  # a bug in one event must not stop the world
                logger.exception("simulator tick failed")
            await asyncio.sleep(self.runtime.options.tick_interval_seconds)

    @contextlib.asynccontextmanager
    async def running(self, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[RunningServer]:
        """Serve on ``host:port`` (0 = any free port) for the duration of the block."""
        runner = web.AppRunner(self.build_app(), access_log=None, handle_signals=False)
        await runner.setup()
        ticker: asyncio.Task[None] | None = None
        try:
            site = web.TCPSite(runner, host, port, reuse_address=True)
            await site.start()
            server = site._server
            assert server is not None
            sockets = getattr(server, "sockets", None) or []
            bound_port = int(sockets[0].getsockname()[1]) if sockets else port
            running = RunningServer(host=host, port=bound_port)
            await self.runtime.notifier.start(running.base_url)
            if not isinstance(self.clock, ManualClock):
                ticker = asyncio.create_task(self._ticker(), name="uis-simulator-ticker")
            yield running
        finally:
            if ticker is not None:
                ticker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ticker
            await self.runtime.notifier.stop()
            await runner.cleanup()


async def _serve_until_stopped(simulator: Simulator, host: str, port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with simulator.running(host, port) as server:
        print(f"UIS Call API simulator listening on {server.url}", flush=True)
        print(f"control interface at {server.control_url}", flush=True)
        for subscription in simulator.notifier.subscriptions():
            print(f"notifies {subscription['event']} to {subscription['url']}", flush=True)
        await stop.wait()


def serve(
    host: str,
    port: int,
    account_path: str | None,
    options: SimulatorOptions,
    notify_url: str | None = None,
) -> None:
    """Run a simulator on the real clock until SIGINT/SIGTERM (blocking).

    ``account_path`` = an account JSON file, or None for the built-in demo account.
    ``notify_url`` = subscribe every event notification at ``{notify_url}/{event}``.
    """
    account = load_account(Path(account_path)) if account_path else demo_account()
    simulator = Simulator(account=account, options=options, clock=RealClock())
    if notify_url is not None:
        simulator.notifier.subscribe_all(notify_url)
    asyncio.run(_serve_until_stopped(simulator, host, port))
