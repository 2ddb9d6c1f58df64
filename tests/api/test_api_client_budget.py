"""The points budget stops requests before the simulator would answer limit_exceeded."""

from __future__ import annotations

import asyncio

import pytest
from callapi_testkit import (
    ANSWERING_CONTACT,
    MANAGER_EMPLOYEE_ID,
    VIRTUAL_NUMBER,
    World,
    parameter_check_order_fixture,  # noqa: F401 - runs each test under both orders
    world_fixture,  # noqa: F401 - the "world" fixture
)

from api.budget import PointsBudget
from api.credentials import PermanentKeyCredentials
from api.errors import BudgetExceededError, LimitExceededError
from api.models import Message
from api.observer import AttemptOutcome

METADATA_VARIANTS = [{}, {"metadata_location": "envelope"}]


def _refusals(world: World) -> list[str]:
    return [str(r["outcome"]) for r in world.requests() if r["outcome"] == "limit_exceeded"]


@pytest.mark.parametrize("world", METADATA_VARIANTS, ids=["result", "envelope"], indirect=True)
async def test_budget_refuses_before_the_server_would(world: World) -> None:
    world.sim.control.set_limits(points_per_minute=5)
    user = world.keyed()
    for _ in range(5):
        await user.list_calls()
    world.clock.advance(10)
    with pytest.raises(BudgetExceededError) as caught:
        await user.list_calls()
    refusal = caught.value
    assert refusal.window == "minute"
    assert refusal.seconds_to_reset is not None
    assert 45 <= refusal.seconds_to_reset <= 51
    assert len(world.requests("list.calls")) == 5  # the sixth was never sent
    assert _refusals(world) == []
    refused_record = world.records[-1]
    assert refused_record.outcome is AttemptOutcome.REFUSED_LOCALLY
    assert refused_record.request_id is None
    assert refused_record.budget is not None
    assert refused_record.budget.minute.remaining == 0
    sent_record = world.records[-2]
    assert sent_record.budget is not None
    assert sent_record.budget.minute.in_flight == 0
    world.clock.advance(refusal.seconds_to_reset)
    await user.list_calls()  # a new minute
    assert _refusals(world) == []


@pytest.mark.parametrize("world", [{"metadata_location": "none"}], ids=["none"], indirect=True)
async def test_without_metadata_the_first_limit_error_teaches_the_budget(world: World) -> None:
    world.sim.control.set_limits(points_per_minute=3)
    user = world.keyed()
    for _ in range(3):
        await user.list_calls()
    with pytest.raises(LimitExceededError) as caught:
        await user.list_calls()
    assert caught.value.mnemonic == "limit_exceeded"
    assert caught.value.params["limit_type"] == "minute"
    with pytest.raises(BudgetExceededError):
        await user.list_calls()
    assert len(_refusals(world)) == 1


async def test_reserve_keeps_points_for_in_call_actions(world: World) -> None:
    world.sim.control.set_limits(points_per_minute=6)
    client = world.new_client(budget=PointsBudget(reserve=3, clock=world.clock.now))
    world.closers.append(client)
    user = client.bind(PermanentKeyCredentials("demo-key-manager-0001"))
    start = await user.start_employee_call(
        virtual_phone_number=VIRTUAL_NUMBER,
        contact=ANSWERING_CONTACT,
        first_call="employee",
        employee={"id": MANAGER_EMPLOYEE_ID},
    )
    session = start.data.call_session_id
    world.sim.control.answer(session)
    world.sim.control.answer(session)
    await user.list_calls()
    await user.list_calls()  # 3 points left = the reserve
    with pytest.raises(BudgetExceededError) as refused:
        await user.list_calls()
    assert refused.value.reserve_applied
    # A new call is not an in-call action either.
    with pytest.raises(BudgetExceededError):
        await user.start_employee_call(
            virtual_phone_number=VIRTUAL_NUMBER,
            contact="79031234599",
            first_call="employee",
            employee={"id": MANAGER_EMPLOYEE_ID},
        )
    await user.hold_call(call_session_id=session, contact_message=Message.media(501))
    await user.make_call(call_session_id=session, to="102")
    world.sim.control.answer(session)
    await user.transfer_talk(call_session_id=session)
    assert world.sim.control.call(session)["state"] == "TALK"
    snapshot = client.budget.snapshot()
    assert snapshot.minute.remaining == 0
    assert _refusals(world) == []


async def test_concurrent_requests_never_overspend(world: World) -> None:
    world.sim.control.set_limits(points_per_minute=10)
    user = world.keyed()
    await user.list_talk_options()  # the budget learns: 9 left
    results = await asyncio.gather(
        *(user.list_talk_options() for _ in range(20)), return_exceptions=True
    )
    sent = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BudgetExceededError)]
    assert len(sent) == 9
    assert len(refused) == 11
    assert _refusals(world) == []
    assert world.client.budget.snapshot().minute.in_flight == 0
