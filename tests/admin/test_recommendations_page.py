"""The recommendations admin page: settings saved behind the session token reach the storefront's blocks,
and what the blocks earned is reported exactly."""

from __future__ import annotations

import time

import pytest

from plugin.clock import DAY_MS, now_ms
from plugin.people import identity
from plugin.admin import recommendations as admin_recs
from plugin.recommendations.settings import RECOMMENDATIONS
from plugin.recommendations.serving import api as recommendations
from plugin.store.privacy import PII_TABLES

from tests.support.signing import BROWSER_UA, signed
from tests.support.app import SECRET, SHOP
from tests.support.signing import session_token
from tests.support.handlers import fixture, run
from tests.support.recommendations import catalog, order, product

OTHER = "second-shop.myshopify.com"
JSON = {"Accept": "application/json", "User-Agent": BROWSER_UA}
SCRIPT = "<script>alert(1)</script>"
SETTINGS = "/admin/api/recommendations/settings"


def bearer(shop=SHOP, **claims):
    return {"Authorization": f"Bearer {session_token(shop, **claims)}"}


@pytest.fixture(autouse=True)
def shops(store, installed_shop):
    for shop in (SHOP, OTHER):
        installed_shop(shop)
        catalog(store, shop, 8)  # 1000..1007, created in that order; odd ids are mugs, even ones tea


def block(client, shop=SHOP, name="new_arrivals", limit=4, customer="", **params) -> list[str]:
    """The block's product ids; ``customer`` is the platform-signed logged-in customer."""
    query = {"block": name, "limit": str(limit), **params}
    response = client.get(signed("/proxy/recommendations", shop, SECRET, query, customer=customer), headers=JSON)
    assert response.status_code == 200, response.get_json()
    return [item["product_id"] for item in response.get_json()["items"]]


def put(client, data, shop=SHOP):
    return client.put(SETTINGS, json=data, headers=bearer(shop))


# --------------------------------------------------------------------------- access


@pytest.mark.parametrize("method, path", [("GET", "/admin/recommendations"), ("GET", SETTINGS), ("PUT", SETTINGS),
                                          ("GET", "/admin/api/recommendations/attribution")])
def test_every_route_needs_a_valid_session_token(client, store, method, path):
    for headers in ({}, bearer(aud="another-app"), bearer(exp=int(time.time()) - 30)):
        assert client.open(path, method=method, headers=headers, json={"pins": ["1001"]}).status_code == 401
    assert store.settings.get(SHOP, RECOMMENDATIONS.name) is None
    assert client.open(path, method=method, headers=bearer(), json={"pins": ["1001"]}).status_code == 200


def test_the_nav_bar_links_the_page_on_every_admin_page(client):
    for path in ("/admin/segments", "/admin/recommendations"):
        page = client.get(path, query_string={"id_token": session_token()}).get_data(as_text=True)
        assert 'href="/admin/recommendations?id_token=' in page, path
    page = client.get("/admin/recommendations", query_string={"id_token": session_token()}).get_data(as_text=True)
    assert 'href="/admin/recommendations?id_token=' in page and 'aria-current="page">Recommendations<' in page


# --------------------------------------------------------------------------- the settings API


def test_get_gives_the_defaults_then_what_was_saved(client):
    assert client.get(SETTINGS, headers=bearer()).get_json() == {"settings": RECOMMENDATIONS.defaults(), "version": 0}
    response = put(client, {"pins": ["gid://shopify/Product/1003"], "boosts": {"Category:tea": "2"}})
    assert response.status_code == 200
    saved = {**RECOMMENDATIONS.defaults(), "pins": ["1003"], "boosts": {"category:tea": 2.0}}
    assert response.get_json() == {"settings": saved, "version": 1}
    assert client.get(SETTINGS, headers=bearer()).get_json() == {"settings": saved, "version": 1}


