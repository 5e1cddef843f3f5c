"""The first sync's bulk pull lands exactly what the paginated sync lands, and records its progress.

One devstore shop; two fresh Storelift databases holding the same install. One is filled by
``pull`` (cursor pagination), the other by ``pull_bulk`` (bulk operations and their JSONL files);
every synced table must be identical row for row.
"""

from __future__ import annotations

import json
import time

import pytest

from plugin.demo import install_through_oauth
from plugin.store import Store
from plugin.platform.pull import pull, pull_bulk
from plugin.platform.tokens import client_for_shop

from tests.support.e2e import SHOP, Stack

TABLES = {
    "products": "product_id", "product_variants": "variant_id", "orders": "order_id",
    "order_lines": "order_id, position",
}


@pytest.fixture
def stack(tmp_path):
    running = Stack(tmp_path, catalog_size=60, order_history=150)
    install_through_oauth(running.store_url, running.app_url)  # queues the first sync (bulk)
    yield running
    running.close()


def first_sync(stack) -> dict:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        stack.run_jobs()
        run = stack.store.shops.last_sync(SHOP)
        if run and run["finished_at"]:
            return run
        time.sleep(0.05)
    raise AssertionError("the first sync did not finish")


def installed_copy(stack, path) -> Store:
    """A fresh database with the same shop install (token) as the stack's."""
    store = Store(str(path))
    store.migrate()
    shop = stack.store.shops.get(SHOP)
    store.shops.save_install(SHOP, access_token=shop.access_token, scopes=shop.scopes, api_version=shop.api_version,
                             token_expires_at=shop.token_expires_at, refresh_token=shop.refresh_token,
                             refresh_expires_at=shop.refresh_expires_at)
    return store


def table(store: Store, name: str) -> list[dict]:
    return store.database.query(f"SELECT * FROM {name} WHERE shop = :shop ORDER BY {TABLES[name]}", {"shop": SHOP})


def used_codes(store: Store) -> set[str]:
    return {code["code"] for order in table(store, "orders") for code in json.loads(order["discount_codes"] or "[]")}


def test_bulk_pull_lands_the_same_rows_as_the_paginated_sync(stack, tmp_path):
    config = stack.app.extensions["storelift"].config
    first_sync(stack)  # the install's own sync is done with the shop before the comparison starts
    paged, bulk = installed_copy(stack, tmp_path / "paged.db"), installed_copy(stack, tmp_path / "bulk.db")
    spent = sorted(used_codes(stack.store))[0]  # as if the capture pool had handed out a code the orders used
    for copy in (paged, bulk):
        campaign = copy.capture.add_campaign(SHOP, discount_key="k", discount_id="gid://shopify/DiscountCodeNode/1",
                                             title="t", starts_at=0, ends_at=None)
        copy.capture.add_codes(SHOP, campaign, [spent.upper(), "WELCOME-NEVER-USED"])
    try:
        by_pages = pull(client_for_shop(config, paged, SHOP), paged, SHOP)
        by_bulk = pull_bulk(client_for_shop(config, bulk, SHOP), bulk, SHOP)
        assert by_bulk == by_pages and by_bulk.products == 60 and by_bulk.orders > 0
        for name in TABLES:
            rows = table(bulk, name)
            assert rows and rows == table(paged, name), name
        for copy in (paged, bulk):  # pulled orders spend the pool codes they used, as webhooks do
            assert copy.capture.redeemed_at(SHOP, spent.upper()) is not None
            assert copy.capture.redeemed_at(SHOP, "WELCOME-NEVER-USED") is None
    finally:
        paged.close()
        bulk.close()


def test_the_first_sync_after_install_records_how_much_it_pulled_out_of_how_many(stack):
    run = first_sync(stack)
    assert run["error"] is None
    assert run["products"] == run["products_total"] == 60
    assert run["orders"] == run["orders_total"] > 0
    assert len(table(stack.store, "orders")) == run["orders"]
    shop = stack.store.shops.get(SHOP)  # the shop's own name, zone and currency, which emails use
    assert (shop.name, shop.iana_timezone, shop.currency) == ("Demo Outfitters", "America/New_York", "USD")
