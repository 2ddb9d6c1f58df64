"""A log of every request the JSON-RPC endpoint received, with secrets redacted.

Tests use it to prove what a client sent (or that it sent nothing at all).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REDACTED = "***"
SECRET_PARAMS = frozenset({"access_token", "password"})


def redact(params: Any) -> Any:
    """A copy of ``params`` with access_token/password values replaced, at any depth."""
    if isinstance(params, dict):
        return {
            key: REDACTED if key in SECRET_PARAMS and value is not None else redact(value)
            for key, value in params.items()
        }
    if isinstance(params, list):
        return [redact(item) for item in params]
    return params


@dataclass
class LoggedRequest:
    """One received request and what became of it."""

    seq: int
    at: float
    client_ip: str
    method: str | None
    request_id: Any
    params: Any
    outcome: str  # "success", an error mnemonic, or "fault:<kind>"
    error_code: int | None = None
    http_status: int = 200
    faults: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """JSON view for the control interface."""
        return {
            "seq": self.seq,
            "at": self.at,
            "client_ip": self.client_ip,
            "method": self.method,
            "id": self.request_id,
            "params": self.params,
            "outcome": self.outcome,
            "error_code": self.error_code,
            "http_status": self.http_status,
            "faults": list(self.faults),
        }


MAX_ENTRIES = 100_000  # the oldest entries go first; a long demo must not grow without bound


@dataclass
class RequestLog:
    """Received JSON-RPC requests, oldest first (cleared by reset or explicitly)."""

    entries: list[LoggedRequest] = field(default_factory=list)
    max_entries: int = MAX_ENTRIES
    _seq: int = 0

    def add(
        self, *, at: float, client_ip: str, method: str | None, request_id: Any, params: Any
    ) -> LoggedRequest:
        """Record a request (outcome filled in later); params are stored redacted."""
        self._seq += 1
        entry = LoggedRequest(
            seq=self._seq,
            at=at,
            client_ip=client_ip,
            method=method,
            request_id=request_id,
            params=redact(params),
            outcome="pending",
        )
        self.entries.append(entry)
        if len(self.entries) > self.max_entries:
            del self.entries[: len(self.entries) - self.max_entries]
        return entry

    def clear(self) -> None:
        """Forget all entries."""
        self.entries.clear()
