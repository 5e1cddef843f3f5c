"""Profiles under the privacy topics: exported with the customer, erased by customers/redact and shop/redact.

The two-shop world of tests/support/privacy.py is built again with profiles wired
in the way the order handler calls them (``profiling.on_order`` after each
stored order, inside the worker's transaction), plus Alice's browser, so her
profile holds events, orders and a visitor. The same oracle decides what is hers.
"""

from __future__ import annotations

import pytest

from plugin.clock import now_ms
from plugin.people import refresh
from plugin.store.privacy import PII_TABLES
from webhooks.handlers import HANDLERS

from tests.support.handlers import columns, fixture, new_store, OTHER_SHOP, SHOP, snapshot, tables
from tests.support.privacy import ALICE, BOB, build_world, canonical, data_request, deliver, redact, rows_about
from tests.support.people import browse

ORDER_TOPICS = ("orders/create", "orders/updated", "orders/paid", "orders/cancelled")


@pytest.fixture
def store(tmp_path, monkeypatch):
    for topic in ORDER_TOPICS:
        handler = HANDLERS[topic]

        def wired(store, delivery, payload, handler=handler):
            handler(store, delivery, payload)
            refresh.on_order(store, delivery.shop, str(payload["id"]), now_ms())

        monkeypatch.setitem(HANDLERS, topic, wired)
    s = new_store(tmp_path)
    build_world(s)
    for shop in (SHOP, OTHER_SHOP):
        browse(s, "alice-phone-1", now_ms(), ("page_view", {"d": "m"}), shop=shop, email=ALICE.email)
        refresh.on_events(s, shop, "alice-phone-1", now_ms())
        refresh.rescore(s, shop, now_ms())
    yield s
    s.close()


def _profile(store, person, shop=SHOP):
    return store.database.one("SELECT * FROM profiles WHERE shop = :shop AND customer_id = :customer_id",
                              {"shop": shop, "customer_id": str(person.id)})


def test_the_world_has_one_profile_per_person_holding_all_their_orders(store):
    alice = _profile(store, ALICE)
    # Her own order (customer id) and her guest order (email, any case); the point-of-sale order names nobody.
    assert alice["orders"] == 2 and alice["email"] == ALICE.email and alice["visits"] == 1
    assert _profile(store, BOB)["orders"] == 2
    assert store.database.one("SELECT COUNT(*) AS n FROM profiles WHERE shop = :shop", {"shop": SHOP})["n"] == 2
    assert "profiles" in PII_TABLES


def test_a_data_request_exports_her_profile_and_only_hers(store):
    deliver(store, "customers/data_request", data_request(ALICE))
    request = next(r for r in store.privacy.list_requests(SHOP) if r["customer_id"] == str(ALICE.id))
    export = store.privacy.get_export(SHOP, request["id"])
    held = rows_about(store, ALICE)
    for table in ("profiles", "people"):
        assert sorted(map(canonical, export["tables"][table])) == sorted(map(canonical, held[table])), table
    assert [r["person_id"] for r in export["tables"]["profiles"]] == [_profile(store, ALICE)["person_id"]]


def test_customer_redact_erases_her_profile_and_nothing_else(store):
    bob_before = _profile(store, BOB)
    other_before = snapshot(store, OTHER_SHOP)
    assert store.database.query("SELECT * FROM storefront_events WHERE shop = :shop", {"shop": SHOP})

    deliver(store, "customers/redact", redact(ALICE))

    assert _profile(store, ALICE) is None
    for table in (t for t in tables(store) if "shop" in columns(store, t)):
        for row in store.database.query(f"SELECT * FROM {table} WHERE shop = :shop", {"shop": SHOP}):
            text = canonical(row).lower()
            assert not [v for v in ALICE.personal_values() if v.lower() in text], (table, row)
    assert set(rows_about(store, ALICE)) <= {"privacy_requests", "orders", "order_lines"}
    assert store.database.query("SELECT * FROM storefront_events WHERE shop = :shop", {"shop": SHOP}) == []  # her browser's
    assert _profile(store, BOB) == bob_before
    assert snapshot(store, OTHER_SHOP) == other_before


def test_shop_redact_erases_every_profile_and_cut_point_of_the_shop(store):
    other_before = snapshot(store, OTHER_SHOP)
    deliver(store, "app/uninstalled", fixture("shop.json"), triggered_at=now_ms() + 1000)
    deliver(store, "shop/redact", fixture("shop_redact.json", "webhooks"), triggered_at=now_ms() + 2000)
    for table in ("profiles", "segment_cuts", "people"):
        assert store.database.query(f"SELECT * FROM {table} WHERE shop = :shop", {"shop": SHOP}) == [], table
    assert snapshot(store, OTHER_SHOP) == other_before
    assert store.database.query("SELECT * FROM profiles WHERE shop = :shop", {"shop": OTHER_SHOP})
