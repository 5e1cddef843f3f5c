"""The one call the dashboard makes: both arms' per-person outcomes in, what to show out.

Everything a merchant reads about a surface's holdout comes from here, so every number on that
page agrees with every other: the lift is the centre of its interval, the incremental total is
the lift times the people who got the surface, and the split check runs on the same people.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import cuped, winsorize
from .moments import Moments
from .sequential import ALPHA, TUNED_FOR_PEOPLE, effect
from .srm import SampleRatio, check_sample_ratio


@dataclass(frozen=True)
class Interval:
    low: float
    high: float

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


@dataclass(frozen=True)
class Comparison:
    """One look at one experiment. Numbers that cannot be computed yet (an empty arm) are nan.

    ``control_mean``/``treated_mean`` are means of the outcome as analysed (after the revenue cap,
    before CUPED); ``lift`` is treated minus control, CUPED-adjusted when pre-period data was
    given, and ``relative_lift`` is it over the control mean. ``interval`` is always valid at
    ``1 - alpha``: looking every day does not raise the false-positive rate. It is unbounded
    ("not enough data yet") until each arm has 100 people with a non-zero outcome. ``term_variance`` is
    the per-person variance behind it, what ``horizon.days_until_significant`` needs.
    """

    control_people: int
    treated_people: int
    control_mean: float
    treated_mean: float
    lift: float
    relative_lift: float
    interval: Interval
    significant: bool
    incremental_total: float
    incremental_interval: Interval
    term_variance: float
    variance_reduction: float | None
    revenue_cap: float | None
    sample_ratio: SampleRatio


def compare(
    control: np.ndarray,
    treated: np.ndarray,
    *,
    treated_share: float,
    pre_control: np.ndarray | None = None,
    pre_treated: np.ndarray | None = None,
    cap_percentile: float | None = None,
    alpha: float = ALPHA,
    tuned_for: float = TUNED_FOR_PEOPLE,
) -> Comparison:
    """Compare the arms of one experiment.

    ``control``/``treated`` hold one outcome per person (0/1 conversions, or revenue);
    ``treated_share`` is the configured share of people who get the surface (0.9 for the default
    10 % holdout). ``pre_control``/``pre_treated``, each person's spend before exposure, turn on
    CUPED. ``cap_percentile`` (for revenue, e.g. ``winsorize.CAP_PERCENTILE``) caps each person's
    outcome at that percentile of the non-zero outcomes of both arms.
    """
    control_y, treated_y = _outcomes(control), _outcomes(treated)
    if (pre_control is None) != (pre_treated is None):
        raise ValueError("give the pre-period for both arms or for neither")
    revenue_cap = None
    if cap_percentile is not None:
        revenue_cap = winsorize.cap(np.concatenate([control_y, treated_y]), cap_percentile)
        control_y, treated_y = winsorize.capped(control_y, revenue_cap), winsorize.capped(treated_y, revenue_cap)
    with_pre = pre_control is not None
    control_sums = Moments.of(control_y, _covariate(pre_control, control_y) if with_pre else None)
    treated_sums = Moments.of(treated_y, _covariate(pre_treated, treated_y) if with_pre else None)
    control_arm, treated_arm, reduction = control_sums.arm, treated_sums.arm, None
    if with_pre:
        fitted = cuped.fit(control_sums + treated_sums)
        control_arm, treated_arm = cuped.adjust(control_sums, fitted), cuped.adjust(treated_sums, fitted)
        reduction = float(fitted.variance_reduction)
    result = effect(control_arm, treated_arm, treated_share, alpha=alpha, tuned_for=tuned_for)
    lift, low, high = float(result.estimate), float(result.low), float(result.high)
    control_mean = float(control_sums.y_mean)
    relative = lift / control_mean if control_mean else float("nan")
    interval = Interval(low, high)
    return Comparison(
        control_people=control_y.size,
        treated_people=treated_y.size,
        control_mean=control_mean,
        treated_mean=float(treated_sums.y_mean),
        lift=lift,
        relative_lift=relative,
        interval=interval,
        significant=interval.excludes_zero,
        incremental_total=lift * treated_y.size,
        incremental_interval=Interval(low * treated_y.size, high * treated_y.size),
        term_variance=float(result.term_variance),
        variance_reduction=reduction,
        revenue_cap=revenue_cap,
        sample_ratio=check_sample_ratio(control_y.size, treated_y.size, treated_share),
    )


def _outcomes(values: np.ndarray) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or not np.all(np.isfinite(array)):
        raise ValueError("outcomes must be a one-dimensional array of finite numbers, one per person")
    return array


def _covariate(values: np.ndarray, outcomes: np.ndarray) -> np.ndarray:
    array = _outcomes(values)
    if array.shape != outcomes.shape:
        raise ValueError("the pre-period needs one value per person, in the same order as the outcomes")
    return array
