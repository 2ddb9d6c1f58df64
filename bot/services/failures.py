"""Every way an action can fail, reduced to a mnemonic plus context for ``explain_error``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from api.errors import (
    BudgetExceededError,
    CallApiError,
    CredentialsUnavailableError,
    LimitExceededError,
    OutcomeUnknownError,
    ParamsValidationError,
    PermanentKeyLogoutError,
    TransportError,
)
from api.phones import InvalidPhoneNumberError

TOKEN_MISSING = "token_missing"  # noqa: S105 - a mnemonic, not a secret
LOGIN_REQUIRED_AGAIN = "login_required_again"
OUTCOME_UNKNOWN = "outcome_unknown"
BUDGET_REFUSED = "budget_refused"
BUDGET_RESERVE = "budget_reserve"
BUDGET_EXIT_RESERVE = "budget_exit_reserve"
AUTH_MNEMONICS_NEEDING_LOGIN = frozenset(
    {"access_token_invalid", "access_token_expired", "access_token_blocked", LOGIN_REQUIRED_AGAIN}
)


@dataclass(frozen=True)
class Failure:
    mnemonic: str
    context: dict[str, Any] = field(default_factory=dict)
    code: int | None = None

    @property
    def needs_login(self) -> bool:
        return self.mnemonic in AUTH_MNEMONICS_NEEDING_LOGIN or self.mnemonic == TOKEN_MISSING

    @property
    def is_invalid_state(self) -> bool:
        return self.mnemonic == "invalid_state"


class NotSignedInError(Exception):
    """The user has no stored Call API credential (and the chat has no shared key)."""


def failure_from(exc: BaseException, method: str | None = None) -> Failure:
    """Map any exception raised by a Call API request to what the chat shows."""
    if isinstance(exc, NotSignedInError):
        return Failure(TOKEN_MISSING)
    if isinstance(exc, BudgetExceededError):
        mnemonic = (
            BUDGET_EXIT_RESERVE
            if exc.exit_reserve
            else BUDGET_RESERVE
            if exc.reserve_applied
            else BUDGET_REFUSED
        )
        return Failure(
            mnemonic,
            {
                "method": exc.method,
                "seconds_to_reset": exc.seconds_to_reset,
                "limit_type": exc.window,
                "kept": exc.exit_reserve,
            },
        )
    if isinstance(exc, CredentialsUnavailableError):
        return Failure(LOGIN_REQUIRED_AGAIN)
    if isinstance(exc, OutcomeUnknownError):
        return Failure(OUTCOME_UNKNOWN, {"method": exc.method, "external_id": exc.external_id})
    if isinstance(exc, TransportError):
        return Failure(
            f"transport_{exc.kind.value}", {"method": exc.method, "http_status": exc.http_status}
        )
    if isinstance(exc, CallApiError):
        context: dict[str, Any] = {
            key: value for key, value in exc.params.items() if isinstance(key, str)
        }
        context.update(method=exc.method, code=exc.code, message=exc.message)
        if exc.field:
            context["field"] = exc.field
        if isinstance(exc, LimitExceededError):
            context["seconds_to_reset"] = exc.seconds_to_reset
        return Failure(exc.mnemonic or "unknown", context, exc.code)
    if isinstance(exc, InvalidPhoneNumberError):
        return Failure("invalid_parameter_value", {"field": exc.field, "method": method})
    if isinstance(exc, ParamsValidationError):
        fields = ", ".join(exc.fields)
        return Failure("invalid_parameter_value", {"field": fields, "method": exc.method})
    if isinstance(exc, PermanentKeyLogoutError):
        return Failure("forbidden", {"method": "logout.user"})
    raise exc
