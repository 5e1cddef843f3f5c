"""The embedded admin: session tokens (platform.md §4) and the install status page."""

from __future__ import annotations

import time

import jwt
import pytest
import responses

from tests.support.app import API_KEY, OLD_SECRET, SECRET, SHOP

GRAPHQL_URL = f"https://{SHOP}/admin/api/2026-10/graphql.json"


def session_token(shop=SHOP, secret=SECRET, algorithm="HS256", **claims):
    now = int(time.time())
    payload = {
        "iss": f"https://{shop}/admin",
        "dest": f"https://{shop}",
        "aud": API_KEY,
        "sub": "42",
        "exp": now + 60,
        "nbf": now - 5,
        "iat": now - 5,
        "jti": "a-unique-id",
        "sid": "session-id",
    }
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, secret if algorithm != "none" else None, algorithm=algorithm)


def subscriptions_answer(topics):
    nodes = [{"id": f"gid://shopify/WebhookSubscription/{i}", "topic": t.replace("/", "_").upper(),
              "endpoint": {"__typename": "WebhookHttpEndpoint", "callbackUrl": "https://storelift.test/webhooks"}}
             for i, t in enumerate(topics)]
    return {"data": {"webhookSubscriptions": {"nodes": nodes, "pageInfo": {"hasNextPage": False, "endCursor": None}}}}


@responses.activate
def test_admin_page_shows_status_scopes_and_subscription_health(client, installed_shop):
    installed_shop()
    responses.add(responses.POST, GRAPHQL_URL, json=subscriptions_answer(["orders/create", "app/uninstalled"]))
    response = client.get("/admin/status", query_string={"id_token": session_token(), "shop": SHOP})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert SHOP in page and "read_orders" in page
    assert f"<title>Storelift · {SHOP}</title>" in page
    assert page.count(">subscribed<") == 2 and ">missing<" in page
    assert page.count("<h2>Data sync</h2>") == 1
    assert "shpat_test" not in page
    assert "frame-ancestors" in response.headers["Content-Security-Policy"]


@responses.activate
def test_admin_json_status_with_bearer_token_signed_by_old_secret(client, installed_shop):
    installed_shop()
    responses.add(responses.POST, GRAPHQL_URL, json=subscriptions_answer([]))
    response = client.get("/admin/api/status", headers={"Authorization": f"Bearer {session_token(secret=OLD_SECRET)}"})
    assert response.status_code == 200
    assert response.json["shop"] == SHOP and response.json["webhooks"]["reachable"] is True


@responses.activate
def test_admin_page_survives_an_unreachable_store(client, installed_shop, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda s: None)
    installed_shop()
    responses.add(responses.POST, GRAPHQL_URL, status=503)
    response = client.get("/admin/status", query_string={"id_token": session_token()})
    assert response.status_code == 200
    assert "could not be reached" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "case",
    ["missing", "expired", "not yet valid", "wrong audience", "alg none", "iss/dest mismatch", "foreign shop",
     "wrong secret", "garbage", "HS512"],
)
def test_bad_session_tokens_get_401(client, installed_shop, case):
    installed_shop()
    now = int(time.time())
    token = {
        "missing": None,
        "expired": lambda: session_token(exp=now - 11, nbf=now - 100, iat=now - 100),
        "not yet valid": lambda: session_token(nbf=now + 11),
        "wrong audience": lambda: session_token(aud="someone-else"),
        "alg none": lambda: session_token(algorithm="none"),
        "iss/dest mismatch": lambda: session_token(iss="https://other-shop.myshopify.com/admin"),
        "foreign shop": lambda: session_token(shop="other-shop.myshopify.com"),
        "wrong secret": lambda: session_token(secret="not-our-secret-0123456789abcdef0123456"),
        "garbage": lambda: "not.a.jwt",
        "HS512": lambda: session_token(algorithm="HS512"),
    }[case]
    headers = {"Authorization": f"Bearer {token()}"} if token else {}
    response = client.get("/admin/api/status", headers=headers)
    assert response.status_code == 401
    assert response.json["error"] == "unauthorized"
    page = client.get("/admin/status", query_string={"id_token": token()} if token else {})
    assert page.status_code == 401


def test_session_token_within_leeway_is_accepted(client, installed_shop):
    """exp/nbf carry 10 s of leeway for clock skew between the admin and us."""
    installed_shop()
    now = int(time.time())
    with responses.RequestsMock() as mocked:
        mocked.add(responses.POST, GRAPHQL_URL, json=subscriptions_answer([]))
        token = session_token(exp=now - 5, nbf=now + 5)
        assert client.get("/admin/api/status", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_uninstalled_shop_is_refused(client, installed_shop, store):
    installed_shop()
    store.shops.mark_uninstalled(SHOP)
    response = client.get("/admin/api/status", headers={"Authorization": f"Bearer {session_token()}"})
    assert response.status_code == 401


def test_privacy_export_download_is_scoped_to_the_token_shop(client, installed_shop, store):
    installed_shop()
    installed_shop("other-shop.myshopify.com")
    mine = store.privacy.answer_data_request(SHOP, request_id="1", customer_id="11", email="a@example.com",
                                             order_ids=(), requested_at=1)
    theirs = store.privacy.answer_data_request("other-shop.myshopify.com", request_id="2", customer_id="22",
                                               email="b@example.com", order_ids=(), requested_at=1)
    auth = {"Authorization": f"Bearer {session_token()}"}
    response = client.get(f"/admin/api/privacy/{mine}/export", headers=auth)
    assert response.status_code == 200 and "a@example.com" in response.get_data(as_text=True)
    assert "attachment" in response.headers["Content-Disposition"]
    assert client.get(f"/admin/api/privacy/{theirs}/export", headers=auth).status_code == 404
    assert client.get(f"/admin/api/privacy/{mine}/export").status_code == 401


@responses.activate
def test_status_page_shows_a_running_sync_s_progress(client, installed_shop, store):
    installed_shop()
    responses.add(responses.POST, GRAPHQL_URL, json=subscriptions_answer([]))
    run_id = store.shops.sync_started(SHOP)
    store.shops.sync_progress(SHOP, run_id, products=120, orders=0, products_total=240, orders_total=765)
    page = client.get("/admin/status", query_string={"id_token": session_token(), "shop": SHOP}).get_data(as_text=True)
    assert "is running:\n120 of 240 products,\n0 of 765 orders pulled." in page
    store.shops.sync_finished(run_id, products=240, orders=765)
    page = client.get("/admin/status", query_string={"id_token": session_token(), "shop": SHOP}).get_data(as_text=True)
    assert "240 products, 765 orders." in page
