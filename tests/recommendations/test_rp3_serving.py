""""For you" serves RP3beta over the shoppers' purchases: fitted at build, shared by forks, refitted by a rebuild."""

from __future__ import annotations

import pytest

from plugin.recommendations.engine.interactions import Order, OrderLine
from plugin.recommendations.serving.snapshot import build

from tests.support.recommendations import order, store_with

SHOP = "rp3.myshopify.com"
A, X, Y, NEW = "3000", "3001", "3002", "3003"


@pytest.fixture
def store(tmp_path):
    s = store_with(tmp_path / "rp3.db", SHOP, (A, X, Y, NEW))
    with s.database.write():
        order(s, SHOP, "o1", [A], customer="me")
        order(s, SHOP, "o2", [A], customer="d")
        order(s, SHOP, "o3", [Y], customer="d")  # Y only ever reached through d, who bought A before
        order(s, SHOP, "o4", [A, X], customer="e")
    yield s
    s.close()


def test_the_build_fits_the_walk_on_each_customers_purchases_and_forks_share_it(store):
    snapshot = build(store, SHOP)
    weights = snapshot.model.rp3
    assert [item for item, _ in weights.rank({A: 1.0})] == [X, Y]  # both one shopper away from A
    fork = snapshot.draft().own_model()
    assert fork.add_order(Order("late", "me", 0.0, (OrderLine(A), OrderLine(NEW))))
    assert fork.rp3 is weights and NEW not in fork.rp3
    with store.database.write():
        order(store, SHOP, "late", [A, NEW], customer="me")
    assert NEW in build(store, SHOP).model.rp3
