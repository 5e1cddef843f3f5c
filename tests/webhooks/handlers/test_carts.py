"""carts/* and checkouts/* handlers on the real REST samples: by token, with lines, newest state wins."""

from __future__ import annotations

import pytest

from tests.support import reads
from tests.support.handlers import BIG, fixture, iso, new_store, run, SHOP, snapshot

T0 = 1_760_000_000_000


@pytest.fixture
def store(tmp_path):
    s = new_store(tmp_path)
    yield s
    s.close()


def cart(index: int = 0, updated_at: int = T0, **changes) -> dict:
    payload = fixture("carts.json")[index]
    payload["updated_at"] = iso(updated_at)
    payload["line_items"][0]["variant_id"] = BIG
    payload.update(changes)
    return payload


def checkout(updated_at: int = T0, **changes) -> dict:
    payload = fixture("checkouts.json")[0]
    payload.update(id=BIG + 1, updated_at=iso(updated_at))
    payload["customer"]["id"] = BIG + 2
    for n, line in enumerate(payload["line_items"]):
        line.update(product_id=BIG + 3, variant_id=BIG + 4 + n)
    payload.update(changes)
    return payload


def test_carts_fixture_is_stored_by_token_with_lines(store):
    for index in (0, 1):
        run(store, "carts/create", cart(index))
    stored = reads.cart(store, SHOP, "3eed8183d4281db6ea82ee2b8f23e9cc")
    assert stored["updated_at"] == T0
    assert [(l["variant_id"], l["quantity"], l["price"], l["line_price"], l["title"], l["vendor"], l["sku"])
            for l in stored["lines"]] == [(str(BIG), 1, "1.00", "1.00", "test", "test", None)]
    assert reads.cart(store, SHOP, "49801807939c296be1e9a4bf6783a705")["lines"][0]["line_id"] == "1"


def test_carts_are_idempotent_and_ignore_stale_updates(store):
    newer = cart(updated_at=T0 + 1000)
    newer["line_items"][0]["quantity"] = 4
    run(store, "carts/update", newer)
    state = snapshot(store)
    run(store, "carts/update", newer)
    run(store, "carts/create", cart(updated_at=T0))  # late create, one unit
    assert snapshot(store) == state
    assert reads.cart(store, SHOP, "3eed8183d4281db6ea82ee2b8f23e9cc")["lines"][0]["quantity"] == 4


def test_checkouts_fixture_keeps_what_abandonment_emails_need(store):
    run(store, "checkouts/create", checkout(email="Bob.Norman@Hostmail.com"))
    stored = reads.checkout(store, SHOP, "2a1ace52255252df566af0faaedfbfa7")
    assert stored["checkout_id"] == "9007199254740994" and stored["customer_id"] == "9007199254740995"
    assert stored["email"] == "bob.norman@hostmail.com"
    assert stored["cart_token"] == "68778783ad298f1c80c3bafcddeea02f"
    assert stored["abandoned_checkout_url"] == (
        "https://checkout.local/orders/690933842/2a1ace52255252df566af0faaedfbfa7?recovered=1"
    )
    assert (stored["currency"], stored["total_price"], stored["completed_at"]) == ("USD", "409.94", None)
    assert stored["created_at"] == 1_350_039_927_000  # 2012-10-12T07:05:27-04:00
    assert [(l["product_id"], l["variant_id"], l["quantity"], l["price"], l["line_price"], l["variant_title"])
            for l in stored["lines"]] == [
        (str(BIG + 3), str(BIG + 4), 1, "199.00", "199.00", "Red"),
        (str(BIG + 3), str(BIG + 5), 1, "199.00", "199.00", "Pink"),
    ]


def test_a_completed_checkout_stays_completed_when_an_older_update_arrives(store):
    run(store, "checkouts/update", checkout(T0 + 1000, completed_at=iso(T0 + 1000)))
    state = snapshot(store)
    run(store, "checkouts/update", checkout(T0 + 1000, completed_at=iso(T0 + 1000)))
    run(store, "checkouts/create", checkout(T0))
    assert snapshot(store) == state
    assert reads.checkout(store, SHOP, "2a1ace52255252df566af0faaedfbfa7")["completed_at"] == T0 + 1000
