"""The live-card poll's pace follows the points budget."""

from __future__ import annotations

from api.budget import PointsBudget
from api.metadata import Limits
from bot.services.live import LivePoller, poll_interval


def _budget(minute: float, day: float, day_remaining: float, day_reset: float) -> PointsBudget:
    budget = PointsBudget(reserve=5, clock=lambda: 1000.0)
    budget.observe(
        Limits(
            day_limit=day,
            day_remaining=day_remaining,
            day_reset=day_reset,
            minute_limit=minute,
            minute_remaining=minute,
            minute_reset=60,
        )
    )
    return budget


def _interval(budget: PointsBudget) -> float:
    return poll_interval(
        budget, minute_share=0.25, day_floor=0.2, min_interval=3.0, max_interval=300.0
    )


def test_pace_is_a_share_of_the_minute_limit() -> None:
    assert _interval(_budget(60, 1000, 900, 40_000)) == 4.0  # 15 polls a minute
    assert _interval(_budget(600, 100_000, 90_000, 40_000)) == 3.0  # never faster than the floor


def test_low_day_points_are_spread_over_the_rest_of_the_day() -> None:
    relaxed = _interval(_budget(60, 1000, 900, 40_000))
    scarce = _interval(_budget(60, 1000, 150, 4_000))
    assert scarce > relaxed
    assert scarce == 4_000 / ((150 - 5) * 0.25)
    assert _interval(_budget(60, 1000, 5, 40_000)) == 300.0


def test_unknown_limits_poll_at_the_floor() -> None:
    assert _interval(PointsBudget()) == 3.0


async def test_refreshes_after_actions_keep_a_gap_between_requests() -> None:
    """Steady pressing must not turn the confirming refresh into a poll every debounce."""
    now = [1000.0]
    budget = _budget(60, 1000, 900, 40_000)  # poll interval 4 s

    async def tick() -> bool:
        return True

    poller = LivePoller(budget, tick, debounce=0.3, action_gap_share=0.5, clock=lambda: now[0])
    assert poller.action_delay() == 0.3  # nothing sent yet: only the debounce
    poller._last_tick_at = now[0]
    assert poller.action_delay() == 2.0  # half the 4 s interval since the last request
    now[0] += 1.5
    assert poller.action_delay() == 0.5
    now[0] += 10
    assert poller.action_delay() == 0.3
