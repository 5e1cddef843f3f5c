"""The holdout simulation, small and seeded: daily looks keep their promises on both default splits.

A bounded version of ``python -m bench.holdout_sim`` (100 runs, 30 days instead of 200 and 90).
Fixed seeds make it deterministic; the realised shares sit well inside the targets (A/A at most
2 % ever significant, coverage at least 98 %), so the asserts hold at the targets themselves.
The ordinary interval peeked at daily is the check that the simulation can fail at all.
"""

from __future__ import annotations

import pytest

from bench.holdout_sim import VARIANTS, Setup, simulate

SETUPS = {
    "10 % control": Setup(control_share=0.10, runs=100, days=30, people_per_day=3_000, seed=1, runs_per_batch=20),
    "50 % control": Setup(control_share=0.50, runs=100, days=30, people_per_day=2_000, seed=1, runs_per_batch=20),
}


@pytest.fixture(scope="module")
def results():
    return {name: simulate(setup) for name, setup in SETUPS.items()}


@pytest.mark.parametrize("split", list(SETUPS))
def test_daily_looks_at_no_effect_rarely_declare_one(results, split):
    for variant in VARIANTS:
        assert results[split].false_positives[variant] <= 0.05, variant


@pytest.mark.parametrize("split", list(SETUPS))
def test_the_interval_covers_the_true_lift_at_every_look(results, split):
    for variant in VARIANTS:
        assert results[split].coverage[variant] >= 0.93, variant


@pytest.mark.parametrize("split", list(SETUPS))
def test_cuped_removes_variance_on_correlated_spend(results, split):
    assert results[split].variance_reduction["revenue"] > 0.1
    assert results[split].variance_reduction["conversion"] > 0.03


def test_an_ordinary_interval_peeked_at_daily_would_not_keep_the_promise(results):
    assert results["50 % control"].false_positives["conversion, fixed 95 % interval"] > 0.15
