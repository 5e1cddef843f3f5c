"""Webhook delivery: signing, REST bodies, retries, removal, duplicates, ordering, privacy topics."""

from __future__ import annotations

import json

import pytest
from tests.support.devstore import (API_KEY, expected_webhook_hmac, http, install, Receiver, start_shop, subscribe, wait_until)
from tests.support.paths import SHARED

FIXTURES = SHARED / "fixtures" / "platform"


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


@pytest.fixture
def shop_with_token(receiver):
    shop = start_shop(app={"compliance_webhook_url": receiver.url + "/compliance"})
    token = install(shop)["access_token"]
    yield shop, token
    shop.shutdown()


def _first_variant(shop) -> int:
    products = shop.control("catalog?status=active", method="GET")["products"]
    return next(v["id"] for p in products for v in p["variants"] if v["inventory_quantity"] > 2)


def _fixture_keys(name: str, key: str) -> set:
    data = json.loads((FIXTURES / "admin_rest" / name).read_text())
    value = data[key]
    return set((value[0] if isinstance(value, list) else value).keys())


def test_cart_add_delivers_signed_carts_create(shop_with_token, receiver):
    shop, token = shop_with_token
    subscribe(shop, token, "CARTS_CREATE", receiver.url + "/webhooks")
    subscribe(shop, token, "CARTS_UPDATE", receiver.url + "/webhooks")
    browser = http()
    variant = _first_variant(shop)
    assert browser.post(f"{shop.url}/cart/add", data={"id": variant, "quantity": 1}, timeout=10).status_code == 200
    browser.post(f"{shop.url}/cart/add.js", json={"id": variant, "quantity": 1}, timeout=10)
    shop.drain()
    assert receiver.topics() == ["carts/create", "carts/update"]
    first = receiver.received[0]
    assert first.headers["X-Shopify-Hmac-Sha256"] == expected_webhook_hmac(first.body)
    assert first.headers["X-Shopify-Shop-Domain"] == "demo.devstore.test"
    assert first.headers["X-Shopify-Api-Version"] == "2026-07"
    assert first.headers["Content-Type"] == "application/json"
    assert first.headers["X-Shopify-Triggered-At"].endswith("Z")
    assert first.headers["X-Shopify-Webhook-Id"] != receiver.received[1].headers["X-Shopify-Webhook-Id"]
    body = first.json
    assert body["id"] == body["token"] == browser.cookies["cart"] and len(body["token"]) == 32
    assert _fixture_keys("carts.json", "carts") <= set(body) | {"note"}
    assert body["line_items"][0]["variant_id"] == variant
    assert receiver.received[1].json["line_items"][0]["quantity"] == 2


def test_checkout_and_order_flow_fires_rest_shaped_bodies(shop_with_token, receiver):
    shop, token = shop_with_token
    for topic in ("CHECKOUTS_CREATE", "CHECKOUTS_UPDATE", "ORDERS_CREATE", "ORDERS_PAID", "CUSTOMERS_CREATE"):
        subscribe(shop, token, topic, receiver.url + "/webhooks")
    browser = http()
    browser.post(f"{shop.url}/cart/add", data={"id": _first_variant(shop), "quantity": 1}, timeout=10)
    assert browser.get(f"{shop.url}/checkout", timeout=10).status_code == 200
    paid = browser.post(f"{shop.url}/checkout", data={
        "email": "shopper@example.net", "first_name": "Sam", "last_name": "Shopper", "address1": "1 Main St",
        "city": "Austin", "province": "Texas", "zip": "78701", "action": "pay"}, timeout=10)
    assert paid.status_code == 200 and "Thank you" in paid.text
    shop.drain()
    topics = receiver.topics()
    assert topics[0] == "checkouts/create"
    assert {"customers/create", "orders/create", "orders/paid", "checkouts/update"} <= set(topics)
    order = receiver.of("orders/create")[0].json
    fixture_keys = _fixture_keys("order.json", "order")
    missing = fixture_keys - set(order)
    assert missing <= {"fulfillments", "payment_details", "client_details", "gateway", "processing_method",
                       "reference", "source", "location_id", "user_id", "browser_ip", "landing_site_ref",
                       "total_price_usd"}, missing
    assert order["admin_graphql_api_id"] == f"gid://shopify/Order/{order['id']}"
    assert isinstance(order["id"], int) and order["id"] > 2 ** 53
    assert order["email"] == "shopper@example.net" and order["financial_status"] == "paid"
    assert order["customer"]["email"] == "shopper@example.net"
    assert isinstance(order["total_price"], str)
    checkout = receiver.of("checkouts/create")[0].json
    assert checkout["abandoned_checkout_url"].startswith(shop.url + "/checkouts/")
    assert order["checkout_token"] == checkout["token"] and order["cart_token"] == checkout["cart_token"]
    assert receiver.of("orders/create")[0].headers["X-Shopify-Event-Id"] != \
        receiver.of("orders/paid")[0].headers["X-Shopify-Event-Id"]


