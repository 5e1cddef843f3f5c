"""RP3beta's walk on rows small enough to check by hand, and how "for you" mixes it in."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from plugin.recommendations.engine import rp3beta
from plugin.recommendations.engine import strategies as s
from plugin.recommendations.engine.ease import ItemMatrix
from plugin.recommendations.engine.interactions import Order, OrderLine
from plugin.recommendations.engine.model import InteractionModel

# a is in 3 rows, b in 2, c in 1; every row holds 2 items
ROWS = [("a", "b"), ("a", "c"), ("a", "b")]


def order(order_id: str, customer: str, time: float, *items: str) -> Order:
    return Order(order_id, customer, time, tuple(OrderLine(item) for item in items))


def test_the_walk_is_a_to_row_then_row_to_item_and_never_back_to_itself():
    # a -> each of its rows 1/3, row -> b 1/2: W_ab = 2 * 1/6, W_ac = 1/6
    fitted = rp3beta.fit(ROWS, rp3beta.RP3Params(alpha=1.0, beta=0.0))
    assert fitted.weights.dtype == np.float32
    assert fitted.rank({"a": 1.0}) == [("b", pytest.approx(1 / 3)), ("c", pytest.approx(1 / 6))]


def test_the_popularity_penalty_divides_by_the_target_items_rows_to_the_beta():
    # W_ab = (1/3) / 2, W_ac = (1/6) / 1: a tie, broken by item id
    fitted = rp3beta.fit(ROWS, rp3beta.RP3Params(alpha=1.0, beta=1.0))
    assert fitted.rank({"a": 1.0}) == [("b", pytest.approx(1 / 6)), ("c", pytest.approx(1 / 6))]
    assert rp3beta.fit(ROWS, rp3beta.RP3Params(1.0, 0.0, neighbours=1)).rank({"a": 1.0}) == [("b", pytest.approx(1 / 3))]
    assert rp3beta.fit([]) is None


def test_computing_the_walk_a_few_items_at_a_time_gives_the_same_weights(monkeypatch):
    rows = [("a", "b", "c"), ("b", "d"), ("c", "d", "e"), ("a", "e"), ("b", "c")]
    whole = rp3beta.fit(rows, rp3beta.RP3Params(neighbours=2)).weights.toarray()
    monkeypatch.setattr(rp3beta, "BLOCK", 2)
    assert np.array_equal(rp3beta.fit(rows, rp3beta.RP3Params(neighbours=2)).weights.toarray(), whole)


def test_each_shopper_is_one_row_so_items_they_bought_in_different_orders_are_linked():
    model = InteractionModel.from_orders([order("o1", "x", 1.0, "a"), order("o2", "x", 2.0, "b")])
    assert [item for item, _ in rp3beta.fit_shoppers(model).rank({"a": 1.0})] == ["b"]
    assert rp3beta.fit(([item] for item in "ab")).rank({"a": 1.0}) == []  # each order a row: no link


def test_for_you_adds_what_other_shoppers_bought_later_when_the_model_carries_the_walk():
    # Y was never in an order with A, so item kNN cannot reach it; d bought both, in two orders
    model = InteractionModel.from_orders([
        order("o1", "me", 1.0, "A"), order("o2", "d", 2.0, "A"), order("o3", "d", 3.0, "Y"),
        order("o4", "e", 4.0, "A", "X"),
    ])
    assert [item for item, _ in s.for_you(model, "me", 5.0)] == ["X"]
    model.rp3 = rp3beta.fit_shoppers(model)
    assert {item for item, _ in s.for_you(model, "me", 5.0)} == {"X", "Y"}
    assert [item for item, _ in s.for_you(model, "me", 5.0, replace(s.ForYouParams(), rp3_weight=0.0))] == ["X"]


def test_a_sparse_matrix_ranks_exactly_as_the_same_weights_held_dense():
    fitted = rp3beta.fit([("a", "b", "c"), ("b", "d"), ("c", "d", "e"), ("a", "e"), ("b", "c")],
                         rp3beta.RP3Params(neighbours=2))
    dense = ItemMatrix(fitted.items, fitted.weights.toarray())
    for query in ({"a": 1.0}, {"b": 2.0, "e": 0.5}, {"a": 1.0, "d": 1.0, "unknown": 3.0}):
        sparse_ranking, dense_ranking = fitted.rank(query), dense.rank(query)
        assert [item for item, _ in sparse_ranking] == [item for item, _ in dense_ranking]
        assert [score for _, score in sparse_ranking] == pytest.approx([score for _, score in dense_ranking])


def test_matrix_terms_are_the_ranking_in_the_models_own_indices():
    model = InteractionModel.from_orders([order(f"o{n}", f"c{n % 4}", float(n), *items) for n, items in enumerate(
        [("a", "b", "c"), ("b", "d"), ("c", "d", "e"), ("a", "e"), ("b", "c"), ("e", "f")])])
    model.rp3 = rp3beta.fit_shoppers(model)
    query = {"b": 1.0, "e": 0.5}
    indices, scores = model.matrix_terms(model.rp3, query)
    assert sorted(zip([model.items[i] for i in indices], scores.tolist())) == sorted(model.rp3.rank(query))
    assert len(indices) > 1
