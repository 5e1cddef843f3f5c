"""products/* handlers on the real REST product sample: catalog fields, availability, deletes that stick."""

from __future__ import annotations

import pytest

from tests.support import reads
from tests.support.handlers import BIG, fixture, iso, new_store, run, SHOP, snapshot

T0 = 1_760_000_000_000
PRODUCT_ID = str(BIG)


@pytest.fixture
def store(tmp_path):
    s = new_store(tmp_path)
    yield s
    s.close()


def product(updated_at: int = T0, **changes) -> dict:
    payload = fixture("product.json")
    payload.update(id=BIG, updated_at=iso(updated_at))
    for n, variant in enumerate(payload["variants"]):
        variant.update(id=BIG + 10 + n, product_id=BIG)
    payload.update(changes)
    return payload


def test_product_fixture_is_stored_with_variants_image_and_url(store):
    payload = product()
    payload["variants"][0]["compare_at_price"] = "249.00"
    payload["images"].insert(0, {"position": 2, "src": "http://static.example/second.png"})
    run(store, "products/create", payload)
    stored = store.commerce.get_product(SHOP, PRODUCT_ID)
    assert stored["product_id"] == "9007199254740993"
    assert (stored["title"], stored["handle"], stored["vendor"], stored["product_type"]) == (
        "IPod Nano - 8GB", "ipod-nano", "Apple", "Cult Products"
    )
    assert stored["tags"] == ["Emotive", "Flash Memory", "MP3", "Music"]
    assert stored["published_at"] == 1_199_145_600_000  # 2007-12-31T19:00:00-05:00
    assert stored["image_src"] == "http://static.shopify.com/s/files/1/6909/3384/products/ipod-nano.png?0"
    assert stored["url"] == "/products/ipod-nano"
    assert stored["deleted_at"] is None
    assert [(v["variant_id"], v["title"], v["price"], v["compare_at_price"], v["inventory_quantity"], v["sku"])
            for v in stored["variants"]] == [
        (str(BIG + 10), "Pink", "199.00", "249.00", 10, "IPOD2008PINK"),
        (str(BIG + 11), "Red", "199.00", None, 20, "IPOD2008RED"),
        (str(BIG + 12), "Green", "199.00", None, 30, "IPOD2008GREEN"),
        (str(BIG + 13), "Black", "199.00", None, 40, "IPOD2008BLACK"),
    ]
    assert [p["product_id"] for p in reads.available_products(store, SHOP)] == [PRODUCT_ID]


def test_products_are_idempotent_and_ignore_stale_updates(store):
    newer = product(T0 + 1000, title="iPod nano (new)", variants=product()["variants"][:2])
    run(store, "products/update", newer)
    state = snapshot(store)
    run(store, "products/update", newer)
    run(store, "products/create", product(T0))
    assert snapshot(store) == state
    stored = store.commerce.get_product(SHOP, PRODUCT_ID)
    assert stored["title"] == "iPod nano (new)" and len(stored["variants"]) == 2


def test_drafts_and_unpublished_products_are_not_available(store):
    run(store, "products/create", product(status="draft"))
    run(store, "products/create", product(id=BIG + 1, status="active", published_at=None, variants=[]))
    assert reads.available_products(store, SHOP) == []


def test_a_delete_keeps_the_row_and_no_stale_update_resurrects_it(store):
    run(store, "products/create", product(T0))
    run(store, "products/delete", {"id": BIG}, triggered_at=T0 + 5000)
    state = snapshot(store)
    run(store, "products/delete", {"id": BIG}, triggered_at=T0 + 5000)  # duplicate delivery
    run(store, "products/update", product(T0 + 1000, title="late"))  # fired before the delete
    assert snapshot(store) == state
    stored = store.commerce.get_product(SHOP, PRODUCT_ID)
    assert stored["deleted_at"] == T0 + 5000
    assert stored["title"] == "IPod Nano - 8GB" and len(stored["variants"]) == 4  # old orders still resolve
    assert reads.available_products(store, SHOP) == []


def test_a_delete_that_overtakes_the_create_leaves_a_tombstone(store):
    run(store, "products/delete", {"id": BIG}, triggered_at=T0 + 5000)
    run(store, "products/create", product(T0))
    stored = store.commerce.get_product(SHOP, PRODUCT_ID)
    assert stored["deleted_at"] == T0 + 5000 and stored["title"] is None
    assert reads.available_products(store, SHOP) == []
