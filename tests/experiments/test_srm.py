"""Sample-ratio mismatch: a skewed split is flagged, a fair one is not."""

from __future__ import annotations

import pytest

from plugin.experiments.stats.srm import check_sample_ratio


def test_a_skewed_split_is_flagged():
    found = check_sample_ratio(control_people=1_200, treated_people=8_800, treated_share=0.9)
    assert found.mismatch
    assert found.p_value < 1e-9


def test_a_fair_split_is_not():
    found = check_sample_ratio(control_people=1_020, treated_people=8_980, treated_share=0.9)
    assert not found.mismatch


def test_the_p_value_is_the_chi_square_of_the_counts():
    """5,100 against 4,900 on a 50/50 split: chi-square 4 on one degree of freedom, p = 0.0455."""
    found = check_sample_ratio(5_100, 4_900, 0.5)
    assert found.p_value == pytest.approx(0.0455, abs=1e-4)
    assert not found.mismatch  # suspicious, not alarming: the flag is at 0.001


def test_nobody_yet_is_no_mismatch():
    assert check_sample_ratio(0, 0, 0.9).p_value == 1.0


@pytest.mark.parametrize("control, treated, share", [(10, 90, 0.0), (10, 90, 1.0), (-1, 90, 0.9)])
def test_refuses_what_cannot_be_a_split(control, treated, share):
    with pytest.raises(ValueError):
        check_sample_ratio(control, treated, share)
