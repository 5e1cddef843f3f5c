"""Storefront pages, cart API, checkout with discount codes, account login, and the seed data."""

from __future__ import annotations

import html
import io
import re
from collections import Counter
from decimal import Decimal

import pytest
from PIL import Image as Picture

from tests.support.devstore import http, install, Receiver, SCOPES, shop, start_shop, subscribe  # noqa: F401

from devstore.clock import Clock
from devstore.seed import seed_store
from devstore.settings import Settings
from devstore.state import Store


def _variant(shop, stock: int = 3) -> tuple[dict, int]:
    products = shop.control("catalog?status=active", method="GET")["products"]
    return next((p, v["id"]) for p in products for v in p["variants"] if v["inventory_quantity"] >= stock)


def test_seed_is_deterministic_and_realistic():
    first, second = (Store(Settings(order_history=1500), Clock()) for _ in range(2))
    for store in (first, second):
        seed_store(store)
    assert [p.handle for p in first.products.values()] == [p.handle for p in second.products.values()]
    assert list(first.orders) == list(second.orders)
    assert len(first.products) == 240 and len(first.customers) == 400 and len(first.orders) == 1500
    assert len({p.category for p in first.products.values()}) == 8 and len(first.collections) >= 8
    statuses = Counter(p.status for p in first.products.values())
    assert statuses["draft"] >= 1 and statuses["active"] > 200
    assert any(not p.available for p in first.products.values() if p.status == "active")
    assert all(1 <= len(p.variants) <= 4 for p in first.products.values())
    assert max(first.orders) > 2 ** 53
    buyers = Counter(o.customer_id for o in first.orders.values())
    assert sum(1 for n in buyers.values() if n >= 3) > 50  # repeat buyers
    same_category = sum(1 for o in first.orders.values() if len(o.line_items) > 1 and len(
        {first.products[li.product_id].category for li in o.line_items}) == 1)
    multi = sum(1 for o in first.orders.values() if len(o.line_items) > 1)
    assert same_category / multi > 0.4  # baskets have structure


@pytest.mark.parametrize("catalog_size", [240, 3000])
def test_seeded_product_names_never_repeat_a_word_and_stay_unique(catalog_size):
    """An adjective that already starts its noun ("Trail" + "Trail Map Case") is not said twice, and no two
    products share a name or a handle, in the default catalog and in one large enough to reuse every name."""
    store = Store(Settings(catalog_size=catalog_size, customer_count=10, order_history=10), Clock())
    seed_store(store)
    titles = [p.title for p in store.products.values()]
    assert [t for t in titles if re.search(r"\b(\w+) \1\b", t)] == []
    assert len(set(titles)) == len(titles) == catalog_size
    assert len({p.handle for p in store.products.values()}) == catalog_size
    assert "Trail Map Case" in titles  # the name its adjective would have doubled


def test_pages_render(shop):
    browser = http()
    for path in ("/", "/collections", "/collections/all", "/collections/coffee-tea", "/search?q=organic",
                 "/cart", "/account/login"):
        response = browser.get(shop.url + path, timeout=10)
        assert response.status_code == 200, path
        assert "Demo Outfitters" in response.text
    product, _ = _variant(shop)
    page = browser.get(f"{shop.url}/products/{product['handle']}", timeout=10)
    assert product["title"] in page.text and 'action="/cart/add"' in page.text
    image = re.search(r'src="(/cdn/shop/files/\d+\.svg)"', page.text).group(1)
    svg = browser.get(shop.url + image, timeout=10)
    assert svg.headers["Content-Type"].startswith("image/svg+xml") and svg.text.startswith("<svg")
    assert browser.get(f"{shop.url}/products/{product['handle']}.js", timeout=10).json()["id"] == product["id"]
    assert browser.get(f"{shop.url}/collections/nope", timeout=10).status_code == 404


