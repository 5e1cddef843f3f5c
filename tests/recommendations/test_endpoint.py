"""GET /proxy/recommendations and its impressions and clicks, through the Flask app.

Requests are signed here as the platform's proxy signs them (tests/browser/proxy.py,
written from the protocol, not from plugin.auth).
"""

from __future__ import annotations

import json
import re
import time

import pytest

from plugin.capture.settings import CAPTURE
from plugin.recommendations.serving import api as recs
from plugin.recommendations.serving.registry import Models

from tests.support import reads
from tests.support.shops import install
from tests.support.signing import BROWSER_UA, signed
from tests.support.app import SECRET, SHOP
from plugin.store.commerce import Product, Variant

from tests.support.recommendations import catalog, order, product

JSON = {"Accept": "application/json", "User-Agent": BROWSER_UA}
HTML = {"Accept": "text/html,*/*;q=0.8", "User-Agent": BROWSER_UA}
VISITOR = "5a1c2b3d-0000-4000-8000-00000000beef"


@pytest.fixture
def shop(store):
    install(store, SHOP)
    catalog(store, SHOP, 8)
    return store


def get(client, params: dict, headers=JSON, customer: str = ""):
    """A signed block request; a list value repeats its parameter (one per slot of the page)."""
    single = {k: v for k, v in params.items() if not isinstance(v, list)}
    repeated = [(k, value) for k, v in params.items() if isinstance(v, list) for value in v]
    return client.get(signed("/proxy/recommendations", SHOP, SECRET, single, customer=customer, extra=repeated),
                      headers=headers)


def post(client, kind: str, body: dict, headers=None):
    return client.post(signed(f"/proxy/recommendations/{kind}", SHOP, SECRET), data=json.dumps(body),
                       headers={"Content-Type": "text/plain;charset=UTF-8", "User-Agent": BROWSER_UA,
                                **(headers or {})})


def product_ids(response) -> list[str]:
    return [item["product_id"] for item in response.get_json()["items"]]


# --------------------------------------------------------------------------- the signature comes first


@pytest.mark.parametrize("path, method", [("/proxy/recommendations", "GET"),
                                          ("/proxy/recommendations/impression", "POST"),
                                          ("/proxy/recommendations/click", "POST")])
def test_unsigned_forged_and_stale_requests_are_refused(client, shop, path, method):
    forged = f"{path}?block=best_sellers&shop={SHOP}&timestamp={int(time.time())}&signature={'ab' * 32}"
    stale = signed(path, SHOP, SECRET, {"block": "best_sellers"}, timestamp=int(time.time()) - 600)
    for url in (f"{path}?block=best_sellers", forged, stale):
        response = client.open(url, method=method, headers=JSON, data=b"{}")
        assert response.status_code == 401 and response.get_json()["error"] == "unauthorized", url


def test_a_shop_that_has_not_installed_storelift_is_refused(client, store):
    response = client.get(signed("/proxy/recommendations", "nobody.myshopify.com", SECRET, {"block": "trending"}),
                          headers=JSON)
    assert response.status_code == 403 and response.get_json()["reason"] == "shop not installed"


# --------------------------------------------------------------------------- answers


