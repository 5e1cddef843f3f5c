"""Sums by item index in catalog-long vectors: the same indices and the very same floats as sorting them."""

import numpy as np

from plugin.recommendations.engine.scatter import marked, summed


def test_summed_gives_each_index_once_ascending_with_the_floats_a_sort_and_bincount_give():
    rng = np.random.default_rng(3)
    indices = rng.integers(0, 500, 4000)
    terms = rng.random(4000) ** 2 * 1e-3
    present, sums = summed(indices, terms, 600)
    expected, slots = np.unique(indices, return_inverse=True)
    assert present.tolist() == expected.tolist()
    assert sums.tolist() == np.bincount(slots, weights=terms).tolist()  # exact: same order of additions


def test_summed_keeps_an_index_whose_terms_add_up_to_nothing_and_leaves_out_indices_never_given():
    present, sums = summed(np.array([7, 2, 7]), np.array([0.0, 1.5, 0.0]), 10)
    assert present.tolist() == [2, 7]
    assert sums.tolist() == [1.5, 0.0]


def test_summed_of_nothing_is_empty():
    present, sums = summed(np.zeros(0, dtype=np.int64), np.zeros(0), 10)
    assert len(present) == 0 and len(sums) == 0


def test_marked_is_true_exactly_at_the_indices():
    assert np.flatnonzero(marked(np.array([4, 1, 4]), 6)).tolist() == [1, 4]
