"""Full transfer flows through the client: consultation, return, blind, failed blind."""

from __future__ import annotations

import pytest
from callapi_testkit import (
    MANAGER_EMPLOYEE_ID,
    World,
    parameter_check_order_fixture,  # noqa: F401 - runs each test under both orders
    world_fixture,  # noqa: F401 - the "world" fixture
)

from api.client import BoundCallApi
from api.models import CallInfo, LegState, Message

COLLEAGUE_ID = 102
pytestmark = pytest.mark.parametrize(
    "world", [{}, {"leg_label_language": "en"}], ids=["ru", "en"], indirect=True
)


async def _call(user: BoundCallApi, session: int) -> CallInfo:
    call = (await user.list_calls()).data.find_by_session(session)
    assert call is not None
    return call


def _employees_talking(call: CallInfo) -> set[int]:
    return {
        leg.employee_id
        for leg in call.legs
        if leg.employee_id is not None and leg.state_kind is LegState.TALKING
    }


async def test_consultation_then_transfer(world: World) -> None:
    user = world.manager()
    session = await world.connected_call(user)
    await user.hold_call(call_session_id=session, contact_message=Message.media(501))
    await user.make_call(call_session_id=session, to="102")  # the colleague's extension
    assert world.sim.control.call(session)["state"] == "DIALING"
    world.sim.control.answer(session)  # the colleague picks up: B and C talk, A holds
    assert world.sim.control.call(session)["state"] == "OPERATOR_TALK"
    during = await _call(user, session)
    assert any(leg.state_kind is LegState.OPERATORS_TALKING for leg in during.legs)
    await user.transfer_talk(call_session_id=session)
    assert world.sim.control.call(session)["state"] == "TALK"
    after = await _call(user, session)
    assert _employees_talking(after) == {COLLEAGUE_ID}


async def test_consultation_then_back_to_the_client(world: World) -> None:
    user = world.manager()
    session = await world.connected_call(user)
    await user.hold_call(call_session_id=session, contact_message=Message.tts("Минуту"))
    await user.make_call(call_session_id=session, to="8 916 000-01-02")
    world.sim.control.answer(session)
    await user.restore_talk(call_session_id=session)
    call = await _call(user, session)
    assert _employees_talking(call) == {MANAGER_EMPLOYEE_ID}
    assert world.sim.control.call(session)["state"] == "TALK"


async def test_blind_transfer_while_the_colleague_rings(world: World) -> None:
    user = world.manager()
    session = await world.connected_call(user)
    await user.hold_call(call_session_id=session, contact_message=Message.media(501))
    await user.make_call(call_session_id=session, to="79160000102")
    await user.transfer_talk(call_session_id=session)  # C still ringing
    world.sim.control.answer(session)
    assert world.sim.control.call(session)["state"] == "TALK"
    call = await _call(user, session)
    assert _employees_talking(call) == {COLLEAGUE_ID}


async def test_failed_blind_transfer_ends_the_call(world: World) -> None:
    user = world.manager()
    session = await world.connected_call(user)
    await user.hold_call(call_session_id=session, contact_message=Message.media(501))
    await user.make_call(call_session_id=session, to="102")
    await user.transfer_talk(call_session_id=session)
    world.sim.control.fail(session)
    assert world.sim.control.call(session)["state"] == "ENDED"
    assert (await user.list_calls()).data.find_by_session(session) is None


async def test_unreached_colleague_leaves_the_client_on_hold(world: World) -> None:
    user = world.manager()
    session = await world.connected_call(user)
    await user.hold_call(call_session_id=session, contact_message=Message.media(501))
    await user.make_call(call_session_id=session, to="102")
    world.sim.control.fail(session)
    assert world.sim.control.call(session)["state"] == "HOLD"
    await user.unhold_call(call_session_id=session)
    assert _employees_talking(await _call(user, session)) == {MANAGER_EMPLOYEE_ID}
