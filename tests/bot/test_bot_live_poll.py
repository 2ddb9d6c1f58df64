"""The live-card poll's pace follows the points budget."""

from __future__ import annotations

from api.budget import PointsBudget
from api.metadata import Limits
from bot.services.live import poll_interval


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
