"""Typed async Call API client: one instance (one httpx client, one points budget) per deployment.

Usage::

    async with CallApiClient(base_url=UIS_BASE_URL, budget=PointsBudget(reserve=5)) as client:
        user = client.bind(LoginSessionCredentials("demo.manager", "..."), context={"chat": 1})
        reply = await user.start_employee_call(
            virtual_phone_number="74993720692", contact="+7 903 123-45-67",
            first_call="employee", employee={"id": 101},
        )
        await user.hold_call(call_session_id=reply.data.call_session_id,
                             contact_message=Message.media(501))

Per request the client: validates params with the method's model (nothing is sent if they are
invalid); adds ``direction="out"`` and a unique ``external_id`` to start.* calls; takes a token
from the credentials provider; asks the budget for the points; POSTs one JSON-RPC 2.0 envelope;
parses the reply and its metadata; tells the observer about the attempt. The intent observer,
if any, hears of each attempt synchronously right before its request is sent (write-ahead).
Policy:

* read-only methods (list.calls, list.talk_options) are retried on transport errors, bounded,
  with exponential backoff; nothing else is ever re-sent after a transport error. An action whose
  request may have reached the server raises :class:`~api.errors.OutcomeUnknownError`;
* a login session whose token is rejected (access_token_invalid) logs in again at most once per
  call - if its provider holds the password - and resends with the NEW token;
* logout.user with a permanent key is refused locally.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import random
import secrets
import time
import warnings
from abc import abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final, Literal, NamedTuple, TypeVar, cast

import aiohttp
import httpx
from pydantic import BaseModel, ValidationError

from api.budget import PointsBudget
from api.credentials import CredentialKind, CredentialsProvider, LoginFunction
from api.envelope import (
    JSON_CONTENT_TYPE,
    ErrorReply,
    MalformedReply,
    ParsedReply,
    RequestIdFactory,
    SuccessReply,
    encode_request,
    parse_reply,
)
from api.errors import (
    AuthError,
    BudgetExceededError,
    CallApiError,
    CredentialsUnavailableError,
    FieldProblem,
    LimitExceededError,
    OutcomeUnknownError,
    ParamsValidationError,
    PermanentKeyLogoutError,
    TransportError,
    TransportErrorKind,
    UnknownMethodError,
    error_from_reply,
)
from api.metadata import DeprecatedApiVersionWarning, ReplyMetadata
from api.methods import LOGIN_METHOD, LOGOUT_METHOD, METHODS, MethodSpec
from api.models import PHONE_REGION_CONTEXT_KEY, CallInfo, ListCallsResult, LoginUserResult
from api.models.common import FORM_TAG_PREFIX
from api.observer import (
    AttemptIntent,
    AttemptOutcome,
    AttemptRecord,
    AttemptTrigger,
    IntentObserver,
    Observer,
    notify_intent,
    notify_observer,
    notify_observer_now,
    redact_params,
)
from api.phones import DEFAULT_REGION
from api.reply import Reply
from api.transport import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_TIMEOUT,
    DEFAULT_TRANSPORT,
    TransportChoice,
    classify_transport_exception,
    create_http_client,
)
from api.typed_methods import TypedMethods

__all__ = [
    "API_VERSION",
    "COMAGIC_BASE_URL",
    "UIS_BASE_URL",
    "BoundCallApi",
    "CallApiClient",
    "RetryPolicy",
    "base_url_for",
    "new_external_id",
]

logger = logging.getLogger(__name__)

API_VERSION: Final = "v4.0"
UIS_BASE_URL: Final = f"https://callapi.uiscom.ru/{API_VERSION}"
COMAGIC_BASE_URL: Final = f"https://callapi.comagic.ru/{API_VERSION}"
_PLATFORM_HOSTS: Final = {"uis": "callapi.uiscom.ru", "comagic": "callapi.comagic.ru"}

_HEADERS: Final = {"Content-Type": JSON_CONTENT_TYPE}
# Stand-in for access_token while validating params: the real token is fetched (and maybe
# renewed) per attempt, after validation, so bad params never trigger a login.
_PENDING_TOKEN: Final = "pending-token"  # noqa: S105 - a placeholder, never sent
_TOKEN_FIELD: Final[set[str]] = {"access_token"}  # read-only; passed to model_dump(exclude=)
# A login session may also see access_token_expired (the EN docs use it for expired sessions).
_RELOGIN_MNEMONICS: Final = frozenset({"access_token_invalid", "access_token_expired"})
_TRANSPORT_EXCEPTIONS: Final = (httpx.HTTPError, aiohttp.ClientError, OSError, TimeoutError)

ResultT = TypeVar("ResultT", bound=BaseModel)


def base_url_for(platform: Literal["uis", "comagic"], *, version: str = API_VERSION) -> str:
    """Versioned base URL of a platform (``https://callapi.uiscom.ru/v4.0``)."""
    return f"https://{_PLATFORM_HOSTS[platform]}/{version}"


def new_external_id() -> str:
    """A fresh external_id for a start.* call (``cb-`` + 24 hex digits)."""
    return f"cb-{secrets.token_hex(12)}"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retries of read-only methods after transport errors.

    ``attempts`` counts all attempts (3 = the first plus two retries). The delay before retry n
    is ``base_delay * 2**(n-1)``, capped at ``max_delay``, with random jitter down to half.
    """

    attempts: int = 3
    base_delay: float = 0.2
    max_delay: float = 2.0

    def delay(self, retry_number: int) -> float:
        """Seconds to wait before retry number ``retry_number`` (1-based)."""
        full = min(self.max_delay, self.base_delay * 2.0 ** (retry_number - 1))
        return full * (0.5 + random.random() / 2)


def _problems(error: ValidationError) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for item in error.errors(include_url=False, include_input=False):
        parts = (str(part) for part in item["loc"])
        field = ".".join(part for part in parts if not part.startswith(FORM_TAG_PREFIX))
        field = field or "params"
        kind = item["type"]
        if kind == "missing":
            text = "is required"
        elif kind == "extra_forbidden":
            text = "is not a parameter of this method"
        else:
            text = item["msg"].removeprefix("Value error, ")
        problems.append(FieldProblem((field, text)))
    return problems


def _is_action(spec: MethodSpec | None) -> bool:
    """Methods that change something on the server (everything but reads and login)."""
    return spec is None or not (spec.read_only or spec.name == LOGIN_METHOD)


class _Caller(TypedMethods):
    """The call surface the client and its per-user views share: :meth:`call`, the typed methods
    and :meth:`find_call_by_external_id`, sent with the credentials, context and exit reserve the
    object holds through the one :meth:`CallApiClient.execute`."""

    _credentials: CredentialsProvider | None
    _context: Mapping[str, Any]
    _login_function: LoginFunction
    _exit_reserve: int

    @property
    @abstractmethod
    def _executor(self) -> CallApiClient:
        """The shared client whose pipeline sends the requests."""

    async def call(
        self, method: str, params: Mapping[str, Any] | None = None, *, validate: bool = True
    ) -> Reply[Any]:
        """Send any method with these credentials (the client's default ones, or a user's).

        Known methods are validated and their data parsed into the result model. With
        ``validate=False`` params go out as given and data comes back as raw JSON (useful to
        exercise the server's own validation, or a method outside the reference).
        """
        return await self._executor.execute(
            method,
            params,
            credentials=self._credentials,
            context=self._context,
            login_function=self._login_function,
            validate=validate,
            exit_reserve=self._exit_reserve,
        )

    async def find_call_by_external_id(self, external_id: str) -> CallInfo | None:
        """The call in progress started with ``external_id`` - e.g. after OutcomeUnknownError."""
        reply: Reply[ListCallsResult] = await self.list_calls()
        return reply.data.find_by_external_id(external_id)

    async def _call_model(
        self, method: str, params: dict[str, Any], result_type: type[ResultT]
    ) -> Reply[ResultT]:
        reply = await self.call(method, params)
        return cast(Reply[ResultT], reply)


class CallApiClient(_Caller):
    """The shared client. Typed methods on the client itself use its default credentials."""

    def __init__(
        self,
        *,
        base_url: str = UIS_BASE_URL,
        credentials: CredentialsProvider | None = None,
        context: Mapping[str, Any] | None = None,
        budget: PointsBudget | None = None,
        observer: Observer | None = None,
        intent_observer: IntentObserver | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: TransportChoice = DEFAULT_TRANSPORT,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        retry: RetryPolicy | None = None,
        phone_region: str = DEFAULT_REGION,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        request_ids: Callable[[], str] | None = None,
    ) -> None:
        if not base_url.startswith(("https://", "http://")):
            raise ValueError("base_url must be an http(s) URL, e.g. https://callapi.uiscom.ru/v4.0")
        self._base_url = base_url.rstrip("/")
        self._owns_http = http_client is None
        self._http = http_client or create_http_client(
            transport=transport, timeout=timeout, max_connections=max_connections
        )
        self._budget = budget if budget is not None else PointsBudget()
        self._observer = observer
        self._intent_observer = intent_observer
        self._retry = retry if retry is not None else RetryPolicy()
        self._sleep = sleep
        self._request_ids = request_ids or RequestIdFactory()
        self._validation_context: dict[str, Any] = {PHONE_REGION_CONTEXT_KEY: phone_region}
        self._credentials = credentials
        self._context: Mapping[str, Any] = MappingProxyType(dict(context or {}))
        self._login_function = self.login_function_for(self._context)
        self._exit_reserve = 0
        self._deprecation_reported = False
        self.api_version_deprecated = False
        """True once any reply flagged the API version in the base URL as deprecated."""

    def __repr__(self) -> str:
        return f"CallApiClient(base_url={self._base_url!r})"

    @property
    def base_url(self) -> str:
        """The versioned endpoint every request is POSTed to."""
        return self._base_url

    @property
    def budget(self) -> PointsBudget:
        """The account's points budget shared by all users of this client."""
        return self._budget

    @property
    def http_client(self) -> httpx.AsyncClient:
        """The shared httpx client."""
        return self._http

    async def aclose(self) -> None:
        """Close the HTTP client if this object created it."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> CallApiClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def bind(
        self, credentials: CredentialsProvider, *, context: Mapping[str, Any] | None = None
    ) -> BoundCallApi:
        """A per-user view: same HTTP client and budget, this user's credentials and context."""
        return BoundCallApi(self, credentials, context)

    @property
    def _executor(self) -> CallApiClient:
        return self

    def login_function_for(self, context: Mapping[str, Any]) -> LoginFunction:
        """The login.user function handed to credential providers (observed with ``context``)."""

        async def login(login: str, password: str) -> LoginUserResult:
            reply = await self.execute(
                LOGIN_METHOD,
                {"login": login, "password": password},
                credentials=None,
                context=context,
                login_function=None,
                validate=True,
            )
            return cast(LoginUserResult, reply.data)

        return login

    # ------------------------------------------------------------------ request pipeline

    async def execute(
        self,
        method: str,
        params: Mapping[str, Any] | None,
        *,
        credentials: CredentialsProvider | None,
        context: Mapping[str, Any],
        login_function: LoginFunction | None,
        validate: bool = True,
        exit_reserve: int = 0,
    ) -> Reply[Any]:
        """One logical call: validation, token, budget, attempts (re-login / read retries).

        ``exit_reserve``: for a method that leaves a call waiting (hold.call, make.call), the
        points the budget must keep for ways out (see :meth:`PointsBudget.acquire`).
        """
        spec = METHODS.get(method)
        if spec is None and validate:
            raise UnknownMethodError(
                f"{method!r} is not a Call API v4.0 method (validate=False sends it anyway)"
            )
        arguments = dict(params) if params else {}
        if "access_token" in arguments:
            raise ParamsValidationError(
                method, [FieldProblem(("access_token", "comes from the credentials provider"))]
            )
        external_id: str | None = None
        if spec is not None and spec.starts_call:
            # Calls started on a manager's behalf are outgoing (the server default is "in"), and
            # carry an id we can find them by if the reply is lost.
            if arguments.get("direction") is None:
                arguments["direction"] = "out"
            if arguments.get("external_id") is None:
                arguments["external_id"] = new_external_id()
            external_id = str(arguments["external_id"])
        requires_token = spec.requires_token if spec is not None else True
        if requires_token:
            if credentials is None:
                raise CredentialsUnavailableError(
                    f"{method} needs credentials: use client.bind(credentials) or pass"
                    " credentials= to CallApiClient"
                )
            if method == LOGOUT_METHOD and credentials.kind is CredentialKind.PERMANENT_KEY:
                raise PermanentKeyLogoutError(
                    "logout.user is refused with a permanent key: it would delete the key"
                )
        wire = (
            self._validate_params(spec, arguments, requires_token)
            if validate and spec is not None
            else arguments
        )
        observed = (
            redact_params(wire)
            if self._observer is not None or self._intent_observer is not None
            else wire
        )

        token: str | None = None
        if credentials is not None and requires_token:
            assert login_function is not None
            token = await credentials.get_token(login_function)
        attempt = 0
        read_retries = 0
        relogged = False
        trigger = AttemptTrigger.FIRST
        while True:
            attempt += 1
            body_params = {"access_token": token, **wire} if token is not None else wire
            outcome = await self._attempt(
                method,
                spec,
                body_params,
                observed,
                context,
                attempt,
                trigger,
                external_id,
                exit_reserve,
            )
            if isinstance(outcome, _AttemptSuccess):
                data = self._parse_result(spec, outcome, validate, external_id, method)
                if method == LOGOUT_METHOD and credentials is not None and token is not None:
                    await credentials.discard_token(token)
                return Reply(
                    method=method,
                    data=data,
                    metadata=outcome.metadata,
                    request_id=outcome.request_id,
                    attempts=attempt,
                    external_id=external_id,
                )
            if isinstance(outcome, AuthError):
                if (
                    not relogged
                    and token is not None
                    and credentials is not None
                    and credentials.kind is CredentialKind.LOGIN_SESSION
                    and outcome.mnemonic in _RELOGIN_MNEMONICS
                ):
                    assert login_function is not None
                    renewed = await credentials.renew_token(token, login_function)
                    if renewed is not None and renewed != token:
                        token = renewed
                        relogged = True
                        trigger = AttemptTrigger.RELOGIN
                        continue
                if outcome.mnemonic in _RELOGIN_MNEMONICS:
                    outcome.final = True
                raise outcome
            if isinstance(outcome, CallApiError):
                raise outcome
            if spec is not None and spec.retry_safe and read_retries + 1 < self._retry.attempts:
                read_retries += 1
                trigger = AttemptTrigger.RETRY
                await self._sleep(self._retry.delay(read_retries))
                continue
            if _is_action(spec) and not outcome.request_not_sent:
                raise OutcomeUnknownError(outcome, external_id=external_id) from outcome
            raise outcome

    def _validate_params(
        self, spec: MethodSpec, arguments: dict[str, Any], requires_token: bool
    ) -> dict[str, Any]:
        candidate = {**arguments, "access_token": _PENDING_TOKEN} if requires_token else arguments
        try:
            model = spec.params_model.model_validate(candidate, context=self._validation_context)
        except ValidationError as error:
            raise ParamsValidationError(spec.name, _problems(error)) from error
        return model.model_dump(
            mode="json",
            exclude_unset=True,
            exclude_none=True,
            exclude=_TOKEN_FIELD if requires_token else None,
        )

    def _parse_result(
        self,
        spec: MethodSpec | None,
        reply: _AttemptSuccess,
        validate: bool,
        external_id: str | None,
        method: str,
    ) -> Any:
        if spec is None or not validate:
            return reply.data
        try:
            return spec.result_model.model_validate(reply.data)
        except ValidationError as error:
            problems = "; ".join(f"{p.field}: {p.problem}" for p in _problems(error))
            failure = TransportError(
                TransportErrorKind.INVALID_REPLY,
                f"result does not match {spec.result_model.__name__}: {problems}",
                method=method,
                request_id=reply.request_id,
            )
            if _is_action(spec):
                raise OutcomeUnknownError(failure, external_id=external_id) from error
            raise failure from error

    async def _attempt(
        self,
        method: str,
        spec: MethodSpec | None,
        params: Mapping[str, Any],
        observed: Mapping[str, Any],
        context: Mapping[str, Any],
        attempt: int,
        trigger: AttemptTrigger,
        external_id: str | None,
        exit_reserve: int = 0,
    ) -> _AttemptSuccess | CallApiError | TransportError:
        """One HTTP attempt; never raises for server or transport errors (returns them)."""
        request_id = self._request_ids()
        try:
            body = encode_request(method, params, request_id)
        except (TypeError, ValueError) as error:
            raise ParamsValidationError(
                method, [FieldProblem(("params", f"not JSON serialisable: {error}"))]
            ) from error
        priority = spec is not None and (spec.in_call_action or spec.name == LOGIN_METHOD)
        try:
            reservation = self._budget.acquire(
                spec.points if spec is not None else 1,
                priority=priority,
                method=method,
                recovery=spec is not None and spec.recovery_action,
                exit_reserve=exit_reserve if spec is not None and spec.leaves_call_waiting else 0,
            )
        except BudgetExceededError as refusal:
            if self._observer is not None:
                await notify_observer(
                    self._observer,
                    AttemptRecord(
                        method=method,
                        params=observed,
                        outcome=AttemptOutcome.REFUSED_LOCALLY,
                        attempt=attempt,
                        trigger=trigger,
                        detail=str(refusal),
                        external_id=external_id,
                        budget=self._budget.snapshot(),
                        context=context,
                    ),
                )
            raise
        # What is being sent: told to the intent observer now, part of the record after.
        sending = AttemptIntent(
            method, observed, attempt, trigger, request_id, external_id, context
        )
        if self._intent_observer is not None:
            # Before the request can leave: a process killed from here on leaves the intent
            # behind without an outcome, and the audit turns it into "sent, outcome unknown".
            notify_intent(self._intent_observer, sending)
        status: int | None = None
        started = time.perf_counter()
        try:
            try:
                response = await self._http.post(self._base_url, content=body, headers=_HEADERS)
                status = response.status_code
                parsed: ParsedReply = parse_reply(response.content, status, request_id)
            except _TRANSPORT_EXCEPTIONS as error:
                kind, detail = classify_transport_exception(error)
                parsed = MalformedReply(kind, detail)
            latency = time.perf_counter() - started
            result: _AttemptSuccess | CallApiError | TransportError
            if isinstance(parsed, SuccessReply):
                reservation.settle(limits=parsed.metadata.limits, charged=True)
                self._note_metadata(parsed.metadata)
                result = _AttemptSuccess(parsed.data, parsed.metadata, request_id)
            elif isinstance(parsed, ErrorReply):
                reservation.settle(limits=parsed.metadata.limits, charged=False)
                self._note_metadata(parsed.metadata)
                result = error_from_reply(
                    parsed.error,
                    method=method,
                    request_id=request_id,
                    metadata=parsed.metadata,
                    http_status=status,
                )
                if isinstance(result, LimitExceededError) and parsed.metadata.limits is None:
                    limit_type = result.params.get("limit_type")
                    self._budget.note_limit_exceeded(
                        limit_type if isinstance(limit_type, str) else None
                    )
            else:
                result = TransportError(
                    parsed.kind,
                    parsed.detail,
                    method=method,
                    request_id=request_id,
                    http_status=status,
                )
        except BaseException as interrupted:
            # Cancelled (or failed unexpectedly) while the request may be out: say so, so that
            # every attempt has its record (and the intent its outcome). Nothing may be awaited
            # here: a cancelled task must not wait again.
            if self._observer is not None:
                latency = time.perf_counter() - started
                record = _record(interrupted, self._budget, sending, latency, status)
                notify_observer_now(self._observer, record)
            raise
        finally:
            reservation.release()  # no-op once settled; frees the points if we were cancelled
        if self._observer is not None:
            await notify_observer(
                self._observer, _record(result, self._budget, sending, latency, status)
            )
        return result

    def _note_metadata(self, metadata: ReplyMetadata) -> None:
        if not metadata.version_deprecated:
            return
        self.api_version_deprecated = True
        if self._deprecation_reported:
            return
        self._deprecation_reported = True
        version = metadata.api_version
        current = version.current_version if version and version.current_version else "?"
        latest = version.latest_version if version and version.latest_version else "?"
        message = (
            f"Call API version {current} at {self._base_url} is deprecated (latest: {latest}); "
            "it may stop working within about two months"
        )
        logger.warning(message)
        warnings.warn(message, DeprecatedApiVersionWarning, stacklevel=2)


class _AttemptSuccess(NamedTuple):
    data: Any
    metadata: ReplyMetadata
    request_id: str


def _interruption(error: BaseException) -> str:
    if isinstance(error, asyncio.CancelledError):
        return "cancelled while the request was out"
    return f"{type(error).__name__} while the request was out"


def _started_call(data: Any) -> int | None:
    """``data.call_session_id`` of a reply (start.* methods), when it is an integer."""
    value = data.get("call_session_id") if isinstance(data, Mapping) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _record(
    result: _AttemptSuccess | CallApiError | TransportError | BaseException,
    budget: PointsBudget,
    sent: AttemptIntent,
    latency: float,
    status: int | None,
) -> AttemptRecord:
    method, observed, attempt, trigger = sent.method, sent.params, sent.attempt, sent.trigger
    request_id, external_id, context = sent.request_id, sent.external_id, sent.context
    if isinstance(result, _AttemptSuccess):
        return AttemptRecord(
            method=method,
            params=observed,
            outcome=AttemptOutcome.OK,
            attempt=attempt,
            trigger=trigger,
            request_id=request_id,
            latency_seconds=latency,
            http_status=status,
            external_id=external_id,
            limits=result.metadata.limits,
            budget=budget.snapshot(),
            context=context,
            started_call_session_id=_started_call(result.data),
        )
    if isinstance(result, CallApiError):
        return AttemptRecord(
            method=method,
            params=observed,
            outcome=AttemptOutcome.API_ERROR,
            attempt=attempt,
            trigger=trigger,
            request_id=request_id,
            latency_seconds=latency,
            http_status=status,
            error_code=result.code,
            mnemonic=result.mnemonic,
            detail=result.message,
            external_id=external_id,
            limits=result.metadata.limits,
            budget=budget.snapshot(),
            context=context,
        )
    if isinstance(result, TransportError):
        outcome, kind, detail = AttemptOutcome.TRANSPORT_ERROR, result.kind.value, result.detail
    else:  # anything else cut the attempt off (a cancellation): its outcome is unknown
        outcome, kind, detail = AttemptOutcome.UNKNOWN, None, _interruption(result)
    return AttemptRecord(
        method=method,
        params=observed,
        outcome=outcome,
        attempt=attempt,
        trigger=trigger,
        request_id=request_id,
        latency_seconds=latency,
        http_status=status,
        transport_error_kind=kind,
        detail=detail,
        external_id=external_id,
        budget=budget.snapshot(),
        context=context,
    )


class BoundCallApi(_Caller):
    """One user's view of the shared :class:`CallApiClient` (their credentials and context)."""

    def __init__(
        self,
        client: CallApiClient,
        credentials: CredentialsProvider,
        context: Mapping[str, Any] | None = None,
        *,
        exit_reserve: int = 0,
    ) -> None:
        self._client = client
        self._credentials: CredentialsProvider = credentials
        self._context: Mapping[str, Any] = MappingProxyType(dict(context or {}))
        self._login_function = client.login_function_for(self._context)
        self._exit_reserve = exit_reserve

    def keeping_exit_points(self, points: int) -> BoundCallApi:
        """The same view, whose hold.call / make.call keep ``points`` for ways out (one per
        call of this user that will then wait on hold)."""
        view = copy.copy(self)
        view._exit_reserve = points
        return view

    def __repr__(self) -> str:
        return f"BoundCallApi(credentials={self._credentials!r}, context={dict(self._context)!r})"

    @property
    def client(self) -> CallApiClient:
        """The shared client."""
        return self._client

    @property
    def credentials(self) -> CredentialsProvider:
        """This user's credentials provider."""
        return self._credentials

    @property
    def context(self) -> Mapping[str, Any]:
        """The opaque mapping passed to the observer with every attempt."""
        return self._context

    @property
    def _executor(self) -> CallApiClient:
        return self._client
