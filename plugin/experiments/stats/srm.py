"""Sample-ratio mismatch: did the split that happened match the split that was configured?

A 10 % holdout that shows 12 % of people in control is not a smaller or bigger experiment, it is a
broken one: something (a cache, a bot filter, a redirect that loses the cookie) decides who is
counted, differently per arm, and every number it shows is suspect. It turns up in about 6 % of
experiments at Microsoft (Fabijan et al., "Diagnosing sample ratio mismatch in online controlled
experiments", KDD 2019) and about 10 % at LinkedIn (Chen, Liu, Xu, KDD 2019). The check is a chi-square goodness-of-fit test of the people
per arm against the configured split, flagged at p < 0.001: strict, because the dashboard runs it
every day and a false alarm tells a merchant their experiment is broken.
"""

from __future__ import annotations

from dataclasses import dataclass

from scipy import stats

MISMATCH_P_VALUE = 0.001


@dataclass(frozen=True)
class SampleRatio:
    """The observed split, the configured one, and whether they disagree beyond chance."""

    control_people: int
    treated_people: int
    treated_share: float
    p_value: float
    mismatch: bool


def check_sample_ratio(control_people: int, treated_people: int, treated_share: float) -> SampleRatio:
    if not 0 < treated_share < 1:
        raise ValueError("treated_share must be strictly between 0 and 1")
    if control_people < 0 or treated_people < 0:
        raise ValueError("people per arm cannot be negative")
    total = control_people + treated_people
    p_value = 1.0
    if total:
        expected = [total * (1 - treated_share), total * treated_share]
        p_value = float(stats.chisquare([control_people, treated_people], f_exp=expected).pvalue)
    return SampleRatio(control_people, treated_people, treated_share, p_value, p_value < MISMATCH_P_VALUE)
