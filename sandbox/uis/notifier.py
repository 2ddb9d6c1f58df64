"""Delivers UIS event notifications: one subscription per event (URL, method, body template),
HTTP POSTs sent off the request path, switchable delivery faults and a delivery log.

The call engine hands every :class:`~sandbox.uis.calls.CallEvent` to :meth:`Notifier.on_call_event`
synchronously; when the event is subscribed, the body is rendered at once (values as they are at
that moment) and queued. A worker task POSTs queued deliveries one after another, in event
order, so a JSON-RPC handler never waits for a receiver. A delivery is sent once: a receiver
that answers non-2xx, times out or cannot be reached is logged (WARNING) and counted as failed,
never retried, because UIS documents no retry semantics and a simulator that invented some would
hide a receiver's dependence on them. Events while the simulator is not serving wait in a backlog
that is sent when it starts.

Delivery faults (each for the next ``count`` deliveries, optionally of one event; several may
apply to one delivery):

==================  =================================================================
kind                what the receiver sees
==================  =================================================================
``delay``           the delivery arrives ``seconds`` (real time) later; later events
                    overtake it
``duplicate``       the same body twice
``reorder``         held back, then sent right after the next delivery that is sent
``drop``            nothing (the log says ``dropped``)
``form_body``       ``application/x-www-form-urlencoded`` of the rendered fields
``doubled_quotes``  string values in doubled quotes, ``""value""`` (as when the owner
                    quoted the placeholders of a JSON-encoding platform)
==================  =================================================================
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from sandbox.uis.account import Account
from sandbox.uis.calls import CallEvent, EventName
from sandbox.uis.errors import ControlError
from sandbox.uis.notifications import (
    EVENTS,
    NotificationContext,
    Rendering,
    check_rendering,
    check_template,
    default_template,
    event_spec,
    event_variables,
    form_body,
    render,
)
from sandbox.uis.options import SimulatorOptions

logger = logging.getLogger(__name__)

NOTIFY_FAULT_KINDS = frozenset(
    {"delay", "duplicate", "reorder", "drop", "form_body", "doubled_quotes"}
)
JSON_BODY = "application/json"  # what UIS sends is unknown; the body is the owner's JSON
FORM_BODY = "application/x-www-form-urlencoded"
MAX_TEMPLATE_LENGTH = 64 * 1024
DELIVERY_LOG_SIZE = 10_000
STOP_GRACE_SECONDS = 2.0


@dataclass
class Subscription:
    """One notification as an owner sets it up: event, URL, method and body template."""

    event: EventName
    url: str
    template: str
    name: str
    method: str = "POST"
    rendering: dict[str, str] = field(default_factory=dict)  # overrides of the options
    active: bool = True

    def to_json(self) -> dict[str, Any]:
        """JSON view for the control interface."""
        return {
            "event": self.event.value,
            "url": self.url,
            "method": self.method,
            "name": self.name,
            "template": self.template,
            "rendering": dict(self.rendering),
            "active": self.active,
        }


@dataclass
class NotifyFault:
    """A delivery fault armed for the next ``remaining`` deliveries (of ``event``, if set)."""

    kind: str
    remaining: int = 1
    event: str | None = None
    seconds: float = 0.0  # delay only
    fault_id: int = 0

    def to_json(self) -> dict[str, Any]:
        """JSON view for the control interface."""
        return {
            "id": self.fault_id,
            "kind": self.kind,
            "remaining": self.remaining,
            "event": self.event,
            "seconds": self.seconds,
        }


@dataclass
class Delivery:
    """One POST (or its absence): what was rendered, where it went and how it ended."""

    delivery_id: int
    event: str
    url: str
    method: str
    content_type: str
    body: str
    call_session_id: int
    at: float  # simulator clock at the event
    faults: list[str]
    delay: float = 0.0
    copy: int = 1  # 2 for the second copy of a duplicate
    # queued | held | delayed | sent | failed | dropped | abandoned (stopped before sending)
    state: str = "queued"
    status: int | None = None  # the receiver's HTTP status
    error: str | None = None
    sent_at: float | None = None  # wall clock (time.time()) when the reply came

    def to_json(self) -> dict[str, Any]:
        """JSON view for the control interface."""
        return {
            "id": self.delivery_id,
            "event": self.event,
            "url": self.url,
            "method": self.method,
            "content_type": self.content_type,
            "body": self.body,
            "call_session_id": self.call_session_id,
            "at": self.at,
            "faults": list(self.faults),
            "delay": self.delay,
            "copy": self.copy,
            "state": self.state,
            "status": self.status,
            "error": self.error,
            "sent_at": self.sent_at,
        }


def _check_url(url: Any) -> str:
    if not isinstance(url, str):
        raise ControlError("url must be a string")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ControlError(f"url must be an absolute http(s) URL, got {url!r}")
    return url


def _event(name: Any) -> EventName:
    try:
        return event_spec(str(name)).name
    except ValueError as exc:
        raise ControlError(str(exc), 404) from None


class Notifier:
    """Subscriptions, delivery faults, the delivery log and the sending machinery."""

    def __init__(
        self, account: Callable[[], Account], options: Callable[[], SimulatorOptions]
    ) -> None:
        self._account = account
        self._options = options
        self._subscriptions: dict[EventName, Subscription] = {}
        self._faults: list[NotifyFault] = []
        self._next_fault_id = 1
        self._log: deque[Delivery] = deque(maxlen=DELIVERY_LOG_SIZE)
        self._next_delivery_id = 1
        self._counts: Counter[str] = Counter()
        self._held: list[Delivery] = []
        self._backlog: list[Delivery] = []
        self._recordings_url = "http://127.0.0.1/_sim/recordings"
        self._session: aiohttp.ClientSession | None = None
        self._queue: asyncio.Queue[Delivery] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._delayed: set[asyncio.Task[None]] = set()

    # -- configuration ------------------------------------------------------------------

    @staticmethod
    def events() -> list[dict[str, Any]]:
        """The event catalogue: slug, labels, mnemonic, variables and default template."""
        return [spec.to_json() for spec in EVENTS.values()]

    def subscriptions(self) -> list[dict[str, Any]]:
        """Every subscription, in catalogue order."""
        return [
            self._subscriptions[name].to_json() for name in EVENTS if name in self._subscriptions
        ]

    def subscribe(
        self,
        event: str,
        url: str,
        *,
        template: str | None = None,
        name: str | None = None,
        method: str = "POST",
        rendering: dict[str, Any] | None = None,
        active: bool = True,
    ) -> dict[str, Any]:
        """Create or replace the notification of ``event``: POST ``url`` with ``template``
        (default: a JSON object of every variable), named ``name`` (default: the event's RU
        label), rendered with the global options overridden by ``rendering``."""
        event_name = _event(event)
        if method != "POST":
            raise ControlError("notifications are sent with POST (the only method we know of)")
        if template is None:
            template = default_template(event_name)
        if not isinstance(template, str) or len(template) > MAX_TEMPLATE_LENGTH:
            raise ControlError(f"template must be a string of at most {MAX_TEMPLATE_LENGTH}")
        try:
            check_template(event_name, template)
            overrides = check_rendering(rendering)
        except ValueError as exc:
            raise ControlError(str(exc)) from None
        subscription = Subscription(
            event=event_name,
            url=_check_url(url),
            template=template,
            name=str(name) if name is not None else EVENTS[event_name].label_ru,
            method=method,
            rendering=overrides,
            active=bool(active),
        )
        self._subscriptions[event_name] = subscription
        return subscription.to_json()

    def subscribe_all(
        self, base_url: str, *, rendering: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Subscribe every event at ``{base_url}/{event}`` with its default template."""
        base = _check_url(base_url).rstrip("/")
        for event in EVENTS:
            self.subscribe(event.value, f"{base}/{event.value}", rendering=rendering)
        return self.subscriptions()

    def unsubscribe(self, event: str) -> None:
        """Delete the notification of ``event`` (404 when there is none)."""
        if self._subscriptions.pop(_event(event), None) is None:
            raise ControlError(f"no subscription for {event}", 404)

    def unsubscribe_all(self) -> None:
        """Delete every notification."""
        self._subscriptions.clear()

    def rendering(self) -> dict[str, str]:
        """The global rendering (the notification_* options)."""
        return self._global_rendering().to_json()

    def _global_rendering(self) -> Rendering:
        options = self._options()
        return Rendering(
            values=options.notification_values,
            empty=options.notification_empty,
            lists=options.notification_lists,
        )

    # -- faults -------------------------------------------------------------------------

    def inject_fault(
        self, kind: str, *, count: int = 1, event: str | None = None, seconds: float = 0.0
    ) -> dict[str, Any]:
        """Arm a delivery fault for the next ``count`` deliveries (of ``event`` only, if set)."""
        if kind not in NOTIFY_FAULT_KINDS:
            raise ControlError(f"unknown fault kind {kind!r}; kinds: {sorted(NOTIFY_FAULT_KINDS)}")
        if count < 1:
            raise ControlError("count must be at least 1")
        if kind == "delay" and seconds <= 0:
            raise ControlError("a delay fault needs seconds > 0")
        scope = _event(event).value if event is not None else None
        fault = NotifyFault(kind, count, scope, float(seconds), self._next_fault_id)
        self._next_fault_id += 1
        self._faults.append(fault)
        return fault.to_json()

    def faults(self) -> list[dict[str, Any]]:
        """Armed delivery faults."""
        return [fault.to_json() for fault in self._faults]

    def clear_faults(self) -> None:
        """Disarm every delivery fault."""
        self._faults.clear()

    def _take_faults(self, event: str) -> tuple[set[str], float]:
        kinds: set[str] = set()
        delay = 0.0
        for fault in self._faults:
            if fault.remaining > 0 and fault.event in (None, event) and fault.kind not in kinds:
                kinds.add(fault.kind)
                delay += fault.seconds
                fault.remaining -= 1
        self._faults = [fault for fault in self._faults if fault.remaining > 0]
        return kinds, delay

    # -- the log --------------------------------------------------------------------------

    def deliveries(
        self, event: str | None = None, call_session_id: int | None = None
    ) -> list[dict[str, Any]]:
        """The delivery log (the last 10,000), oldest first, optionally filtered."""
        return [
            delivery.to_json()
            for delivery in self._log
            if (event is None or delivery.event == event)
            and (call_session_id is None or delivery.call_session_id == call_session_id)
        ]

    def clear_deliveries(self) -> None:
        """Forget the delivery log (counts stay)."""
        self._log.clear()

    def summary(self) -> dict[str, Any]:
        """Subscriptions, global rendering, faults and delivery counts."""
        return {
            "subscriptions": self.subscriptions(),
            "rendering": self.rendering(),
            "faults": self.faults(),
            "counts": {
                state: self._counts[state] for state in ("sent", "failed", "dropped", "abandoned")
            },
            "pending": self._pending(),
            "held": len(self._held),
            "serving": self._session is not None,
        }

    def _pending(self) -> int:
        queued = self._queue.qsize() if self._queue is not None else 0
        return queued + len(self._delayed) + len(self._backlog)

    def reset(self) -> None:
        """Forget faults, held deliveries and the log (subscriptions are configuration, like
        options, and stay)."""
        self._faults.clear()
        self._held.clear()
        self._log.clear()
        self._counts.clear()

    # -- events -> deliveries -------------------------------------------------------------

    def on_call_event(self, event: CallEvent) -> None:
        """The call engine's listener: render and queue the event's notification, if any."""
        subscription = self._subscriptions.get(event.name)
        if subscription is None or not subscription.active:
            return
        options = self._options()
        context = NotificationContext(
            account=self._account(),
            utc_offset_hours=options.utc_offset_hours,
            notification_name=subscription.name,
            recordings_url=self._recordings_url,
        )
        variables = event_variables(event, context)
        kinds, delay = self._take_faults(event.name.value)
        settings = {**self._global_rendering().to_json(), **subscription.rendering}
        rendering = Rendering(
            values=settings["values"],
            empty=settings["empty"],
            lists=settings["lists"],
            doubled_quotes="doubled_quotes" in kinds,
        )
        if "form_body" in kinds:
            body, content_type = form_body(subscription.template, variables, rendering), FORM_BODY
        else:
            body, content_type = render(subscription.template, variables, rendering), JSON_BODY
        for copy in (1, 2) if "duplicate" in kinds else (1,):
            delivery = Delivery(
                delivery_id=self._next_delivery_id,
                event=event.name.value,
                url=subscription.url,
                method=subscription.method,
                content_type=content_type,
                body=body,
                call_session_id=event.call.call_session_id,
                at=event.at,
                faults=sorted(kinds),
                delay=delay,
                copy=copy,
            )
            self._next_delivery_id += 1
            self._log.append(delivery)
            self._dispatch(delivery, kinds)

    def _dispatch(self, delivery: Delivery, kinds: set[str]) -> None:
        if "drop" in kinds:
            self._finish(delivery, "dropped")
            return
        if "reorder" in kinds:
            delivery.state = "held"
            self._held.append(delivery)
            return
        self._put(delivery)
        self.release_held()

    def release_held(self) -> int:
        """Send the deliveries a reorder fault holds back now; returns how many."""
        held, self._held = self._held, []
        for delivery in held:
            self._put(delivery)
        return len(held)

    def _put(self, delivery: Delivery) -> None:
        delivery.state = "delayed" if delivery.delay > 0 else "queued"
        if self._queue is None:
            self._backlog.append(delivery)
        elif delivery.delay > 0:
            task = asyncio.get_running_loop().create_task(self._send_later(delivery))
            self._delayed.add(task)
            task.add_done_callback(self._delayed.discard)
        else:
            self._queue.put_nowait(delivery)

    def _finish(self, delivery: Delivery, state: str, error: str | None = None) -> None:
        delivery.state = state
        delivery.error = error
        self._counts[state] += 1
        if state == "failed":
            logger.warning(
                "notification %s #%d to %s failed: %s",
                delivery.event,
                delivery.delivery_id,
                delivery.url,
                error,
            )

    # -- sending --------------------------------------------------------------------------

    async def start(self, base_url: str) -> None:
        """Start sending (the simulator serves at ``base_url``; recordings are linked there)."""
        if self._session is not None:
            return
        self._recordings_url = base_url.rstrip("/") + "/_sim/recordings"
        # trust_env=False: receivers are addressed directly, never through an HTTP proxy.
        self._session = aiohttp.ClientSession(trust_env=False)
        self._queue = asyncio.Queue()
        self._worker = asyncio.create_task(self._work(), name="uis-simulator-notifier")
        backlog, self._backlog = self._backlog, []
        for delivery in backlog:
            self._put(delivery)

    async def stop(self) -> None:
        """Send what is queued (for up to 2 s), abandon the rest and stop."""
        if self._session is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.drain(), STOP_GRACE_SECONDS)
        tasks = [task for task in (self._worker, *self._delayed) if task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        queue, self._queue = self._queue, None
        while queue is not None and not queue.empty():
            self._finish(queue.get_nowait(), "abandoned", "the simulator stopped")
        session, self._session = self._session, None
        self._worker = None
        await session.close()

    async def drain(self) -> None:
        """Wait until nothing is queued or delayed (held deliveries stay held)."""
        while self._queue is not None:
            await self._queue.join()
            if not self._delayed:
                return
            await asyncio.gather(*list(self._delayed), return_exceptions=True)

    async def _work(self) -> None:
        assert self._queue is not None
        queue = self._queue
        while True:
            delivery = await queue.get()
            try:
                await self._send(delivery)
            finally:
                queue.task_done()

    async def _send_later(self, delivery: Delivery) -> None:
        try:
            await asyncio.sleep(delivery.delay)
        except asyncio.CancelledError:
            self._finish(delivery, "abandoned", "the simulator stopped")
            raise
        await self._send(delivery)

    async def _send(self, delivery: Delivery) -> None:
        session = self._session
        if session is None:
            self._finish(delivery, "abandoned", "the simulator stopped")
            return
        timeout = aiohttp.ClientTimeout(total=self._options().notification_timeout_seconds)
        try:
            async with session.request(
                delivery.method,
                delivery.url,
                data=delivery.body.encode("utf-8"),
                headers={"Content-Type": delivery.content_type},
                timeout=timeout,
            ) as response:
                await response.read()
                delivery.status = response.status
        except asyncio.CancelledError:
            self._finish(delivery, "abandoned", "the simulator stopped")
            raise
        except Exception as exc:  # any failure of one delivery is logged, never raised
            delivery.sent_at = time.time()
            self._finish(delivery, "failed", f"{type(exc).__name__}: {exc}".strip(": "))
            return
        delivery.sent_at = time.time()
        if 200 <= delivery.status < 300:
            self._finish(delivery, "sent")
        else:
            self._finish(delivery, "failed", f"HTTP {delivery.status}")
