"""CUPED: less noise in the effect by subtracting what each person's spend before exposure predicts.

Deng, Xu, Kohavi, Walker, "Improving the sensitivity of online controlled experiments by utilizing
pre-experiment data", WSDM 2013: replace each outcome Y by Y - theta (X - mean X), with X measured
before the person was exposed (so the treatment cannot move it) and theta = cov(Y, X) / var(X)
pooled over both arms (their control-variates estimator). The expected effect is unchanged and the variance shrinks by
the share the covariate explains, corr(Y, X)^2; Bing saw about 50 %.

Written on sums (``Moments``) so one formula adjusts the dashboard's arrays and the simulation's
running totals alike: the adjusted arm's mean is mean Y - theta (mean X_arm - mean X) and its
variance var Y - 2 theta cov + theta^2 var X, exactly what adjusting each person would give.
theta is estimated on the same people, as in the paper; its error reaches the effect only multiplied
by the arms' difference in mean X, a second-order term.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .moments import Arm, Moments, Numeric


@dataclass(frozen=True)
class Cuped:
    """The fitted adjustment: theta, the pre-period mean it centres on, and the variance it removed."""

    theta: Numeric
    pre_mean: Numeric
    variance_reduction: Numeric


def fit(pooled: Moments) -> Cuped:
    """theta from both arms together; no covariate spread (or no outcome spread) means no adjustment."""
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = np.where(pooled.x_variance > 0, pooled.covariance / pooled.x_variance, 0.0)
        adjusted = _adjusted_variance(pooled, theta)
        reduction = np.where(pooled.y_variance > 0, 1 - adjusted / pooled.y_variance, 0.0)
    return Cuped(theta, pooled.x_mean, reduction)


def adjust(arm: Moments, cuped: Cuped) -> Arm:
    """One arm's outcome after the adjustment, as the interval needs it."""
    mean = arm.y_mean - cuped.theta * (arm.x_mean - cuped.pre_mean)
    return Arm(arm.people, mean, _adjusted_variance(arm, cuped.theta), arm.nonzero)


def _adjusted_variance(moments: Moments, theta: Numeric) -> Numeric:
    variance = moments.y_variance - 2 * theta * moments.covariance + theta**2 * moments.x_variance
    return np.maximum(variance, 0.0)
