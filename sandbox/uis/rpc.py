"""The JSON-RPC 2.0 pipeline of POST /v4.0, in the order the checks run:

1. body -> JSON                          parse_error (-32700), id null
2. a JSON array                          batch_opreations_not_supported (-32099; the RU spelling,
                                         primary; EN docs spell it batch_operations_...)
3. envelope: object, jsonrpc == "2.0"    invalid_request (-32600)
4. no ``id`` member                      notifications_not_supported (-32099)
5. id string/number, method string,      invalid_request (-32600)
   params object
6. unknown method                        method_not_found (-32601)
   (option parameter_check_order="parameters_first": undocumented parameter names are
   refused here, before the credentials: unexpected_parameters (-32602))
7. credentials: access_token (or login/password for login.user) present and strings,
   then the key/session/credentials     required_parameter_missed / data_type_error,
                                         access_token_invalid|expired|blocked, auth_error (-32001)
8. client IP in the whitelist            ip_not_whitelisted (-32003)
   -- from here on replies carry metadata.limits --
9. account active                        account_inactive (-32009)
10. user has 'Access to Call API'        forbidden (-32003)
11. method's component enabled           component_disabled (-32008)
12. points left in day/minute windows    limit_exceeded (-32029)
13. parameters against the reference     unexpected_parameters, required_parameter_missed,
                                         data_type_error, invalid_parameter_value (-32602)
14. the method itself                    method-specific errors; success is charged in points.

The docs list parse_error, invalid_request, method_not_found, the auth errors and
ip_not_whitelisted as the replies without metadata: limits are applied after them, which fixes
the order of steps 6-8 before the others. Everything else about the order is our choice.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from sandbox.uis.account import User
from sandbox.uis.errors import RpcError, make_error, missing_value
from sandbox.uis.methods import HANDLERS, Caller
from sandbox.uis.requestlog import LoggedRequest
from sandbox.uis.runtime import Runtime
from sandbox.uis.validation import ValidationContext, check_parameter_names, validate_params

logger = logging.getLogger(__name__)

BATCH_MNEMONIC = "batch_opreations_not_supported"  # sic: the UIS/CoMagic spelling
BATCH_MNEMONIC_EN = "batch_operations_not_supported"
LATEST_VERSION_WHEN_DEPRECATED = "v4.1"  # only reported with api_version_deprecated=True
DEFAULT_COST = 1  # points of methods whose cost the docs do not show (assumed 1/1)


@dataclass
class RpcReply:
    """What to send back for one request."""

    body: dict[str, Any]
    http_status: int = 200
    method: str | None = None
    executed: bool = False
    log: LoggedRequest | None = field(default=None, repr=False)


class _Refusal(Exception):
    """Envelope-level refusal carrying the id to echo."""

    def __init__(self, error: RpcError, request_id: Any = None) -> None:
        super().__init__(error.mnemonic)
        self.error = error
        self.request_id = request_id


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def decode_body(body: bytes) -> Any:
    """Parse a request body. Bytes that are not UTF-8 survive as lone surrogates, so a TTS
    text with them can later be refused as character_encoding_not_allowed rather than as a
    parse error. NaN/Infinity are not JSON and are refused."""
    text = body.decode("utf-8", errors="surrogateescape")
    return json.loads(text, parse_constant=_reject_constant)


def peek_method(body: bytes) -> str | None:
    """The method name of a request, if the body is a well-formed enough JSON object."""
    try:
        parsed = decode_body(body)
    except (ValueError, RecursionError):
        return None
    if isinstance(parsed, dict) and isinstance(parsed.get("method"), str):
        return str(parsed["method"])
    return None


def _valid_id(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, str | int | float)


class RpcDispatcher:
    """Turns request bodies into replies against a :class:`Runtime`."""

    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime

    # -- entry point -----------------------------------------------------------------------

    def handle(self, body: bytes, client_ip: str) -> RpcReply:
        """Process one POST /v4.0 body from ``client_ip``."""
        rt = self.rt
        rt.tick()
        try:
            request_id, method, params = self._envelope(body)
        except _Refusal as refusal:
            entry = rt.log.add(
                at=rt.now(), client_ip=client_ip, method=None, request_id=None, params=None
            )
            return self._finish_error(entry, refusal.error, refusal.request_id, None, None)
        entry = rt.log.add(
            at=rt.now(), client_ip=client_ip, method=method, request_id=request_id, params=params
        )
        if method not in rt.reference.methods or method not in HANDLERS:
            error = self._error("method_not_found")
            return self._finish_error(entry, error, request_id, method, None)
        user: User | None = None
        try:
            if rt.options.parameter_check_order == "parameters_first":
                check_parameter_names(self._validation_context(method), params)
            user, token = self._authenticate(method, params)
            self._check_ip(client_ip)
        except RpcError as error:
            return self._finish_error(entry, error, request_id, method, None)
        try:
            result = self._run(method, params, user, token)
        except RpcError as error:
            return self._finish_error(entry, error, request_id, method, user)
        return self._finish_success(entry, result, request_id, method)

    def log_fault(self, body: bytes, client_ip: str, faults: list[str], status: int) -> None:
        """Record a request that a non-executing fault swallowed."""
        method, request_id, params = self._best_effort(body)
        entry = self.rt.log.add(
            at=self.rt.now(),
            client_ip=client_ip,
            method=method,
            request_id=request_id,
            params=params,
        )
        entry.outcome = f"fault:{faults[-1]}"
        entry.faults = faults
        entry.http_status = status

    def fault_error_body(self, body: bytes) -> dict[str, Any]:
        """The JSON-RPC internal_error reply used by the http_500_json/internal_error faults."""
        _, request_id, _ = self._best_effort(body)
        error = self._error("internal_error")
        return self._error_body(error, request_id if _valid_id(request_id) else None, None)

    # -- steps -----------------------------------------------------------------------------

    def _error(self, mnemonic: str, method: str | None = None, **kwargs: Any) -> RpcError:
        return make_error(self.rt.reference, mnemonic, method=method, **kwargs)

    def _envelope(self, body: bytes) -> tuple[Any, str, dict[str, Any]]:
        try:
            parsed = decode_body(body)
        except (ValueError, RecursionError):
            raise _Refusal(self._error("parse_error")) from None
        if isinstance(parsed, list):
            raise _Refusal(self._error(BATCH_MNEMONIC))
        if not isinstance(parsed, dict) or parsed.get("jsonrpc") != "2.0":
            raise _Refusal(self._error("invalid_request"))
        if "id" not in parsed:
            raise _Refusal(self._error("notifications_not_supported"))
        request_id = parsed["id"]
        if not _valid_id(request_id):
            raise _Refusal(self._error("invalid_request"))
        method, params = parsed.get("method"), parsed.get("params")
        if not isinstance(method, str) or not isinstance(params, dict):
            raise _Refusal(self._error("invalid_request"), request_id)
        return request_id, method, params

    def _credential(self, method: str, params: dict[str, Any], name: str) -> str:
        value = params.get(name)
        if value is None:
            raise self._error(
                "required_parameter_missed", method, field=name, value=missing_value()
            )
        if not isinstance(value, str):
            raise self._error("data_type_error", method, field=name, value=value)
        return value

    def _authenticate(self, method: str, params: dict[str, Any]) -> tuple[User, str | None]:
        rt = self.rt
        account = rt.account
        if method == "login.user":
            login = self._credential(method, params, "login")
            password = self._credential(method, params, "password")
            user = account.user(login)
            if user is None or user.password != password:
                raise self._error("auth_error", method)
            return user, None
        token = self._credential(method, params, "access_token")
        now = rt.now()
        session = rt.sessions.get(token)
        if session is not None:
            user = account.user(session.login)
            if now >= session.expire_at or user is None:
                # UIS docs: an expired login.user key is simply invalid (expired = permanent keys).
                rt.sessions.pop(token, None)
                raise self._error("access_token_invalid", method)
            return user, token
        key = account.permanent_key(token)
        if key is None:
            raise self._error("access_token_invalid", method)
        if key.blocked:
            raise self._error("access_token_blocked", method)
        if key.expires_at is not None and now >= key.expires_at:
            raise self._error("access_token_expired", method)
        user = account.user(key.login)
        if user is None:
            raise self._error("access_token_invalid", method)
        return user, token

    def _check_ip(self, client_ip: str) -> None:
        if not self.rt.account.ip_allowed(client_ip):
            raise self._error("ip_not_whitelisted", params={"ip": client_ip})

    def _validation_context(self, method: str) -> ValidationContext:
        return ValidationContext(
            reference=self.rt.reference,
            method=self.rt.reference.methods[method],
            refuse_plus_in_numbers=self.rt.options.refuse_plus_in_numbers,
        )

    def _costs(self, method: str) -> tuple[int, int]:
        spec = self.rt.reference.methods[method]
        day = spec.points_day if spec.points_day is not None else DEFAULT_COST
        minute = spec.points_minute if spec.points_minute is not None else DEFAULT_COST
        return day, minute

    def _run(self, method: str, params: dict[str, Any], user: User, token: str | None) -> Any:
        rt = self.rt
        account = rt.account
        now = rt.now()
        if not account.active:
            raise self._error("account_inactive", method)
        if not user.call_api_access:
            raise self._error("forbidden", method)
        component = rt.reference.component_of(method)
        if component.name not in account.components:
            # The component as the account's UI names it (EN), e.g. "Call API Call management".
            raise self._error(
                "component_disabled", method, params={"component_name": component.ui_name_en}
            )
        day_cost, minute_cost = self._costs(method)
        exhausted = rt.points.exceeded(now, account.limits, day_cost, minute_cost)
        if exhausted is not None:
            limit = (
                account.limits.points_per_day
                if exhausted == "day"
                else account.limits.points_per_minute
            )
            raise self._error(
                "limit_exceeded",
                method,
                params={"limit_type": exhausted, "limit_max_value": limit},
            )
        clean = validate_params(self._validation_context(method), params)
        caller = Caller(method=method, user=user, token=token, now=now)
        result = HANDLERS[method](rt, caller, clean)
        # Points are charged only for successful requests.
        rt.points.charge(now, method, day_cost, minute_cost)
        return result

    # -- replies ---------------------------------------------------------------------------

    def _metadata(self) -> dict[str, Any]:
        rt = self.rt
        metadata: dict[str, Any] = {}
        if rt.options.api_version_deprecated:
            metadata["api_version"] = {
                "current_version_deprecated": True,
                "current_version": rt.reference.api_version,
                "latest_version": LATEST_VERSION_WHEN_DEPRECATED,
            }
        metadata["limits"] = rt.points.snapshot(rt.now(), rt.account.limits)
        return metadata

    def _error_body(
        self, error: RpcError, request_id: Any, metadata: dict[str, Any] | None
    ) -> dict[str, Any]:
        data = error.data()
        location = self.rt.options.metadata_location
        if metadata is not None and location == "result":
            data["metadata"] = metadata
        body: dict[str, Any] = {
            "jsonrpc": "2.0",
            "id": request_id,
            "error": {"code": error.code, "message": error.message, "data": data},
        }
        if metadata is not None and location == "envelope":
            body["metadata"] = metadata
        return body

    def _finish_error(
        self,
        entry: LoggedRequest,
        error: RpcError,
        request_id: Any,
        method: str | None,
        user: User | None,
    ) -> RpcReply:
        metadata = self._metadata() if user is not None and error.carries_metadata else None
        entry.outcome = error.mnemonic
        entry.error_code = error.code
        body = self._error_body(error, request_id, metadata)
        return RpcReply(body=body, method=method, executed=True, log=entry)

    def _finish_success(
        self, entry: LoggedRequest, data: Any, request_id: Any, method: str
    ) -> RpcReply:
        metadata = self._metadata()
        result: dict[str, Any] = {"data": data}
        location = self.rt.options.metadata_location
        if location == "result":
            result["metadata"] = metadata
        body: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "result": result}
        if location == "envelope":
            body["metadata"] = metadata
        entry.outcome = "success"
        return RpcReply(body=body, method=method, executed=True, log=entry)

    def _best_effort(self, body: bytes) -> tuple[str | None, Any, Any]:
        try:
            parsed = decode_body(body)
        except (ValueError, RecursionError):
            return None, None, None
        if not isinstance(parsed, dict):
            return None, None, None
        method = parsed.get("method")
        return (method if isinstance(method, str) else None), parsed.get("id"), parsed.get("params")
