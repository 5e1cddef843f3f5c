"""orders/* handlers on the real REST order sample: exact ids and money, newest state wins, cancels stop counting."""

from __future__ import annotations

import pytest

from tests.support import reads
from tests.support.handlers import BIG, fixture, iso, new_store, OTHER_SHOP, run, SHOP, snapshot

T0 = 1_760_000_000_000
ORDER_ID = BIG
CUSTOMER_ID = BIG + 2
PRODUCT_ID = BIG + 4


@pytest.fixture
def store(tmp_path):
    s = new_store(tmp_path)
    yield s
    s.close()


def order(updated_at: int = T0, **changes) -> dict:
    """The fixture order with ids past 2^53, as a current webhook body would carry them."""
    payload = fixture("order.json")
    payload.update(id=ORDER_ID, checkout_id=ORDER_ID + 100, updated_at=iso(updated_at))
    payload["customer"]["id"] = CUSTOMER_ID
    for n, line in enumerate(payload["line_items"]):
        line.update(product_id=PRODUCT_ID, variant_id=BIG + 10 + n, id=BIG + 20 + n)
    payload.update(changes)
    return payload


def test_order_fixture_is_stored_with_exact_ids_money_and_lines(store):
    run(store, "orders/create", order(email="Bob.Norman@HostMail.com"))
    stored = reads.order(store, SHOP, str(ORDER_ID))
    assert stored["order_id"] == "9007199254740993"
    assert stored["customer_id"] == str(CUSTOMER_ID) and stored["checkout_id"] == str(ORDER_ID + 100)
    assert stored["email"] == "bob.norman@hostmail.com"  # normalized for matching
    assert (stored["currency"], stored["total_price"], stored["subtotal_price"]) == ("USD", "409.94", "398.00")
    assert stored["discount_codes"] == [{"code": "TENOFF", "amount": "10.00", "type": None}]
    assert stored["cart_token"] == "68778783ad298f1c80c3bafcddeea02f" and stored["checkout_token"] is None
    assert stored["landing_site"] == "http://www.example.com?source=abc"
    assert stored["referring_site"] == "http://www.otherexample.com"
    assert (stored["source_name"], stored["financial_status"], stored["origin"]) == ("web", "authorized", "webhook")
    assert stored["created_at"] == 1_199_980_800_000  # 2008-01-10T11:00:00-05:00
    assert stored["updated_at"] == stored["source_updated_at"] == T0
    assert stored["cancelled_at"] is None
    assert [(l["position"], l["product_id"], l["variant_id"], l["quantity"], l["price"], l["sku"])
            for l in stored["lines"]] == [
        (1, str(PRODUCT_ID), str(BIG + 10), 1, "199.00", "IPOD2008GREEN"),
        (2, str(PRODUCT_ID), str(BIG + 11), 1, "199.00", "IPOD2008RED"),
        (3, str(PRODUCT_ID), str(BIG + 12), 1, "199.00", "IPOD2008BLACK"),
    ]
    assert all(isinstance(l["price"], str) for l in stored["lines"])


def test_the_same_order_twice_leaves_the_same_state(store):
    run(store, "orders/create", order())
    first = snapshot(store)
    run(store, "orders/create", order())
    run(store, "orders/paid", order())
    assert snapshot(store) == first


def test_an_older_state_never_overwrites_a_newer_one_lines_included(store):
    newer = order(T0 + 60_000, financial_status="paid", line_items=order()["line_items"][:1])
    run(store, "orders/updated", newer)
    run(store, "orders/create", order(T0))  # late: three lines, authorized
    stored = reads.order(store, SHOP, str(ORDER_ID))
    assert stored["financial_status"] == "paid" and stored["source_updated_at"] == T0 + 60_000
    assert len(stored["lines"]) == 1


def test_a_newer_update_replaces_the_lines_as_a_set(store):
    run(store, "orders/create", order(T0))
    lines = order()["line_items"]
    lines[0]["quantity"] = 3
    run(store, "orders/updated", order(T0 + 1, line_items=[lines[0]]))
    assert [(l["sku"], l["quantity"]) for l in reads.order(store, SHOP, str(ORDER_ID))["lines"]] == [
        ("IPOD2008GREEN", 3)
    ]


def test_without_updated_at_the_trigger_time_decides(store):
    bare = order()
    del bare["updated_at"]
    run(store, "orders/updated", {**bare, "financial_status": "paid"}, triggered_at=T0 + 5)
    run(store, "orders/updated", {**bare, "financial_status": "pending"}, triggered_at=T0 + 1)
    assert reads.order(store, SHOP, str(ORDER_ID))["financial_status"] == "paid"


def test_a_cancelled_order_stops_counting_and_a_stale_update_does_not_revive_it(store):
    run(store, "orders/create", order(T0))
    second = order(T0, id=ORDER_ID + 1, source_name="pos", total_price="10.06")  # point of sale counts alike
    run(store, "orders/create", second)
    assert reads.order_totals(store, SHOP) == {"USD": {"orders": 2, "revenue": "420.00"}}
    assert reads.product_sales(store, SHOP) == [{"product_id": str(PRODUCT_ID), "orders": 2, "units": 6}]

    run(store, "orders/cancelled", order(T0 + 1000, cancelled_at=iso(T0 + 1000), cancel_reason="customer"))
    run(store, "orders/paid", order(T0 + 500))  # delivered late, older than the cancel
    assert reads.order(store, SHOP, str(ORDER_ID))["cancelled_at"] == T0 + 1000
    assert reads.order_totals(store, SHOP) == {"USD": {"orders": 1, "revenue": "10.06"}}
    assert reads.product_sales(store, SHOP) == [{"product_id": str(PRODUCT_ID), "orders": 1, "units": 3}]


def test_money_sums_stay_exact_decimals(store):
    for n in range(10):
        run(store, "orders/create", order(T0, id=ORDER_ID + n, total_price="0.10"))
    assert reads.order_totals(store, SHOP)["USD"]["revenue"] == "1.00"


def test_a_float_amount_is_refused_rather_than_stored_inexactly(store):
    with pytest.raises(ValueError):
        run(store, "orders/create", order(total_price=409.94))
    assert reads.order(store, SHOP, str(ORDER_ID)) is None


def test_orders_are_kept_per_shop(store):
    run(store, "orders/create", order(T0))
    run(store, "orders/create", order(T0 + 1, financial_status="paid"), shop=OTHER_SHOP)
    assert reads.order(store, SHOP, str(ORDER_ID))["financial_status"] == "authorized"
    assert reads.order(store, OTHER_SHOP, str(ORDER_ID))["financial_status"] == "paid"
    assert reads.order_totals(store, SHOP)["USD"]["orders"] == 1
