"""Everything the Call API client raises, as data.

Three families, all under :class:`CallApiClientError`:

* :class:`LocalError` - refused on our side, nothing was sent (bad params, budget, no credentials,
  logout with a permanent key);
* :class:`CallApiError` - the server answered with a JSON-RPC error; one subclass per code group,
  carrying code, mnemonic, message, field, value, params and metadata. Branch on ``mnemonic``;
* :class:`TransportError` - no usable reply: timeout, refused connection, lost connection,
  truncated / non-JSON body. :class:`OutcomeUnknownError` is the transport error of an *action*
  whose request may have reached the server: it was not retried and may or may not have happened
  (for start.* it carries the external_id to look the call up in list.calls).

No error message or repr contains an access token or password.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, ClassVar, Final

from api.metadata import EMPTY_METADATA, ReplyMetadata
from api.mnemonics import ErrorGroup, MnemonicInfo, describe_error, group_for_code

__all__ = [
    "AccessDeniedError",
    "AccountError",
    "AuthError",
    "BudgetExceededError",
    "CallApiClientError",
    "CallApiError",
    "CallForbiddenError",
    "ComponentDisabledError",
    "CredentialsUnavailableError",
    "FieldProblem",
    "InternalServerError",
    "InvalidParamsError",
    "InvalidStateError",
    "LimitExceededError",
    "LocalError",
    "OutcomeUnknownError",
    "ParamsValidationError",
    "PermanentKeyLogoutError",
    "RequestRejectedError",
    "TransportError",
    "TransportErrorKind",
    "UnknownMethodError",
    "UnsupportedFeatureError",
    "VirtualNumberError",
    "error_from_reply",
]


class CallApiClientError(Exception):
    """Base of everything the Call API client raises."""


# --------------------------------------------------------------------------- local refusals


class LocalError(CallApiClientError):
    """Refused on our side; no request was sent."""


class FieldProblem(tuple[str, str]):
    """``(dotted field path, what is wrong)``."""

    __slots__ = ()

    @property
    def field(self) -> str:
        """Dotted path of the parameter, e.g. ``employee.phone_number``."""
        return self[0]

    @property
    def problem(self) -> str:
        """Human-readable description of what is wrong."""
        return self[1]


class ParamsValidationError(LocalError, ValueError):
    """Parameters the reference forbids (unknown key, bad enum value, bad phone, ...)."""

    def __init__(self, method: str, problems: list[FieldProblem]) -> None:
        self.method = method
        self.problems = tuple(problems)
        details = "; ".join(f"{p.field}: {p.problem}" for p in self.problems)
        super().__init__(f"invalid params for {method}: {details}")

    @property
    def fields(self) -> tuple[str, ...]:
        """The dotted names of the parameters at fault."""
        return tuple(p.field for p in self.problems)


class UnknownMethodError(LocalError):
    """The method is not in the reference (send it with ``validate=False`` to force it)."""


class PermanentKeyLogoutError(LocalError):
    """logout.user must never be called with a permanent key (it would delete the key)."""


class CredentialsUnavailableError(LocalError):
    """No usable token: no provider, or a login session that cannot log in again."""


class BudgetExceededError(LocalError):
    """The points budget cannot cover this request; it was not sent.

    ``seconds_to_reset`` is None when the reset time is not known yet. ``window`` is ``"minute"``
    or ``"day"``; ``reserve_applied`` is True when only the in-call reserve stands in the way;
    ``exit_reserve`` (> 0) when that reserve is the points kept for taking calls off hold.
    """

    def __init__(
        self,
        *,
        method: str,
        window: str,
        available: float,
        needed: float,
        seconds_to_reset: float | None,
        reserve_applied: bool,
        exit_reserve: int = 0,
    ) -> None:
        self.method = method
        self.window = window
        self.available = available
        self.needed = needed
        self.seconds_to_reset = seconds_to_reset
        self.reserve_applied = reserve_applied
        self.exit_reserve = exit_reserve
        reset = (
            f"resets in {seconds_to_reset:.0f} s"
            if seconds_to_reset is not None
            else "reset time unknown"
        )
        reserve = (
            f" (the last {exit_reserve} are kept to take calls off hold)"
            if exit_reserve
            else " (the rest is reserved for in-call actions)"
            if reserve_applied
            else ""
        )
        super().__init__(
            f"{method} not sent: {window} points budget has {available:g} left, "
            f"needs {needed:g}{reserve}; {reset}"
        )


# --------------------------------------------------------------------------- server errors


class CallApiError(CallApiClientError):
    """A JSON-RPC error reply. Branch on :attr:`mnemonic` (unique), not on :attr:`message`."""

    group: ClassVar[ErrorGroup] = ErrorGroup.UNKNOWN

    def __init__(
        self,
        *,
        code: int | None,
        mnemonic: str | None,
        message: str,
        method: str,
        request_id: str | None = None,
        field: str | None = None,
        value: Any = None,
        params: Mapping[str, Any] | None = None,
        extended_helper: str | None = None,
        metadata: ReplyMetadata = EMPTY_METADATA,
        http_status: int | None = None,
    ) -> None:
        self.code = code
        self.mnemonic = mnemonic
        self.message = message
        self.method = method
        self.request_id = request_id
        self.field = field
        self.value = value
        self.params: Mapping[str, Any] = dict(params or {})
        self.extended_helper = extended_helper
        self.metadata = metadata
        self.http_status = http_status
        where = f" (field {field})" if field else ""
        super().__init__(f"{method}: {mnemonic or 'error'} [{code}]{where}: {message}")

    @property
    def info(self) -> MnemonicInfo:
        """Documented facts about this error (group, retryable, final for auth, advice)."""
        return describe_error(self.mnemonic, self.code)

    @property
    def retryable(self) -> bool:
        """The same request may succeed later unchanged (never re-sent automatically)."""
        return self.info.retryable


class AuthError(CallApiError):
    """-32001: authentication and key errors.

    ``final`` is True when the credentials are dead: an expired or blocked permanent key (get a new
    key), a wrong login/password, or an invalid token that could not be renewed.
    """

    group = ErrorGroup.AUTH

    def __init__(self, *, final: bool | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.final = self.info.final_auth if final is None else final


class CallForbiddenError(CallApiError):
    """-32002: the call direction is forbidden by the security rules, or blacklist."""

    group = ErrorGroup.DIRECTION


class AccessDeniedError(CallApiError):
    """-32003: IP not whitelisted, user lacks rights, action not allowed."""

    group = ErrorGroup.FORBIDDEN


class InvalidStateError(CallApiError):
    """-32004: method called in the wrong call state / order."""

    group = ErrorGroup.INVALID_STATE


class VirtualNumberError(CallApiError):
    """-32007: virtual-number errors."""

    group = ErrorGroup.VIRTUAL_NUMBER


class ComponentDisabledError(CallApiError):
    """-32008: the Call API component of the method is not enabled."""

    group = ErrorGroup.COMPONENT


class AccountError(CallApiError):
    """-32009: the account is disabled."""

    group = ErrorGroup.ACCOUNT


class LimitExceededError(CallApiError):
    """-32029: the points limit is used up (the budget normally prevents this)."""

    group = ErrorGroup.LIMITS

    @property
    def seconds_to_reset(self) -> float | None:
        """Seconds until the exhausted counter resets, from the reply metadata if present."""
        limits = self.metadata.limits
        if limits is None:
            return None
        limit_type = str(self.params.get("limit_type", "")).lower()
        if "day" in limit_type:
            return limits.day_reset
        if "minute" in limit_type:
            return limits.minute_reset
        exhausted = [
            reset
            for remaining, reset in (
                (limits.minute_remaining, limits.minute_reset),
                (limits.day_remaining, limits.day_reset),
            )
            if remaining is not None and remaining <= 0 and reset is not None
        ]
        return max(exhausted) if exhausted else limits.minute_reset


class InvalidParamsError(CallApiError):
    """-32602: the server rejected a parameter (see ``field`` / ``value``)."""

    group = ErrorGroup.INVALID_PARAMS


class InternalServerError(CallApiError):
    """-32603: failure on the UIS side."""

    group = ErrorGroup.INTERNAL


class UnsupportedFeatureError(CallApiError):
    """-32099: batches / JSON-RPC notifications (both spellings of the batch mnemonic)."""

    group = ErrorGroup.UNSUPPORTED


class RequestRejectedError(CallApiError):
    """-32700 / -32600 / -32601: the request itself was not understood (a client bug)."""


_CLASS_BY_GROUP: Final[Mapping[ErrorGroup, type[CallApiError]]] = {
    ErrorGroup.AUTH: AuthError,
    ErrorGroup.DIRECTION: CallForbiddenError,
    ErrorGroup.FORBIDDEN: AccessDeniedError,
    ErrorGroup.INVALID_STATE: InvalidStateError,
    ErrorGroup.VIRTUAL_NUMBER: VirtualNumberError,
    ErrorGroup.COMPONENT: ComponentDisabledError,
    ErrorGroup.ACCOUNT: AccountError,
    ErrorGroup.LIMITS: LimitExceededError,
    ErrorGroup.INVALID_PARAMS: InvalidParamsError,
    ErrorGroup.INTERNAL: InternalServerError,
    ErrorGroup.UNSUPPORTED: UnsupportedFeatureError,
    ErrorGroup.PARSE_ERROR: RequestRejectedError,
    ErrorGroup.INVALID_REQUEST: RequestRejectedError,
    ErrorGroup.METHOD_NOT_FOUND: RequestRejectedError,
}


def error_from_reply(
    error: Mapping[str, Any],
    *,
    method: str,
    request_id: str | None,
    metadata: ReplyMetadata,
    http_status: int | None,
) -> CallApiError:
    """Build the right :class:`CallApiError` subclass from a reply's ``error`` object."""
    raw_code = error.get("code")
    code = raw_code if isinstance(raw_code, int) and not isinstance(raw_code, bool) else None
    data = error.get("data")
    data = data if isinstance(data, Mapping) else {}
    mnemonic = data.get("mnemonic")
    raw_params = data.get("params")
    field = data.get("field")
    helper = data.get("extended_helper")
    message = error.get("message")
    cls = _CLASS_BY_GROUP.get(group_for_code(code), CallApiError)
    return cls(
        code=code,
        mnemonic=mnemonic if isinstance(mnemonic, str) else None,
        message=message if isinstance(message, str) else "",
        method=method,
        request_id=request_id,
        field=field if isinstance(field, str) else None,
        value=data.get("value"),
        params=raw_params if isinstance(raw_params, Mapping) else None,
        extended_helper=helper if isinstance(helper, str) else None,
        metadata=metadata,
        http_status=http_status,
    )


