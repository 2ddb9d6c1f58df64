"""Whether UIS events flow: probes on calls the ledger saw begin or end, and the poll that
stops spending points on freshness while they flow."""

from __future__ import annotations

import asyncio

from api.budget import PointsBudget
from api.metadata import Limits
from bot.services.event_flow import EventFlow, FlowState
from bot.services.live import LivePoller

CALL = 3_100_000_001


def _flow(probe: float = 0.05) -> tuple[EventFlow, list[tuple[int, float]], list[FlowState]]:
    flow = EventFlow(enabled=True, probe_seconds=probe)
    warned: list[tuple[int, float]] = []
    changes: list[FlowState] = []

    async def warn(call_id: int, seconds: float) -> None:
        warned.append((call_id, seconds))

    flow.on_silent = warn
    flow.on_change = changes.append
    return flow, warned, changes


async def test_an_event_for_a_call_we_started_means_events_flow() -> None:
    flow, warned, changes = _flow()
    assert flow.state is FlowState.WAITING  # configured is not yet proven
    flow.expect_start(CALL)
    flow.heard(CALL, "outbound_call")
    assert flow.flowing
    await asyncio.sleep(0.1)  # the probe's timer was cancelled: nothing expires later
    assert flow.flowing
    assert warned == []
    assert changes == [FlowState.FLOWING]


async def test_a_call_without_an_event_stops_the_flow_and_warns_the_admins_once() -> None:
    flow, warned, changes = _flow()
    flow.expect_start(CALL)
    flow.heard(CALL, "outbound_call")
    flow.expect_end(CALL + 1)  # ended by our release: "call finished" never comes
    flow.heard(CALL + 2, "call_finished")  # another call's event settles nothing
    await asyncio.sleep(0.15)
    assert flow.state is FlowState.SILENT
    assert warned == [(CALL + 1, 0.05)]
    flow.expect_start(CALL + 3)
    flow.heard(CALL + 3, "waiting_for_answer")
    assert flow.flowing  # back
    flow.expect_start(CALL + 4)
    await asyncio.sleep(0.15)
    assert flow.state is FlowState.SILENT
    assert len(warned) == 1  # once per process
    assert changes == [FlowState.FLOWING, FlowState.SILENT, FlowState.FLOWING, FlowState.SILENT]


async def test_an_end_probe_wants_an_end_event_and_takes_one_that_came_first() -> None:
    flow, _warned, _changes = _flow()
    flow.expect_end(CALL)
    flow.heard(CALL, "talk_finished")  # not an end of the call
    assert flow.state is FlowState.WAITING
    flow.heard(CALL, "call_finished")
    assert flow.flowing
    other, _w, _c = _flow()
    other.heard(CALL, "call_finished")  # the event overtook our release reply
    other.expect_end(CALL)
    assert other.flowing


async def test_without_configured_events_nothing_is_expected() -> None:
    flow = EventFlow(enabled=False, probe_seconds=0.01)
    flow.expect_start(CALL)
    flow.heard(CALL, "outbound_call")
    await asyncio.sleep(0.05)
    assert flow.state is FlowState.OFF


def _budget() -> PointsBudget:
    budget = PointsBudget(reserve=5)
    budget.observe(
        Limits(
            day_limit=100_000,
            day_remaining=90_000,
            day_reset=40_000,
            minute_limit=6000,
            minute_remaining=6000,
            minute_reset=60,
        )
    )
    return budget


async def test_while_events_flow_the_poll_ticks_only_when_asked() -> None:
    flowing = [False]
    ticks: list[float] = []

    async def tick() -> bool:
        ticks.append(asyncio.get_running_loop().time())
        return True

    poller = LivePoller(
        _budget(),
        tick,
        min_interval=0.05,
        debounce=0.01,
        action_gap_share=0.0,
        events_flowing=lambda: flowing[0],
    )
    poller.start()
    try:
        poller.wake()
        await asyncio.sleep(0.3)
        assert poller.ticks["interval"] >= 3  # no events: the poll keeps cards fresh
        flowing[0] = True
        await asyncio.sleep(0.1)  # the wait under way when they started flowing ends
        before = len(ticks)
        await asyncio.sleep(0.4)
        assert len(ticks) == before  # nothing for freshness
        poller.refresh_soon("confirm hold.call")
        poller.refresh_soon("confirm hold.call")
        await asyncio.sleep(0.1)
        assert len(ticks) == before + 1  # one shared request
        assert poller.ticks["confirm hold.call"] == 1
    finally:
        await poller.stop()
