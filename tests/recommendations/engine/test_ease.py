"""EASE^R's fit on baskets small enough to check by hand, and how the cart ranks with it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from plugin.recommendations.engine import ease
from plugin.recommendations.engine import strategies as s
from plugin.recommendations.engine.interactions import Order, OrderLine
from plugin.recommendations.engine.model import InteractionModel

# A and C are bought together 4 times, A and B 3 times, and C alone 30 times: item kNN with basket
# neighbours ranks B first for a cart holding A, EASE^R ranks C first (computed, not hand-checked).
ROWS = [("A", "B")] * 3 + [("A", "C")] * 4 + [("C",)] * 30


def model_of(rows) -> InteractionModel:
    return InteractionModel.from_orders(
        Order(f"o{n}", None, float(n), tuple(OrderLine(item) for item in row)) for n, row in enumerate(rows))


def test_two_items_always_bought_together_weigh_n_over_n_plus_lambda_and_the_diagonal_is_zero():
    # Gram [[3+1, 3], [3, 3+1]]: P = [[4, -3], [-3, 4]] / 7, so B_ab = -P_ab / P_bb = 3/4
    fitted = ease.fit([("a", "b")] * 3, ease.EaseParams(l2=1.0))
    assert fitted.items == ["a", "b"] and fitted.weights.dtype == np.float32
    assert fitted.weights == pytest.approx(np.array([[0.0, 0.75], [0.75, 0.0]]), abs=1e-6)


def test_an_item_never_bought_with_another_gets_no_weight_from_it():
    fitted = ease.fit([("a", "b"), ("a", "b"), ("c",)], ease.EaseParams(l2=1.0))
    assert fitted.rank({"a": 1.0}) == [("b", pytest.approx(2 / 3))]
    assert fitted.rank({"c": 1.0}) == [] and fitted.rank({"unknown": 1.0}) == []


def test_the_fit_keeps_only_the_most_ordered_items_and_its_weights_cannot_be_changed():
    fitted = ease.fit([("a", "b"), ("a", "c"), ("a", "b")], ease.EaseParams(l2=1.0, max_items=2))
    assert fitted.items == ["a", "b"] and fitted.weights.shape == (2, 2)
    with pytest.raises(ValueError):
        fitted.weights[0, 1] = 5.0
    assert ease.fit([(), ()]) is None


def test_the_cart_ranks_ease_first_then_the_other_scores_and_without_weights_is_unchanged():
    model = model_of(ROWS)
    without = s.complete_the_cart(model, ["A"])
    assert [item for item, _ in without][:1] == ["B"]
    model.ease = ease.fit(ROWS, ease.CART_EASE)
    assert [item for item, _ in s.complete_the_cart(model, ["A"])][:2] == ["C", "B"]
    assert s.complete_the_cart(model, ["A"], replace(s.CartParams(), ease=False)) == without


def test_a_cart_outside_the_bound_falls_back_to_the_other_scores():
    rows = ROWS + [("D", "B")] * 2
    model = model_of(rows)
    fallback = s.complete_the_cart(model, ["D"])
    model.ease = ease.fit(rows, replace(ease.CART_EASE, max_items=3))  # C, A and B: D is left out
    assert "D" not in model.ease
    assert s.complete_the_cart(model, ["D"]) == fallback