def test_the_shop_has_an_icon_at_favicon_ico(shop):
    """Every browser asks an origin for /favicon.ico: without one, every visit logs a 404 in the console."""
    response = http().get(f"{shop.url}/favicon.ico", timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/vnd.microsoft.icon"
    icon = Picture.open(io.BytesIO(response.content))
    assert icon.format == "ICO" and icon.size == (32, 32)


def test_draft_products_are_not_on_the_storefront(shop):
    draft = shop.control("catalog?status=draft", method="GET")["products"][0]
    assert http().get(f"{shop.url}/products/{draft['handle']}", timeout=10).status_code == 404


def test_cart_js_api(shop):
    browser = http()
    product, variant = _variant(shop)
    added = browser.post(f"{shop.url}/cart/add.js", json={"items": [{"id": variant, "quantity": 2}]}, timeout=10)
    assert added.status_code == 200 and added.json()["items"][0]["quantity"] == 2
    cart = browser.get(f"{shop.url}/cart.js", timeout=10).json()
    assert re.fullmatch(r"[0-9a-f]{32}", cart["token"]) and cart["item_count"] == 2
    assert cart["items"][0]["product_id"] == product["id"] and isinstance(cart["total_price"], int)
    changed = browser.post(f"{shop.url}/cart/change.js", json={"line": 1, "quantity": 1}, timeout=10).json()
    assert changed["item_count"] == 1
    missing = browser.post(f"{shop.url}/cart/add.js", json={"id": 1, "quantity": 1}, timeout=10)
    assert missing.status_code == 404 and missing.json()["description"] == "Cannot find variant"
    too_many = browser.post(f"{shop.url}/cart/add.js", json={"id": variant, "quantity": 10 ** 6}, timeout=10)
    assert too_many.status_code == 422
    removed = browser.post(f"{shop.url}/cart/change", data={"line": 1, "quantity": 0}, timeout=10)
    assert "Your cart is empty" in removed.text


def _checkout(browser, shop, code: str | None, email: str):
    data = {"email": email, "first_name": "Ana", "last_name": "Lima", "action": "pay"}
    if code:
        data["discount_code"] = code
    return browser.post(f"{shop.url}/checkout", data=data, timeout=10)


def test_checkout_with_api_created_discount_codes():
    shop = start_shop()
    try:
        token = install(shop, scope=SCOPES)["access_token"]
        shop.gql(token, """mutation { discountCodeBasicCreate(basicCodeDiscount: {title: "Once", code: "ONCE20",
            startsAt: "2024-01-01T00:00:00Z", endsAt: "2999-01-01T00:00:00Z", customerSelection: {all: true},
            customerGets: {value: {percentage: 0.2}, items: {all: true}}, appliesOncePerCustomer: true,
            usageLimit: 5}) { userErrors { message } } }""")
        shop.gql(token, """mutation { discountCodeBasicCreate(basicCodeDiscount: {title: "Old", code: "OLD5",
            startsAt: "2020-01-01T00:00:00Z", endsAt: "2021-01-01T00:00:00Z",
            customerGets: {value: {discountAmount: {amount: "5.00", appliesOnEachItem: false}}}}) {
            userErrors { message } } }""")
        _, variant = _variant(shop)
        browser = http()
        browser.post(f"{shop.url}/cart/add", data={"id": variant, "quantity": 1}, timeout=10)
        browser.get(f"{shop.url}/checkout", timeout=10)
        unknown = _checkout(browser, shop, "NOPE", "ana@example.com")
        assert unknown.status_code == 422 and "Enter a valid discount code" in unknown.text
        expired = _checkout(browser, shop, "OLD5", "ana@example.com")
        assert expired.status_code == 422 and "expired" in expired.text
        paid = _checkout(browser, shop, "once20", "ana@example.com")
        assert paid.status_code == 200 and "Thank you" in paid.text and "Discount" in paid.text
        order = shop.gql(token, '{ orders(first: 1, reverse: true, sortKey: CREATED_AT) { nodes { discountCodes '
                                'totalDiscountsSet { shopMoney { amount } } } } }')["orders"]["nodes"][0]
        assert order["discountCodes"] == ["ONCE20"] and order["totalDiscountsSet"]["shopMoney"]["amount"] != "0.00"
        browser.post(f"{shop.url}/cart/add", data={"id": variant, "quantity": 1}, timeout=10)
        used = _checkout(browser, shop, "ONCE20", "ana@example.com")
        assert used.status_code == 422 and "already been used" in used.text
    finally:
        shop.shutdown()


def test_usage_limit_counts_per_code_so_each_pool_code_is_single_use():
    """The platform's price-rule usage limit is "per discount code": usageLimit 1 = single-use codes."""
    shop = start_shop()
    try:
        token = install(shop, scope=SCOPES)["access_token"]
        created = shop.gql(token, """mutation { discountCodeBasicCreate(basicCodeDiscount: {title: "Pool",
            code: "POOL-A", startsAt: "2024-01-01T00:00:00Z", endsAt: "2999-01-01T00:00:00Z",
            customerSelection: {all: true}, customerGets: {value: {percentage: 0.1}, items: {all: true}},
            usageLimit: 1}) { codeDiscountNode { id } userErrors { message } } }""")
        discount_id = created["discountCodeBasicCreate"]["codeDiscountNode"]["id"]
        shop.gql(token, 'mutation { discountRedeemCodeBulkAdd(discountId: "%s", codes: [{code: "POOL-B"}]) '
                        '{ userErrors { message } } }' % discount_id)
        _, variant = _variant(shop)
        outcomes = []
        for code, email in (("POOL-A", "one@example.com"), ("POOL-A", "two@example.com"), ("POOL-B", "two@example.com")):
            browser = http()
            browser.post(f"{shop.url}/cart/add", data={"id": variant, "quantity": 1}, timeout=10)
            browser.get(f"{shop.url}/checkout", timeout=10)
            response = _checkout(browser, shop, code, email)
            outcomes.append((response.status_code, "usage limit" in response.text))
        assert outcomes == [(200, False), (422, True), (200, False)]
    finally:
        shop.shutdown()


def test_discount_link_stores_code_and_redirects(shop):
    browser = http()
    response = browser.get(f"{shop.url}/discount/WELCOME10?redirect=/collections/all", allow_redirects=False,
                           timeout=10)
    assert response.status_code == 302 and response.headers["Location"].endswith("/collections/all")
    assert browser.cookies["discount_code"] == "WELCOME10"
    evil = browser.get(f"{shop.url}/discount/WELCOME10?redirect=https://evil.example/", allow_redirects=False,
                       timeout=10)
    assert evil.headers["Location"].endswith("/") and "evil" not in evil.headers["Location"]
    _, variant = _variant(shop)
    browser.post(f"{shop.url}/cart/add", data={"id": variant, "quantity": 1}, timeout=10)
    assert "WELCOME10" in browser.get(f"{shop.url}/checkout", timeout=10).text


def _order_summary(page: str) -> str:
    """The checkout's order summary as the shopper reads it: its text, tags dropped, spaces collapsed."""
    aside = re.search(r'<aside class="summary">(.*?)</aside>', page, re.S).group(1)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", aside)).split())


def test_checkout_shows_the_code_what_it_takes_off_and_the_total_the_order_then_has():
    """As on the platform's checkout: "Subtotal", "Discount CODE −$x.xx", "Total"; and the order paid from it
    reports that same code, amount and total in its orders/create webhook."""
    receiver = Receiver()
    shop = start_shop()
    try:
        subscribe(shop, install(shop)["access_token"], "ORDERS_CREATE", receiver.url + "/webhooks")
        browser = http()
        browser.get(f"{shop.url}/discount/SPRING15", timeout=10)  # the link a pop-up or an email gives
        _, variant = _variant(shop)
        browser.post(f"{shop.url}/cart/add", data={"id": variant, "quantity": 2}, timeout=10)
        summary = _order_summary(browser.get(f"{shop.url}/checkout", timeout=10).text)
        paid = _checkout(browser, shop, None, "saver@example.com")
        assert paid.status_code == 200 and "Thank you" in paid.text
        shop.drain()
        order = receiver.of("orders/create")[-1].json
        subtotal, off, total = (Decimal(order[k]) for k in ("subtotal_price", "total_discounts", "total_price"))
        [code] = order["discount_codes"]
        assert code["code"] == "SPRING15" and Decimal(code["amount"]) == off
        assert off == (subtotal * Decimal("0.15")).quantize(Decimal("0.01")) and total == subtotal - off
        assert f"Subtotal ${subtotal:,.2f} Discount SPRING15 −${off:,.2f} Total ${total:,.2f}" in summary
        assert f"Discount <strong>SPRING15</strong>: −${off:,.2f}" in paid.text  # the thank-you page names it too
    finally:
        shop.shutdown()
        receiver.close()


def test_a_fixed_amount_code_is_a_fixed_amount_in_the_checkout_webhook():
    """The abandoned-checkout flows read the checkout's codes: $5 off is not "percentage"."""
    receiver = Receiver()
    shop = start_shop()
    try:
        token = install(shop, scope=SCOPES)["access_token"]
        subscribe(shop, token, "CHECKOUTS_UPDATE", receiver.url + "/webhooks")
        shop.gql(token, """mutation { discountCodeBasicCreate(basicCodeDiscount: {title: "Five", code: "FIVE",
            startsAt: "2020-01-01T00:00:00Z", endsAt: "2999-01-01T00:00:00Z",
            customerGets: {value: {discountAmount: {amount: "5.00", appliesOnEachItem: false}}}}) {
            userErrors { message } } }""")
        browser = http()
        _, variant = _variant(shop)
        browser.post(f"{shop.url}/cart/add", data={"id": variant, "quantity": 1}, timeout=10)
        page = browser.post(f"{shop.url}/checkout", data={"email": "five@example.com", "discount_code": "FIVE",
                                                          "action": "apply"}, timeout=10)
        assert page.status_code == 200
        shop.drain()
        [code] = receiver.of("checkouts/update")[-1].json["discount_codes"]
        assert code == {"code": "FIVE", "amount": "5.00", "type": "fixed_amount"}
    finally:
        shop.shutdown()
        receiver.close()


def test_login_by_email_and_account(shop):
    browser = http()
    response = browser.post(f"{shop.url}/account/login", data={"email": "fresh@example.com"}, timeout=10)
    assert response.status_code == 200 and "fresh@example.com" in response.text
    customer_id = re.search(r"customer id (\d+)", response.text).group(1)
    assert int(customer_id) > 0
    browser.post(f"{shop.url}/account/logout", timeout=10)
    assert browser.get(f"{shop.url}/account", allow_redirects=False, timeout=10).status_code == 302


def test_abandoned_checkout_recovery():
    receiver = Receiver()
    shop = start_shop()
    try:
        token = install(shop)["access_token"]
        subscribe(shop, token, "CHECKOUTS_UPDATE", receiver.url + "/webhooks")
        browser = http()
        _, variant = _variant(shop)
        browser.post(f"{shop.url}/cart/add", data={"id": variant, "quantity": 1}, timeout=10)
        page = browser.post(f"{shop.url}/checkout", data={"email": "later@example.com", "action": "apply"},
                            timeout=10)
        assert page.status_code == 200
        shop.drain()
        body = receiver.of("checkouts/update")[-1].json
        assert body["email"] == "later@example.com" and body["completed_at"] is None
        back = http().get(body["abandoned_checkout_url"], timeout=10)
        assert back.status_code == 200 and "later@example.com" in back.text
    finally:
        shop.shutdown()
        receiver.close()
