"""The demo's month of simulated shoppers: assigned like real shoppers, and the page's statistics find the
true effects built in (a fixed seed, so the same figures every run)."""

from __future__ import annotations

import pytest

from plugin.clock import DAY_MS
from plugin.experiments import simulated
from plugin.experiments.shoppers import conversion_lift

NOW = 1_796_000_000_000
SHOP = "demo.myshopify.com"


@pytest.fixture(scope="module")
def month():
    return simulated.month(SHOP, NOW, 10)


def test_each_surface_runs_a_month_with_a_tenth_in_the_holdout_and_no_split_mismatch(month):
    assert [found.surface.experiment for found in month] == [s.experiment for s in simulated.SURFACES]
    for found in month:
        latest = found.looks[-1][1]
        people = latest.control_people + latest.treated_people
        assert people == simulated.DAYS * found.surface.people_per_day
        assert 0.09 < latest.control_people / people < 0.11
        assert not latest.conversion.sample_ratio.mismatch
        assert latest.period.started_at == (NOW // DAY_MS + 1 - simulated.DAYS) * DAY_MS


def test_every_interval_covers_the_true_effect_and_the_clear_win_is_detected(month):
    for found in month:
        compared = found.looks[-1][1].conversion
        assert compared.interval.low <= simulated.true_lift(found.surface) <= compared.interval.high
    capture = month[0].looks[-1][1].conversion
    assert capture.significant and capture.interval.low > 0
    nothing = next(f for f in month if f.surface.lift == 0).looks[-1][1].conversion
    assert not nothing.significant


def test_the_looks_grow_with_the_month_and_cuped_reduces_variance(month):
    people = [r.control_people + r.treated_people for _, r in month[0].looks]
    assert people == sorted(people) and people[0] < people[-1]
    assert all(found.looks[-1][1].conversion.variance_reduction > 0.05 for found in month)


def test_the_true_conversion_lift_caps_each_shopper_s_chance_at_one():
    assert conversion_lift(0.0) == 0
    assert conversion_lift(0.10) == pytest.approx(0.003)  # 10 % of the 3 % base rate
    assert conversion_lift(0.40, 2.0) < 0.40 * 0.03 * 2.0  # regulars at 0.7 × 2 cannot buy more than once
