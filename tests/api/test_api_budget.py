"""Points budget: learning from metadata, refusing, reserve, in-flight reservations."""

from __future__ import annotations

import pytest

from api.budget import PointsBudget
from api.errors import BudgetExceededError
from api.metadata import Limits


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limits(
    minute_remaining: float,
    minute_reset: float = 30,
    day_remaining: float = 900,
    day_reset: float = 40000,
) -> Limits:
    return Limits(
        day_limit=1000,
        day_remaining=day_remaining,
        day_reset=day_reset,
        minute_limit=60,
        minute_remaining=minute_remaining,
        minute_reset=minute_reset,
    )


def test_unknown_state_allows_everything() -> None:
    budget = PointsBudget(reserve=5)
    for _ in range(100):
        budget.acquire(1).release()
    assert budget.snapshot().minute.remaining is None


def test_refuses_when_minute_points_are_used_up_and_reports_reset() -> None:
    clock = FakeClock()
    budget = PointsBudget(clock=clock)
    budget.observe(limits(minute_remaining=1, minute_reset=30))
    budget.acquire(1, method="list.calls").settle(limits=limits(0, minute_reset=29), charged=True)
    clock.now += 2
    with pytest.raises(BudgetExceededError) as caught:
        budget.acquire(1, method="list.calls")
    refusal = caught.value
    assert refusal.window == "minute"
    assert refusal.seconds_to_reset == pytest.approx(27)
    assert "list.calls" in str(refusal)
    # After the reset the counter is full again.
    clock.now += 28
    budget.acquire(1).release()
    assert budget.snapshot().minute.remaining == 60


def test_reserve_lets_in_call_actions_through() -> None:
    budget = PointsBudget(reserve=3, clock=FakeClock())
    budget.observe(limits(minute_remaining=3))
    with pytest.raises(BudgetExceededError) as caught:
        budget.acquire(1, method="list.calls")
    assert caught.value.reserve_applied
    for _ in range(3):
        budget.acquire(1, priority=True, method="transfer.talk")
    with pytest.raises(BudgetExceededError) as caught:
        budget.acquire(1, priority=True)
    assert not caught.value.reserve_applied


def test_in_flight_requests_hold_points() -> None:
    budget = PointsBudget(clock=FakeClock())
    budget.observe(limits(minute_remaining=2))
    first = budget.acquire(1)
    second = budget.acquire(1)
    with pytest.raises(BudgetExceededError):
        budget.acquire(1)
    first.release()  # e.g. a transport error: nothing charged
    third = budget.acquire(1)
    assert budget.snapshot().minute.in_flight == 2
    second.settle(limits=None, charged=True)
    third.settle(limits=None, charged=True)
    snap = budget.snapshot()
    assert snap.minute.in_flight == 0
    assert snap.minute.remaining == 0


def test_only_successes_are_charged_locally() -> None:
    budget = PointsBudget(clock=FakeClock())
    budget.observe(limits(minute_remaining=5))
    budget.acquire(1).settle(limits=None, charged=False)
    assert budget.snapshot().minute.remaining == 5
    budget.acquire(1).settle(limits=None, charged=True)
    assert budget.snapshot().minute.remaining == 4


def test_out_of_order_replies_keep_the_lowest_remaining_within_a_window() -> None:
    clock = FakeClock()
    budget = PointsBudget(clock=clock)
    budget.observe(limits(minute_remaining=10, minute_reset=30))
    budget.observe(limits(minute_remaining=12, minute_reset=30))  # an older reply, late
    assert budget.snapshot().minute.remaining == 10
    clock.now += 31  # a new window: higher figures are believed again
    budget.observe(limits(minute_remaining=59, minute_reset=59))
    assert budget.snapshot().minute.remaining == 59


def test_a_raised_limit_is_believed_within_the_same_window() -> None:
    """The account's plan changed mid-minute: the old low figure must not block until reset."""
    budget = PointsBudget(clock=FakeClock())
    budget.observe(limits(minute_remaining=2, minute_reset=30))
    raised = Limits(
        day_limit=1000,
        day_remaining=900,
        day_reset=40000,
        minute_limit=600,
        minute_remaining=590,
        minute_reset=30,
    )
    budget.observe(raised)
    assert budget.snapshot().minute.remaining == 590
    assert budget.snapshot().minute.limit == 600
    budget.observe(raised._replace(minute_remaining=595))  # late reply, same (new) limit
    assert budget.snapshot().minute.remaining == 590


def test_day_window_refusal_reports_the_longer_wait() -> None:
    budget = PointsBudget(clock=FakeClock())
    budget.observe(limits(minute_remaining=0, minute_reset=10, day_remaining=0, day_reset=5000))
    with pytest.raises(BudgetExceededError) as caught:
        budget.acquire(1)
    assert caught.value.window == "day"
    assert caught.value.seconds_to_reset == pytest.approx(5000)


def test_limit_exceeded_without_metadata_blocks_until_a_probe_time() -> None:
    clock = FakeClock()
    budget = PointsBudget(clock=clock)
    budget.note_limit_exceeded("minute")
    with pytest.raises(BudgetExceededError) as caught:
        budget.acquire(1)
    assert caught.value.seconds_to_reset == pytest.approx(60)
    clock.now += 61
    budget.acquire(1).release()


def test_reserve_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="reserve"):
        PointsBudget(reserve=-1)


def test_recovery_actions_are_sent_with_no_points_left() -> None:
    """UIS charges only successful requests: taking a client off hold is never held back."""
    budget = PointsBudget(reserve=5, clock=FakeClock())
    budget.observe(limits(minute_remaining=0, minute_reset=33))
    with pytest.raises(BudgetExceededError):
        budget.acquire(1, priority=True, method="hold.call")
    reservation = budget.acquire(1, priority=True, recovery=True, method="unhold.call")
    assert budget.snapshot().minute.in_flight == 1
    reservation.settle(limits=None, charged=True)
    assert budget.snapshot().minute.remaining == 0


def test_hold_keeps_a_point_for_each_call_that_will_wait() -> None:
    budget = PointsBudget(reserve=5, clock=FakeClock())
    budget.observe(limits(minute_remaining=3))
    # One other call of this user is on hold, plus this one: 2 points must stay after it.
    budget.acquire(1, priority=True, exit_reserve=2, method="hold.call").release()
    with pytest.raises(BudgetExceededError) as refused:
        budget.acquire(1, priority=True, exit_reserve=3, method="hold.call")
    assert refused.value.exit_reserve == 3
    assert refused.value.reserve_applied
    assert refused.value.seconds_to_reset == pytest.approx(30)
    assert "kept to take calls off hold" in str(refused.value)


def test_exit_reserve_does_not_apply_when_the_request_itself_does_not_fit() -> None:
    budget = PointsBudget(reserve=5, clock=FakeClock())
    budget.observe(limits(minute_remaining=0))
    with pytest.raises(BudgetExceededError) as refused:
        budget.acquire(1, priority=True, exit_reserve=1, method="hold.call")
    assert refused.value.exit_reserve == 0
    assert not refused.value.reserve_applied
