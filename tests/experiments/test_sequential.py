"""The always-valid interval: a published example, the terms it is built on, and how it behaves with n."""

from __future__ import annotations

import numpy as np
import pytest

from plugin.experiments.stats.moments import FIELDS, Arm, Moments
from plugin.experiments.stats.sequential import MIN_NONZERO_PER_ARM, boundary, effect, rho_squared


def test_reproduces_the_published_two_sided_normal_mixture():
    """gostevehoward/confseq, test/uniform_boundaries_unittest.cpp, MixtureTest.TestTwoSidedNormalMixture
    (values from the authors' R reference implementation): for v_opt = 100 and alpha = 0.05,
    ``TwoSidedNormalMixture::best_rho`` is 12.60056 and the bound on the sum at v = 100 is 30.35209.

    Theorem 2.2's boundary is that mixture with unit variance: its rho is the reciprocal of our rho^2,
    and its bound on the sum of 100 terms is 100 times our half-width for their mean.
    """
    assert 1 / rho_squared(tuned_for=100, alpha=0.05) == pytest.approx(12.60056, abs=1e-5)
    assert 100 * boundary(100, alpha=0.05, tuned_for=100) == pytest.approx(30.35209, abs=1e-5)


def _arms(control: np.ndarray, treated: np.ndarray) -> tuple[Arm, Arm]:
    return Moments.of(control).arm, Moments.of(treated).arm


def test_the_interval_is_built_on_the_augmented_ipw_terms_and_centred_on_the_difference_of_means():
    rng = np.random.default_rng(7)
    control, treated = rng.exponential(2.0, 400), rng.exponential(2.5, 3_600)
    p = 0.9
    found = effect(*_arms(control, treated), p)

    m0, m1 = control.mean(), treated.mean()
    terms = np.concatenate([(m1 - m0) + (treated - m1) / p, (m1 - m0) - (control - m0) / (1 - p)])
    assert found.estimate == pytest.approx(terms.mean()) == pytest.approx(m1 - m0)
    assert found.term_variance == pytest.approx(terms.var())
    half = terms.std() * boundary(terms.size)
    assert (found.low, found.high) == pytest.approx((terms.mean() - half, terms.mean() + half))
    plain_ipw = np.concatenate([treated / p, -control / (1 - p)])
    assert plain_ipw.var() > 1.5 * terms.var()  # the level each plain term carries, removed


def test_the_interval_shrinks_as_people_arrive():
    rng = np.random.default_rng(3)
    control, treated = (rng.random(2_000) < 0.1) * 1.0, (rng.random(2_000) < 0.1) * 1.0
    widths = []
    for copies in (1, 4, 16):
        found = effect(*_arms(np.tile(control, copies), np.tile(treated, copies)), 0.5)
        widths.append(found.high - found.low)
    assert widths[0] > widths[1] > widths[2]
    assert widths[1] / widths[0] == pytest.approx(boundary(16_000) / boundary(4_000), rel=1e-9)


def test_no_interval_until_each_arm_has_a_hundred_people_with_an_outcome():
    treated = np.r_[np.ones(500), np.zeros(4_500)]
    too_few = np.r_[np.ones(MIN_NONZERO_PER_ARM - 1), np.zeros(900)]
    enough = np.r_[np.ones(MIN_NONZERO_PER_ARM), np.zeros(900)]
    waiting = effect(*_arms(too_few, treated), 0.5)
    assert (waiting.low, waiting.high) == (-np.inf, np.inf)
    shown = effect(*_arms(enough, treated), 0.5)
    assert np.isfinite(shown.low) and np.isfinite(shown.high)


def test_one_call_answers_many_experiments_and_looks():
    """Arrays of totals broadcast: the simulation asks for 200 runs times 90 looks at once."""
    rng = np.random.default_rng(11)
    pairs = [((rng.random(3_000) < 0.05) * 1.0, (rng.random(3_000) < 0.06) * 1.0) for _ in range(3)]
    singles = [effect(*_arms(c, t), 0.5) for c, t in pairs]
    stacked = [Moments(*(np.array([getattr(Moments.of(pair[i]), f) for pair in pairs]) for f in FIELDS)).arm
               for i in (0, 1)]
    together = effect(*stacked, 0.5)
    assert together.low == pytest.approx([s.low for s in singles])
    assert together.high == pytest.approx([s.high for s in singles])


@pytest.mark.parametrize("share", [0.0, 1.0, -0.1, 1.5])
def test_the_split_must_leave_both_arms_someone(share):
    arm = Moments.of(np.ones(200)).arm
    with pytest.raises(ValueError):
        effect(arm, arm, share)
