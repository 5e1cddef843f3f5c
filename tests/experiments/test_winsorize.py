"""The revenue cap: a percentile of the people who spent, not of everyone."""

from __future__ import annotations

import numpy as np
import pytest

from plugin.experiments.stats import winsorize


def test_the_cap_ignores_people_who_spent_nothing():
    spenders = np.arange(1.0, 101.0)  # 1..100
    with_zeros = np.concatenate([np.zeros(10_000), spenders])
    assert winsorize.cap(with_zeros, 99.0) == pytest.approx(np.percentile(spenders, 99.0))
    assert winsorize.cap(with_zeros, 99.0) == winsorize.cap(spenders, 99.0)


def test_capping_brings_only_the_tail_down():
    values = np.array([0.0, 5.0, 50.0, 5_000.0])
    assert winsorize.capped(values, 60.0).tolist() == [0.0, 5.0, 50.0, 60.0]


def test_nobody_spent_means_no_cap():
    assert winsorize.cap(np.zeros(100)) == float("inf")


@pytest.mark.parametrize("percentile", [0.0, -1.0, 100.5])
def test_the_percentile_must_be_a_percentile(percentile):
    with pytest.raises(ValueError):
        winsorize.cap(np.ones(10), percentile)