# --------------------------------------------------------------------------- transport errors


class TransportErrorKind(StrEnum):
    """What went wrong on the wire."""

    CONNECT_REFUSED = "connect_refused"
    CONNECT_TIMEOUT = "connect_timeout"
    CONNECT_ERROR = "connect_error"  # DNS, TLS, unreachable network
    POOL_TIMEOUT = "pool_timeout"  # no free connection in time
    WRITE_TIMEOUT = "write_timeout"
    READ_TIMEOUT = "read_timeout"
    CONNECTION_LOST = "connection_lost"  # reset / closed before a complete reply
    TRUNCATED_REPLY = "truncated_reply"  # body ended early (HTTP framing or JSON cut short)
    NON_JSON_REPLY = "non_json_reply"  # HTTP 200 whose body is not JSON
    HTTP_STATUS = "http_status"  # non-200 without a JSON-RPC body
    INVALID_REPLY = "invalid_reply"  # JSON, but not the JSON-RPC reply to our request

    @property
    def request_not_sent(self) -> bool:
        """True when the request certainly never reached the server."""
        return self in _NOT_SENT_KINDS


_NOT_SENT_KINDS: Final = frozenset(
    {
        TransportErrorKind.CONNECT_REFUSED,
        TransportErrorKind.CONNECT_TIMEOUT,
        TransportErrorKind.CONNECT_ERROR,
        TransportErrorKind.POOL_TIMEOUT,
    }
)


class TransportError(CallApiClientError):
    """No usable reply. ``kind`` says what happened; ``request_not_sent`` whether it is safe."""

    def __init__(
        self,
        kind: TransportErrorKind,
        detail: str,
        *,
        method: str,
        request_id: str | None = None,
        http_status: int | None = None,
    ) -> None:
        self.kind = kind
        self.detail = detail
        self.method = method
        self.request_id = request_id
        self.http_status = http_status
        status = f" HTTP {http_status}" if http_status is not None else ""
        super().__init__(f"{method}: {kind.value}{status}: {detail}")

    @property
    def request_not_sent(self) -> bool:
        """True when the request certainly never reached the server."""
        return self.kind.request_not_sent


class OutcomeUnknownError(TransportError):
    """An action's request may have reached the server, but no usable reply came back.

    It was NOT retried. For start.* methods ``external_id`` is set: look the call up with
    ``find_call_by_external_id`` before starting it again.
    """

    def __init__(self, cause: TransportError, *, external_id: str | None) -> None:
        super().__init__(
            cause.kind,
            cause.detail,
            method=cause.method,
            request_id=cause.request_id,
            http_status=cause.http_status,
        )
        self.external_id = external_id
        self.cause = cause
