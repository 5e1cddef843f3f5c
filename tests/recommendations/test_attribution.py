"""Orders attributed to the block whose click preceded them: the store query, with identity stitching."""

from __future__ import annotations

import pytest

from plugin.clock import DAY_MS, HOUR_MS
from plugin.people import identity
from plugin.store import Store

from tests.support.recommendations import catalog, order

SHOP = "attr.myshopify.com"
T = 1_800_000_000_000


@pytest.fixture
def store(tmp_path):
    s = Store(str(tmp_path / "attr.db"))
    s.migrate()
    catalog(s, SHOP, 6)
    yield s
    s.close()


def click(store, visitor: str, product_id: str, at: int, rec_id: str = "rec-aaaaaaaa", strategy: str = "trending"):
    store.rec_attribution.add_click(SHOP, rec_id, visitor, strategy, product_id, 1, at)


def attributed(store, window_ms: int = DAY_MS) -> list[tuple]:
    rows = store.rec_attribution.attributed(SHOP, 0, 2**62, window_ms)
    return sorted((r["order_id"], r["product_id"], r["rec_id"], r["strategy"], r["revenue"]) for r in rows)


def test_an_order_through_the_clicking_visitors_cart_is_attributed_to_the_block(store):
    identity.observe(store, SHOP, "visitor-cart-01", T, cart_token="cart-1")
    click(store, "visitor-cart-01", "1001", T + 1000, rec_id="rec-block-1", strategy="frequently_bought_together")
    order(store, SHOP, "o1", ["1001", "1002"], cart="cart-1", at=T + HOUR_MS)
    [row] = store.rec_attribution.attributed(SHOP, 0, 2**62, DAY_MS)
    assert row == {"order_id": "o1", "product_id": "1001", "rec_id": "rec-block-1",
                   "strategy": "frequently_bought_together", "clicked_at": T + 1000, "ordered_at": T + HOUR_MS,
                   "revenue": "10.00", "currency": "USD"}


def test_the_click_on_one_device_and_the_order_on_another_are_joined_by_email(store):
    identity.observe(store, SHOP, "visitor-phone-1", T, email="ann@example.com")
    click(store, "visitor-phone-1", "1003", T)
    order(store, SHOP, "o1", ["1003"], email="Ann@Example.com", at=T + HOUR_MS)  # a guest checkout on a laptop
    identity.observe(store, SHOP, "visitor-desk-01", T, customer_id="55")
    click(store, "visitor-desk-01", "1004", T, rec_id="rec-bbbbbbbb")
    order(store, SHOP, "o2", ["1004"], customer="55", at=T + HOUR_MS)
    assert attributed(store) == [("o1", "1003", "rec-aaaaaaaa", "trending", "10.00"),
                                 ("o2", "1004", "rec-bbbbbbbb", "trending", "10.00")]


def test_only_orders_of_the_clicked_product_by_that_shopper_within_the_window_count(store):
    identity.observe(store, SHOP, "visitor-ann-001", T, email="ann@example.com")
    identity.observe(store, SHOP, "visitor-bob-001", T, email="bob@example.com")
    click(store, "visitor-ann-001", "1001", T)
    order(store, SHOP, "before", ["1001"], email="ann@example.com", at=T - 1000)  # the second before the click
    order(store, SHOP, "too-late", ["1001"], email="ann@example.com", at=T + DAY_MS + 1)
    order(store, SHOP, "other-product", ["1002"], email="ann@example.com", at=T + HOUR_MS)
    order(store, SHOP, "someone-else", ["1001"], email="bob@example.com", at=T + HOUR_MS)
    order(store, SHOP, "cancelled", ["1001"], email="ann@example.com", at=T + HOUR_MS, cancelled=True)
    order(store, SHOP, "anonymous", ["1001"], at=T + HOUR_MS)
    assert attributed(store) == []
    assert [r[0] for r in attributed(store, window_ms=2 * DAY_MS)] == ["too-late"]


def test_a_click_in_the_order_s_own_second_counts(store):
    """Platform order times are whole seconds: a click at T + 700 ms, then an order placed at T + 900 ms
    that the platform records as T."""
    identity.observe(store, SHOP, "visitor-ann-001", T + 700, email="ann@example.com")
    click(store, "visitor-ann-001", "1001", T + 700)
    order(store, SHOP, "same-second", ["1001"], email="ann@example.com", at=T)
    assert [r["order_id"] for r in store.rec_attribution.attributed(SHOP, 0, 2**62, DAY_MS)] == ["same-second"]


def test_of_several_clicks_the_latest_before_the_order_wins(store):
    identity.observe(store, SHOP, "visitor-ann-001", T, email="ann@example.com")
    click(store, "visitor-ann-001", "1001", T, rec_id="rec-first-1", strategy="trending")
    click(store, "visitor-ann-001", "1001", T + 10, rec_id="rec-second", strategy="for_you")
    click(store, "visitor-ann-001", "1001", T + 2 * HOUR_MS, rec_id="rec-after-1", strategy="best_sellers")
    order(store, SHOP, "o1", ["1001"], email="ann@example.com", at=T + HOUR_MS)
    assert attributed(store) == [("o1", "1001", "rec-second", "for_you", "10.00")]


def test_attribution_stays_inside_its_shop(store):
    identity.observe(store, SHOP, "visitor-ann-001", T, email="ann@example.com")
    click(store, "visitor-ann-001", "1001", T)
    order(store, "other.myshopify.com", "o1", ["1001"], email="ann@example.com", at=T + HOUR_MS)
    assert attributed(store) == []
    assert store.rec_attribution.attributed("other.myshopify.com", 0, 2**62, DAY_MS) == []
