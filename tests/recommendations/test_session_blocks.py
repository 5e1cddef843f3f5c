"""Serving reads the visitor's current session, so "for you" reacts from the next page view."""

from __future__ import annotations

import pytest

from plugin.clock import now_ms
from plugin.recommendations.serving import api as recs
from plugin.recommendations.serving.registry import Models
from plugin.store import Event, Store

from tests.support.recommendations import order, product

SHOP = "recs.myshopify.com"
KITCHEN = [f"10{n}" for n in range(5)]
GARDEN = [f"20{n}" for n in range(4)]


@pytest.fixture
def store(tmp_path):
    s = Store(str(tmp_path / "recs.db"))
    s.migrate()
    for item in KITCHEN:
        product(s, SHOP, item, category="Kitchen")
    for item in GARDEN:
        product(s, SHOP, item, category="Garden")
    for n in range(10):
        order(s, SHOP, f"k{n}", KITCHEN[n % 5: n % 5 + 3])
    for n in range(20):
        order(s, SHOP, f"g{n}", GARDEN)
    yield s
    s.close()


def for_you(store, visitor: str, block: str = "for_you") -> list[str]:
    served = recs.recommend_for(Models(store), SHOP, recs.ShopperRequest(block=block, visitor_id=visitor, limit=4))
    return [item["product_id"] for item in served.items]


def browse(store, visitor: str, events: list[tuple[str, dict, str]], at: int) -> None:
    with store.database.write():
        store.events.add(SHOP, visitor, "session-1", [Event(kind, at + n, path, data)
                                                      for n, (kind, data, path) in enumerate(events)], at)


def test_an_anonymous_visitor_who_views_kitchen_products_gets_kitchen_products_in_for_you(store):
    trending = for_you(store, "visitor-new-0001", "trending")
    assert for_you(store, "visitor-new-0001") == trending  # nothing known yet: the trending fallback
    browse(store, "visitor-new-0001", [("page_view", {}, "/")] + [
        ("product_view", {"i": item}, f"/products/{item}") for item in KITCHEN[:3]], now_ms())
    shown = for_you(store, "visitor-new-0001")
    assert shown != trending and set(shown[:2]) == set(KITCHEN[3:])


def test_a_collection_view_counts_and_an_old_session_does_not(store):
    browse(store, "visitor-old-0001", [("product_view", {"i": item}, "/p") for item in KITCHEN[:3]],
           now_ms() - recs.SESSION_IDLE_MS - 60_000)
    assert for_you(store, "visitor-old-0001") == for_you(store, "visitor-old-0001", "trending")
    browse(store, "visitor-col-0001", [("collection_view", {"i": "kitchen"}, "/collections/kitchen")], now_ms())
    assert set(for_you(store, "visitor-col-0001")[:2]) <= set(KITCHEN)
