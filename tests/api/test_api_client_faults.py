"""Each simulator fault becomes the right client error; retries only where they are safe.

Runs over both transports, because they report failures differently (httpx-aiohttp maps every
aiohttp connection error to httpx.ConnectTimeout; the client must look through that).
"""

from __future__ import annotations

import socket

import httpx
import pytest
from callapi_testkit import (
    ANSWERING_CONTACT,
    MANAGER_EMPLOYEE_ID,
    MANAGER_KEY,
    VIRTUAL_NUMBER,
    World,
    parameter_check_order_fixture,  # noqa: F401 - runs each test under both orders
    world_fixture,  # noqa: F401 - the "world" fixture
)

from api.client import BoundCallApi, CallApiClient
from api.credentials import PermanentKeyCredentials
from api.errors import (
    InternalServerError,
    OutcomeUnknownError,
    TransportError,
    TransportErrorKind,
)
from api.models import Message
from api.observer import AttemptOutcome, AttemptTrigger
from api.transport import TransportChoice

TRANSPORTS = [TransportChoice.HTTPX, TransportChoice.AIOHTTP]


async def _user(world: World, transport: TransportChoice, **kwargs: object) -> BoundCallApi:
    client = world.new_client(transport=transport, **kwargs)
    world.closers.append(client)
    return client.bind(PermanentKeyCredentials(MANAGER_KEY), context={"t": transport.value})


@pytest.fixture(params=TRANSPORTS, ids=[t.value for t in TRANSPORTS])
def transport(request: pytest.FixtureRequest) -> TransportChoice:
    """Each test runs over both transports."""
    choice: TransportChoice = request.param
    return choice


async def _start(user: BoundCallApi) -> int:
    reply = await user.start_employee_call(
        virtual_phone_number=VIRTUAL_NUMBER,
        contact=ANSWERING_CONTACT,
        first_call="employee",
        employee={"id": MANAGER_EMPLOYEE_ID},
    )
    return reply.data.call_session_id


async def test_json_error_on_http_500_is_parsed(world: World, transport: TransportChoice) -> None:
    user = await _user(world, transport)
    world.sim.control.inject_fault("http_500_json", method="tag.call")
    with pytest.raises(InternalServerError) as caught:
        await user.tag_call(call_session_id=1, tag_id=11)
    assert caught.value.http_status == 500
    assert caught.value.mnemonic == "internal_error"
    assert caught.value.retryable


async def test_jsonrpc_error_inside_http_200(world: World, transport: TransportChoice) -> None:
    user = await _user(world, transport)
    world.sim.control.inject_fault("internal_error", method="list.calls")
    with pytest.raises(InternalServerError) as caught:
        await user.list_calls()
    assert caught.value.http_status == 200
    # A JSON-RPC error is an answer, not a transport failure: read-only methods are not retried.
    assert len(world.requests("list.calls")) == 1


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        ("http_500_text", TransportErrorKind.HTTP_STATUS),
        ("malformed_json", TransportErrorKind.TRUNCATED_REPLY),
        ("truncated_body", TransportErrorKind.TRUNCATED_REPLY),
        ("drop_connection", TransportErrorKind.CONNECTION_LOST),
        ("reply_lost", TransportErrorKind.CONNECTION_LOST),
    ],
)
async def test_action_transport_faults_give_outcome_unknown_and_no_retry(
    world: World, transport: TransportChoice, fault: str, kind: TransportErrorKind
) -> None:
    user = await _user(world, transport)
    session = await _start(user)
    world.sim.control.answer(session)
    world.sim.control.answer(session)
    world.sim.control.inject_fault(fault, method="hold.call")
    with pytest.raises(OutcomeUnknownError) as caught:
        await user.hold_call(call_session_id=session, contact_message=Message.media(501))
    assert caught.value.kind is kind
    assert not caught.value.request_not_sent
    assert caught.value.method == "hold.call"
    assert len(world.requests("hold.call")) == 1  # never re-sent
    record = world.records[-1]
    assert record.outcome is AttemptOutcome.TRANSPORT_ERROR
    assert record.transport_error_kind == kind.value
    executed = fault in ("truncated_body", "reply_lost")
    assert (world.sim.control.call(session)["state"] == "HOLD") is executed


