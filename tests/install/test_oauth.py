"""The OAuth install (platform.md §1) through the Flask app, the platform mocked with ``responses``.

Every rejection must leave nothing behind: no shop row, no usable state.
"""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses

from tests.support.app import API_KEY, OLD_SECRET, SECRET, SHOP
from tests.support.signing import signed_query

BASE = f"https://{SHOP}"
TOKEN_URL = f"{BASE}/admin/oauth/access_token"
GRAPHQL_URL = f"{BASE}/admin/api/2026-10/graphql.json"


def install_params(**overrides):
    params = {"shop": SHOP, "timestamp": str(int(time.time())), "host": "dGVzdA"}
    params.update(overrides)
    return params


def begin(client, secret=SECRET, **overrides):
    return client.get("/install", query_string=signed_query(install_params(**overrides), secret))


def state_of(response) -> str:
    return parse_qs(urlparse(response.headers["Location"]).query)["state"][0]


def callback_params(state, **overrides):
    params = {"code": "auth-code", "shop": SHOP, "state": state, "timestamp": str(int(time.time())), "host": "dGVzdA"}
    params.update(overrides)
    return params


class FakePlatform:
    """Token endpoint and the GraphQL subscription calls, with state across calls."""

    def __init__(self, mocked: responses.RequestsMock, token_response=None):
        self.subscriptions: list[dict] = []
        self.creates = 0
        mocked.add_callback(responses.POST, TOKEN_URL, callback=token_response or self.token)
        mocked.add_callback(responses.POST, GRAPHQL_URL, callback=self.graphql)

    def token(self, request):
        body = json.loads(request.body)
        assert body["client_id"] == API_KEY and body["client_secret"] == SECRET and body["code"] == "auth-code"
        return 200, {}, json.dumps(
            {"access_token": "shpat_new", "scope": "read_products,read_orders", "expires_in": 3600,
             "refresh_token": "shprt_new", "refresh_token_expires_in": 7776000}
        )

    def graphql(self, request):
        assert request.headers["X-Shopify-Access-Token"] == "shpat_new"
        body = json.loads(request.body)
        if "webhookSubscriptionCreate" in body["query"]:
            self.creates += 1
            node = {"id": f"gid://shopify/WebhookSubscription/{self.creates}", "topic": body["variables"]["topic"],
                    "endpoint": {"__typename": "WebhookHttpEndpoint", "callbackUrl": body["variables"]["sub"]["callbackUrl"]}}
            self.subscriptions.append(node)
            data = {"webhookSubscriptionCreate": {"webhookSubscription": {"id": node["id"], "topic": node["topic"]}, "userErrors": []}}
        else:
            data = {"webhookSubscriptions": {"nodes": list(self.subscriptions),
                                             "pageInfo": {"hasNextPage": False, "endCursor": None}}}
        return 200, {}, json.dumps({"data": data})


def test_install_redirects_to_authorize_with_state_cookie(client, store):
    response = begin(client)
    assert response.status_code == 302
    location = urlparse(response.headers["Location"])
    assert (location.scheme, location.netloc, location.path) == ("https", SHOP, "/admin/oauth/authorize")
    query = parse_qs(location.query, keep_blank_values=True)
    assert query["client_id"] == [API_KEY]
    assert query["redirect_uri"] == ["https://storelift.test/auth/callback"]
    assert "read_orders" in query["scope"][0]
    assert len(query["state"][0]) == 64
    assert "storelift_oauth_state" in response.headers["Set-Cookie"]
    assert "HttpOnly" in response.headers["Set-Cookie"] and "Secure" in response.headers["Set-Cookie"]


def test_install_accepts_a_link_signed_with_the_rotated_secret(client):
    assert begin(client, secret=OLD_SECRET).status_code == 302


BAD_SHOPS = [
    "evil.com",
    "shop.myshopify.com.evil.com",
    "https://shop.myshopify.com/path",
    "shop.myshopify.com@evil.com",
    "%0ashop.myshopify.com",
    "\nshop.myshopify.com",
    "shop.myshopify.com:443",
    "a.b.myshopify.com",
    "myshopify.com",
]


@pytest.mark.parametrize("shop", BAD_SHOPS)
def test_install_rejects_foreign_shop_domains(client, store, shop):
    response = begin(client, shop=shop)
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert store.database.query("SELECT * FROM oauth_states") == []


@pytest.mark.parametrize(
    "case",
    ["missing hmac", "bad hmac", "wrong secret", "stale timestamp", "future timestamp", "tampered param"],
)
def test_install_rejects_unsigned_or_stale_links(client, store, case):
    params = install_params()
    if case == "stale timestamp":
        params["timestamp"] = str(int(time.time()) - 91)
    if case == "future timestamp":
        params["timestamp"] = str(int(time.time()) + 91)
    query = signed_query(params, "not-our-secret" if case == "wrong secret" else SECRET)
    if case == "missing hmac":
        del query["hmac"]
    if case == "bad hmac":
        query["hmac"] = "0" * 64
    if case == "tampered param":
        query["host"] = "ZXZpbA"
    response = client.get("/install", query_string=query)
    assert response.status_code == 400
    assert store.database.query("SELECT * FROM oauth_states") == []
    assert "Set-Cookie" not in response.headers


