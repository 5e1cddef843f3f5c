""""Not enough data yet": how many more days until the interval would exclude zero."""

from __future__ import annotations

import pytest

from plugin.experiments.stats.horizon import days_until_significant, people_needed
from plugin.experiments.stats.sequential import boundary


def test_the_projection_lands_where_the_interval_would_just_exclude_zero():
    estimate, variance, people, rate = 0.004, 0.33, 50_000, 2_000
    days = days_until_significant(estimate, variance, people, rate)
    assert days is not None and days > 0
    then = people + days * rate
    assert variance**0.5 * boundary(then) == pytest.approx(estimate, rel=1e-9)
    assert variance**0.5 * boundary(then - rate) > estimate  # a day earlier it would not have


def test_a_bigger_effect_or_faster_traffic_needs_fewer_days():
    slow = days_until_significant(0.003, 0.33, 10_000, 1_000)
    assert days_until_significant(0.006, 0.33, 10_000, 1_000) < slow
    assert days_until_significant(0.003, 0.33, 10_000, 4_000) < slow
    assert days_until_significant(-0.003, 0.33, 10_000, 1_000) == pytest.approx(slow)


def test_already_significant_is_zero_days():
    needed = people_needed(0.01, 0.33)
    assert days_until_significant(0.01, 0.33, needed + 1, 500) == 0.0


@pytest.mark.parametrize("estimate, rate", [(0.0, 1_000), (0.004, 0), (0.004, -5)])
def test_no_answer_without_an_effect_or_without_new_people(estimate, rate):
    assert days_until_significant(estimate, 0.33, 10_000, rate) is None