@pytest.mark.parametrize("fault", ["drop_connection", "http_500_text", "truncated_body"])
async def test_read_only_methods_are_retried_with_backoff(
    world: World, transport: TransportChoice, fault: str
) -> None:
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    user = await _user(world, transport, sleep=sleep)
    world.sim.control.inject_fault(fault, count=2, method="list.calls")
    reply = await user.list_calls()
    assert reply.attempts == 3
    assert len(world.requests("list.calls")) == 3
    assert [r.trigger for r in world.records[-3:]] == [
        AttemptTrigger.FIRST,
        AttemptTrigger.RETRY,
        AttemptTrigger.RETRY,
    ]
    assert len(delays) == 2
    assert 0.1 <= delays[0] <= 0.2
    assert 0.2 <= delays[1] <= 0.4


async def test_read_only_retries_are_bounded(world: World, transport: TransportChoice) -> None:
    user = await _user(world, transport)
    world.sim.control.inject_fault("drop_connection", count=5, method="list.talk_options")
    with pytest.raises(TransportError) as caught:
        await user.list_talk_options()
    assert not isinstance(caught.value, OutcomeUnknownError)  # reading has no outcome
    assert caught.value.kind is TransportErrorKind.CONNECTION_LOST
    assert len(world.requests("list.talk_options")) == 3


async def test_lost_start_reply_is_recovered_by_external_id(
    world: World, transport: TransportChoice
) -> None:
    user = await _user(world, transport)
    world.sim.control.inject_fault("reply_lost", method="start.employee_call")
    with pytest.raises(OutcomeUnknownError) as caught:
        await _start(user)
    external_id = caught.value.external_id
    assert external_id is not None
    assert len(world.requests("start.employee_call")) == 1  # start.* is never retried
    found = await user.find_call_by_external_id(external_id)
    assert found is not None
    assert found.contact_phone_number == ANSWERING_CONTACT
    # A start whose request never got through leaves nothing to find.
    world.sim.control.inject_fault("drop_connection", method="start.employee_call")
    with pytest.raises(OutcomeUnknownError) as second:
        await _start(user)
    assert second.value.external_id is not None
    assert await user.find_call_by_external_id(second.value.external_id) is None


async def test_read_timeout(world: World, transport: TransportChoice) -> None:
    user = await _user(
        world, transport, timeout=httpx.Timeout(connect=1.0, read=0.2, write=1.0, pool=1.0)
    )
    session = await _start(user)
    world.sim.control.inject_fault("latency", method="release.call", seconds=0.6)
    with pytest.raises(OutcomeUnknownError) as caught:
        await user.release_call(call_session_id=session)
    assert caught.value.kind is TransportErrorKind.READ_TIMEOUT


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_connection_refused_is_not_an_unknown_outcome(transport: TransportChoice) -> None:
    async def no_sleep(seconds: float) -> None:
        return None

    url = f"http://127.0.0.1:{_closed_port()}/v4.0"
    async with CallApiClient(base_url=url, transport=transport, sleep=no_sleep) as client:
        user = client.bind(PermanentKeyCredentials(MANAGER_KEY))
        with pytest.raises(TransportError) as caught:
            await user.release_call(call_session_id=1)
        assert not isinstance(caught.value, OutcomeUnknownError)
        assert caught.value.kind is TransportErrorKind.CONNECT_REFUSED
        assert caught.value.request_not_sent
        with pytest.raises(TransportError) as read_caught:
            await user.list_calls()
        assert read_caught.value.kind is TransportErrorKind.CONNECT_REFUSED
