"""The admin's segments page and JSON: behind the session token, this shop's counts only."""

from __future__ import annotations

import time

import pytest

from plugin.people import refresh
from plugin.people import segments as S

from tests.support.app import SHOP
from tests.support.signing import session_token
from tests.support.people import browse, DAY, order, T0

OTHER = "someone-else.myshopify.com"
NOW = T0 + 10 * DAY


def bearer(**claims):
    return {"Authorization": f"Bearer {session_token(**claims)}"}


@pytest.fixture(autouse=True)
def shops(installed_shop):
    installed_shop(SHOP)
    installed_shop(OTHER)


def populate(store):
    """This shop: 2 new visitors (one on mobile in FR), 1 returning, 1 first-time buyer, 1 lapsed buyer.
    The other shop: 5 VIP-less buyers that must never show up here."""
    browse(store, "new-visitor-1", NOW, ("page_view", {"d": "m", "country": "FR"}), shop=SHOP)
    browse(store, "new-visitor-2", NOW, ("page_view",), shop=SHOP)
    browse(store, "returning-01", NOW - DAY, ("page_view",), session="a", shop=SHOP)
    browse(store, "returning-01", NOW, ("page_view",), session="b", shop=SHOP)
    for visitor in ("new-visitor-1", "new-visitor-2", "returning-01"):
        refresh.on_events(store, SHOP, visitor, NOW)
    order(store, "1", NOW - DAY, customer_id="1", shop=SHOP)
    order(store, "2", NOW - 400 * DAY, customer_id="2", shop=SHOP)
    for n in range(5):
        order(store, f"x{n}", NOW, customer_id=f"9{n}", shop=OTHER)
    refresh.rebuild_profiles(store, SHOP, NOW)
    refresh.rebuild_profiles(store, OTHER, NOW)


@pytest.mark.parametrize("path", ["/admin/segments", "/admin/api/segments"])
def test_both_routes_need_a_valid_session_token(client, path):
    assert client.get(path).status_code == 401
    assert client.get(path, headers=bearer(aud="another-app")).status_code == 401
    assert client.get(path, headers=bearer(exp=int(time.time()) - 30)).status_code == 401
    assert client.get(path, headers=bearer()).status_code == 200


def test_the_api_counts_this_shops_segments_only(client, store):
    populate(store)
    body = client.get("/admin/api/segments", headers=bearer()).get_json()
    assert body["shop"] == SHOP and body["total"] == 5
    assert body["lifecycle"] == {**dict.fromkeys(S.LIFECYCLE, 0), "new_visitor": 2, "returning_visitor": 1,
                                 "first_time_buyer": 1, "lapsed": 1}
    assert body["devices"] == {"mobile": 1} and body["countries"] == {"FR": 1}
    assert body["rfm"]["mode"] == S.FIXED and body["rfm"]["buyers"] == 2
    other = client.get("/admin/api/segments", headers=bearer(shop=OTHER)).get_json()
    assert other["total"] == 5 and other["lifecycle"]["first_time_buyer"] == 5


def test_an_empty_shop_has_all_zero_counts(client):
    body = client.get("/admin/api/segments", headers=bearer()).get_json()
    assert body["total"] == 0 and set(body["lifecycle"].values()) == {0} and body["rfm"] is None


def test_the_page_shows_every_segment_with_its_count(client, store):
    populate(store)
    page = client.get("/admin/segments", query_string={"id_token": session_token()}).get_data(as_text=True)
    for name in S.LIFECYCLE:
        assert f"<code>{name}</code>" in page
    assert "<td><code>lapsed</code></td><td>1</td>" in page
    assert "<td><code>new_visitor</code></td><td>2</td>" in page
    assert "5 shopper profiles" in page and "fixed thresholds" in page
    assert "<code>country:FR</code></td><td>1</td>" in page
