""""Not enough data yet": how many more days until the interval could exclude zero.

A merchant looking at an interval that straddles zero wants to know whether to wait a week or a
year. Assuming the estimate and its per-person variance stay where they are, the interval excludes
zero once sigma * boundary(n) falls below |estimate| (``sequential.boundary`` shrinks as n grows),
so the answer is the n where that first happens, reached at the current rate of new people.
It is a projection, not a promise: the estimate will move, and a true effect of zero never gets there.
The interval also waits for 100 people with an outcome in each arm (``sequential``); the dashboard
shows that count itself, so the projection leaves it out.
"""

from __future__ import annotations

import math

from scipy import optimize

from .sequential import ALPHA, TUNED_FOR_PEOPLE, boundary


def people_needed(
    effect: float, term_variance: float, *, alpha: float = ALPHA, tuned_for: float = TUNED_FOR_PEOPLE
) -> float | None:
    """The number of people at which an effect this size, this noisy, would be significant."""
    if effect == 0 or not math.isfinite(effect) or not math.isfinite(term_variance) or term_variance < 0:
        return None
    if term_variance == 0:
        return 1.0
    target = abs(effect) / math.sqrt(term_variance)

    def gap(people: float) -> float:
        return float(boundary(people, alpha=alpha, tuned_for=tuned_for)) - target

    if gap(1.0) <= 0:
        return 1.0
    high = 2.0
    while gap(high) > 0:
        high *= 2
    return optimize.brentq(gap, high / 2, high)


def days_until_significant(
    estimate: float,
    term_variance: float,
    people: float,
    people_per_day: float,
    *,
    alpha: float = ALPHA,
    tuned_for: float = TUNED_FOR_PEOPLE,
) -> float | None:
    """More days until the interval excludes zero (0 if it already does); None if it never would."""
    if people_per_day <= 0:
        return None
    needed = people_needed(estimate, term_variance, alpha=alpha, tuned_for=tuned_for)
    if needed is None:
        return None
    return max(0.0, (needed - people) / people_per_day)
