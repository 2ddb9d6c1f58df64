"""Shared pieces of the Call API client integration tests: a simulator on loopback + a client.

Imported by the tests/api/test_api_*.py files (pytest puts this directory on sys.path).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from api.budget import PointsBudget
from api.client import BoundCallApi, CallApiClient, RetryPolicy
from api.credentials import LoginSessionCredentials, PermanentKeyCredentials
from api.observer import AttemptRecord
from sandbox.uis import ManualClock, Simulator, SimulatorOptions, demo_account
from sandbox.uis.simulator import RunningServer

VIRTUAL_NUMBER = "74993720692"
SECOND_VIRTUAL_NUMBER = "74951234567"
ANSWERING_CONTACT = "79031234567"
SILENT_CONTACT = "79037654321"
INTERNATIONAL_CONTACT = "442071234567"
MANAGER_LOGIN = "demo.manager"
MANAGER_PASSWORD = "demo-pass-manager"
MANAGER_KEY = "demo-key-manager-0001"
EXPIRED_KEY = "demo-key-expired-0003"
BLOCKED_KEY = "demo-key-blocked-0004"
MANAGER_EMPLOYEE_ID = 101
HOLD_MEDIA_ID = 501

# The unknowns of the reference, each flipped at least once. Client behaviour must not depend on
# which of these the live server does.
OPTION_VARIANTS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "envelope-metadata-en-labels-boolean-success": {
        "metadata_location": "envelope",
        "leg_label_language": "en",
        "management_success": "boolean",
        "start_time_format": "table",
    },
    "no-metadata-plus-accepted-unknown-direction-mnemonic-one-call-as-object": {
        "metadata_location": "none",
        "single_call_as_object": True,
        "refuse_plus_in_numbers": False,
        "direction_refusal_mnemonic": "unknown",
        "early_switching_rule": "callgear",
    },
}


async def _no_sleep(seconds: float) -> None:
    """Retry backoff without waiting (the policy itself is tested through the records)."""


@dataclass
class World:
    """A running simulator and a client talking to it over real loopback HTTP."""

    sim: Simulator
    server: RunningServer
    clock: ManualClock
    client: CallApiClient
    records: list[AttemptRecord] = field(default_factory=list)
    closers: list[CallApiClient] = field(default_factory=list)

    def manager(self, **context: Any) -> BoundCallApi:
        """demo.manager through a login session that holds the password."""
        credentials = LoginSessionCredentials(
            MANAGER_LOGIN, MANAGER_PASSWORD, wall_clock=self.clock.now, clock=self.clock.now
        )
        return self.client.bind(credentials, context=context or {"user": "manager"})

    def keyed(self, key: str = MANAGER_KEY, **context: Any) -> BoundCallApi:
        """A user with a permanent key."""
        return self.client.bind(PermanentKeyCredentials(key), context=context or {"user": "key"})

    def new_client(self, **kwargs: Any) -> CallApiClient:
        """Another client on the same simulator (own budget/observer unless given)."""
        options: dict[str, Any] = {
            "base_url": self.server.url,
            "budget": PointsBudget(clock=self.clock.now),
            "observer": self.records.append,
            "sleep": _no_sleep,
        }
        options.update(kwargs)
        return CallApiClient(**options)

    def requests(self, method: str | None = None) -> list[dict[str, Any]]:
        """What the simulator received (secrets redacted by the simulator)."""
        return self.sim.control.requests(method)

    async def connected_call(
        self, user: BoundCallApi, *, employee_id: int = MANAGER_EMPLOYEE_ID
    ) -> int:
        """A started employee call in which both parties answered (state TALK)."""
        reply = await user.start_employee_call(
            virtual_phone_number=VIRTUAL_NUMBER,
            contact=ANSWERING_CONTACT,
            first_call="employee",
            employee={"id": employee_id},
        )
        session = reply.data.call_session_id
        self.sim.control.answer(session)  # the employee picks up; the contact is dialled
        self.sim.control.answer(session)  # the contact picks up
        assert self.sim.control.call(session)["state"] == "TALK"
        return session


@pytest.fixture(name="parameter_check_order", params=["credentials_first", "parameters_first"])
def parameter_check_order_fixture(request: pytest.FixtureRequest) -> str:
    """The reference documents no order of the credential and the parameter checks: the
    client's tests run against both (the simulator's ``parameter_check_order`` option)."""
    return str(request.param)


@pytest.fixture(name="world")
async def world_fixture(
    request: pytest.FixtureRequest, parameter_check_order: str
) -> AsyncIterator[World]:
    """Simulator (manual clock, demo account) + client; ``indirect`` param = option overrides.

    ``parameter_check_order`` runs each test under both orders.
    """
    overrides: dict[str, Any] = {"parameter_check_order": parameter_check_order}
    overrides.update(getattr(request, "param", {}) or {})
    clock = ManualClock()
    sim = Simulator(account=demo_account(), options=SimulatorOptions(**overrides), clock=clock)
    async with sim.running(host="127.0.0.1", port=0) as server:
        records: list[AttemptRecord] = []
        client = CallApiClient(
            base_url=server.url,
            budget=PointsBudget(clock=clock.now),
            observer=records.append,
            retry=RetryPolicy(attempts=3),
            sleep=_no_sleep,
        )
        async with client:
            world = World(sim=sim, server=server, clock=clock, client=client, records=records)
            try:
                yield world
            finally:
                for extra in world.closers:
                    await extra.aclose()