def test_retries_keep_body_and_triggered_at_then_succeed(shop_with_token, receiver):
    shop, token = shop_with_token
    subscribe(shop, token, "PRODUCTS_UPDATE", receiver.url + "/webhooks")
    receiver.statuses = [500, 503]
    product = shop.control("catalog?limit=1", method="GET")["products"][0]
    shop.control(f"products/{product['id']}", {"price": "19.99"})
    shop.drain()
    attempts = receiver.of("products/update")
    assert len(attempts) == 3
    assert len({a.body for a in attempts}) == 1
    assert len({a.headers["X-Shopify-Triggered-At"] for a in attempts}) == 1
    assert len({a.headers["X-Shopify-Webhook-Id"] for a in attempts}) == 1
    assert attempts[0].json["variants"][0]["price"] == "19.99"
    [delivery] = shop.control("deliveries?topic=products/update", method="GET")["deliveries"]
    assert delivery["status"] == "delivered" and delivery["response_codes"] == [500, 503, 200]


def test_subscription_removed_after_exhausting_retries(shop_with_token, receiver):
    shop, token = shop_with_token
    subscribe(shop, token, "PRODUCTS_UPDATE", receiver.url + "/webhooks")
    receiver.default_status = 500
    product = shop.control("catalog?limit=1", method="GET")["products"][0]
    shop.control(f"products/{product['id']}", {"inventory_quantity": 3})
    shop.drain()
    assert len(receiver.of("products/update")) == 3  # first try + 2 retries (test settings)
    assert shop.state()["subscriptions"] == []
    assert shop.control("deliveries", method="GET")["deliveries"][0]["status"] == "failed"


def test_duplicates_share_event_id(shop_with_token, receiver):
    shop, token = shop_with_token
    subscribe(shop, token, "ORDERS_CREATE", receiver.url + "/webhooks")
    order_id = shop.control("orders", {"email": "dup@example.com",
                                       "items": [{"variant_id": _first_variant(shop), "quantity": 1}]})["id"]
    shop.drain()
    receiver.received.clear()
    shop.control("webhooks/emit", {"topic": "orders/create", "resource_id": order_id, "duplicate": 5})
    shop.drain()
    got = receiver.of("orders/create")
    assert len(got) == 5
    assert len({r.headers["X-Shopify-Event-Id"] for r in got}) == 1
    assert len({r.headers["X-Shopify-Webhook-Id"] for r in got}) == 5
    assert all(r.json["id"] == order_id for r in got)


def test_hold_and_release_newest_first_and_redeliver(shop_with_token, receiver):
    shop, token = shop_with_token
    subscribe(shop, token, "PRODUCTS_UPDATE", receiver.url + "/webhooks")
    shop.control("webhooks/hold")
    product = shop.control("catalog?limit=1", method="GET")["products"][0]
    for price in ("11.00", "12.00", "13.00"):
        shop.control(f"products/{product['id']}", {"price": price})
    shop.drain()
    assert receiver.received == []
    assert shop.control("webhooks/release", {"order": "reverse"})["released"] == 3
    shop.drain()
    assert [r.json["variants"][0]["price"] for r in receiver.received] == ["13.00", "12.00", "11.00"]
    first_id = shop.control("deliveries", method="GET")["deliveries"][0]["id"]
    again = shop.control(f"deliveries/{first_id}/redeliver")
    shop.drain()
    assert receiver.received[-1].body == receiver.received[2].body
    assert receiver.received[-1].headers["X-Shopify-Event-Id"] == receiver.received[2].headers["X-Shopify-Event-Id"]
    assert again["webhook_id"] != receiver.received[2].headers["X-Shopify-Webhook-Id"]


