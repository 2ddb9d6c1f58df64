"""Injected transport faults for the next N requests, optionally only for one method.

Whether the request is still executed matters to a client (was the call started or not?):

========================  =========  ===============================================
kind                      executed   what the client sees
========================  =========  ===============================================
latency                   yes        the normal reply, ``seconds`` later
http_500_json             no         HTTP 500 with a JSON-RPC internal_error body
http_500_text             no         HTTP 500 with a plain-text (non-JSON) body
internal_error            no         HTTP 200 with a JSON-RPC internal_error reply
malformed_json            no         HTTP 200, Content-Type JSON, body not valid JSON
truncated_body            yes        HTTP 200 whose body stops half way (connection
                                     closed before Content-Length bytes arrived)
drop_connection           no         the connection is closed without any reply
reply_lost                yes        executed (e.g. the call exists), then the
                                     connection is closed without a reply
========================  =========  ===============================================

Latency faults add up and combine with at most one other fault (the first matching one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FAULT_KINDS = frozenset(
    {
        "latency",
        "http_500_json",
        "http_500_text",
        "internal_error",
        "malformed_json",
        "truncated_body",
        "drop_connection",
        "reply_lost",
    }
)
EXECUTED_KINDS = frozenset({"latency", "truncated_body", "reply_lost"})


@dataclass
class Fault:
    """A fault armed for the next ``remaining`` matching requests."""

    kind: str
    remaining: int = 1
    method: str | None = None  # None = any request (also ones that are not valid JSON-RPC)
    seconds: float = 0.0  # latency only
    fault_id: int = 0

    def matches(self, method: str | None) -> bool:
        """Whether this fault applies to a request for ``method``."""
        return self.remaining > 0 and (self.method is None or self.method == method)

    def to_json(self) -> dict[str, Any]:
        """JSON view for the control interface."""
        return {
            "id": self.fault_id,
            "kind": self.kind,
            "remaining": self.remaining,
            "method": self.method,
            "seconds": self.seconds,
        }


@dataclass
class FaultPlan:
    """What to do to one request: a total delay and at most one other fault."""

    delay: float = 0.0
    fault: str | None = None

    @property
    def executes(self) -> bool:
        """Whether the request is processed despite the fault."""
        return self.fault is None or self.fault in EXECUTED_KINDS

    def labels(self) -> list[str]:
        """Fault names for the request log."""
        out = ["latency"] if self.delay > 0 else []
        if self.fault is not None:
            out.append(self.fault)
        return out


@dataclass
class FaultQueue:
    """Armed faults, consumed in the order they were added."""

    faults: list[Fault] = field(default_factory=list)
    _next_id: int = 1

    def add(
        self, kind: str, *, count: int = 1, method: str | None = None, seconds: float = 0.0
    ) -> Fault:
        """Arm ``kind`` for the next ``count`` requests (for ``method`` only, when given)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {sorted(FAULT_KINDS)}")
        if count < 1:
            raise ValueError("count must be at least 1")
        if kind == "latency" and seconds <= 0:
            raise ValueError("a latency fault needs seconds > 0")
        fault = Fault(kind, count, method, float(seconds), self._next_id)
        self._next_id += 1
        self.faults.append(fault)
        return fault

    def take(self, method: str | None) -> FaultPlan:
        """Consume the faults that apply to one request for ``method``."""
        plan = FaultPlan()
        for fault in self.faults:
            if not fault.matches(method):
                continue
            if fault.kind == "latency":
                plan.delay += fault.seconds
                fault.remaining -= 1
            elif plan.fault is None:
                plan.fault = fault.kind
                fault.remaining -= 1
        self.faults = [fault for fault in self.faults if fault.remaining > 0]
        return plan

    def clear(self) -> None:
        """Disarm everything."""
        self.faults.clear()
