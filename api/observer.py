"""Observer hooks: one record per HTTP attempt (and per request the budget refused locally),
and, before each attempt leaves, its intent.

The bot's audit log plugs in here; it therefore sees re-logins and retries as separate attempts.
``params`` never contain secrets (access_token, password). ``context`` is the opaque mapping the
caller gave to ``client.bind(...)`` (e.g. chat id, user id, update id); the api package knows
nothing about what is in it. An observer may be sync or async; whatever it raises is logged and
swallowed, never breaking the call.

The intent observer is the write-ahead half: it is called synchronously, right before an
attempt's HTTP request is sent, so whatever it records (the bot appends a journal line) is
recorded before the request can reach the server. Every intent is followed by exactly one
:class:`AttemptRecord` with the same ``request_id`` from the same client, also when the attempt
is cancelled or fails unexpectedly while the request is out (outcome ``unknown``); only a killed
process leaves an intent without its record, which is the point of writing it down first.
"""

from __future__ import annotations

import asyncio
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
    "AttemptIntent",
    "AttemptOutcome",
    "AttemptRecord",
    "AttemptTrigger",
    "IntentObserver",
    "Observer",
    "notify_intent",
    "notify_observer",
    "notify_observer_now",
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
    # Cut off while the request was out (the caller was cancelled, or the attempt failed in a
    # way that is not a transport error): the server may or may not have carried it out.
    UNKNOWN = "unknown"


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


@dataclass(slots=True)
class AttemptIntent:
    """An attempt about to be sent (treat it as read-only; slotted for the same reason as
    :class:`AttemptRecord`: one is built per attempt)."""

    method: str
    params: Mapping[str, Any]
    attempt: int
    trigger: AttemptTrigger
    request_id: str
    external_id: str | None = None
    context: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)


Observer = Callable[[AttemptRecord], Awaitable[None] | None]
# Synchronous on purpose: the request must not leave before the intent is recorded, and an
# await here would let other work (or a cancellation) in between. Keep it cheap: it runs in
# the request path of every attempt.
IntentObserver = Callable[[AttemptIntent], None]


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


# Observer coroutines started without waiting for them (see notify_observer_now): referenced
# here until done, so the event loop cannot garbage-collect them half way.
_UNAWAITED: set[asyncio.Future[Any]] = set()


def notify_observer_now(observer: Observer | None, record: AttemptRecord) -> None:
    """Deliver ``record`` without awaiting anything (for a caller being cancelled, which must
    not wait again): a sync observer runs now, an async one is left to run as its own task."""
    if observer is None:
        return
    try:
        outcome = observer(record)
        if inspect.isawaitable(outcome):
            task = asyncio.ensure_future(outcome)
            _UNAWAITED.add(task)
            task.add_done_callback(_unawaited_done)
    except Exception:
        logger.exception(
            "Call API observer failed for %s attempt %s", record.method, record.request_id
        )


def _unawaited_done(task: asyncio.Future[Any]) -> None:
    _UNAWAITED.discard(task)
    if not task.cancelled() and task.exception() is not None:
        logger.error("Call API observer failed", exc_info=task.exception())


def notify_intent(observer: IntentObserver, intent: AttemptIntent) -> None:
    """Deliver ``intent``; a failure is logged, never propagated (the request still goes)."""
    try:
        observer(intent)
    except Exception:
        logger.exception(
            "Call API intent observer failed for %s attempt %s", intent.method, intent.request_id
        )
