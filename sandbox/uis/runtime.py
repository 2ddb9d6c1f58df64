"""The simulator's mutable state in one place: account, sessions, points, calls, log, faults,
event notifications."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sandbox.uis.account import Account
from sandbox.uis.calls import CallEngine
from sandbox.uis.clock import Clock
from sandbox.uis.faults import FaultQueue
from sandbox.uis.limits import PointsMeter
from sandbox.uis.notifier import Notifier
from sandbox.uis.options import SimulatorOptions
from sandbox.uis.reference import Reference
from sandbox.uis.requestlog import RequestLog


@dataclass
class Session:
    """A login.user session key."""

    token: str = field(repr=False)
    login: str
    expire_at: int  # Unix seconds, as login.user reports it


class Runtime:
    """Shared by the JSON-RPC pipeline, the method handlers and the control interface."""

    def __init__(
        self,
        account: Account,
        options: SimulatorOptions,
        clock: Clock,
        reference: Reference,
    ) -> None:
        self.initial_account = account.copy()
        self.account = account
        self.options = options
        self.clock = clock
        self.reference = reference
        self.notifier = Notifier(lambda: self.account, lambda: self.options)
        self.engine = self._new_engine()
        self.sessions: dict[str, Session] = {}
        self.points = PointsMeter(options.utc_offset_hours * 3600)
        self.log = RequestLog()
        self.faults = FaultQueue()

    def _new_engine(self) -> CallEngine:
        return CallEngine(lambda: self.account, lambda: self.options, self.notifier.on_call_event)

    def now(self) -> float:
        """The clock's current time."""
        return self.clock.now()

    def tick(self) -> int:
        """Fire every timed call event that is due; return how many fired."""
        return self.engine.run_due(self.clock.now())

    def new_session(self, login: str) -> Session:
        """Create a login.user session valid for the configured lifetime (1 hour)."""
        now = self.now()
        for stale in [t for t, s in self.sessions.items() if now >= s.expire_at]:
            del self.sessions[stale]
        token = secrets.token_hex(20)
        expire_at = int(self.now() + self.options.session_lifetime_seconds)
        session = Session(token=token, login=login, expire_at=expire_at)
        self.sessions[token] = session
        return session

    def reset(self) -> None:
        """Back to the initial account with no sessions, calls, points, log or faults (request
        and delivery faults); notification subscriptions stay, like the options."""
        self.account = self.initial_account.copy()
        self.engine = self._new_engine()
        self.notifier.reset()
        self.sessions.clear()
        self.points = PointsMeter(self.options.utc_offset_hours * 3600)
        self.log.clear()
        self.faults.clear()
