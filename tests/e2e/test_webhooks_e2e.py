"""Webhooks from the simulated platform, end to end: its signing, its retries, its ordering."""

from __future__ import annotations

import time

import requests

from plugin.people import membership
from plugin.demo import install_through_oauth
from tests.support.jobs import runner

from tests.support import reads
from tests.support.e2e import SHOP


def control(stack, path, **body):
    response = requests.post(f"{stack.store_url}/_devstore/{path}", json=body, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def drain_and_work(stack) -> int:
    assert control(stack, "webhooks/drain", timeout=20)["drained"]
    return runner(stack.store).run_until_idle()


def installed(stack):
    install_through_oauth(stack.store_url, stack.app_url)
    deadline = time.monotonic() + 30
    while True:  # the install queued the first sync
        stack.run_jobs()
        run = stack.store.shops.last_sync(SHOP)
        if run and run["finished_at"]:
            return run
        assert time.monotonic() < deadline, "first sync did not finish"
        time.sleep(0.05)


def test_first_sync_pulls_the_catalog_and_recent_orders(stack):
    run = installed(stack)
    assert run["error"] is None
    catalog = requests.get(f"{stack.store_url}/_devstore/catalog", timeout=10).json()["products"]
    assert run["products"] == len(catalog) == 40
    assert run["orders"] > 0
    stored = stack.store.database.one("SELECT COUNT(*) AS n FROM products WHERE shop = :shop", {"shop": SHOP})["n"]
    assert stored == len(catalog)
    summary = membership.segment_summary(stack.store, SHOP)
    assert summary["buyers"] > 0  # synced buyers have profiles and segments
    product = stack.store.commerce.get_product(SHOP, str(catalog[0]["id"]))
    assert product["title"] == catalog[0]["title"]
    assert {v["variant_id"] for v in product["variants"]} == {str(v["id"]) for v in catalog[0]["variants"]}


def test_an_order_placed_in_the_store_arrives_signed_and_is_stored(stack):
    installed(stack)
    variant = requests.get(f"{stack.store_url}/_devstore/catalog", timeout=10).json()["products"][0]["variants"][0]
    order = control(stack, "orders", email="Ada@Example.com", items=[{"variant_id": variant["id"], "quantity": 2}])
    assert drain_and_work(stack) >= 2  # orders/create, orders/paid, customers/…
    saved = reads.order(stack.store, SHOP, str(order["id"]))
    assert saved["email"] == "ada@example.com" and saved["total_price"] == order["total_price"]
    assert [(line["variant_id"], line["quantity"]) for line in saved["lines"]] == [(str(variant["id"]), 2)]
    deliveries = requests.get(f"{stack.store_url}/_devstore/deliveries", timeout=10).json()["deliveries"]
    assert deliveries and all(d["status"] == "delivered" for d in deliveries), deliveries


def test_duplicates_are_processed_once_and_reordered_updates_end_newest(stack):
    installed(stack)
    product = requests.get(f"{stack.store_url}/_devstore/catalog", timeout=10).json()["products"][1]
    order = control(stack, "orders", email="dup@example.com",
                    items=[{"variant_id": product["variants"][0]["id"], "quantity": 1}])
    drain_and_work(stack)
    control(stack, "webhooks/emit", topic="orders/create", resource_id=order["id"], duplicate=5)
    assert drain_and_work(stack) == 1
    rows = stack.store.database.query(
        "SELECT COUNT(*) AS n FROM webhook_inbox WHERE shop = :shop AND topic = 'orders/create'", {"shop": SHOP})
    assert rows[0]["n"] == 2  # the original event and the re-emitted one, each stored once

    control(stack, "webhooks/hold")
    for price in ("11.00", "12.00", "13.00"):
        control(stack, f"products/{product['id']}", price=price)
        time.sleep(0.01)  # distinct updated_at stamps
    control(stack, "webhooks/release", order="reverse")  # newest first
    drain_and_work(stack)
    saved = stack.store.commerce.get_product(SHOP, str(product["id"]))
    assert saved["variants"][0]["price"] == "13.00"


def test_privacy_topics_and_uninstall_from_the_platform(stack):
    installed(stack)
    variant = requests.get(f"{stack.store_url}/_devstore/catalog", timeout=10).json()["products"][2]["variants"][0]
    order = control(stack, "orders", email="gdpr@example.com", items=[{"variant_id": variant["id"], "quantity": 1}])
    drain_and_work(stack)
    customer_id = order["customer_id"]
    control(stack, f"customers/{customer_id}/data-request")
    drain_and_work(stack)
    [request] = [r for r in stack.store.privacy.list_requests(SHOP) if r["kind"] == "data_request"]
    export = stack.store.privacy.get_export(SHOP, request["id"])
    assert "gdpr@example.com" in str(export)
    control(stack, f"customers/{customer_id}/redact")
    drain_and_work(stack)
    assert reads.customer(stack.store, SHOP, str(customer_id)) is None
    assert reads.order(stack.store, SHOP, str(order["id"]))["email"] is None

    control(stack, "apps/storelift/uninstall")
    drain_and_work(stack)
    assert not stack.store.shops.get(SHOP).installed
    control(stack, "apps/storelift/shop-redact")
    drain_and_work(stack)
    for table in ("orders", "products", "customers", "shops"):
        assert stack.store.database.query(f"SELECT * FROM {table} WHERE shop = :shop", {"shop": SHOP}) == [], table