@pytest.mark.parametrize("data, field", [
    ({"hide_purchased": 1}, "hide_purchased"),
    ({"pins": ["1001", "not an id"]}, "pins.1"),
    ({"pins": [str(n) for n in range(51)]}, "pins"),
    ({"boosts": {"1001": 10.5}}, "boosts.1001"),
    ({"boosts": {"brand:x": 2}}, "boosts.brand:x"),
    ({"boosts": {str(n): 2 for n in range(101)}}, "boosts"),
    ({"excluded": ["tag:"]}, "excluded.0"),
    ({"excluded": ["1"] * 201}, "excluded"),
    ({"repeatable": ["vendor: "]}, "repeatable.0"),
    ({"repeatable": "tea"}, "repeatable"),
    ({"min_price": "-0.01"}, "min_price"),
    ({"max_price": "ten"}, "max_price"),
    ({"min_price": "9", "max_price": "8.99"}, "max_price"),
    ({"surprise": True}, "surprise"),
    (["pins"], "settings"),
])
def test_bad_input_is_a_422_naming_the_field_and_changes_nothing(client, store, data, field):
    assert put(client, {"excluded": ["1007"]}).status_code == 200
    before = block(client)
    response = put(client, data)
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "invalid_settings" and field in body["errors"], body
    assert RECOMMENDATIONS.read(store, SHOP) == ({**RECOMMENDATIONS.defaults(), "excluded": ["1007"]}, 1)
    assert block(client) == before


def test_a_body_that_is_not_json_is_a_400_and_changes_nothing(client, store):
    response = client.put(SETTINGS, data="pins=1", headers={**bearer(), "Content-Type": "application/json"})
    assert response.status_code == 400 and response.get_json() == {"error": "bad_request", "reason": "body is not JSON"}
    assert store.settings.get(SHOP, RECOMMENDATIONS.name) is None


# --------------------------------------------------------------------------- settings reach the blocks


def test_a_saved_exclusion_changes_the_next_answer(client):
    assert block(client) == ["1007", "1006", "1005", "1004"]
    put(client, {"excluded": ["1007", "category:mugs"]})
    assert block(client) == ["1006", "1004", "1002", "1000"]
    put(client, {})  # back to the defaults
    assert block(client) == ["1007", "1006", "1005", "1004"]


def test_a_saved_pin_goes_first_but_still_obeys_the_filters(client, store):
    put(client, {"pins": ["1000", "1001"]})
    assert block(client) == ["1000", "1001", "1007", "1006"]
    assert block(client, name="similar_items", product_id="1000")[0] == "1001"  # not the product on the page
    product(store, SHOP, "1001", stock=0, clock=10)
    recommendations.on_product(store, SHOP, "1001")
    assert block(client) == ["1000", "1007", "1006", "1005"]  # sold out: not shown, pinned or not


def test_a_saved_boost_reorders_and_a_factor_below_one_demotes(client):
    put(client, {"boosts": {"1002": 10}})  # new arrivals score by age: 1002 (2 s) becomes 20
    assert block(client) == ["1002", "1007", "1006", "1005"]
    put(client, {"boosts": {"1007": 0.1}})
    assert block(client) == ["1006", "1005", "1004", "1003"]


def test_a_saved_price_band_keeps_blocks_inside_it(client, store):
    product(store, SHOP, "2000", price="50.00", created=10**6)
    assert block(client, limit=3) == ["2000", "1007", "1006"]
    put(client, {"max_price": "20"})
    assert block(client, limit=3) == ["1007", "1006", "1005"]
    put(client, {"min_price": "30.5"})
    assert block(client, limit=3) == ["2000"]  # the only eligible product: never padded with others


def test_purchases_hidden_by_default_can_be_shown_or_made_repeatable(client, store):
    order(store, SHOP, "o1", ["1007", "1006"], customer="77")
    assert block(client, customer="77")[:2] == ["1005", "1004"]
    put(client, {"repeatable": ["category:mugs"]})  # 1007 is a mug, 1006 tea
    assert block(client, customer="77")[:2] == ["1007", "1005"]
    put(client, {"hide_purchased": False})
    assert sorted(block(client, customer="77")[:2]) == ["1006", "1007"]  # best sellers, ahead of new arrivals


def test_one_shops_settings_never_touch_another_shop(client, store):
    other_before = block(client, shop=OTHER)
    assert put(client, {"excluded": ["category:mugs"], "pins": ["1000"]}).status_code == 200
    assert block(client) == ["1000", "1006", "1004", "1002"]
    assert block(client, shop=OTHER) == other_before == ["1007", "1006", "1005", "1004"]
    assert client.get(SETTINGS, headers=bearer(OTHER)).get_json()["version"] == 0
    # The shop is the token's: a shop parameter on the request changes nothing.
    client.put(SETTINGS + f"?shop={OTHER}", json={"excluded": ["1006"]}, headers=bearer())
    assert store.settings.get(OTHER, RECOMMENDATIONS.name) is None and block(client, shop=OTHER) == other_before


