"""Recommendation blocks over real HTTP: devstore's app proxy in front, Storelift under waitress behind.

- a block answers through the proxy as JSON and as an HTML fragment, with links
  and images the storefront serves, and revalidates to 304;
- direct requests without the proxy's signature are refused;
- orders, cancellations and product changes arriving by webhook (worker thread,
  change feed) change what the blocks show, with no rebuild.
"""

from __future__ import annotations

import time

import pytest
import requests

from plugin.platform.pull import sync_shop
from plugin.recommendations.serving import api as recommendations

from tests.support.signing import BROWSER_UA
from tests.support.storefront import SHOP, StorefrontStack

JSON = {"Accept": "application/json", "User-Agent": BROWSER_UA}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = StorefrontStack(tmp_path_factory.mktemp("recs-e2e"), settings={"enabled": False})
    sync_shop(running.config, running.store, SHOP)
    recommendations.invalidate(running.store, SHOP)
    yield running
    running.close()


def block(stack, headers=JSON, **params) -> requests.Response:
    return requests.get(f"{stack.store_url}/apps/storelift/recommendations", params=params, headers=headers,
                        timeout=10)


def in_stock(stack) -> list[dict]:
    products = requests.get(f"{stack.store_url}/_devstore/catalog?status=active", timeout=10).json()["products"]
    return [p for p in products if all((v["inventory_quantity"] or 0) > 5 for v in p["variants"])]


def until(probe, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def test_a_block_through_the_app_proxy_as_json_and_as_html(stack):
    answer = block(stack, block="best_sellers", limit=4)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert body["strategy"] == "best_sellers" and body["currency"] == "USD" and len(body["items"]) == 4
    for item in body["items"]:
        page = requests.get(stack.store_url + item["url"], timeout=10)
        assert page.status_code == 200 and item["title"].split()[0] in page.text
        assert requests.get(item["image"], timeout=10).status_code == 200
    again = block(stack, headers={**JSON, "If-None-Match": answer.headers["ETag"]}, block="best_sellers", limit=4)
    assert again.status_code == 304

    fragment = block(stack, headers={"User-Agent": BROWSER_UA}, block="best_sellers", limit=4, title="Popular")
    assert fragment.status_code == 200 and fragment.headers["Content-Type"].startswith("text/html")
    assert f'data-rec="{body["rec_id"]}"' in fragment.text and "<h2>Popular</h2>" in fragment.text
    assert fragment.text.count("sl_rec=") == 4


def test_direct_requests_without_the_proxy_signature_are_refused(stack):
    for method, path in (("GET", "/proxy/recommendations?block=trending"),
                         ("POST", "/proxy/recommendations/click"), ("POST", "/proxy/recommendations/impression")):
        response = requests.request(method, stack.app_url + path, headers=JSON, data=b"{}", timeout=10)
        assert response.status_code == 401 and response.json()["error"] == "unauthorized", path


def test_orders_cancellations_and_product_changes_from_webhooks_reach_the_blocks(stack):
    a, b = in_stock(stack)[-2:]  # two quiet products: never bought together in the seeded history

    def bought_with_a() -> list[str]:
        items = block(stack, block="frequently_bought_together", product_id=str(a["id"]), limit=3).json()["items"]
        return [i["product_id"] for i in items]

    placed = []
    for n in range(3):
        response = requests.post(f"{stack.store_url}/_devstore/orders", timeout=10, json={
            "email": f"pair.buyer{n}@example.com",
            "items": [{"variant_id": a["variants"][0]["id"]}, {"variant_id": b["variants"][0]["id"]}]})
        placed.append(response.json()["id"])
    assert until(lambda: bought_with_a()[:1] == [str(b["id"])])

    for order_id in placed:
        requests.post(f"{stack.store_url}/_devstore/orders/{order_id}/cancel", json={}, timeout=10)
    assert until(lambda: str(b["id"]) not in bought_with_a())

    for n in range(3):  # b is a top seller again, then sells out: it leaves every block
        requests.post(f"{stack.store_url}/_devstore/orders", timeout=10, json={
            "email": f"b.buyer{n}@example.com", "items": [{"variant_id": b["variants"][0]["id"]}]})
    assert until(lambda: str(b["id"]) in bought_with_a() or str(b["id"]) in [
        i["product_id"] for i in block(stack, block="best_sellers", limit=24).json()["items"]])
    for variant in b["variants"]:
        requests.post(f"{stack.store_url}/_devstore/products/{b['id']}", timeout=10,
                      json={"variant_id": variant["id"], "inventory_quantity": 0})
    assert until(lambda: str(b["id"]) not in [
        i["product_id"] for i in block(stack, block="best_sellers", limit=24).json()["items"]])
