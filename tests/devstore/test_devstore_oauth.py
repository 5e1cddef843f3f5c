"""OAuth install (platform.md §1) against a real devstore server."""

from __future__ import annotations

import base64
import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.support.devstore import (API_KEY, API_SECRET, SCOPES, VERSION, authorize, exchange,  # noqa: F401 - shop
                                    expected_query_hmac, http, install, shop, start_shop)  # is a fixture

SHOP_QUERY = "{ shop { name } }"


def test_authorize_page_names_app_and_scopes(shop):
    page = http().get(f"{shop.url}/admin/oauth/authorize", params={
        "client_id": API_KEY, "scope": "read_products,write_discounts",
        "redirect_uri": shop.app.redirect_urls[0], "state": "s"}, timeout=10)
    assert page.status_code == 200
    assert "Install Storelift" in page.text
    assert "read_products" in page.text and "write_discounts" in page.text
    assert re.search(r'name="csrf_token" value="[0-9a-f]{32}"', page.text)
    assert ">Approve</button>" in page.text and "Cancel" in page.text


@pytest.mark.parametrize("params, message", [
    ({"client_id": "nope"}, "Could not find API application"),
    ({"redirect_uri": "http://evil.example/cb"}, "redirect_uri is not whitelisted"),
    ({"scope": "read_products,drop_tables"}, "access scope is invalid"),
])
def test_authorize_rejects_bad_requests(shop, params, message):
    query = {"client_id": API_KEY, "scope": "read_products", "redirect_uri": shop.app.redirect_urls[0], **params}
    page = http().get(f"{shop.url}/admin/oauth/authorize", params=query, timeout=10)
    assert page.status_code == 400
    assert message in page.text


def test_approve_without_csrf_token_is_refused(shop):
    response = http().post(f"{shop.url}/admin/oauth/authorize", data={
        "client_id": API_KEY, "scope": "read_products", "redirect_uri": shop.app.redirect_urls[0]},
        allow_redirects=False, timeout=10)
    assert response.status_code == 400


def test_callback_query_is_signed_like_the_platform(shop):
    callback = authorize(shop, state="has spaces & symbols=~/é")
    assert set(callback) == {"code", "hmac", "host", "shop", "state", "timestamp"}
    assert callback["shop"] == "demo.devstore.test"
    assert callback["state"] == "has spaces & symbols=~/é"
    assert callback["hmac"] == expected_query_hmac(callback)
    assert re.fullmatch(r"[0-9a-f]{64}", callback["hmac"])
    assert base64.urlsafe_b64decode(callback["host"] + "==").decode() == "demo.devstore.test/admin"


def test_expiring_token_exchange_and_single_use_code():
    shop = start_shop()
    try:
        callback = authorize(shop)
        grant = exchange(shop, callback["code"]).json()
        assert set(grant) == {"access_token", "scope", "expires_in", "refresh_token", "refresh_token_expires_in"}
        assert grant["scope"] == SCOPES and grant["expires_in"] == 3600
        assert grant["refresh_token_expires_in"] == 7776000
        again = exchange(shop, callback["code"])
        assert again.status_code == 400
        assert again.json() == {"error": "invalid_request",
                                "error_description": "The authorization code was not found or was already used"}
        assert shop.gql(grant["access_token"], SHOP_QUERY)["shop"]["name"] == "Demo Outfitters"
        state = shop.state()
        [installation] = state["installations"]
        assert installation["scopes"] == SCOPES.split(",")
        assert grant["access_token"] not in str(state)
    finally:
        shop.shutdown()


def test_non_expiring_token_form_encoded_and_reauthorize_returns_same_token():
    shop = start_shop()
    try:
        callback = authorize(shop)
        response = http().post(f"{shop.url}/admin/oauth/access_token", data={
            "client_id": API_KEY, "client_secret": API_SECRET, "code": callback["code"]}, timeout=10)
        assert response.json().keys() == {"access_token", "scope"}
        second = exchange(shop, authorize(shop)["code"], expiring=False).json()
        assert second["access_token"] == response.json()["access_token"]
    finally:
        shop.shutdown()


def test_wrong_secret_and_expired_code():
    shop = start_shop()
    try:
        code = authorize(shop)["code"]
        bad = http().post(f"{shop.url}/admin/oauth/access_token", json={
            "client_id": API_KEY, "client_secret": "wrong", "code": code}, timeout=10)
        assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
        shop.control("clock", {"advance": 601})
        assert exchange(shop, code).status_code == 400
    finally:
        shop.shutdown()