# --------------------------------------------------------------------------- the page


def test_the_page_shows_saved_settings_as_inert_text(client, store):
    product(store, SHOP, "1100", title=SCRIPT, vendor=SCRIPT, tags=(SCRIPT,))
    assert put(client, {"excluded": [f"tag:{SCRIPT}"], "boosts": {f"vendor:{SCRIPT}": 2},
                        "pins": ["1100"]}).status_code == 200
    page = client.get("/admin/recommendations", query_string={"id_token": session_token()}).get_data(as_text=True)
    assert SCRIPT not in page
    assert "tag:&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "vendor:&lt;script&gt;alert(1)&lt;/script&gt; = 2.0" in page


@pytest.mark.parametrize("days", ["0", "31", "x", "-7"])
def test_only_the_offered_periods_are_accepted(client, days):
    response = client.get("/admin/api/recommendations/attribution", query_string={"days": days}, headers=bearer())
    assert response.status_code == 400 and "7, 30, 90" in response.get_json()["message"]
    page = client.get("/admin/recommendations", query_string={"days": days, "id_token": session_token()})
    assert page.status_code == 400


# --------------------------------------------------------------------------- attribution


@pytest.fixture
def activity(store):
    """Two blocks over the last 30 days and one 40 days ago, plus noise that must not count.

    Ann (cart-ann) saw "frequently bought together" 3 times and "trending" once, clicked 1001 in the
    first and 1002 in the second, and bought 1001, 1002 and 1003 in one order: one order, two blocks.
    Bob clicked 1004 and bought nothing. Cy clicked 1005 40 days ago and bought it by email an hour later.
    Another shop's identical activity, and a cancelled order, count nowhere.
    """
    now = now_ms()
    t, old = now - 2 * DAY_MS, now - 40 * DAY_MS
    recs = store.rec_attribution
    identity.observe(store, SHOP, "visitor-ann-01", t, cart_token="cart-ann")
    identity.observe(store, SHOP, "visitor-cy-001", old, email="cy@example.com")
    for n in range(3):
        recs.add_impression(SHOP, "rec-fbt-0001", "visitor-ann-01", "frequently_bought_together", ["1001"], t + n)
    recs.add_impression(SHOP, "rec-trend-001", "visitor-ann-01", "trending", ["1002"], t)
    recs.add_click(SHOP, "rec-fbt-0001", "visitor-ann-01", "frequently_bought_together", "1001", 1, t + 10)
    recs.add_click(SHOP, "rec-trend-001", "visitor-ann-01", "trending", "1002", 1, t + 20)
    order(store, SHOP, "o-ann", ["1001", "1002", "1003"], cart="cart-ann", at=t + 3_600_000)
    recs.add_impression(SHOP, "rec-fbt-0002", "visitor-bob-01", "frequently_bought_together", ["1004"], t)
    recs.add_click(SHOP, "rec-fbt-0002", "visitor-bob-01", "frequently_bought_together", "1004", 1, t)
    recs.add_impression(SHOP, "rec-fbt-0003", "visitor-cy-001", "frequently_bought_together", ["1005"], old)
    recs.add_click(SHOP, "rec-fbt-0003", "visitor-cy-001", "frequently_bought_together", "1005", 1, old)
    order(store, SHOP, "o-cy", ["1005"], email="cy@example.com", at=old + 3_600_000, currency="EUR")
    order(store, SHOP, "o-ann-cancelled", ["1001"], cart="cart-ann", at=t + 60_000, cancelled=True)
    identity.observe(store, OTHER, "visitor-ann-01", t, cart_token="cart-ann")
    recs.add_impression(OTHER, "rec-fbt-0001", "visitor-ann-01", "frequently_bought_together", ["1001"], t)
    recs.add_click(OTHER, "rec-fbt-0001", "visitor-ann-01", "frequently_bought_together", "1001", 1, t + 10)
    order(store, OTHER, "o-other", ["1001"], cart="cart-ann", at=t + 3_600_000)


def report(client, days=30, shop=SHOP):
    response = client.get("/admin/api/recommendations/attribution", query_string={"days": days},
                          headers=bearer(shop))
    assert response.status_code == 200
    return response.get_json()


