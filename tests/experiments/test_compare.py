"""compare(): what the dashboard shows, every number agreeing with the others."""

from __future__ import annotations

import math

import numpy as np
import pytest

from plugin.experiments.stats.compare import compare
from plugin.experiments.stats.sequential import boundary


def _conversions(rng: np.random.Generator, people: int, rate: float) -> np.ndarray:
    return (rng.random(people) < rate).astype(float)


def test_the_fields_of_a_clear_win():
    rng = np.random.default_rng(5)
    control, treated = _conversions(rng, 20_000, 0.03), _conversions(rng, 180_000, 0.045)
    found = compare(control, treated, treated_share=0.9)

    assert (found.control_people, found.treated_people) == (20_000, 180_000)
    assert (found.control_mean, found.treated_mean) == pytest.approx((control.mean(), treated.mean()))
    assert found.lift == pytest.approx(treated.mean() - control.mean())
    assert found.relative_lift == pytest.approx(found.lift / control.mean())
    assert found.interval.low < found.lift < found.interval.high
    assert found.significant and found.interval.low > 0
    assert found.incremental_total == pytest.approx(found.lift * 180_000)
    assert (found.incremental_interval.low, found.incremental_interval.high) == pytest.approx(
        (found.interval.low * 180_000, found.interval.high * 180_000))
    half = math.sqrt(found.term_variance) * boundary(200_000)
    assert found.interval.high - found.lift == pytest.approx(half)
    assert (found.variance_reduction, found.revenue_cap) == (None, None)
    assert not found.sample_ratio.mismatch


def test_no_difference_is_not_significant():
    rng = np.random.default_rng(6)
    found = compare(_conversions(rng, 20_000, 0.03), _conversions(rng, 180_000, 0.03), treated_share=0.9)
    assert not found.significant
    assert found.interval.low < 0 < found.interval.high


def test_pre_period_spend_narrows_the_interval():
    rng = np.random.default_rng(8)
    spend = rng.gamma(2.0, 30.0, 60_000)
    revenue = 0.5 * spend + rng.gamma(2.0, 20.0, 60_000)
    control, treated = slice(0, 30_000), slice(30_000, None)
    plain = compare(revenue[control], revenue[treated], treated_share=0.5)
    adjusted = compare(revenue[control], revenue[treated], treated_share=0.5,
                       pre_control=spend[control], pre_treated=spend[treated])
    assert adjusted.variance_reduction == pytest.approx(np.corrcoef(revenue, spend)[0, 1] ** 2, rel=1e-6)
    assert adjusted.variance_reduction > 0.3
    assert adjusted.interval.high - adjusted.interval.low < plain.interval.high - plain.interval.low
    assert adjusted.control_mean == plain.control_mean  # the means shown are the outcomes, unadjusted


def test_the_cap_tames_one_huge_order():
    rng = np.random.default_rng(9)
    control = np.where(rng.random(10_000) < 0.03, rng.lognormal(3.5, 1.0, 10_000), 0.0)
    treated = np.where(rng.random(90_000) < 0.03, rng.lognormal(3.5, 1.0, 90_000), 0.0)
    treated[0] = 2_000_000.0  # one wholesale order
    raw = compare(control, treated, treated_share=0.9)
    capped = compare(control, treated, treated_share=0.9, cap_percentile=99.0)
    assert capped.revenue_cap == pytest.approx(np.percentile(np.r_[control, treated][np.r_[control, treated] > 0], 99))
    assert capped.treated_mean < raw.treated_mean
    assert abs(capped.lift) < abs(raw.lift) / 10


def test_an_empty_arm_shows_counts_and_nothing_else():
    found = compare(np.array([]), np.ones(50), treated_share=0.9)
    assert (found.control_people, found.treated_people) == (0, 50)
    assert math.isnan(found.control_mean) and math.isnan(found.lift)
    assert (found.interval.low, found.interval.high) == (-math.inf, math.inf)
    assert not found.significant


@pytest.mark.parametrize(
    "kwargs",
    [
        {"control": np.ones((2, 2)), "treated": np.ones(4)},
        {"control": np.array([1.0, np.nan]), "treated": np.ones(4)},
        {"control": np.ones(3), "treated": np.ones(4), "pre_control": np.ones(3)},
        {"control": np.ones(3), "treated": np.ones(4), "pre_control": np.ones(2), "pre_treated": np.ones(4)},
    ],
)
def test_refuses_outcomes_it_cannot_read(kwargs):
    with pytest.raises(ValueError):
        compare(**kwargs, treated_share=0.9)
