"""Offline UIS Call API v4.0 simulator: an aiohttp JSON-RPC server on loopback with a scripted
world (account, calls, clock) and a control interface for tests and demos.

Independent of the Call API client in ``api``: it imports only the standard library, aiohttp
and its own reference data. See ``sandbox/uis/README.md``.

    from sandbox.uis import Simulator, SimulatorOptions, ManualClock, load_account, demo_account
    sim = Simulator(account=demo_account(), options=SimulatorOptions(), clock=ManualClock())
    async with sim.running(host="127.0.0.1", port=0) as server:
        ...  # server.url == "http://127.0.0.1:<port>/v4.0"; sim.control drives the world
"""

from sandbox.uis.account import (
    Account,
    AccountError,
    demo_account,
    demo_catalog_bytes,
    load_account,
)
from sandbox.uis.clock import Clock, ManualClock, RealClock
from sandbox.uis.control import ControlError, SimulatorControl
from sandbox.uis.options import SimulatorOptions
from sandbox.uis.simulator import RunningServer, Simulator, serve

__all__ = [
    "Account",
    "AccountError",
    "Clock",
    "ControlError",
    "ManualClock",
    "RealClock",
    "RunningServer",
    "Simulator",
    "SimulatorControl",
    "SimulatorOptions",
    "demo_account",
    "demo_catalog_bytes",
    "load_account",
    "serve",
]