def test_attribution_over_the_last_30_days_is_exact(client, activity):
    body = report(client)
    assert body["days"] == 30 and body["until"] - body["since"] == 30 * DAY_MS and body["window_ms"] == DAY_MS
    assert body["blocks"] == [
        {"strategy": "frequently_bought_together", "impressions": 4, "clicks": 2, "ctr": 0.5, "orders": 1,
         "revenue": {"USD": "10.00"}},
        {"strategy": "trending", "impressions": 1, "clicks": 1, "ctr": 1.0, "orders": 1,
         "revenue": {"USD": "10.00"}},
    ]
    assert body["total"] == {"impressions": 5, "clicks": 3, "ctr": 0.6, "orders": 1, "revenue": {"USD": "20.00"}}


def test_a_longer_period_takes_in_older_activity_with_its_own_currency(client, activity):
    body = report(client, days=90)
    [fbt, trending] = body["blocks"]
    assert fbt == {"strategy": "frequently_bought_together", "impressions": 5, "clicks": 3, "ctr": 0.6,
                   "orders": 2, "revenue": {"EUR": "10.00", "USD": "10.00"}}
    assert trending["orders"] == 1
    assert body["total"] == {"impressions": 6, "clicks": 4, "ctr": 0.6667, "orders": 2,
                             "revenue": {"EUR": "10.00", "USD": "20.00"}}
    assert report(client, days=7)["total"]["orders"] == 1


def test_another_shop_sees_only_its_own_activity(client, activity):
    body = report(client, shop=OTHER)
    assert body["blocks"] == [{"strategy": "frequently_bought_together", "impressions": 1, "clicks": 1,
                               "ctr": 1.0, "orders": 1, "revenue": {"USD": "10.00"}}]


def test_the_page_shows_the_report(client, activity):
    page = client.get("/admin/recommendations", query_string={"id_token": session_token()}).get_data(as_text=True)
    assert ('<th scope="row">Frequently bought together</th><td class="n">4</td><td class="n">2</td>'
            '<td class="n">50.0%</td><td class="n">1</td><td class="n">10.00 USD</td>') in page
    assert ('<th scope="row">All blocks</th><td class="n">5</td><td class="n">3</td><td class="n">60.0%</td>'
            '<td class="n">1</td><td class="n">20.00 USD</td>') in page
    page = client.get("/admin/recommendations", query_string={"days": 90, "id_token": session_token()}).get_data(as_text=True)
    assert "10.00 EUR, 10.00 USD" in page and 'aria-current="true">90 days' in page


def test_no_activity_says_so(client):
    assert report(client)["blocks"] == []
    page = client.get("/admin/recommendations", query_string={"id_token": session_token()}).get_data(as_text=True)
    assert "No block was shown in the last 30 days." in page


# --------------------------------------------------------------------------- shop/redact


def test_shop_redact_removes_the_settings_row_and_no_other_shops(client, store):
    put(client, {"excluded": ["1007"]})
    put(client, {"excluded": ["1006"]}, shop=OTHER)
    assert "shop_settings" not in PII_TABLES  # nothing personal: emptied with the shop, not per customer
    run(store, "app/uninstalled", fixture("shop.json"), shop=SHOP, triggered_at=now_ms() + 1000)
    run(store, "shop/redact", fixture("shop_redact.json", "webhooks"), shop=SHOP, triggered_at=now_ms() + 2000)
    assert store.settings.get(SHOP, RECOMMENDATIONS.name) is None
    cache = client.application.extensions["storelift"].settings
    assert cache.served(SHOP, RECOMMENDATIONS) is RECOMMENDATIONS.served_defaults
    assert RECOMMENDATIONS.read(store, OTHER)[0]["excluded"] == ["1006"]


# --------------------------------------------------------------------------- checked against the catalog


def test_a_save_names_each_unknown_product_and_each_selector_matching_nothing(client, store):
    assert put(client, {"excluded": ["1007"]}).status_code == 200
    response = put(client, {"pins": ["1001", "999", "1002", "gid://shopify/Product/998"],
                            "excluded": ["category:Tea", "category:teas", "vendor:nobody"]})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "pins.1": "no product 999 in your catalog",
        "pins.3": "no product 998 in your catalog",
        "excluded.1": "category:teas matches no product in your catalog (check the spelling)",
        "excluded.2": "vendor:nobody matches no product in your catalog (check the spelling)",
    }
    assert RECOMMENDATIONS.read(store, SHOP) == ({**RECOMMENDATIONS.defaults(), "excluded": ["1007"]}, 1)


