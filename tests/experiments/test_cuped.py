"""CUPED: less variance when the pre-period predicts the outcome, none removed when it does not."""

from __future__ import annotations

import numpy as np
import pytest

from plugin.experiments.stats import cuped
from plugin.experiments.stats.moments import Moments


def _correlated(rng: np.random.Generator, people: int, correlation: float) -> tuple[np.ndarray, np.ndarray]:
    pre = rng.standard_normal(people)
    outcome = correlation * pre + np.sqrt(1 - correlation**2) * rng.standard_normal(people)
    return 10 + outcome, 50 + 5 * pre


def test_removes_the_variance_the_pre_period_explains():
    rng = np.random.default_rng(1)
    y, x = _correlated(rng, 20_000, 0.7)
    control, treated = Moments.of(y[:2_000], x[:2_000]), Moments.of(y[2_000:], x[2_000:])
    fitted = cuped.fit(control + treated)
    assert fitted.variance_reduction == pytest.approx(0.49, abs=0.02)

    theta = np.cov(y, x)[0, 1] / np.var(x, ddof=1)
    by_person = y[:2_000] - theta * (x[:2_000] - x.mean())  # Deng et al.: Y - theta (X - mean X), per person
    adjusted = cuped.adjust(control, fitted)
    assert fitted.theta == pytest.approx(theta)
    assert adjusted.mean == pytest.approx(by_person.mean())
    assert adjusted.variance == pytest.approx(by_person.var())
    assert fitted.variance_reduction == pytest.approx(1 - (y - theta * (x - x.mean())).var() / y.var())


def test_removes_nothing_when_the_pre_period_is_unrelated():
    rng = np.random.default_rng(2)
    y, x = _correlated(rng, 20_000, 0.0)
    fitted = cuped.fit(Moments.of(y, x))
    assert abs(fitted.variance_reduction) < 0.002
    assert cuped.adjust(Moments.of(y, x), fitted).variance == pytest.approx(y.var(), rel=0.002)


def test_no_spread_before_means_no_adjustment():
    y = np.random.default_rng(3).random(1_000)
    fitted = cuped.fit(Moments.of(y, np.full(1_000, 7.0)))
    assert (fitted.theta, fitted.variance_reduction) == (0.0, 0.0)
    assert cuped.adjust(Moments.of(y, np.full(1_000, 7.0)), fitted).mean == pytest.approx(y.mean())
