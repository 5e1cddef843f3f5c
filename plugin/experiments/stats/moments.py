"""Per-arm sums, the one summary every statistic in this package is computed from.

Why sums rather than arrays: the dashboard hands over per-person arrays, but the simulation keeps
running totals per day (and later SQL aggregates can too). Written on sums, the same formulas serve
both, and numpy broadcasting lets one call answer 200 simulated experiments times 90 daily looks at
once. Variances divide by n (population variance), as Waudby-Smith et al.'s sigma-hat does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Numeric = float | np.ndarray
"""A number, or an array of them (one per experiment and look) that broadcasts like one."""


@dataclass(frozen=True)
class Arm:
    """One arm's outcome, as the interval needs it: people, mean, population variance, and how many
    people had a non-zero outcome (buyers), which says whether the normal approximation has earned trust."""

    people: Numeric
    mean: Numeric
    variance: Numeric
    nonzero: Numeric


@dataclass(frozen=True)
class Moments:
    """Sums over one arm's people of the outcome y, the pre-period covariate x, and their products,
    with the count of people whose outcome is not zero."""

    people: Numeric
    nonzero: Numeric
    y: Numeric
    yy: Numeric
    x: Numeric = 0.0
    xx: Numeric = 0.0
    xy: Numeric = 0.0

    @classmethod
    def of(cls, outcomes: np.ndarray, pre_period: np.ndarray | None = None) -> Moments:
        y = np.asarray(outcomes, dtype=float)
        x = np.zeros_like(y) if pre_period is None else np.asarray(pre_period, dtype=float)
        return cls(
            float(y.size), float(np.count_nonzero(y)), float(y.sum()), float(y @ y),
            float(x.sum()), float(x @ x), float(x @ y),
        )

    def __add__(self, other: Moments) -> Moments:
        return Moments(*(getattr(self, name) + getattr(other, name) for name in FIELDS))

    def _per_person(self, total: Numeric) -> Numeric:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.people > 0, np.divide(total, self.people), np.nan)

    @property
    def y_mean(self) -> Numeric:
        return self._per_person(self.y)

    @property
    def x_mean(self) -> Numeric:
        return self._per_person(self.x)

    @property
    def y_variance(self) -> Numeric:
        return np.maximum(self._per_person(self.yy) - self.y_mean**2, 0.0)

    @property
    def x_variance(self) -> Numeric:
        return np.maximum(self._per_person(self.xx) - self.x_mean**2, 0.0)

    @property
    def covariance(self) -> Numeric:
        return self._per_person(self.xy) - self.x_mean * self.y_mean

    @property
    def arm(self) -> Arm:
        """The outcome as it is, unadjusted."""
        return Arm(self.people, self.y_mean, self.y_variance, self.nonzero)


FIELDS = ("people", "nonzero", "y", "yy", "x", "xx", "xy")