def test_selectors_match_in_serving_whatever_their_letter_case(client):
    assert block(client) == ["1007", "1006", "1005", "1004"]
    assert put(client, {"excluded": ["CATEGORY:Mugs"]}).status_code == 200  # the catalog says "mugs"
    assert block(client) == ["1006", "1004", "1002", "1000"]
    assert put(client, {"boosts": {"Category:TEA": 0.1}}).status_code == 200
    assert block(client, name="best_sellers", limit=8)[-4:] == ["1006", "1004", "1002", "1000"]


# --------------------------------------------------------------------------- the product picker's search

PRODUCTS = "/admin/api/recommendations/products"


def search(client, text, shop=SHOP, headers=None):
    return client.get(PRODUCTS, query_string={"q": text}, headers=headers if headers is not None else bearer(shop))


def test_the_search_finds_products_by_title_in_the_shop_only_and_is_never_cached(client, store):
    product(store, SHOP, "2001", title="Blue Enamel Mug", vendor="Acme")
    product(store, SHOP, "2002", title="Mug rack")
    product(store, OTHER, "2003", title="Mug of the other shop")
    store.commerce.delete_product(SHOP, "2002", at=5)
    response = search(client, "mug")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert [(p["product_id"], p["title"], p["vendor"]) for p in response.get_json()["products"]] == [
        ("2001", "Blue Enamel Mug", "Acme")]
    assert [p["product_id"] for p in search(client, "mug", shop=OTHER).get_json()["products"]] == ["2003"]


def test_percent_and_underscore_in_the_search_are_literal(client, store):
    product(store, SHOP, "2001", title="100% cotton tote")
    product(store, SHOP, "2002", title="1000 cotton tote")
    product(store, SHOP, "2003", title="tea_set deluxe")
    product(store, SHOP, "2004", title="teaXset deluxe")
    product(store, SHOP, "2005", title=r"back\slash")
    assert [p["product_id"] for p in search(client, "100%").get_json()["products"]] == ["2001"]
    assert [p["product_id"] for p in search(client, "a_s").get_json()["products"]] == ["2003"]
    assert [p["product_id"] for p in search(client, "%").get_json()["products"]] == ["2001"]
    assert [p["product_id"] for p in search(client, "k\\s").get_json()["products"]] == ["2005"]


def test_the_search_is_bounded_prefix_first_and_refuses_empty_or_long_text(client, store):
    for n in range(15):
        product(store, SHOP, str(3000 + n), title=f"Candle no. {n:02}")
    product(store, SHOP, "3100", title="Beeswax candle")
    found = search(client, "CANDLE").get_json()["products"]
    assert len(found) == admin_recs.SEARCH_LIMIT and found[0]["title"] == "Candle no. 00"
    assert [p["title"] for p in search(client, "wax c").get_json()["products"]] == ["Beeswax candle"]
    for text in ("", "   ", "x" * 101):
        response = search(client, text)
        assert response.status_code == 400 and response.headers["Cache-Control"] == "no-store"


def test_the_search_needs_a_valid_session_token(client, store):
    product(store, SHOP, "2001", title="Blue Enamel Mug")
    for headers in ({}, bearer(aud="another-app"), bearer(exp=int(time.time()) - 30)):
        response = search(client, "mug", headers=headers)
        assert response.status_code == 401 and "products" not in response.get_json()


def test_a_pin_picked_by_title_is_saved_by_id_and_shown_by_title(client, store):
    product(store, SHOP, "2001", title="Blue Enamel Mug")
    [picked] = search(client, "enamel").get_json()["products"]
    assert put(client, {"pins": [picked["product_id"]], "excluded": ["1003"]}).status_code == 200
    assert block(client, limit=2) == ["2001", "1007"]
    page = client.get("/admin/recommendations", query_string={"id_token": session_token()}).get_data(as_text=True)
    assert '<li data-id="2001"><span>Blue Enamel Mug</span>' in page
    assert '<li data-id="1003"><span>Product 1003</span>' in page
