"""The aiohttp application: the Call API endpoint at ``/v4.0`` and the control interface under
``/_sim/``.

Transport rules of the endpoint (README section 1): POST only; ``Content-Type`` must be
``application/json`` with charset UTF-8 (or no charset, which for JSON means UTF-8); a
``Content-Length`` is required. How the live server refuses a violation is undocumented; we
answer with a JSON-RPC invalid_request body (replies are always JSON) and HTTP 405 for a wrong
verb, 411 without Content-Length and 200 for a wrong Content-Type. JSON-RPC errors use HTTP 200.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from sandbox.uis.control import ControlError, SimulatorControl
from sandbox.uis.errors import make_error
from sandbox.uis.faults import FaultPlan
from sandbox.uis.notifications import check_rendering
from sandbox.uis.rpc import RpcDispatcher, peek_method
from sandbox.uis.runtime import Runtime

logger = logging.getLogger(__name__)

RPC_PATH = "/v4.0"
CONTROL_PREFIX = "/_sim"
JSON_CONTENT_TYPE = "application/json; charset=UTF-8"
_UTF8_CHARSETS = (None, "utf-8", "utf8")


def encode_json(body: Any) -> bytes:
    """UTF-8 JSON; text that is not valid Unicode (echoed bad bytes) falls back to \\u escapes."""
    try:
        return json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(body, ensure_ascii=True).encode("ascii")


def _json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        body=encode_json(body),
        status=status,
        headers={"Content-Type": JSON_CONTENT_TYPE, **(headers or {})},
    )


def _client_ip(request: web.Request) -> str:
    # The peer address of the TCP connection: no proxy headers are trusted.
    return request.remote or ""


def _drop_connection(request: web.Request) -> None:
    transport = request.transport
    if transport is not None:
        transport.close()


class RpcEndpoint:
    """Handles ``/v4.0``: transport rules, injected faults, then the JSON-RPC pipeline."""

    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        self.dispatcher = RpcDispatcher(runtime)

    def _refusal(self, request: web.Request, mnemonic: str, status: int) -> web.Response:
        error = make_error(self.rt.reference, mnemonic)
        entry = self.rt.log.add(
            at=self.rt.now(),
            client_ip=_client_ip(request),
            method=None,
            request_id=None,
            params=None,
        )
        entry.outcome = mnemonic
        entry.error_code = error.code
        entry.http_status = status
        body = {
            "jsonrpc": "2.0",
            "id": None,
            "error": {"code": error.code, "message": error.message, "data": error.data()},
        }
        headers = {"Allow": "POST"} if status == 405 else None
        return _json_response(body, status, headers)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve one request to the Call API endpoint."""
        body = await request.read() if request.can_read_body else b""
        # Peeking at the method costs a second JSON parse: only when faults are armed.
        plan = self.rt.faults.take(peek_method(body)) if self.rt.faults.faults else FaultPlan()
        if plan.delay > 0:
            await asyncio.sleep(plan.delay)
        if not plan.executes:
            return self._swallowed(request, body, plan)
        if request.method != "POST":
            return self._refusal(request, "invalid_request", 405)
        charset = request.charset.lower() if request.charset else None
        if request.content_type != "application/json" or charset not in _UTF8_CHARSETS:
            return self._refusal(request, "invalid_request", 200)
        if request.content_length is None:
            return self._refusal(request, "invalid_request", 411)
        try:
            reply = self.dispatcher.handle(body, _client_ip(request))
        except Exception:
            # A simulator bug: answer like the real server's internal failure, but with HTTP 500
            # so tests (which never expect a 500 without an injected fault) notice.
            logger.exception("simulator failed on a request")
            entries = self.rt.log.entries
            if entries and entries[-1].outcome == "pending":
                entries[-1].outcome = "crash"
                entries[-1].http_status = 500
            return _json_response(self.dispatcher.fault_error_body(body), 500)
        if reply.log is not None:
            reply.log.faults = plan.labels()
        payload = encode_json(reply.body)
        if plan.fault == "reply_lost":
            _drop_connection(request)
            return web.Response(status=200)
        if plan.fault == "truncated_body":
            response = web.StreamResponse(status=200, headers={"Content-Type": JSON_CONTENT_TYPE})
            response.content_length = len(payload)
            await response.prepare(request)
            await response.write(payload[: len(payload) // 2])
            _drop_connection(request)
            return response
        return web.Response(
            body=payload, status=reply.http_status, headers={"Content-Type": JSON_CONTENT_TYPE}
        )

    def _swallowed(self, request: web.Request, body: bytes, plan: FaultPlan) -> web.StreamResponse:
        """A fault that replaces processing altogether."""
        fault = plan.fault
        status = 500 if fault in ("http_500_json", "http_500_text") else 200
        self.dispatcher.log_fault(body, _client_ip(request), plan.labels(), status)
        if fault in ("http_500_json", "internal_error"):
            return _json_response(self.dispatcher.fault_error_body(body), status)
        if fault == "http_500_text":
            return web.Response(
                text="500 Internal Server Error", status=500, content_type="text/plain"
            )
        if fault == "malformed_json":
            return web.Response(
                body=b'{"jsonrpc": "2.0", "id": 1, "result": {"data": ',
                status=200,
                headers={"Content-Type": JSON_CONTENT_TYPE},
            )
        _drop_connection(request)  # drop_connection
        return web.Response(status=200)


ControlView = Callable[[web.Request], Awaitable[Any]]


def _control_route(view: ControlView) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        try:
            result = await view(request)
        except ControlError as exc:
            return _json_response({"error": exc.message}, exc.status)
        except (KeyError, TypeError, ValueError) as exc:
            return _json_response({"error": f"bad control request: {exc}"}, 400)
        return _json_response({"ok": True} if result is None else result)

    return handler


async def _json_body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        # Any Content-Type: `curl -d '{...}'` sends application/x-www-form-urlencoded.
        body = json.loads(await request.text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ControlError(f"control requests take a JSON object: {exc}") from exc
    if not isinstance(body, dict):
        raise ControlError("control requests take a JSON object")
    return body


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ControlError(f"{name} must be an integer") from None


def _opt_int(value: Any, name: str) -> int | None:
    return None if value is None else _int(value, name)


def _fault_request(body: dict[str, Any]) -> dict[str, Any]:
    """kind, count and seconds of a request arming a fault (request or delivery fault)."""
    return {
        "kind": str(body["kind"]),
        "count": _int(body.get("count", 1), "count"),
        "seconds": float(body.get("seconds", 0.0)),
    }


def add_control_routes(app: web.Application, control: SimulatorControl) -> None:
    """Register the ``/_sim/`` routes (see the README for the list and examples)."""

    async def state(request: web.Request) -> Any:
        return control.state()

    async def reset(request: web.Request) -> Any:
        control.reset()

    async def advance(request: web.Request) -> Any:
        body = await _json_body(request)
        return {"now": control.advance(float(body["seconds"]))}

    async def get_options(request: web.Request) -> Any:
        return control.options()

    async def patch_options(request: web.Request) -> Any:
        return control.patch_options(await _json_body(request))

    async def get_account(request: web.Request) -> Any:
        return control.account()

    async def patch_account(request: web.Request) -> Any:
        return control.patch_account(await _json_body(request))

    async def list_calls(request: web.Request) -> Any:
        include_ended = request.query.get("active") not in ("1", "true")
        return control.calls(include_ended=include_ended)

    async def get_call(request: web.Request) -> Any:
        return control.call(_int(request.match_info["call_id"], "call id"))

    async def inbound(request: web.Request) -> Any:
        body = await _json_body(request)
        return control.place_inbound_call(
            str(body["contact"]),
            virtual_phone_number=body.get("virtual_phone_number"),
            employee_id=_opt_int(body.get("employee_id"), "employee_id"),
        )

    async def outbound(request: web.Request) -> Any:
        body = await _json_body(request)
        return control.place_outbound_call(
            _int(body.get("employee_id"), "employee_id"),
            str(body["contact"]),
            virtual_phone_number=body.get("virtual_phone_number"),
            phone_number=body.get("phone_number"),
        )

    async def answer(request: web.Request) -> Any:
        body = await _json_body(request)
        call_id = _int(request.match_info["call_id"], "call id")
        return control.answer(call_id, _opt_int(body.get("leg_id"), "leg_id"))

    async def fail(request: web.Request) -> Any:
        body = await _json_body(request)
        call_id = _int(request.match_info["call_id"], "call id")
        return control.fail(call_id, _opt_int(body.get("leg_id"), "leg_id"))

    async def hang_up(request: web.Request) -> Any:
        body = await _json_body(request)
        call_id = _int(request.match_info["call_id"], "call id")
        return control.hang_up(call_id, _int(body.get("leg_id"), "leg_id"))

    async def blacklist(request: web.Request) -> Any:
        return control.blacklist()

    async def points(request: web.Request) -> Any:
        return control.points()

    async def requests(request: web.Request) -> Any:
        return control.requests(request.query.get("method"))

    async def clear_requests(request: web.Request) -> Any:
        control.clear_requests()

    async def list_faults(request: web.Request) -> Any:
        return control.faults()

    async def add_fault(request: web.Request) -> Any:
        body = await _json_body(request)
        return control.inject_fault(**_fault_request(body), method=body.get("method"))

    async def clear_faults(request: web.Request) -> Any:
        control.clear_faults()

    async def sessions(request: web.Request) -> Any:
        return control.sessions()

    p = CONTROL_PREFIX
    routes: list[tuple[str, str, ControlView]] = [
        ("GET", f"{p}", state),
        ("GET", f"{p}/state", state),
        ("POST", f"{p}/reset", reset),
        ("POST", f"{p}/clock/advance", advance),
        ("GET", f"{p}/options", get_options),
        ("PATCH", f"{p}/options", patch_options),
        ("GET", f"{p}/account", get_account),
        ("PATCH", f"{p}/account", patch_account),
        ("GET", f"{p}/calls", list_calls),
        ("POST", f"{p}/calls/inbound", inbound),
        ("POST", f"{p}/calls/outbound", outbound),
        ("GET", f"{p}/calls/{{call_id}}", get_call),
        ("POST", f"{p}/calls/{{call_id}}/answer", answer),
        ("POST", f"{p}/calls/{{call_id}}/fail", fail),
        ("POST", f"{p}/calls/{{call_id}}/hangup", hang_up),
        ("GET", f"{p}/blacklist", blacklist),
        ("GET", f"{p}/points", points),
        ("GET", f"{p}/requests", requests),
        ("DELETE", f"{p}/requests", clear_requests),
        ("GET", f"{p}/faults", list_faults),
        ("POST", f"{p}/faults", add_fault),
        ("DELETE", f"{p}/faults", clear_faults),
        ("GET", f"{p}/sessions", sessions),
    ]
    routes += _notification_routes(control)
    for verb, path, view in routes:
        app.router.add_route(verb, path, _control_route(view))

    async def recording(request: web.Request) -> web.Response:
        try:
            call_id = _int(request.match_info["call_id"], "call id")
            control.recording_downloads.append(call_id)
            wav = control.recording(call_id)
        except ControlError as exc:
            return _json_response({"error": exc.message}, exc.status)
        return web.Response(body=wav, content_type="audio/wav")

    app.router.add_route("GET", f"{p}/recordings/{{call_id}}.wav", recording)


def _notification_routes(control: SimulatorControl) -> list[tuple[str, str, ControlView]]:
    """``/_sim/notifications/...``: subscriptions, rendering, delivery faults, the log."""
    notifier = control.notifications

    async def summary(request: web.Request) -> Any:
        return notifier.summary()

    async def events(request: web.Request) -> Any:
        return notifier.events()

    async def subscriptions(request: web.Request) -> Any:
        return notifier.subscriptions()

    async def subscribe(request: web.Request) -> Any:
        body = await _json_body(request)
        return notifier.subscribe(
            request.match_info["event"],
            body["url"],
            template=body.get("template"),
            name=body.get("name"),
            method=body.get("method", "POST"),
            rendering=body.get("rendering"),
            active=body.get("active", True),
        )

    async def subscribe_all(request: web.Request) -> Any:
        body = await _json_body(request)
        return notifier.subscribe_all(body["base_url"], rendering=body.get("rendering"))

    async def unsubscribe(request: web.Request) -> Any:
        notifier.unsubscribe(request.match_info["event"])

    async def unsubscribe_all(request: web.Request) -> Any:
        notifier.unsubscribe_all()

    async def rendering(request: web.Request) -> Any:
        return notifier.rendering()

    async def patch_rendering(request: web.Request) -> Any:
        body = await _json_body(request)
        try:
            changes = check_rendering(body)
        except ValueError as exc:
            raise ControlError(str(exc)) from None
        control.patch_options({f"notification_{key}": value for key, value in changes.items()})
        return notifier.rendering()

    async def faults(request: web.Request) -> Any:
        return notifier.faults()

    async def add_fault(request: web.Request) -> Any:
        body = await _json_body(request)
        return notifier.inject_fault(**_fault_request(body), event=body.get("event"))

    async def clear_faults(request: web.Request) -> Any:
        notifier.clear_faults()

    async def deliveries(request: web.Request) -> Any:
        call_id = request.query.get("call_session_id")
        return notifier.deliveries(request.query.get("event"), _opt_int(call_id, "call_session_id"))

    async def clear_deliveries(request: web.Request) -> Any:
        notifier.clear_deliveries()

    async def drain(request: web.Request) -> Any:
        body = await _json_body(request)
        if body.get("release_held"):
            notifier.release_held()
        try:
            await asyncio.wait_for(notifier.drain(), float(body.get("timeout", 10.0)))
        except TimeoutError:
            raise ControlError("deliveries still pending after the timeout", 409) from None
        return notifier.summary()

    n = f"{CONTROL_PREFIX}/notifications"
    return [
        ("GET", n, summary),
        ("GET", f"{n}/events", events),
        ("GET", f"{n}/subscriptions", subscriptions),
        ("POST", f"{n}/subscriptions", subscribe_all),
        ("DELETE", f"{n}/subscriptions", unsubscribe_all),
        ("PUT", f"{n}/subscriptions/{{event}}", subscribe),
        ("DELETE", f"{n}/subscriptions/{{event}}", unsubscribe),
        ("GET", f"{n}/rendering", rendering),
        ("PATCH", f"{n}/rendering", patch_rendering),
        ("GET", f"{n}/faults", faults),
        ("POST", f"{n}/faults", add_fault),
        ("DELETE", f"{n}/faults", clear_faults),
        ("GET", f"{n}/deliveries", deliveries),
        ("DELETE", f"{n}/deliveries", clear_deliveries),
        ("POST", f"{n}/drain", drain),
    ]


def build_app(runtime: Runtime, control: SimulatorControl) -> web.Application:
    """The whole simulator as an aiohttp application."""
    # Bodies above 1 MiB are refused by aiohttp (413): nothing legitimate comes close.
    app = web.Application(client_max_size=1024 * 1024)
    endpoint = RpcEndpoint(runtime)
    app.router.add_route("*", RPC_PATH, endpoint.handle)
    add_control_routes(app, control)
    return app
