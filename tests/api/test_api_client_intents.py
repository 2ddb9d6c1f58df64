"""Write-ahead intents: each attempt is announced before its request leaves, and followed by
exactly one record with the same request id (also when the caller is cancelled mid-request)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from callapi_testkit import (
    MANAGER_LOGIN,
    MANAGER_PASSWORD,
    World,
    parameter_check_order_fixture,  # noqa: F401 - runs each test under both orders
    world_fixture,  # noqa: F401 - the "world" fixture
)

from api.client import BoundCallApi
from api.credentials import CredentialsProvider, LoginSessionCredentials
from api.errors import BudgetExceededError, TransportError
from api.models import Message
from api.observer import (
    AttemptIntent,
    AttemptOutcome,
    AttemptRecord,
    AttemptTrigger,
    IntentObserver,
    Observer,
)

SESSION_SECONDS = 3600


class Witness:
    """An intent observer that notes how many requests the simulator had seen at that moment."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.intents: list[AttemptIntent] = []
        self.received_before: list[int] = []
        self.announced = asyncio.Event()

    def __call__(self, intent: AttemptIntent) -> None:
        self.intents.append(intent)
        self.received_before.append(len(self.world.requests()))
        self.announced.set()


def _observed(
    world: World,
    credentials: CredentialsProvider | None = None,
    *,
    observer: Observer | None = None,
    intent_observer: IntentObserver | None = None,
) -> tuple[BoundCallApi, Witness, list[AttemptRecord]]:
    """A user on a client of its own whose intents a Witness sees and whose records a list
    keeps (unless other observers are given)."""
    witness = Witness(world)
    records: list[AttemptRecord] = []
    client = world.new_client(
        intent_observer=intent_observer or witness, observer=observer or records.append
    )
    world.closers.append(client)
    user = client.bind(credentials or world.keyed().credentials, context={"chat": 7})
    return user, witness, records


def _paired(intents: list[AttemptIntent], records: list[AttemptRecord]) -> None:
    """Every intent has exactly one record with its request id (and no record is unannounced,
    except local refusals, which send nothing)."""
    sent = [r for r in records if r.outcome is not AttemptOutcome.REFUSED_LOCALLY]
    assert [i.request_id for i in intents] == [r.request_id for r in sent]
    assert len({i.request_id for i in intents}) == len(intents)
    for intent, record in zip(intents, sent, strict=True):
        assert (intent.method, intent.attempt, intent.trigger) == (
            record.method,
            record.attempt,
            record.trigger,
        )


async def test_the_intent_is_told_before_the_request_leaves(world: World) -> None:
    user, witness, records = _observed(world)
    call_id = await world.connected_call(world.keyed())
    before = len(world.requests())
    await user.hold_call(call_session_id=call_id, contact_message=Message.media(501))
    (intent,) = witness.intents
    assert witness.received_before == [before]  # the simulator had not seen it yet
    (received,) = world.requests("hold.call")
    assert received["id"] == intent.request_id
    assert intent.method == "hold.call"
    assert intent.params["call_session_id"] == call_id
    assert "access_token" not in intent.params
    assert (intent.attempt, intent.trigger) == (1, AttemptTrigger.FIRST)
    assert dict(intent.context) == {"chat": 7}
    _paired(witness.intents, records)


async def test_retries_and_relogins_are_announced_one_by_one(world: World) -> None:
    user, witness, records = _observed(
        world, LoginSessionCredentials(MANAGER_LOGIN, MANAGER_PASSWORD)
    )
    await user.list_calls()
    world.clock.advance(SESSION_SECONDS + 1)  # the server ends the session; we do not know
    world.sim.control.inject_fault("drop_connection", method="list.calls")
    await user.list_calls()  # dropped, retried, rejected, re-logged in, resent
    triggers = [(i.method, i.trigger) for i in witness.intents]
    assert triggers == [
        ("login.user", AttemptTrigger.FIRST),
        ("list.calls", AttemptTrigger.FIRST),
        ("list.calls", AttemptTrigger.FIRST),
        ("list.calls", AttemptTrigger.RETRY),
        ("login.user", AttemptTrigger.FIRST),
        ("list.calls", AttemptTrigger.RELOGIN),
    ]
    assert witness.intents[0].params["password"] == "***"
    _paired(witness.intents, records)


async def test_a_cancelled_caller_still_gets_a_record_of_unknown_outcome(world: World) -> None:
    user, witness, records = _observed(world)
    call_id = await world.connected_call(world.keyed())
    world.sim.control.inject_fault("latency", method="hold.call", seconds=0.5)
    task = asyncio.create_task(
        user.hold_call(call_session_id=call_id, contact_message=Message.media(501))
    )
    await witness.announced.wait()
    await asyncio.sleep(0.1)  # the request is out, held by the simulator
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    (record,) = records
    assert record.outcome is AttemptOutcome.UNKNOWN
    assert record.detail == "cancelled while the request was out"
    _paired(witness.intents, records)


async def test_an_async_observer_hears_of_a_cancellation_too(world: World) -> None:
    heard: list[AttemptRecord] = []

    async def observer(record: AttemptRecord) -> None:
        await asyncio.sleep(0)
        heard.append(record)

    user, witness, _records = _observed(world, observer=observer)
    world.sim.control.inject_fault("latency", method="list.calls", seconds=0.5)
    task = asyncio.create_task(user.list_calls())
    await witness.announced.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(10):
        await asyncio.sleep(0)
    assert [r.outcome for r in heard] == [AttemptOutcome.UNKNOWN]


async def test_local_refusals_announce_nothing(world: World) -> None:
    world.sim.control.set_limits(points_per_minute=1)
    user, witness, records = _observed(world)
    await user.list_calls()
    with pytest.raises(BudgetExceededError):
        await user.list_calls()
    assert [r.outcome for r in records] == [AttemptOutcome.OK, AttemptOutcome.REFUSED_LOCALLY]
    assert len(witness.intents) == 1
    _paired(witness.intents, records)


async def test_intent_observer_failures_never_break_calls(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(intent: AttemptIntent) -> None:
        raise RuntimeError("journal is gone")

    user, _witness, records = _observed(world, intent_observer=broken)
    reply = await user.list_calls()
    assert reply.data is not None
    assert [r.outcome for r in records] == [AttemptOutcome.OK]
    assert sum("intent observer failed" in r.getMessage() for r in caplog.records) == 1


async def test_a_transport_failure_is_an_outcome_not_an_interruption(world: World) -> None:
    user, witness, records = _observed(world)
    world.sim.control.inject_fault("drop_connection", count=5, method="list.talk_options")
    with pytest.raises(TransportError):
        await user.list_talk_options()
    outcomes: list[Any] = [r.outcome for r in records]
    assert outcomes == [AttemptOutcome.TRANSPORT_ERROR] * len(witness.intents)
    _paired(witness.intents, records)