def test_json_answer_shape(client, shop):
    order(shop, SHOP, "o1", ["1000", "1001"], currency="EUR")
    response = get(client, {"block": "frequently_bought_together", "product_id": "1000", "limit": "3"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"items", "strategy", "rec_id", "currency"}
    assert body["strategy"] == "frequently_bought_together" and body["currency"] == "EUR"
    assert re.fullmatch(r"[A-Za-z0-9_-]{16}", body["rec_id"])
    assert len(body["items"]) == 3 and body["items"][0] == {
        "product_id": "1001", "title": "Product 1001", "price": "10.00", "url": "/products/product-1001",
        "image": "https://cdn.example/1001.png", "variant_id": "v1001"}
    assert response.headers["Cache-Control"] == "private, no-cache" and "Accept" in response.headers["Vary"]


def test_html_fragment_escapes_titles_and_carries_tracking_links(client, shop):
    product(shop, SHOP, "666", title='<img src=x onerror="alert(1)">Mug & "Cup"', price="1234.5",
            created=10**12)
    response = get(client, {"block": "new_arrivals", "limit": "2", "title": "<script>x</script>Picks",
                            "currency": "GBP"}, headers=HTML)
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;Picks" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;Mug &amp; &#34;Cup&#34;" in page
    rec_id = re.search(r'data-rec="([^"]+)"', page).group(1)
    assert f'href="/products/product-666?sl_rec={rec_id}&amp;sl_pos=1"' in page
    assert "£1,234.50" in page and 'data-b="new_arrivals"' in page
    assert 'width="160" height="160"' in page  # every size fixed: the slot's height never changes


def test_an_unchanged_block_revalidates_to_304(client, shop):
    first = get(client, {"block": "best_sellers", "visitor_id": VISITOR})
    again = client.get(signed("/proxy/recommendations", SHOP, SECRET, {"block": "best_sellers", "visitor_id": VISITOR}),
                       headers={**JSON, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    html = get(client, {"block": "best_sellers", "visitor_id": VISITOR}, headers=HTML)
    assert html.headers["ETag"] != first.headers["ETag"]


@pytest.mark.parametrize("params, reason", [
    ({"block": "everything"}, "unknown block"),
    ({}, "unknown block"),
    ({"block": "trending", "product_id": "1'; DROP"}, "bad product_id"),
    ({"block": "cart", "cart": "1,2,<x>"}, "bad cart"),
    ({"block": "cart", "cart": ",".join(str(n) for n in range(51))}, "bad cart"),
    ({"block": "trending", "visitor_id": "short"}, "bad visitor_id"),
    ({"block": "trending", "limit": "many"}, "limit must be 1 to 24"),
    ({"block": "trending", "limit": "0"}, "limit must be 1 to 24"),
    ({"block": "trending", "limit": "25"}, "limit must be 1 to 24"),
    ({"block": "trending", "currency": "euro"}, "bad currency"),
])
def test_bad_parameters_are_refused_with_a_reason(client, shop, params, reason):
    response = get(client, params)
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request" and reason in response.get_json()["reason"]


# --------------------------------------------------------------------------- filters through the endpoint


def test_the_product_on_the_page_and_the_cart_are_never_recommended(client, shop):
    for n in range(3):
        order(shop, SHOP, f"o{n}", ["1000", "1001", "1002", "1003"])
    for block in recs.STRATEGIES:
        shown = product_ids(get(client, {"block": block, "product_id": "1000", "cart": "1001,1002", "limit": "24"}))
        assert shown and not {"1000", "1001", "1002"} & set(shown), block


def test_sold_out_unpublished_and_deleted_products_are_filtered(client, shop):
    for n, product_id in enumerate(("2001", "2002", "2003")):
        product(shop, SHOP, product_id, created=10**12 + n)
    for n in range(3):
        order(shop, SHOP, f"o{n}", ["2001", "2002", "2003", "1000"])
    product(shop, SHOP, "2001", stock=0, clock=10**13)
    product(shop, SHOP, "2002", published=False, clock=10**13)
    shop.commerce.delete_product(SHOP, "2003", at=10**13)
    for product_id in ("2001", "2002", "2003"):
        recs.on_product(shop, SHOP, product_id)
    for block in ("best_sellers", "trending", "new_arrivals", "frequently_bought_together"):
        shown = product_ids(get(client, {"block": block, "product_id": "1000", "limit": "24"}))
        assert not {"2001", "2002", "2003"} & set(shown), block


def test_the_signed_in_customers_purchases_count_and_a_query_customer_id_is_ignored(client, shop):
    order(shop, SHOP, "mine", ["1000", "1001"], customer="4242")
    for n in range(3):
        order(shop, SHOP, f"theirs{n}", ["1005", "1006"], customer=str(n))
    assert product_ids(get(client, {"block": "buy_again", "limit": "2"}, customer="4242")) == ["1000", "1001"]
    not_bought = product_ids(get(client, {"block": "best_sellers", "limit": "24"}, customer="4242"))
    assert "1000" not in not_bought and "1001" not in not_bought
    # Someone else asking with her id in the query learns nothing about her.
    snooped = product_ids(get(client, {"block": "buy_again", "customer_id": "4242", "limit": "2"}))
    assert snooped == ["1005", "1006"]


def test_price_band_and_merchant_rules_reach_the_engine(shop):
    from plugin.recommendations.engine.blocks import BlockSettings
    from plugin.recommendations.engine.filters import FilterPolicy
    from plugin.recommendations.engine.rules import MerchantRules

    product(shop, SHOP, "cheap", price="1.00")
    settings = BlockSettings(policy=FilterPolicy(min_price=5.0), rules=MerchantRules(pins=("1003",),
                                                                                        excluded=frozenset({"1004"})))
    served = recs.recommend_for(Models(shop), SHOP, recs.ShopperRequest(block="new_arrivals", limit=24), settings)
    shown = [i["product_id"] for i in served.items]
    assert shown[0] == "1003" and "1004" not in shown and "cheap" not in shown


# --------------------------------------------------------------------------- impressions and clicks


def test_impressions_and_clicks_are_recorded_with_their_rec_id(client, shop):
    body = get(client, {"block": "best_sellers", "visitor_id": VISITOR, "limit": "3"}).get_json()
    rec_id, shown = body["rec_id"], [i["product_id"] for i in body["items"]]
    assert post(client, "impression", {"v": VISITOR, "r": rec_id, "b": "best_sellers", "i": shown}).status_code == 204
    assert post(client, "click", {"v": VISITOR, "r": rec_id, "b": "best_sellers", "p": shown[1], "n": 2}
                ).status_code == 204
    [seen] = reads.impressions(shop, SHOP, rec_id)
    assert (seen["visitor_id"], seen["strategy"], seen["items"]) == (VISITOR, "best_sellers", shown)
    [clicked] = reads.clicks(shop, SHOP, rec_id)
    assert (clicked["product_id"], clicked["position"], clicked["visitor_id"]) == (shown[1], 2, VISITOR)
    counts = shop.rec_attribution.block_counts(SHOP, 0, 2**62)
    assert counts == {"best_sellers": {"impressions": 1, "clicks": 1}}


@pytest.mark.parametrize("kind, body, reason", [
    ("click", {"r": "abcdefgh12", "b": "trending", "p": "1"}, "bad visitor id"),
    ("click", {"v": VISITOR, "r": "<bad>", "b": "trending", "p": "1"}, "bad rec_id"),
    ("click", {"v": VISITOR, "r": "abcdefgh12", "b": "nope", "p": "1"}, "unknown block"),
    ("click", {"v": VISITOR, "r": "abcdefgh12", "b": "trending", "p": "a b"}, "bad product id"),
    ("click", {"v": VISITOR, "r": "abcdefgh12", "b": "trending", "p": "1", "n": 99}, "bad position"),
    ("impression", {"v": VISITOR, "r": "abcdefgh12", "b": "trending", "i": "1,2"}, "at most 24 product ids"),
    ("impression", {"v": VISITOR, "r": "abcdefgh12", "b": "trending", "i": ["1"], "c": "yes"}, "flags"),
])
def test_bad_event_bodies_are_refused_and_store_nothing(client, shop, kind, body, reason):
    response = post(client, kind, body)
    assert response.status_code == 400 and reason in response.get_json()["reason"]
    assert reads.clicks(shop, SHOP) == [] and reads.impressions(shop, SHOP) == []


def test_not_json_and_too_large_bodies_are_refused(client, shop):
    url = signed("/proxy/recommendations/click", SHOP, SECRET)
    assert client.post(url, data=b"not json", headers={"User-Agent": BROWSER_UA}).status_code == 400
    assert client.post(url, data=b"[" + b" " * 5000 + b"]", headers={"User-Agent": BROWSER_UA}).status_code == 413


def test_bots_gpc_and_consent_mode_store_nothing(client, shop):
    click = {"v": VISITOR, "r": "abcdefgh12", "b": "trending", "p": "1000"}
    assert post(client, "click", click, headers={"User-Agent": "Googlebot/2.1 (+http://www.google.com/bot.html)"}
                ).status_code == 204
    assert post(client, "click", {**click, "w": True}).status_code == 204
    assert post(client, "click", {**click, "g": True}).status_code == 204
    CAPTURE.save(shop, SHOP, {"consent_mode": True})
    assert post(client, "click", click).status_code == 204
    assert reads.clicks(shop, SHOP) == []
    assert post(client, "click", {**click, "c": "1"}).status_code == 204
    assert len(reads.clicks(shop, SHOP)) == 1


# --------------------------------------------------------------------------- a page's slots in one request


def test_a_pages_slots_come_in_one_answer_and_never_share_a_product(client, shop):
    for n, basket in enumerate([["1000", "1001", "1002", "1003", "1004"], ["1000", "1001", "1002"]]):
        order(shop, SHOP, f"o{n}", basket)
    page = {"block": ["frequently_bought_together", "similar_items"], "limit": ["3", "3"],
            "title": ["Bought together", "Similar"], "product_id": "1000"}
    blocks = get(client, page).get_json()["blocks"]
    assert [b["strategy"] for b in blocks] == ["frequently_bought_together", "similar_items"]
    first, second = ([i["product_id"] for i in b["items"]] for b in blocks)
    assert first == ["1001", "1002", "1003"] and len(second) == 3 and not set(first) & set(second)
    alone = get(client, {"block": "similar_items", "limit": "3", "product_id": "1000"}).get_json()
    assert set(first) & {i["product_id"] for i in alone["items"]}  # what the page-wide answer avoided

    html = get(client, page, headers=HTML)
    text = html.get_data(as_text=True)
    assert html.mimetype == "text/html" and text.count('<div class="sl"') == 2
    assert text.index("Bought together") < text.index(">Similar<")
    assert [b["rec_id"] for b in blocks] == re.findall(r'data-rec="([^"]+)"', text)


@pytest.mark.parametrize("params", [
    {"block": ["trending"] * 7},
    {"block": ["trending", "best_sellers"], "limit": ["4"]},
    {"block": ["trending", "best_sellers"], "title": ["a", "b", "c"]},
    {"block": ["trending", "nope"]},
])
def test_slots_that_do_not_line_up_are_a_400(client, shop, params):
    response = get(client, params)
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"


def test_card_images_are_asked_of_the_platforms_cdn_at_the_size_the_card_shows(client, shop):
    """A 160 px card must not load a 2,048 px product photo: the CDN resizes, so the card offers sizes."""
    product(shop, SHOP, "777", image="https://cdn.shopify.com/s/files/1/files/mug.jpg?v=3", created=10**12)
    text = get(client, {"block": "new_arrivals", "limit": "2"}, headers=HTML).get_data(as_text=True)
    cdn, other = re.findall(r"<img [^>]*>", text)
    mug = "https://cdn.shopify.com/s/files/1/files/mug.jpg?v=3&amp;width="
    assert f'src="{mug}320"' in cdn
    assert f'srcset="{mug}160 160w, {mug}320 320w, {mug}480 480w, {mug}640 640w"' in cdn
    assert 'sizes="(max-width:749px) 44vw, 160px"' in cdn
    assert 'src="https://cdn.example/1007.png"' in other and "srcset" not in other  # a host that may not resize
    answer = get(client, {"block": "new_arrivals", "limit": "1"}).get_json()  # JSON keeps the product's own URL
    assert answer["items"][0]["image"] == "https://cdn.shopify.com/s/files/1/files/mug.jpg?v=3"


def test_a_single_variant_product_gets_an_add_to_cart_form_and_others_a_link(client, shop):
    shop.commerce.upsert_product(SHOP, Product(
        product_id="1000", source_updated_at=5, title="Two sizes", handle="two-sizes", url="/products/two-sizes",
        status="active", published_at=1, created_at=99_000,
        variants=(Variant(variant_id="71", price="9.00", inventory_quantity=3),
                  Variant(variant_id="72", price="12.00", inventory_quantity=3))))
    text = get(client, {"block": "new_arrivals", "limit": "2"}, headers=HTML).get_data(as_text=True)
    cards = re.findall(r"<li.*?</li>", text, re.S)
    assert "Two sizes" in cards[0] and "<form" not in cards[0]  # several variants: the product page chooses
    assert re.search(r'<form method="post" action="/cart/add"><input type="hidden" name="id" value="v1007">'
                     r'.*<button type="submit" data-i="1007" data-n="2" aria-label="Add Product 1007 to cart">',
                     cards[1])
