"""The embedded admin's framing, caching and token rules (issue 9).

- ``frame-ancestors`` names the platform's admin and the shop the session token proved,
  whatever ``?shop=`` says; a request that proved nothing gets the platform's admin alone.
- Admin pages and every admin JSON answer (personal data) are ``no-store``.
- A write takes the session token only from the ``Authorization`` header.
- Token time is read from the app's clock (``Services.clock``), which the browser test moves.
"""

from __future__ import annotations

import time

import pytest
import responses

from plugin.capture.settings import CAPTURE
from plugin.capture.signup import subscribe
from plugin.recommendations.settings import RECOMMENDATIONS
from plugin.app import create_app

from tests.support.app import base_overrides, SHOP
from tests.support.signing import session_token
from tests.support.shops import install

OTHER = "other-shop.myshopify.com"
INJECTION = "x.myshopify.com; script-src *; y.myshopify.com"
PLATFORM_ADMIN = "https://admin.shopify.com"
OURS = f"frame-ancestors {PLATFORM_ADMIN} https://{SHOP};"
UNPROVEN = f"frame-ancestors {PLATFORM_ADMIN};"


@pytest.fixture(autouse=True)
def shops(installed_shop):
    installed_shop()
    installed_shop(OTHER)


def bearer(**claims):
    return {"Authorization": f"Bearer {session_token(**claims)}"}


@pytest.mark.parametrize("shop", [INJECTION, OTHER, "garbage \x00;'none'", "", SHOP, "https://evil.example"])
def test_no_shop_parameter_changes_the_frame_ancestors(client, shop):
    signed_in = client.get("/admin/segments", query_string={"id_token": session_token(), "shop": shop})
    assert signed_in.status_code == 200
    assert signed_in.headers.getlist("Content-Security-Policy") == [OURS]
    refused = client.get("/admin/segments", query_string={"shop": shop})
    assert refused.status_code == 401
    assert refused.headers.getlist("Content-Security-Policy") == [UNPROVEN]


def test_the_token_decides_which_shop_may_frame_the_admin(client):
    theirs = client.get("/admin/api/segments", headers=bearer(shop=OTHER), query_string={"shop": SHOP})
    assert theirs.headers["Content-Security-Policy"] == f"frame-ancestors {PLATFORM_ADMIN} https://{OTHER};"
    expired = client.get("/admin/segments", query_string={"id_token": session_token(exp=int(time.time()) - 60),
                                                          "shop": SHOP})
    assert expired.status_code == 401 and expired.headers["Content-Security-Policy"] == UNPROVEN


def test_a_demo_shop_is_framed_by_its_loopback_admin(tmp_path):
    app = create_app(base_overrides(tmp_path, platform_domain="devstore.test",
                                    shop_urls={"demo.devstore.test": "http://127.0.0.1:8001/"}))
    try:
        install(app.extensions["storelift"].store, "demo.devstore.test")
        page = app.test_client().get("/admin/segments", query_string={
            "id_token": session_token("demo.devstore.test"), "shop": "evil.devstore.test"})
        assert page.status_code == 200
        assert page.headers["Content-Security-Policy"] == f"frame-ancestors {PLATFORM_ADMIN} http://127.0.0.1:8001;"
        assert 'data-parent-origins="https://admin.shopify.com http://127.0.0.1:8001"' in page.get_data(as_text=True)
    finally:
        app.extensions["storelift"].store.close()


def test_storefront_and_install_pages_still_refuse_every_frame(client):
    assert client.get("/").headers["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" not in client.get("/").headers


# --------------------------------------------------------------------------- no-store


def _with_export(store) -> int:
    subscribe(store, SHOP, email="ann@example.com", visitor_id=None, page="/")
    return store.privacy.answer_data_request(SHOP, request_id="dr-1", customer_id="7", email="ann@example.com",
                                             order_ids=(), requested_at=int(time.time() * 1000))


@pytest.mark.parametrize("path", ["/admin/capture", "/admin/segments", "/admin/recommendations"])
def test_admin_pages_are_not_stored(client, path):
    page = client.get(path, query_string={"id_token": session_token()})
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert page.headers["Cache-Control"] == "no-store"
    assert client.get(path).headers["Cache-Control"] == "no-store"  # the 401 page too


@responses.activate
def test_the_status_page_and_its_json_are_not_stored(client, store, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda s: None)
    _with_export(store)
    responses.add(responses.POST, f"https://{SHOP}/admin/api/2026-10/graphql.json", status=503)
    page = client.get("/admin/status", query_string={"id_token": session_token()})
    assert page.status_code == 200 and "Download JSON" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    status = client.get("/admin/api/status", headers=bearer())
    assert status.json["privacy_requests"][0]["email"] == "ann@example.com"
    assert status.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/admin/api/privacy/{id}/export", "/admin/api/capture/subscribers",
                                  "/admin/api/capture/subscribers.csv", "/admin/api/capture/settings",
                                  "/admin/api/segments", "/admin/api/recommendations/settings"])
def test_personal_data_answers_are_not_stored(client, store, path):
    request_id = _with_export(store)
    response = client.get(path.format(id=request_id), headers=bearer())
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    if "privacy" in path or "subscribers" in path:
        assert "ann@example.com" in response.get_data(as_text=True)


def test_the_shared_page_script_is_served_to_every_admin_page(client):
    script = client.get("/admin/static/admin.js")
    assert script.status_code == 200 and script.mimetype == "text/javascript"
    assert "storelift:id_token" in script.get_data(as_text=True)
    for path in ("/admin/capture", "/admin/segments", "/admin/recommendations"):
        page = client.get(path, query_string={"id_token": session_token()}).get_data(as_text=True)
        assert page.count('<script src="/admin/static/admin.js" data-token="') == 1, path


# --------------------------------------------------------------------------- writes need the header

WRITES = [
    ("PUT", "/admin/api/capture/settings", {"texts": {"headline": "Hello"}}),
    ("PUT", "/admin/api/recommendations/settings", {"min_price": "5.00"}),
    ("POST", "/admin/api/sync", None),
    ("POST", "/admin/api/webhooks/repair", None),
]


def _written(store) -> tuple:
    return (store.settings.get(SHOP, CAPTURE.name), store.settings.get(SHOP, RECOMMENDATIONS.name),
            store.shops.last_sync(SHOP))


@pytest.mark.parametrize("method, path, body", WRITES)
def test_a_write_with_the_token_only_in_the_query_is_refused_and_changes_nothing(client, store, method, path, body):
    before = _written(store)
    response = client.open(path, method=method, json=body, query_string={"id_token": session_token()})
    assert response.status_code == 401
    assert response.json == {"error": "unauthorized",
                             "reason": "a write needs the session token in the Authorization header"}
    assert _written(store) == before


@pytest.mark.parametrize("method, path, body", WRITES[:2])
def test_the_same_write_with_the_bearer_header_is_applied(client, store, method, path, body):
    response = client.open(path, method=method, json=body, headers=bearer())
    assert response.status_code == 200
    assert _written(store)[:2] != (None, None)


def test_reads_still_accept_the_query_token(client):
    assert client.get("/admin/api/segments", query_string={"id_token": session_token()}).status_code == 200


# --------------------------------------------------------------------------- the clock


def test_session_tokens_are_checked_against_the_apps_clock(app, client):
    token = session_token()
    assert client.get("/admin/api/segments", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    app.extensions["storelift"].clock = lambda: time.time() + 3600
    late = client.get("/admin/api/segments", headers={"Authorization": f"Bearer {token}"})
    assert late.status_code == 401 and late.json["reason"] == "expired"
