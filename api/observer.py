"""Observer hook: one record per HTTP attempt (and per request the budget refused locally).

The bot's audit log plugs in here; it therefore sees re-logins and retries as separate attempts.
``params`` never contain secrets (access_token, password). ``context`` is the opaque mapping the
caller gave to ``client.bind(...)`` (e.g. chat id, user id, update id); the api package knows
nothing about what is in it. An observer may be sync or async; whatever it raises is logged and
swallowed, never breaking the call.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from api.budget import BudgetSnapshot
from api.metadata import Limits

__all__ = [
    "REDACTED",
    "SECRET_PARAM_NAMES",
    "AttemptOutcome",
    "AttemptRecord",
    "AttemptTrigger",
    "Observer",
    "notify_observer",
    "redact_params",
]

logger = logging.getLogger(__name__)

REDACTED: Final = "***"
SECRET_PARAM_NAMES: Final = frozenset({"access_token", "password"})
_EMPTY: Final[Mapping[str, Any]] = MappingProxyType({})


class AttemptOutcome(StrEnum):
    """How one attempt ended."""

    OK = "ok"
    API_ERROR = "api_error"
    TRANSPORT_ERROR = "transport_error"
    REFUSED_LOCALLY = "refused_locally"


class AttemptTrigger(StrEnum):
    """Why this attempt was made."""

    FIRST = "first"
    RETRY = "retry"  # read-only method after a transport error
    RELOGIN = "relogin"  # resent once with a fresh login.user session key


@dataclass(slots=True)
class AttemptRecord:
    """One HTTP attempt as the audit log needs it (treat it as read-only).

    Not a frozen dataclass only because frozen ones are several times slower to build and one is
    built per attempt.

    ``limits`` are the ones the reply carried (None for transport errors, local refusals and
    replies without metadata); ``budget`` is the points budget's view right after the attempt.
    """

    method: str
    params: Mapping[str, Any]
    outcome: AttemptOutcome
    attempt: int
    trigger: AttemptTrigger
    request_id: str | None = None
    latency_seconds: float = 0.0
    http_status: int | None = None
    error_code: int | None = None
    mnemonic: str | None = None
    transport_error_kind: str | None = None
    detail: str | None = None
    external_id: str | None = None
    limits: Limits | None = None
    budget: BudgetSnapshot | None = None
    context: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    # The call a successful start.* reply created (its params name none yet).
    started_call_session_id: int | None = None


Observer = Callable[[AttemptRecord], Awaitable[None] | None]


def redact_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``params`` with secret values replaced by ``***``."""
    return {
        key: (REDACTED if key in SECRET_PARAM_NAMES else value) for key, value in params.items()
    }


async def notify_observer(observer: Observer | None, record: AttemptRecord) -> None:
    """Deliver ``record``; an observer failure is logged, never propagated."""
    if observer is None:
        return
    try:
        outcome = observer(record)
        if inspect.isawaitable(outcome):
            await outcome
    except Exception:
        logger.exception(
            "Call API observer failed for %s attempt %s", record.method, record.request_id
        )