@responses.activate
def test_callback_stores_token_and_subscribes_every_topic(client, store):
    platform = FakePlatform(responses.mock)
    state = state_of(begin(client))
    response = client.get("/auth/callback", query_string=signed_query(callback_params(state)))
    assert response.status_code == 302
    assert response.headers["Location"] == f"{BASE}/admin/apps/{API_KEY}"
    shop = store.shops.get(SHOP)
    assert shop.installed and shop.access_token == "shpat_new" and shop.refresh_token == "shprt_new"
    assert shop.scopes == ("read_products", "read_orders")
    assert shop.token_expires_at > time.time() * 1000 + 3500_000
    from plugin.config import WEBHOOK_TOPICS

    assert platform.creates == len(WEBHOOK_TOPICS)
    assert {s["endpoint"]["callbackUrl"] for s in platform.subscriptions} == {"https://storelift.test/webhooks"}
    assert "shpat_new" not in response.get_data(as_text=True)


@responses.activate
def test_reinstall_creates_no_duplicate_subscriptions(client, store):
    platform = FakePlatform(responses.mock)
    for _ in range(2):
        state = state_of(begin(client))
        assert client.get("/auth/callback", query_string=signed_query(callback_params(state))).status_code == 302
    from plugin.config import WEBHOOK_TOPICS

    assert platform.creates == len(WEBHOOK_TOPICS)


def _no_shop(store):
    return store.database.query("SELECT * FROM shops") == []


@pytest.mark.parametrize(
    "case",
    ["missing hmac", "bad hmac", "stale timestamp", "future timestamp", "forged state cookie", "missing state cookie",
     "state mismatch", "missing state", "bad shop"],
)
@responses.activate
def test_callback_rejections_store_nothing(client, store, case):
    FakePlatform(responses.mock)
    state = state_of(begin(client))
    params = callback_params(state)
    if case == "stale timestamp":
        params["timestamp"] = str(int(time.time()) - 91)
    if case == "future timestamp":
        params["timestamp"] = str(int(time.time()) + 91)
    if case == "state mismatch":
        params["state"] = "f" * 64
    if case == "missing state":
        del params["state"]
    if case == "bad shop":
        params["shop"] = "evil.com"
    query = signed_query(params)
    if case == "missing hmac":
        del query["hmac"]
    if case == "bad hmac":
        query["hmac"] = "ab" * 32
    if case == "forged state cookie":
        client.set_cookie("storelift_oauth_state", state + ".1700000000.deadbeef", path="/auth/callback")
    if case == "missing state cookie":
        client.delete_cookie("storelift_oauth_state", path="/auth/callback")
    response = client.get("/auth/callback", query_string=query)
    assert response.status_code == 400
    assert _no_shop(store)
    assert len(responses.calls) == 0  # no code exchange was attempted


@responses.activate
def test_callback_rejects_a_reused_state(client, store):
    FakePlatform(responses.mock)
    state = state_of(begin(client))
    query = signed_query(callback_params(state))
    assert client.get("/auth/callback", query_string=query).status_code == 302
    store.database.execute("DELETE FROM shops")
    replay = client.get("/auth/callback", query_string=query)
    assert replay.status_code == 400
    assert _no_shop(store)


@pytest.mark.parametrize(
    "answer",
    [
        (400, json.dumps({"error": "invalid_request"})),
        (401, json.dumps({"errors": "[API] Invalid API key"})),
        (500, "oops"),
        (503, ""),
        (200, "<html>not json</html>"),
        (200, json.dumps({"scope": "read_orders"})),
        (200, json.dumps({"access_token": 42, "scope": "read_orders"})),
        "timeout",
    ],
)
@responses.activate
def test_token_endpoint_failures_leave_no_half_installed_shop(client, store, monkeypatch, answer):
    monkeypatch.setattr("time.sleep", lambda s: None)
    if answer == "timeout":
        responses.add(responses.POST, TOKEN_URL, body=requests.exceptions.ReadTimeout("slow"))
    else:
        responses.add(responses.POST, TOKEN_URL, status=answer[0], body=answer[1])
    state = state_of(begin(client))
    response = client.get("/auth/callback", query_string=signed_query(callback_params(state)))
    assert response.status_code == 502
    assert "Nothing was saved" in response.get_data(as_text=True)
    assert _no_shop(store)


@responses.activate
def test_subscription_failure_leaves_no_half_installed_shop(client, store):
    platform = FakePlatform(responses.mock)

    def refuse(request):
        body = json.loads(request.body)
        if "webhookSubscriptionCreate" in body["query"]:
            return 200, {}, json.dumps({"data": {"webhookSubscriptionCreate": {
                "webhookSubscription": None, "userErrors": [{"field": ["topic"], "message": "Invalid topic"}]}}})
        return platform.graphql(request)

    responses.replace(responses.POST, GRAPHQL_URL)
    responses.mock.remove(responses.POST, GRAPHQL_URL)
    responses.add_callback(responses.POST, GRAPHQL_URL, callback=refuse)
    state = state_of(begin(client))
    response = client.get("/auth/callback", query_string=signed_query(callback_params(state)))
    assert response.status_code == 502
    assert _no_shop(store)
