"""The session's signals as weighted items, and "for you" that reacts to them."""

from __future__ import annotations

import pytest

from plugin.recommendations.engine import strategies as s
from plugin.recommendations.engine.blocks import Request, recommend
from plugin.recommendations.engine.catalog import CatalogIndex
from plugin.recommendations.engine.interactions import DAY, Order, OrderLine, Product
from plugin.recommendations.engine.model import InteractionModel
from plugin.recommendations.engine.session import MAX_ITEMS, session_items

NOW = 400 * DAY
KITCHEN = ["pan", "pot", "knife", "board", "whisk"]
GARDEN = ["hose", "rake", "spade"]


def order(order_id, items, customer=None, time=NOW - DAY):
    return Order(order_id, customer, time, tuple(OrderLine(i) for i in items))


@pytest.fixture
def model():
    """Kitchen items sell together, garden items together; the garden sells most (trending)."""
    orders = [order(f"k{n}", KITCHEN[n % 5: n % 5 + 3]) for n in range(10)]
    orders += [order(f"g{n}", GARDEN) for n in range(20)]
    orders += [order("h1", ["hose", "rake"], customer="gardener")]
    return InteractionModel.from_orders(orders)


@pytest.fixture
def catalog():
    return CatalogIndex([Product(item, category="Kitchen Tools") for item in KITCHEN]
                        + [Product(item, category="Garden") for item in GARDEN])


def names(ranking):
    return [item for item, _ in ranking]


def test_views_add_to_cart_collections_and_searches_become_items_newest_first(model, catalog):
    signals = [
        ("add_to_cart", "", "/products/pan"),
        ("product_view", "pan", "/products/pan"),
        ("search", "cheap garden", "/search"),
        ("collection_view", "kitchen-tools", "/collections/kitchen-tools"),
        ("page_view", "", "/"),
        ("product_view", "knife", "/products/knife"),
    ]
    items = dict(session_items(signals, model, catalog))
    assert list(items)[0] == "pan" and items["pan"] == 2.0  # the add to cart names the page's product
    assert {"hose", "rake", "spade"} <= set(items) and items["hose"] == 0.5  # "garden" names the category
    assert items["knife"] == 1.0  # viewed beats the collection's 0.5
    assert session_items([("collection_view", "no-such-thing", "/c")], model, catalog) == ()
    assert session_items([("add_to_cart", "", "/cart")], model, catalog) == ()


def test_the_session_is_bounded_to_its_newest_items(model):
    signals = [("product_view", f"p{n}", f"/products/p{n}") for n in range(50)]
    items = session_items(signals, model, None)
    assert [item for item, _ in items] == [f"p{n}" for n in range(MAX_ITEMS)]


def test_a_first_time_visitor_who_views_kitchen_products_gets_kitchen_products_not_trending(model, catalog):
    session = (("pan", 1.0), ("pot", 1.0), ("knife", 1.0))
    assert names(s.for_you(model, None, NOW)) == []
    ranked = names(s.for_you(model, None, NOW, session=session))
    assert set(ranked) == {"board", "whisk"}  # the neighbours, never the viewed items themselves
    request = Request("for_you", NOW, session=session, k=3)
    shown = recommend(model, request, catalog)
    assert shown[:2] in (["board", "whisk"], ["whisk", "board"])
    assert shown != recommend(model, Request("trending", NOW, k=3), catalog)


def test_the_session_is_mixed_with_the_shoppers_history_and_recent_items_count_more(model):
    history = names(s.for_you(model, "gardener", NOW))
    assert history[0] == "spade"
    mixed = names(s.for_you(model, "gardener", NOW, session=(("whisk", 1.0),)))
    assert "spade" in mixed and {"board", "knife"} <= set(mixed)
    newest_pan = s.for_you(model, None, NOW, session=(("pan", 1.0), ("whisk", 1.0)))
    newest_whisk = s.for_you(model, None, NOW, session=(("whisk", 1.0), ("pan", 1.0)))
    assert newest_pan != newest_whisk
    assert names(newest_pan)[0] in {"pot", "knife"}  # pan's own neighbours lead when pan is newest
