"""Blocks: the cold-start ladder, pins, and filters applied to every rung."""

from __future__ import annotations

import pytest

from plugin.recommendations.engine.blocks import FINAL_RUNGS, LADDERS, STRATEGIES, BlockSettings, Request, fill, recommend
from plugin.recommendations.engine.catalog import CatalogIndex
from plugin.recommendations.engine.filters import FilterPolicy
from plugin.recommendations.engine.interactions import DAY, Order, OrderLine, Product
from plugin.recommendations.engine.model import InteractionModel
from plugin.recommendations.engine.rules import MerchantRules

NOW = 100 * DAY


def order(order_id, items, time=NOW - DAY, customer=None):
    return Order(order_id, customer, time, tuple(OrderLine(i) for i in items))


def catalog(*items, **overrides):
    return CatalogIndex(
        overrides.get(i, Product(i, created_at=float(n))) for n, i in enumerate(items)
    )


@pytest.fixture
def model():
    orders = [order(f"ab{k}", ["a", "b"]) for k in range(4)]
    orders += [order(f"old{k}", ["old"], time=0.0) for k in range(9)]  # best seller, not trending
    orders += [order("ann1", ["a"], customer="ann")]
    return InteractionModel.from_orders(orders)


def test_empty_model_falls_through_to_new_arrivals():
    items = recommend(InteractionModel(), Request("for_you", NOW, customer="x", k=3), catalog("p1", "p2", "p3", "p4"))
    assert items == ["p4", "p3", "p2"]


def test_ladder_order_strategy_then_fallbacks_then_best_sellers_then_new(model):
    cat = catalog("a", "b", "old", "new1", "new2")
    items = recommend(model, Request("frequently_bought_together", NOW, product="a", k=5), cat)
    # its own strategy, then trending (which holds 'old', faintly), then new arrivals;
    # never the product on the page
    assert items == ["b", "old", "new2", "new1"]


def test_unknown_shopper_gets_trending_before_best_sellers(model):
    items = recommend(model, Request("for_you", NOW, customer="stranger", k=2), catalog("a", "b", "old"))
    assert items == ["a", "b"]  # trending: 'old' sold 9 times, but 99 days ago


def test_block_is_never_empty_while_an_eligible_product_exists(model):
    cat = catalog("a", "b", "old", "x", x=Product("x", created_at=1.0), old=Product("old", in_stock=False))
    for block in LADDERS:
        request = Request(block, NOW, customer="ann", product="b", cart=("a",), views=(("b", 1.0),), k=4)
        items = recommend(model, request, cat)
        assert items, block
        assert "old" not in items and "b" not in items
    only_x = catalog("x")
    for block in LADDERS:
        assert recommend(model, Request(block, NOW, customer="ann", k=4), only_x) == ["x"], block


def test_for_you_excludes_purchases_but_buy_again_shows_them(model):
    cat = catalog("a", "b", "old")
    assert "a" not in recommend(model, Request("for_you", NOW, customer="ann"), cat)
    assert recommend(model, Request("buy_again", NOW, customer="ann"), cat)[0] == "a"


def test_repeatable_consumables_come_back(model):
    cat = catalog("a", "b", "old")
    policy = FilterPolicy(repeatable=frozenset({"a"}))
    items = recommend(model, Request("for_you", NOW, customer="stranger"), cat)
    assert "a" in items
    ann = recommend(model, Request("trending", NOW, customer="ann"), cat, BlockSettings(policy=policy))
    assert "a" in ann


def test_pins_first_in_merchant_order_and_still_filtered(model):
    cat = catalog("a", "b", "old", "p", "q", q=Product("q", in_stock=False))
    rules = MerchantRules(pins=("p", "q", "b"))
    request = Request("frequently_bought_together", NOW, product="a", k=3)
    items = recommend(model, request, cat, BlockSettings(rules=rules))
    assert items[:2] == ["p", "b"]
    assert "q" not in items


def test_exclude_and_boost_apply_to_every_rung(model):
    cat = catalog("a", "b", "old", "new")
    rules = MerchantRules(excluded=frozenset({"b"}), boosts={"old": 1e6})  # "old" trends at 1e-4 of "a"
    items = recommend(model, Request("for_you", NOW, customer="stranger", k=4), cat, BlockSettings(rules=rules))
    assert "b" not in items and items[0] == "old"
    pinned_but_excluded = BlockSettings(rules=MerchantRules(excluded=frozenset({"b"}), pins=("b",)))
    assert "b" not in recommend(model, Request("for_you", NOW, k=4), cat, pinned_but_excluded)


def test_recently_viewed_block(model):
    cat = catalog("a", "b", "old")
    request = Request("recently_viewed", NOW, views=(("old", 1.0), ("b", 2.0)), k=2)
    assert recommend(model, request, cat) == ["b", "old"]


def test_cart_block_completes_the_cart(model):
    assert recommend(model, Request("cart", NOW, cart=("a",), k=1), catalog("a", "b", "old")) == ["b"]


def test_fill_computes_later_rungs_only_when_needed():
    called = []

    def rung(name, items):
        def run():
            called.append(name)
            return [(i, 1.0) for i in items]

        return run

    assert fill([rung("first", ["a", "b"]), rung("second", ["c"])], 2, lambda i: True) == ["a", "b"]
    assert called == ["first"]
    assert fill([rung("first", ["a", "b"]), rung("second", ["b", "c"])], 3, lambda i: i != "a") == ["b", "c"]


def test_every_rung_names_a_strategy():
    assert {name for ladder in LADDERS.values() for name in ladder} | set(FINAL_RUNGS) == set(STRATEGIES)


def test_unknown_block_is_an_error(model):
    with pytest.raises(ValueError):
        recommend(model, Request("nope", NOW))