def test_include_fields_trims_the_body(shop_with_token, receiver):
    shop, token = shop_with_token
    subscribe(shop, token, "PRODUCTS_UPDATE", receiver.url + "/webhooks", includeFields=["id", "updated_at"])
    product = shop.control("catalog?limit=1", method="GET")["products"][0]
    shop.control(f"products/{product['id']}", {"price": "9.00"})
    shop.drain()
    assert set(receiver.received[0].json) == {"id", "updated_at"}


def test_uninstall_sends_app_uninstalled_then_revokes(shop_with_token, receiver):
    shop, token = shop_with_token
    subscribe(shop, token, "APP_UNINSTALLED", receiver.url + "/webhooks")
    http().post(f"{shop.url}/_devstore/apps/storelift/uninstall", timeout=10)
    shop.drain()
    [uninstalled] = receiver.of("app/uninstalled")
    assert uninstalled.json["myshopify_domain"] == "demo.devstore.test" and isinstance(uninstalled.json["id"], int)
    assert shop.state()["subscriptions"] == []
    assert shop.graphql(token, "{ shop { name } }").status_code == 401
    shop.control("apps/storelift/shop-redact")
    shop.drain()
    [redact] = receiver.of("shop/redact")
    assert redact.path == "/compliance"
    assert redact.json == {"shop_id": uninstalled.json["id"], "shop_domain": "demo.devstore.test"}
    assert redact.headers["X-Shopify-Hmac-Sha256"] == expected_webhook_hmac(redact.body)


def test_customer_privacy_requests_go_to_the_compliance_url(shop_with_token, receiver):
    shop, _ = shop_with_token
    order_id = shop.control("orders", {"email": "privacy@example.com",
                                       "items": [{"variant_id": _first_variant(shop), "quantity": 1}]})["id"]
    customer_id = next(o for o in [shop.control("orders", {"email": "privacy@example.com", "items": [
        {"variant_id": _first_variant(shop), "quantity": 1}]})])["customer_id"]
    shop.control(f"customers/{customer_id}/data-request")
    shop.control(f"customers/{customer_id}/redact")
    shop.drain()
    request, redact = receiver.of("customers/data_request")[0], receiver.of("customers/redact")[0]
    template = json.loads((FIXTURES / "webhooks" / "customers_data_request.json").read_text())
    assert set(request.json) == set(template)
    assert request.json["customer"]["email"] == "privacy@example.com"
    assert order_id in request.json["orders_requested"]
    assert set(redact.json) == set(json.loads((FIXTURES / "webhooks" / "customers_redact.json").read_text()))
    assert redact.path == "/compliance" and request.headers["X-Shopify-Topic"] == "customers/data_request"


def test_admin_price_edit_fires_products_update(shop_with_token, receiver):
    shop, token = shop_with_token
    subscribe(shop, token, "PRODUCTS_UPDATE", receiver.url + "/webhooks")
    browser = http()
    product = shop.control("catalog?limit=1", method="GET")["products"][0]
    page = browser.get(f"{shop.url}/admin/products/{product['id']}", timeout=10)
    import re
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    variant = product["variants"][0]["id"]
    browser.post(f"{shop.url}/admin/products/{product['id']}", data={
        "csrf_token": csrf, "title": product["title"], "status": "active", f"price_{variant}": "42.50",
        f"inventory_quantity_{variant}": "7"}, timeout=10)
    shop.drain()
    body = receiver.of("products/update")[0].json
    changed = next(v for v in body["variants"] if v["id"] == variant)
    assert changed["price"] == "42.50" and changed["inventory_quantity"] == 7
    assert _fixture_keys("product.json", "product") <= set(body)


