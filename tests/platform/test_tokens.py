"""Expiring offline tokens are refreshed ahead of expiry, in one place (plugin.platform.tokens)."""

from __future__ import annotations

import json

import pytest
import responses

from plugin.platform.tokens import ShopNotInstalled, client_for_shop

from tests.support.app import API_KEY, SECRET, SHOP

TOKEN_URL = f"https://{SHOP}/admin/oauth/access_token"


@responses.activate
def test_a_token_near_expiry_is_refreshed_and_saved_before_use(app, store, installed_shop):
    installed_shop(expires_in_ms=60_000)  # inside the 5-minute margin
    responses.add(
        responses.POST,
        TOKEN_URL,
        json={"access_token": "shpat_fresh", "scope": "read_products", "expires_in": 3600,
              "refresh_token": "shprt_fresh", "refresh_token_expires_in": 7776000},
    )
    client = client_for_shop(app.extensions["storelift"].config, store, SHOP)
    sent = json.loads(responses.calls[0].request.body)
    assert sent == {"client_id": API_KEY, "client_secret": SECRET, "grant_type": "refresh_token",
                    "refresh_token": "shprt_test"}
    saved = store.shops.get(SHOP)
    assert saved.access_token == "shpat_fresh" and saved.refresh_token == "shprt_fresh"
    responses.add(responses.POST, f"https://{SHOP}/admin/api/2026-10/graphql.json", json={"data": {"shop": {"name": "x"}}})
    client.graphql("{ shop { name } }")
    assert responses.calls[1].request.headers["X-Shopify-Access-Token"] == "shpat_fresh"


@responses.activate
def test_a_fresh_token_is_used_as_is(app, store, installed_shop):
    installed_shop(expires_in_ms=3_600_000)
    client_for_shop(app.extensions["storelift"].config, store, SHOP)
    assert len(responses.calls) == 0


def test_uninstalled_or_unknown_shops_get_no_client(app, store, installed_shop):
    config = app.extensions["storelift"].config
    with pytest.raises(ShopNotInstalled):
        client_for_shop(config, store, "nobody.myshopify.com")
    installed_shop()
    store.shops.mark_uninstalled(SHOP)
    with pytest.raises(ShopNotInstalled):
        client_for_shop(config, store, SHOP)
