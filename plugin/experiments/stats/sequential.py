"""The always-valid 95 % interval for the effect of a two-arm experiment with a known split.

Why always-valid: merchants look at the dashboard every day and act on the first "significant" day;
an ordinary interval checked that way lets far more than 5 % of no-effect experiments through.

Method: the Gaussian-mixture asymptotic confidence sequence of I. Waudby-Smith, D. Arbour, R. Sinha,
E. H. Kennedy, A. Ramdas, "Time-uniform central limit theory and asymptotic confidence sequences",
Annals of Statistics 52(6), 2380-2407, 2024 (arXiv:2103.06476), Theorem 2.2: for i.i.d. terms with
finite variance, after t of them

    mean_t +/- sigma_t * sqrt( 2 (t rho^2 + 1) / (t^2 rho^2) * log( sqrt(t rho^2 + 1) / alpha ) )

covers their mean at every t at once with probability tending to 1 - alpha (sigma_t divides by t).
It is Robbins' two-sided normal-mixture boundary (Howard, Ramdas, McAuliffe, Sekhon, Annals of
Statistics 49(2), 2021, Section 3) with the variance estimated from the data, which is how the
published example in the tests checks it. Chosen over the mixture SPRT (Johari et al., KDD 2017):
that one is the same normal mixture written as a test; here the interval itself is what the
dashboard shows, and its centre and width come from the same terms.

rho is tuned so the sequence is tightest near ``tuned_for`` people, with the paper's choice
rho^2 = (-2 log alpha + log(1 - 2 log alpha)) / t*  (the authors' drconfseq package,
``best_rho2_approx``; confseq's ``TwoSidedNormalMixture::best_rho`` is its reciprocal). 10,000
people is a typical shop's month of holdout traffic; the width is not very sensitive to it (tuned
for 10,000, the sequence is 1.55 to 1.65 times as wide as a fixed 95 % interval from 10,000 to 100,000 people).

Which terms: the plain inverse-propensity terms Z Y / p - (1 - Z) Y / (1 - p) have the effect as
their mean, but they carry each arm's level, not only its noise: with 10 % control a control
person's term is -10 Y, and the mean moves with the realised split (10.3 % control instead of 10 %
shifts it by 3 % of the control mean). Subtracting each arm's own mean first, i.e. the augmented
(AIPW) terms the paper's causal section uses, with the arm means as the outcome model,

    phi_i = (m1 - m0) + Z_i (Y_i - m1) / p - (1 - Z_i) (Y_i - m0) / (1 - p),

keeps the mean (the effect), makes the centre exactly the difference of the arm means, and leaves
n1 var1 / p^2 + n0 var0 / (1 - p)^2, over n, as the per-person variance. The arm means are fitted
on the same people rather than predictably; their error enters the centre only multiplied by the
split's own O(n^-1/2) error, a second-order term the asymptotic sequence absorbs (the simulation
checks coverage). With CUPED the terms are built from adjusted outcomes (``cuped.adjust``).

Not before 100 people in each arm have a non-zero outcome (bought; had revenue): the guarantee is
asymptotic, and with few buyers in a small holdout a heavy-tailed revenue mean and its variance are
both too low together, so the interval is too narrow exactly when it is off. In the simulation
(``bench/holdout_sim.py``, 10 % control, revenue) looking from the first day let 6 % of A/A runs be
declared significant and covered the truth throughout in only 92.5 % of runs, nearly all failures
in the first five days; waiting for 100 buyers per arm brought that to about 2.5 % and 97 %. Until
then the interval is unbounded and the dashboard says "not enough data yet".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .moments import Arm, Numeric

ALPHA = 0.05
TUNED_FOR_PEOPLE = 10_000
MIN_NONZERO_PER_ARM = 100


def rho_squared(tuned_for: float = TUNED_FOR_PEOPLE, alpha: float = ALPHA) -> float:
    """The mixture parameter that makes the boundary tightest at ``tuned_for`` terms."""
    if tuned_for <= 0 or not 0 < alpha < 1:
        raise ValueError("tuned_for must be positive and alpha in (0, 1)")
    return (-2 * np.log(alpha) + np.log(1 - 2 * np.log(alpha))) / tuned_for


def boundary(people: Numeric, *, alpha: float = ALPHA, tuned_for: float = TUNED_FOR_PEOPLE) -> Numeric:
    """The half-width for the mean of ``people`` unit-variance terms (Theorem 2.2's square root)."""
    r2 = rho_squared(tuned_for, alpha)
    t = np.asarray(people, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        width = np.sqrt(2 * (t * r2 + 1) / (t * t * r2) * np.log(np.sqrt(t * r2 + 1) / alpha))
    return np.where(t > 0, width, np.inf)


@dataclass(frozen=True)
class Effect:
    """The effect's estimate, its always-valid interval, and the per-person variance behind it."""

    estimate: Numeric
    low: Numeric
    high: Numeric
    term_variance: Numeric
    people: Numeric


def effect(
    control: Arm,
    treated: Arm,
    treated_share: float,
    *,
    alpha: float = ALPHA,
    tuned_for: float = TUNED_FOR_PEOPLE,
) -> Effect:
    """Treated minus control, with the always-valid interval for the average treatment effect.

    ``treated_share`` is the configured assignment probability p (0.9 for a 10 % holdout), not
    the share observed: the terms are weighted by the design, which is what makes them unbiased.
    """
    p = treated_share
    if not 0 < p < 1:
        raise ValueError("treated_share must be strictly between 0 and 1")
    people = np.asarray(control.people + treated.people, dtype=float)
    estimate = np.asarray(treated.mean - control.mean, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = (treated.people * treated.variance / p**2 + control.people * control.variance / (1 - p) ** 2) / people
    enough = (np.asarray(control.nonzero) >= MIN_NONZERO_PER_ARM) & (np.asarray(treated.nonzero) >= MIN_NONZERO_PER_ARM)
    half = np.where(enough, np.sqrt(variance) * boundary(people, alpha=alpha, tuned_for=tuned_for), np.inf)
    centre = np.where(enough, estimate, 0.0)
    return Effect(estimate, centre - half, centre + half, variance, people)
