"""The cart block serves EASE^R's completions: fitted at build, shared by forks, refitted by a rebuild."""

from __future__ import annotations

import pytest

from plugin.recommendations.engine.interactions import Order, OrderLine
from plugin.recommendations.serving import api as recs
from plugin.recommendations.serving import registry
from plugin.recommendations.serving.registry import Models
from plugin.recommendations.serving.snapshot import build

from tests.support.recommendations import order, store_with

SHOP = "ease.myshopify.com"
A, B, C, NEW = "2000", "2001", "2002", "2003"


@pytest.fixture
def store(tmp_path):
    s = store_with(tmp_path / "ease.db", SHOP, (A, B, C, NEW))
    # A with B 3 times, A with C 4 times, C alone 30 times: item kNN with basket neighbours would
    # put B first in A's cart, EASE^R puts C first (tests/recommendations/engine/test_ease.py)
    rows = [[A, B]] * 3 + [[A, C]] * 4 + [[C]] * 30
    with s.database.write():
        for n, items in enumerate(rows):
            order(s, SHOP, f"o{n}", items)
    yield s
    s.close()


def cart_block(models, cart: tuple[str, ...]) -> list[str]:
    served = recs.recommend_for(models, SHOP, recs.ShopperRequest(block="cart", cart=cart, limit=2))
    return [item["product_id"] for item in served.items]


def test_the_cart_block_ranks_first_the_item_ease_favours(store):
    assert cart_block(Models(store), (A,))[:2] == [C, B]


def test_forks_share_the_fitted_weights_and_a_rebuild_refits_them(store):
    snapshot = build(store, SHOP)
    weights = snapshot.model.ease
    assert set(weights.items) == {A, B, C}
    fork = snapshot.draft().own_model()
    assert fork.add_order(Order("late", None, 0.0, (OrderLine(A), OrderLine(NEW))))
    assert fork.ease is weights and NEW not in fork.ease
    with store.database.write():
        order(store, SHOP, "late", [A, NEW])
    rebuilt = build(store, SHOP).model.ease
    assert rebuilt is not weights and NEW in rebuilt and NEW not in weights


def test_a_build_inside_a_block_request_fits_fewer_items_than_a_rebuild(store, monkeypatch):
    monkeypatch.setattr(registry, "INLINE_EASE_ITEMS", 2)  # the shopper waits for this fit: it is kept small
    models = Models(store)
    cart_block(models, (A,))
    assert set(models.current(SHOP).model.ease.items) == {A, C}  # the two most ordered
    recs.rebuild(models, SHOP)  # `storelift rebuild`: nobody waits, the full bound
    assert set(models.current(SHOP).model.ease.items) == {A, B, C}
