"""Turns every Call API attempt the client reports into an audit row (write-behind).

Before an attempt's request leaves, its intent is journaled (``AuditWriter.submit_intent``):
the row it becomes - "sent, outcome unknown" - should the process die before the outcome is
recorded. The outcome's row then takes its place (same row id, see ``db.audit_writer``).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from api.observer import AttemptIntent, AttemptOutcome, AttemptRecord, AttemptTrigger
from db.audit import AuditRecord
from db.audit_writer import AuditWriter
from db.models import AuditOutcome

log = logging.getLogger(__name__)

# Keys the bot puts into the client's opaque per-request context.
CTX_CHAT = "chat_id"
CTX_USER = "telegram_user_id"
CTX_UPDATE = "update_id"
CTX_LOGIN = "callapi_login"
# Far more than the updates handled at once: an error is judged while its update runs.
SENDING_UPDATES_KEPT = 10_000

_OUTCOMES = {
    AttemptOutcome.OK: AuditOutcome.OK,
    AttemptOutcome.API_ERROR: AuditOutcome.API_ERROR,
    AttemptOutcome.TRANSPORT_ERROR: AuditOutcome.TRANSPORT_ERROR,
    AttemptOutcome.REFUSED_LOCALLY: AuditOutcome.REFUSED_LOCALLY,
    AttemptOutcome.UNKNOWN: AuditOutcome.OUTCOME_UNKNOWN,
}
# The detail of an intent's row: it is stored only if no outcome ever replaced it.
UNKNOWN_DETAIL = "sent, outcome unknown: the bot stopped while the request was out"


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _who(context: Mapping[str, Any]) -> dict[str, Any]:
    """The row's columns that come from the client's per-user context."""
    return {
        "chat_id": _int_or_none(context.get(CTX_CHAT)),
        "telegram_user_id": _int_or_none(context.get(CTX_USER)),
        "telegram_update_id": _int_or_none(context.get(CTX_UPDATE)),
        "callapi_login": context.get(CTX_LOGIN),
    }


def _attempt_note(attempt: int, trigger: AttemptTrigger) -> list[str]:
    return [] if trigger is AttemptTrigger.FIRST else [f"attempt {attempt} ({trigger.value})"]


def intent_record_for(intent: AttemptIntent) -> AuditRecord:
    """The row an attempt becomes if its outcome is never recorded."""
    return AuditRecord.create(
        method=intent.method,
        outcome=AuditOutcome.OUTCOME_UNKNOWN,
        params=dict(intent.params),
        **_who(intent.context),
        request_id=intent.request_id,
        error_detail="; ".join([*_attempt_note(intent.attempt, intent.trigger), UNKNOWN_DETAIL]),
        call_session_id=_int_or_none(intent.params.get("call_session_id")),
    )


def audit_record_for(attempt: AttemptRecord) -> AuditRecord:
    detail_parts = _attempt_note(attempt.attempt, attempt.trigger)
    if attempt.transport_error_kind:
        detail_parts.append(attempt.transport_error_kind)
    if attempt.http_status is not None and attempt.outcome is not AttemptOutcome.OK:
        detail_parts.append(f"HTTP {attempt.http_status}")
    if attempt.detail:
        detail_parts.append(attempt.detail)
    limits = None if attempt.limits is None else dict(attempt.limits._asdict())
    return AuditRecord.create(
        method=attempt.method,
        outcome=_OUTCOMES[attempt.outcome],
        params=dict(attempt.params),
        **_who(attempt.context),
        request_id=attempt.request_id,
        error_code=attempt.error_code,
        error_mnemonic=attempt.mnemonic or attempt.transport_error_kind,
        error_detail="; ".join(detail_parts) or None,
        call_session_id=_int_or_none(attempt.params.get("call_session_id"))
        or attempt.started_call_session_id,
        latency_ms=attempt.latency_seconds * 1000.0,
        limits=limits,
    )


class AuditObserver:
    """The client's observer (and, through ``intent``, its intent observer): never blocks,
    never raises into the request path."""

    def __init__(self, writer: AuditWriter) -> None:
        self._writer = writer
        # Updates whose handling sent (or was about to send) something to UIS: the errors
        # router tells "nothing was sent" from "UIS may have done it" by this.
        self._sending_updates: OrderedDict[int, None] = OrderedDict()

    def sent_for_update(self, update_id: int) -> bool:
        """Whether an attempt of ``update_id``'s handling left (or was about to leave)."""
        return update_id in self._sending_updates

    def intent(self, intent: AttemptIntent) -> None:
        update_id = _int_or_none(intent.context.get(CTX_UPDATE))
        if update_id is not None:
            self._sending_updates[update_id] = None
            self._sending_updates.move_to_end(update_id)
            while len(self._sending_updates) > SENDING_UPDATES_KEPT:
                self._sending_updates.popitem(last=False)
        try:
            self._writer.submit_intent(intent_record_for(intent))
        except Exception:  # the request goes anyway; its outcome row still follows
            log.exception("could not journal the intent of %s", intent.method)

    def __call__(self, attempt: AttemptRecord) -> None:
        try:
            record = audit_record_for(attempt)
        except Exception:
            # Never lose the row: keep what is certain (method, outcome, who) and say why.
            log.exception("incomplete audit row for %s", attempt.method)
            record = AuditRecord.create(
                method=attempt.method,
                outcome=_OUTCOMES[attempt.outcome],
                chat_id=_int_or_none(attempt.context.get(CTX_CHAT)),
                telegram_user_id=_int_or_none(attempt.context.get(CTX_USER)),
                telegram_update_id=_int_or_none(attempt.context.get(CTX_UPDATE)),
                request_id=attempt.request_id,
                error_mnemonic=attempt.mnemonic,
                error_detail="audit row incomplete: params could not be recorded",
            )
        try:
            self._writer.submit(record)
        except Exception:  # the writer journals first and counts its own failures
            log.exception("could not queue an audit row for %s", attempt.method)