def test_access_token_expires_on_the_devstore_clock_and_refresh_rotates():
    shop = start_shop()
    try:
        grant = install(shop)
        shop.control("clock", {"advance": 3601})
        expired = shop.graphql(grant["access_token"], SHOP_QUERY)
        assert expired.status_code == 401
        assert expired.json() == {"errors": "[API] Invalid API key or access token "
                                            "(unrecognized login or wrong password)"}
        refresh = {"client_id": API_KEY, "client_secret": API_SECRET, "grant_type": "refresh_token",
                   "refresh_token": grant["refresh_token"]}
        first = http().post(f"{shop.url}/admin/oauth/access_token", json=refresh, timeout=10).json()
        assert first["refresh_token"] != grant["refresh_token"] and first["expires_in"] == 3600
        # The old refresh token still works until the new access token is used (platform.md §1.5) ...
        second = http().post(f"{shop.url}/admin/oauth/access_token", json=refresh, timeout=10)
        assert second.status_code == 200
        shop.gql(second.json()["access_token"], SHOP_QUERY)
        # ... and stops working once it is.
        third = http().post(f"{shop.url}/admin/oauth/access_token", json=refresh, timeout=10)
        assert third.status_code == 400 and third.json()["error"] == "invalid_grant"
    finally:
        shop.shutdown()


def test_uninstall_revokes_then_reinstall_gives_fresh_tokens():
    shop = start_shop()
    try:
        grant = install(shop)
        shop.control("apps/storelift/uninstall")
        assert shop.graphql(grant["access_token"], SHOP_QUERY).status_code == 401
        assert shop.state()["installations"][0]["installed"] is False
        page = http().get(f"{shop.url}/admin/oauth/authorize", params={
            "client_id": API_KEY, "scope": SCOPES, "redirect_uri": shop.app.redirect_urls[0]}, timeout=10)
        assert "Install Storelift" in page.text  # re-approval is asked for
        fresh = install(shop)
        assert fresh["access_token"] != grant["access_token"]
        assert shop.gql(fresh["access_token"], SHOP_QUERY)
    finally:
        shop.shutdown()


def test_installed_app_with_same_scopes_skips_the_approval_screen():
    shop = start_shop()
    try:
        install(shop)
        response = http().get(f"{shop.url}/admin/oauth/authorize", params={
            "client_id": API_KEY, "scope": "read_products", "redirect_uri": shop.app.redirect_urls[0],
            "state": "x"}, allow_redirects=False, timeout=10)
        assert response.status_code == 302
        query = dict(parse_qsl(urlsplit(response.headers["Location"]).query))
        assert query["hmac"] == expected_query_hmac(query)
    finally:
        shop.shutdown()


def test_admin_install_link_is_signed():
    shop = start_shop()
    try:
        home = http().get(f"{shop.url}/admin", timeout=10)
        assert "Install Storelift" in home.text
        response = http().get(f"{shop.url}/admin/apps/storelift/install", allow_redirects=False, timeout=10)
        location = urlsplit(response.headers["Location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == "http://127.0.0.1:9/install"
        query = dict(parse_qsl(location.query))
        assert set(query) == {"shop", "timestamp", "host", "hmac"}
        assert query["hmac"] == expected_query_hmac(query)
    finally:
        shop.shutdown()


def test_online_token_and_access_scopes_endpoint():
    shop = start_shop()
    try:
        callback = authorize(shop, scope="read_products", extra={"grant_options[]": "per-user"})
        grant = exchange(shop, callback["code"]).json()
        assert grant["associated_user"]["account_owner"] is True
        assert grant["associated_user_scope"] == "read_products"
        scopes = http().get(f"{shop.url}/admin/oauth/access_scopes.json",
                            headers={"X-Shopify-Access-Token": grant["access_token"]}, timeout=10).json()
        assert scopes == {"access_scopes": [{"handle": "read_products"}]}
    finally:
        shop.shutdown()


def test_version_in_url(shop):
    grant_less = http().post(f"{shop.url}/admin/api/{VERSION}/graphql.json", json={"query": SHOP_QUERY}, timeout=10)
    assert grant_less.status_code == 401
    assert http().post(f"{shop.url}/admin/api/latest-ish/graphql.json", json={}, timeout=10).status_code == 404
