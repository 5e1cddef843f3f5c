"""The event batch endpoint: schema, size caps, rate limits, bots, GPC and consent mode.

A refused batch stores nothing; a dropped one (bot, no consent) answers 204 and stores nothing.
"""

from __future__ import annotations

import json

import pytest

from plugin.capture.settings import CAPTURE
from plugin.people import identity
from widgets.ratelimit import Limit, RateLimiter

from tests.support.shops import install
from tests.support.signing import BROWSER_UA, signed
from tests.support.app import SECRET, SHOP

UA = {"User-Agent": BROWSER_UA, "Content-Type": "text/plain;charset=UTF-8", "X-Forwarded-For": "203.0.113.9"}
VISITOR = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
SESSION = "a3bb189e-8bf9-3888-9912-ace4e6543002"


@pytest.fixture(autouse=True)
def setup(store):
    install(store, SHOP)


def batch(events=None, **fields):
    body = {"v": VISITOR, "s": SESSION, "p": "/products/red-shirt", "e": events or [["page_view", {}]]}
    body.update(fields)
    return json.dumps(body)


def post(client, body, headers=UA, customer=""):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(signed("/proxy/events", SHOP, SECRET, customer=customer), data=data, headers=headers)


def test_a_batch_is_stored_with_the_visitor_and_its_person(client, store):
    response = post(client, batch([["page_view", {}], ["product_view", {"i": "8000000001"}],
                                   ["search", {"i": "red shirt"}], ["add_to_cart", {}], ["widget_open", {"v": 3}]],
                                  k="c1a2b3c4d5e6f708", c="1", g=False, w=False))
    assert response.status_code == 204, response.json
    events = identity.history(store, SHOP, VISITOR)
    assert [e["type"] for e in events] == ["page_view", "product_view", "search", "add_to_cart", "widget_open"]
    assert events[1]["data"] == {"i": "8000000001"} and events[0]["path"] == "/products/red-shirt"
    assert store.identities.visitor(SHOP, VISITOR)["email"] is None
    assert store.database.one("SELECT cart_token FROM visitor_carts")["cart_token"] == "c1a2b3c4d5e6f708"


def test_script_in_a_free_text_field_is_kept_as_inert_data(client, store):
    script = "<script>alert(document.cookie)</script>"
    assert post(client, batch([["search", {"i": script}]])).status_code == 204
    stored = store.database.one("SELECT data FROM storefront_events")["data"]
    assert json.loads(stored) == {"i": script}


@pytest.mark.parametrize("body, status", [
    ("not json", 400),
    ("[]", 400),
    (batch(extra=1), 400),
    (batch(v="short"), 400),
    (batch(v="../../etc/passwd"), 400),
    (batch(s=None), 400),
    (batch(p="/products/<script>alert(1)</script>"), 400),
    (batch(p="javascript:alert(1)"), 400),
    (batch(p="/" + "a" * 600), 400),
    (batch(e=[]), 400),
    (batch([["Page View", {}]]), 400),
    (batch([["page_view", {"i": {"nested": 1}}]]), 400),
    (batch([["page_view", {"k" + str(n): 1 for n in range(9)}]]), 400),
    (batch([["product_view", {"i": "<img src=x onerror=alert(1)>"}]]), 400),
    (batch([["search", {"i": "x" * 201}]]), 400),
    (batch([["page_view", {}, "extra"]]), 400),
    (batch(c="yes"), 400),
    (batch(k="not a token!"), 400),
    (batch([["page_view", {}]] * 51), 413),
    (json.dumps({"v": VISITOR, "s": SESSION, "p": "/", "e": [["search", {"i": "x" * 200}]] * 49,
                 "pad": "x" * 20000}), 413),
])
def test_malformed_or_oversized_batches_are_refused_and_nothing_is_stored(client, store, body, status):
    response = post(client, body)
    assert response.status_code == status
    assert response.json["error"] in ("bad_request", "payload_too_large") and response.json["reason"]
    assert store.events.count(SHOP) == 0
    assert store.database.one("SELECT COUNT(*) AS n FROM visitors")["n"] == 0


@pytest.mark.parametrize("headers, fields", [
    ({"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"}, {}),
    ({"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0 Safari/537.36"}, {}),
    ({"User-Agent": "python-requests/2.32"}, {}),
    ({"User-Agent": ""}, {}),
    (UA, {"w": True}),
    (UA, {"g": True}),
])
def test_bots_automation_and_gpc_are_dropped_silently(client, store, headers, fields):
    response = post(client, batch(**fields), headers=headers)
    assert response.status_code == 204
    assert store.events.count(SHOP) == 0


def test_gpc_with_explicit_consent_is_stored(client, store):
    assert post(client, batch(g=True, c="1")).status_code == 204
    assert store.events.count(SHOP) == 1


def test_consent_mode_stores_nothing_before_consent(client, store):
    CAPTURE.save(store, SHOP, {"consent_mode": True})
    assert post(client, batch()).status_code == 204
    assert store.events.count(SHOP) == 0 and store.database.one("SELECT COUNT(*) AS n FROM visitors")["n"] == 0
    assert post(client, batch(c="1")).status_code == 204
    assert store.events.count(SHOP) == 1
    config = client.get(signed("/proxy/config", SHOP, SECRET, {"v": VISITOR}), headers=UA).json
    assert config["cm"] == 1


def test_rate_limits_per_visitor_and_per_ip(client, store):
    state = client.application.extensions["storelift.widgets"]
    state.limiter = RateLimiter({"events:visitor": Limit(burst=3, per_second=0.001),
                                 "events:ip": Limit(burst=5, per_second=0.001)})
    statuses = [post(client, batch()).status_code for _ in range(4)]
    assert statuses == [204, 204, 204, 429]
    other = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
    statuses = [post(client, batch(v=other)).status_code for _ in range(3)]
    assert statuses == [204, 429, 429]  # the address has used its 5 (4 + 1)
    assert store.events.count(SHOP) == 4


def test_the_logged_in_customer_joins_the_visitor(client, store):
    assert post(client, batch(), customer="777").status_code == 204
    assert store.identities.visitor(SHOP, VISITOR)["customer_id"] == "777"


def test_identify_links_an_email_and_refuses_invalid_ones(client, store):
    url = signed("/proxy/identify", SHOP, SECRET)
    bad = client.post(url, data=json.dumps({"v": VISITOR, "e": "not-an-email"}), headers=UA)
    assert bad.status_code == 422 and bad.json["error"] == "invalid_email"
    assert store.database.one("SELECT COUNT(*) AS n FROM people")["n"] == 0
    ok = client.post(signed("/proxy/identify", SHOP, SECRET), data=json.dumps({"v": VISITOR, "e": " Ann@Example.COM "}),
                     headers=UA)
    assert ok.status_code == 204
    assert store.identities.visitor(SHOP, VISITOR)["email"] == "ann@example.com"
    config = client.get(signed("/proxy/config", SHOP, SECRET, {"v": VISITOR}), headers=UA).json
    assert (config["show"], config["why"]) == (0, "known")
