"""RP3beta and EASE^R on baskets whose right answer is known by hand."""

from __future__ import annotations

import numpy as np

from plugin.evaluation import item_graphs as ig
from plugin.recommendations.engine.interactions import Order, OrderLine


def baskets(*rows):
    return [Order(f"o{n}", None, 0.0, tuple(OrderLine(i) for i in row)) for n, row in enumerate(rows)]


ORDERS = baskets(*([["tea", "mug"]] * 6 + [["tea", "honey"]] * 2 + [["bread"]] * 30 + [["tea", "bread"]] * 3))


def ranked(matrix, query):
    return [item for item, _ in matrix.rank(query)]


def test_rp3beta_walks_to_co_purchased_items_and_its_popularity_penalty_demotes_best_sellers():
    # from tea: mug 6/22, bread 3/22, honey 2/22 of the walk; bread is in 33 orders, honey in 2
    assert ranked(ig.rp3beta(ORDERS, ig.RP3Params(alpha=1.0, beta=0.0)), {"tea": 1.0}) == ["mug", "bread", "honey"]
    assert ranked(ig.rp3beta(ORDERS, ig.RP3Params(alpha=1.0, beta=0.5)), {"tea": 1.0}) == ["mug", "honey", "bread"]
    assert ranked(ig.rp3beta(ORDERS, ig.RP3Params(1.0, 0.5, neighbours=1)), {"tea": 1.0}) == ["mug"]
    assert ig.rp3beta(ORDERS).rank({"unknown": 1.0}) == []


def test_ease_has_a_zero_diagonal_and_is_bounded_to_the_most_ordered_items():
    matrix = ig.ease(ORDERS, ig.EaseParams(l2=1.0))
    assert np.allclose(np.diag(matrix.weights), 0.0)
    assert ranked(matrix, {"mug": 1.0})[0] == "tea"
    small = ig.ease(ORDERS, ig.EaseParams(l2=1.0, max_items=2))
    assert sorted(small.items) == ["bread", "tea"] and small.weights.shape == (2, 2)