def test_timeout_counts_as_failure(receiver):
    import threading
    gate = threading.Event()
    slow = Receiver()
    original = slow._wsgi

    def stalled(environ, start_response):
        gate.wait(1.0)
        return original(environ, start_response)

    slow._server.app = stalled
    shop = start_shop(webhook_timeout=0.2, webhook_retry_delays=(0.05,))
    try:
        token = install(shop)["access_token"]
        subscribe(shop, token, "PRODUCTS_UPDATE", slow.url + "/webhooks")
        product = shop.control("catalog?limit=1", method="GET")["products"][0]
        shop.control(f"products/{product['id']}", {"price": "5.00"})
        shop.drain()
        [delivery] = shop.control("deliveries", method="GET")["deliveries"]
        assert delivery["status"] == "failed" and delivery["errors"] == ["ReadTimeout", "ReadTimeout"]
    finally:
        gate.set()
        shop.shutdown()
        slow.close()


def test_retries_wait_for_the_clock(receiver):
    shop = start_shop(webhook_retry_delays=(3600,))
    try:
        token = install(shop)["access_token"]
        subscribe(shop, token, "PRODUCTS_UPDATE", receiver.url + "/webhooks")
        receiver.statuses = [500]
        product = shop.control("catalog?limit=1", method="GET")["products"][0]
        shop.control(f"products/{product['id']}", {"price": "6.00"})
        wait_until(lambda: len(receiver.received) == 1)
        assert shop.state()["counts"]["pending_deliveries"] == 1
        shop.control("clock", {"advance": 3601})
        shop.drain()
        assert [r.topic for r in receiver.received] == ["products/update"] * 2
    finally:
        shop.shutdown()


def test_api_key_header_absent_from_bodies(shop_with_token, receiver):
    shop, token = shop_with_token
    subscribe(shop, token, "CUSTOMERS_CREATE", receiver.url + "/webhooks")
    shop.gql(token, 'mutation { customerCreate(input: {email: "w@example.com"}) { userErrors { message } } }')
    shop.drain()
    body = receiver.of("customers/create")[0]
    assert API_KEY not in body.body.decode()
    assert body.json["email_marketing_consent"]["state"] == "not_subscribed"
    assert _fixture_keys("customer.json", "customer") <= set(body.json)


def _admin_csrf(browser, url: str) -> str:
    import re
    return re.search(r'name="csrf_token" value="([^"]+)"', browser.get(url, timeout=10).text).group(1)


def test_admin_cancel_and_delete_fire_their_topics(shop_with_token, receiver):
    shop, token = shop_with_token
    for topic in ("ORDERS_CANCELLED", "ORDERS_UPDATED", "PRODUCTS_DELETE"):
        subscribe(shop, token, topic, receiver.url + "/webhooks")
    order_id = shop.control("orders", {"email": "cancel@example.com",
                                       "items": [{"variant_id": _first_variant(shop), "quantity": 1}]})["id"]
    browser = http()
    csrf = _admin_csrf(browser, f"{shop.url}/admin/orders")
    browser.post(f"{shop.url}/admin/orders/{order_id}/cancel", data={"csrf_token": csrf}, timeout=10)
    product = shop.control("catalog?limit=1", method="GET")["products"][0]
    browser.post(f"{shop.url}/admin/products/{product['id']}/delete", data={"csrf_token": csrf}, timeout=10)
    shop.drain()
    cancelled = receiver.of("orders/cancelled")[0].json
    assert cancelled["id"] == order_id and cancelled["cancelled_at"] and cancelled["cancel_reason"] == "customer"
    assert receiver.of("orders/updated")[0].json["financial_status"] == "refunded"
    assert receiver.of("products/delete")[0].json == {"id": product["id"]}
    refused = browser.post(f"{shop.url}/admin/orders/{order_id}/cancel", data={}, timeout=10)
    assert refused.status_code == 400
