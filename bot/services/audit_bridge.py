"""Turns every Call API attempt the client reports into an audit row (write-behind)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from api.observer import AttemptOutcome, AttemptRecord, AttemptTrigger
from db.audit import AuditRecord
from db.audit_writer import AuditWriter
from db.models import AuditOutcome

log = logging.getLogger(__name__)

# Keys the bot puts into the client's opaque per-request context.
CTX_CHAT = "chat_id"
CTX_USER = "telegram_user_id"
CTX_UPDATE = "update_id"
CTX_LOGIN = "callapi_login"

_OUTCOMES = {
    AttemptOutcome.OK: AuditOutcome.OK,
    AttemptOutcome.API_ERROR: AuditOutcome.API_ERROR,
    AttemptOutcome.TRANSPORT_ERROR: AuditOutcome.TRANSPORT_ERROR,
    AttemptOutcome.REFUSED_LOCALLY: AuditOutcome.REFUSED_LOCALLY,
}


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def audit_record_for(attempt: AttemptRecord) -> AuditRecord:
    context: Mapping[str, Any] = attempt.context
    detail_parts = []
    if attempt.trigger is not AttemptTrigger.FIRST:
        detail_parts.append(f"attempt {attempt.attempt} ({attempt.trigger.value})")
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
        chat_id=_int_or_none(context.get(CTX_CHAT)),
        telegram_user_id=_int_or_none(context.get(CTX_USER)),
        telegram_update_id=_int_or_none(context.get(CTX_UPDATE)),
        callapi_login=context.get(CTX_LOGIN),
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
    """The client's observer: never blocks, never raises into the request path."""

    def __init__(self, writer: AuditWriter) -> None:
        self._writer = writer

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
