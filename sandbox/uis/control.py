"""The control interface: what tests and demos do to the simulated world from outside the
Call API (place inbound calls, let parties answer, move the clock, patch the account, inject
faults, inspect calls/points/requests). The same operations are served as JSON over HTTP under
``/_sim/`` by :mod:`sandbox.uis.server`.
"""

from __future__ import annotations

import io
import wave
from typing import Any

from sandbox.uis.account import Account, AccountError, Employee, merge_patch
from sandbox.uis.calls import Call, Dialable, Leg, LegNotFound, LegStatus
from sandbox.uis.clock import ManualClock
from sandbox.uis.errors import ControlError
from sandbox.uis.faults import FAULT_KINDS
from sandbox.uis.notifier import Notifier
from sandbox.uis.options import SimulatorOptions
from sandbox.uis.runtime import Runtime

__all__ = ["ControlError", "SimulatorControl"]


def silent_wav(seconds: float, rate: int = 8000) -> bytes:
    """A mono 8-bit WAV of ``seconds`` of silence."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(rate)
        out.writeframes(b"\x80" * round(max(0.0, seconds) * rate))
    return buffer.getvalue()


class SimulatorControl:
    """Python control methods of a simulator (``sim.control``)."""

    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime
        # Call ids whose recording file was requested over HTTP (GET /_sim/recordings/ID.wav),
        # in order, whether it was ready or not: tests check what the bot fetched.
        self.recording_downloads: list[int] = []

    # -- world state -----------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """A summary: clock, options, counts."""
        rt = self._rt
        rt.tick()
        calls = list(rt.engine.calls.values())
        return {
            "now": rt.now(),
            "clock": "manual" if isinstance(rt.clock, ManualClock) else "real",
            "options": rt.options.to_dict(),
            "active_calls": sum(1 for call in calls if not call.ended),
            "ended_calls": sum(1 for call in calls if call.ended),
            "sessions": len(rt.sessions),
            "requests": len(rt.log.entries),
            "faults": [fault.to_json() for fault in rt.faults.faults],
            "notifications": {
                key: value
                for key, value in rt.notifier.summary().items()
                if key in ("counts", "pending", "held")
            },
        }

    def reset(self) -> None:
        """Back to the initial account; forget calls, sessions, points, requests, faults and
        delivered notifications (subscriptions stay)."""
        self._rt.reset()

    @property
    def notifications(self) -> Notifier:
        """Event notifications: subscriptions, delivery faults, the delivery log."""
        return self._rt.notifier

    def advance(self, seconds: float) -> float:
        """Move a manual clock forward (firing due events); returns the new time."""
        clock = self._rt.clock
        if not isinstance(clock, ManualClock):
            raise ControlError("the simulator runs on the real clock; it cannot be advanced", 409)
        if seconds < 0:
            raise ControlError("seconds must be >= 0")
        now = clock.advance(seconds)
        self._rt.tick()
        return now

    def tick(self) -> int:
        """Fire whatever timed events are due now; returns how many fired."""
        return self._rt.tick()

    def options(self) -> dict[str, Any]:
        """The current options."""
        return self._rt.options.to_dict()

    def patch_options(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Change options at run time (e.g. auto_answer_seconds or metadata_location)."""
        merged = {**self._rt.options.to_dict(), **changes}
        try:
            self._rt.options = SimulatorOptions.from_dict(merged)
        except (TypeError, ValueError) as exc:
            raise ControlError(str(exc)) from exc
        return self._rt.options.to_dict()

    # -- account ---------------------------------------------------------------------------

    def account(self) -> dict[str, Any]:
        """The account document (secrets included: this is the operator's own test fixture)."""
        return self._rt.account.to_json()

    def patch_account(self, patch: dict[str, Any]) -> dict[str, Any]:
        """Apply an RFC 7386 merge patch to the account document (lists are replaced whole)."""
        if not isinstance(patch, dict):
            raise ControlError("an account patch is a JSON object")
        document = merge_patch(self._rt.account.to_json(), patch)
        try:
            self._rt.account = Account.from_json(document)
        except AccountError as exc:
            raise ControlError(str(exc)) from exc
        return self._rt.account.to_json()

    def disable_component(self, name: str) -> None:
        """Switch a Call API component off (e.g. "Call management")."""
        self._check_component(name)
        components = [c for c in self._rt.account.components if c != name]
        self.patch_account({"components": components})

    def enable_component(self, name: str) -> None:
        """Switch a Call API component on."""
        self._check_component(name)
        if name not in self._rt.account.components:
            self.patch_account({"components": [*self._rt.account.components, name]})

    def _check_component(self, name: str) -> None:
        if name not in self._rt.reference.components:
            known = sorted(self._rt.reference.components)
            raise ControlError(f"unknown component {name!r}; known: {known}")

    def set_ip_whitelist(self, addresses: list[str]) -> None:
        """Replace the Call API IP whitelist."""
        self.patch_account({"ip_whitelist": list(addresses)})

    def set_limits(
        self,
        *,
        points_per_minute: int | None = None,
        points_per_day: int | None = None,
        tts_message_max_length: int | None = None,
    ) -> None:
        """Change the tariff limits (arguments left None keep their value)."""
        changes = {
            "points_per_minute": points_per_minute,
            "points_per_day": points_per_day,
            "tts_message_max_length": tts_message_max_length,
        }
        self.patch_account({"limits": {k: v for k, v in changes.items() if v is not None}})

    def blacklist(self) -> list[str]:
        """The account's blacklist (block.contact adds to it)."""
        return list(self._rt.account.blacklist)

    # -- calls -----------------------------------------------------------------------------

    def _labels(self) -> tuple[str, ...]:
        return self._rt.reference.leg_labels[self._rt.options.leg_label_language]

    def calls(self, *, include_ended: bool = True) -> list[dict[str, Any]]:
        """Every call (with state, legs, history), newest last."""
        rt = self._rt
        rt.tick()
        now = rt.now()
        return [
            rt.engine.inspect(call, now, self._labels())
            for call in rt.engine.calls.values()
            if include_ended or not call.ended
        ]

    def call(self, call_session_id: int) -> dict[str, Any]:
        """One call in detail."""
        self._rt.tick()
        return self._rt.engine.inspect(self._call(call_session_id), self._rt.now(), self._labels())

    def _call(self, call_session_id: int) -> Call:
        call = self._rt.engine.calls.get(call_session_id)
        if call is None:
            raise ControlError(f"no call {call_session_id}", 404)
        return call

    def _leg(self, call: Call, leg_id: int | None, *, ringing: bool) -> Leg:
        if leg_id is not None:
            leg = next((leg for leg in call.legs if leg.leg_id == leg_id), None)
            if leg is None:
                raise ControlError(f"call {call.call_session_id} has no leg {leg_id}", 404)
            return leg
        wanted = [leg for leg in call.legs if leg.status is LegStatus.RINGING] if ringing else []
        if not wanted:
            raise ControlError(f"call {call.call_session_id} has no ringing leg", 409)
        return wanted[0]

    def place_inbound_call(
        self,
        contact: str,
        *,
        virtual_phone_number: str | None = None,
        employee_id: int | None = None,
    ) -> dict[str, Any]:
        """A call from ``contact`` to a virtual number (its scenario's employees ring in turn)
        or straight to an employee. Blacklisted numbers are refused like the PBX would."""
        rt = self._rt
        rt.tick()
        account = rt.account
        if not account.virtual_numbers and virtual_phone_number is None:
            raise ControlError("the account rents no virtual number")
        number = virtual_phone_number or account.virtual_numbers[0].number
        rented = account.virtual_number(number)
        if rented is None:
            raise ControlError(f"{number} is not a virtual number of the account", 404)
        if contact in account.blacklist:
            raise ControlError(f"{contact} is in the blacklist; the PBX rejects the call", 409)
        operators: list[Dialable] = []
        scenario_id: int | None = None
        if employee_id is not None:
            employee = self._employee(employee_id)
            operators = [Dialable(n, employee) for n in employee.active_numbers()[:1]]
        else:
            scenario = account.scenario(rented.scenario_id) if rented.scenario_id else None
            if scenario is None:
                raise ControlError(f"virtual number {number} has no scenario", 409)
            scenario_id = scenario.id
            for emp_id in scenario.employee_ids:
                member = account.employee(emp_id)
                if member is not None and member.active_numbers():
                    operators.append(Dialable(member.active_numbers()[0], member))
        call = rt.engine.start_inbound(
            rt.now(),
            contact=contact,
            virtual_phone_number=number,
            operators=operators,
            scenario_id=scenario_id,
        )
        return self.call(call.call_session_id)

    def place_outbound_call(
        self,
        employee_id: int,
        contact: str,
        *,
        virtual_phone_number: str | None = None,
        phone_number: str | None = None,
    ) -> dict[str, Any]:
        """Employee ``employee_id`` dials ``contact`` from their own phone (desk phone or
        softphone, not the API): they are on the line at once and the contact rings. The
        caller id shown is ``virtual_phone_number`` (default: the account's first number);
        ``phone_number`` picks which of the employee's active numbers dials (default: the
        first)."""
        rt = self._rt
        rt.tick()
        employee = self._employee(employee_id)
        active = employee.active_numbers()
        if not active:
            raise ControlError(f"employee {employee_id} has no active phone number", 409)
        if phone_number is not None and phone_number not in active:
            raise ControlError(f"{phone_number} is not an active number of {employee_id}", 409)
        if virtual_phone_number is None:
            if not rt.account.virtual_numbers:
                raise ControlError("the account rents no virtual number")
            virtual_phone_number = rt.account.virtual_numbers[0].number
        elif rt.account.virtual_number(virtual_phone_number) is None:
            raise ControlError(f"{virtual_phone_number} is not a virtual number of ours", 404)
        call = rt.engine.start_from_phone(
            rt.now(),
            employee=Dialable(phone_number or active[0], employee),
            contact=contact,
            virtual_phone_number=virtual_phone_number,
        )
        return self.call(call.call_session_id)

    def _employee(self, employee_id: int) -> Employee:
        employee = self._rt.account.employee(employee_id)
        if employee is None:
            raise ControlError(f"no employee {employee_id}", 404)
        return employee

    def answer(self, call_session_id: int, leg_id: int | None = None) -> dict[str, Any]:
        """A ringing party picks up (the first ringing leg when leg_id is omitted)."""
        self._rt.tick()
        call = self._call(call_session_id)
        leg = self._leg(call, leg_id, ringing=True)
        try:
            self._rt.engine.answer(call, leg, self._rt.now())
        except LegNotFound:
            raise ControlError(f"leg {leg.leg_id} is not ringing", 409) from None
        return self.call(call_session_id)

    def fail(self, call_session_id: int, leg_id: int | None = None) -> dict[str, Any]:
        """A ringing party is not reached (busy / no answer): call_failed for that leg."""
        self._rt.tick()
        call = self._call(call_session_id)
        leg = self._leg(call, leg_id, ringing=True)
        try:
            self._rt.engine.fail(call, leg, self._rt.now())
        except LegNotFound:
            raise ControlError(f"leg {leg.leg_id} is not ringing", 409) from None
        return self.call(call_session_id)

    def hang_up(self, call_session_id: int, leg_id: int) -> dict[str, Any]:
        """A party hangs up on its own (not through the API)."""
        self._rt.tick()
        call = self._call(call_session_id)
        leg = self._leg(call, leg_id, ringing=False)
        try:
            self._rt.engine.hang_up(call, leg, self._rt.now(), "hung up")
        except LegNotFound:
            raise ControlError(f"leg {leg.leg_id} has already left", 409) from None
        return self.call(call_session_id)

    def recording(self, call_session_id: int) -> bytes:
        """The recording of a call once call_recording_ready fired: a WAV of silence as long as
        the recorded part of the talk (at most 10 minutes)."""
        self._rt.tick()
        call = self._call(call_session_id)
        if not call.recording_ready or call.recording_started_at is None:
            raise ControlError(f"call {call_session_id} has no recording (yet)", 404)
        end = call.ended_at if call.ended_at is not None else call.recording_started_at
        return silent_wav(min(600.0, end - call.recording_started_at))

    # -- accounting ------------------------------------------------------------------------

    def points(self) -> dict[str, Any]:
        """Points used and charged so far, with the limits snapshot replies would carry."""
        rt = self._rt
        return rt.points.report(rt.now(), rt.account.limits)

    def requests(self, method: str | None = None) -> list[dict[str, Any]]:
        """Received JSON-RPC requests (secrets redacted), optionally only one method's."""
        return [
            entry.to_json()
            for entry in self._rt.log.entries
            if method is None or entry.method == method
        ]

    def clear_requests(self) -> None:
        """Forget the request log."""
        self._rt.log.clear()

    # -- faults ----------------------------------------------------------------------------

    def inject_fault(
        self, kind: str, *, count: int = 1, method: str | None = None, seconds: float = 0.0
    ) -> dict[str, Any]:
        """Arm a fault for the next ``count`` requests (only ``method`` ones, when given)."""
        if method is not None and method not in self._rt.reference.methods:
            raise ControlError(f"unknown method {method!r}")
        try:
            return self._rt.faults.add(kind, count=count, method=method, seconds=seconds).to_json()
        except ValueError as exc:
            raise ControlError(f"{exc} (kinds: {sorted(FAULT_KINDS)})") from exc

    def faults(self) -> list[dict[str, Any]]:
        """Armed faults."""
        return [fault.to_json() for fault in self._rt.faults.faults]

    def clear_faults(self) -> None:
        """Disarm all faults."""
        self._rt.faults.clear()

    # -- sessions --------------------------------------------------------------------------

    def sessions(self) -> list[dict[str, Any]]:
        """Live login.user sessions (login and expiry only; the keys stay secret)."""
        return [{"login": s.login, "expire_at": s.expire_at} for s in self._rt.sessions.values()]
