"""App proxy signing, the embedded admin with session tokens, and theme app extension rendering."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from urllib.parse import parse_qsl, urlsplit

import jwt
import pytest
from tests.support.devstore import (API_KEY, API_SECRET, expected_proxy_signature, expected_query_hmac, http, install, Receiver, start_shop)

LOADER = """<script src="{{ 'loader.js' | asset_url }}" defer
  data-shop="{{ shop.permanent_domain }}" data-customer="{{ customer.id }}" data-cart="{{ cart.token }}"
  data-page="{{ request.page_type }}" data-root="{{ routes.root_url }}" data-currency="{{ shop.currency }}"
  data-block="{{ block.id }}"></script>
<script type="application/json" id="storelift-settings">{{ block.settings | json }}</script>
{% schema %}
{"name": "Storelift loader", "target": "body",
 "settings": [{"type": "text", "id": "api_base", "label": "API", "default": "/apps/storelift"}]}
{% endschema %}
"""
RECS = """<section class="storelift-recs" data-product="{{ product.id }}">
<h2>{{ block.settings.heading | escape }}</h2></section>
{% schema %}
{"name": "Recommendations", "target": "section", "stylesheet": "recs.css",
 "settings": [{"type": "text", "id": "heading", "label": "Heading", "default": "You may also like"}]}
{% endschema %}
"""


@pytest.fixture(scope="module")
def app_side():
    receiver = Receiver(reply=b'{"ok":true}', reply_headers={
        "Content-Type": "application/json", "ETag": '"v1"', "Cache-Control": "max-age=30",
        "Set-Cookie": "app_session=secret"})
    yield receiver
    receiver.close()


@pytest.fixture(scope="module")
def themed(tmp_path_factory, app_side):
    root = tmp_path_factory.mktemp("extension")
    (root / "blocks").mkdir()
    (root / "assets").mkdir()
    (root / "blocks" / "loader.liquid").write_text(LOADER)
    (root / "blocks" / "recommendations.liquid").write_text(RECS)
    (root / "assets" / "loader.js").write_text("window.__loaded = true;")
    (root / "assets" / "recs.css").write_text(".storelift-recs{margin:1rem}")
    shop = start_shop(app={"theme_extension_dir": str(root), "app_url": app_side.url})
    install(shop)
    yield shop
    shop.shutdown()


def test_app_proxy_forwards_signed_request_without_cookies(themed, app_side):
    browser = http()
    browser.cookies.set("cart", "abc")
    app_side.received.clear()
    response = browser.post(f"{themed.url}/apps/storelift/events?ids=2&ids=1&shop=evil.example&q=a%20b",
                            data=b'{"event":"view"}', headers={"Content-Type": "text/plain"}, timeout=10)
    assert response.status_code == 200 and response.json() == {"ok": True}
    assert response.headers["ETag"] == '"v1"' and response.headers["Cache-Control"] == "max-age=30"
    assert "Set-Cookie" not in response.headers
    [forwarded] = app_side.received
    assert forwarded.path == "/proxy/events" and forwarded.body == b'{"event":"view"}'
    assert "Cookie" not in forwarded.headers
    assert forwarded.headers["X-Forwarded-Host"] == "demo.devstore.test"
    assert forwarded.headers["X-Forwarded-For"] == "127.0.0.1"
    query = forwarded.query
    assert query["shop"] == ["demo.devstore.test"] and query["path_prefix"] == ["/apps/storelift"]
    assert query["logged_in_customer_id"] == [""] and query["ids"] == ["2", "1"] and query["q"] == ["a b"]
    pairs = [(k, v) for k, values in query.items() for v in values]
    assert query["signature"] == [expected_proxy_signature(pairs)]


def test_app_proxy_passes_logged_in_customer(themed, app_side):
    browser = http()
    page = browser.post(f"{themed.url}/account/login", data={"email": "proxy@example.com"}, timeout=10)
    customer_id = re.search(r"customer id (\d+)", page.text).group(1)
    app_side.received.clear()
    browser.get(f"{themed.url}/apps/storelift", timeout=10)
    [forwarded] = app_side.received
    assert forwarded.path == "/proxy"
    assert forwarded.query["logged_in_customer_id"] == [customer_id]


def test_embedded_admin_frames_the_app_with_signed_url_and_session_token(themed):
    browser = http()
    page = browser.get(f"{themed.url}/admin/apps/{API_KEY}", timeout=10)
    src = re.search(r'<iframe id="app-frame"[^>]*src="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    query = dict(parse_qsl(urlsplit(src).query))
    assert query["embedded"] == "1" and query["shop"] == "demo.devstore.test"
    assert query["hmac"] == expected_query_hmac(query)
    claims = jwt.decode(query["id_token"], API_SECRET, algorithms=["HS256"], audience=API_KEY)
    assert claims["iss"] == "https://demo.devstore.test/admin" and claims["dest"] == "https://demo.devstore.test"
    assert claims["sub"].isdigit() and claims["exp"] - claims["iat"] == 60 and claims["sid"] and claims["jti"]
    assert "storelift:id_token" in page.text
    fresh = browser.get(f"{themed.url}/admin/apps/storelift/session-token", timeout=10).json()
    again = jwt.decode(fresh["idToken"], API_SECRET, algorithms=["HS256"], audience=API_KEY)
    assert again["sid"] == claims["sid"] and again["jti"] != claims["jti"]


def test_token_exchange_with_session_token(themed):
    token = http().get(f"{themed.url}/admin/apps/storelift/session-token", timeout=10).json()["idToken"]
    response = http().post(f"{themed.url}/admin/oauth/access_token", json={
        "client_id": API_KEY, "client_secret": API_SECRET,
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange", "subject_token": token,
        "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
        "requested_token_type": "urn:shopify:params:oauth:token-type:offline-access-token", "expiring": "1"},
        timeout=10)
    assert response.status_code == 200 and response.json()["expires_in"] == 3600
    forged = jwt.encode({"aud": API_KEY}, "a-different-secret-of-sufficient-length", algorithm="HS256")
    bad = http().post(f"{themed.url}/admin/oauth/access_token", json={
        "client_id": API_KEY, "client_secret": API_SECRET,
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange", "subject_token": forged,
        "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
        "requested_token_type": "urn:shopify:params:oauth:token-type:offline-access-token"}, timeout=10)
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_subject_token"


def test_app_embed_renders_on_every_page_with_liquid_objects(themed):
    browser = http()
    home = browser.get(themed.url + "/", timeout=10).text
    assert f'src="{themed.url}/cdn/extensions/storelift/assets/loader.js"' in home
    assert 'data-shop="demo.devstore.test"' in home and 'data-page="index"' in home
    assert 'data-root="/"' in home and 'data-currency="USD"' in home
    assert json.loads(re.search(r'id="storelift-settings">(.*?)</script>', home).group(1)) == {
        "api_base": "/apps/storelift"}
    assert "{% schema %}" not in home and '"target"' not in home
    assert browser.get(f"{themed.url}/cdn/extensions/storelift/assets/loader.js", timeout=10).text == \
        "window.__loaded = true;"
    cart_page = browser.get(themed.url + "/cart", timeout=10).text
    assert 'data-page="cart"' in cart_page
    themed.control("theme/embeds", {"block": "loader", "enabled": False})
    assert "loader.js" not in browser.get(themed.url + "/", timeout=10).text
    themed.control("theme/embeds", {"block": "loader", "enabled": True, "settings": {"api_base": "/x"}})
    assert '{"api_base": "/x"}' in browser.get(themed.url + "/", timeout=10).text


def test_app_block_placed_on_product_page(themed):
    product = themed.control("catalog?status=active&limit=1", method="GET")["products"][0]
    placed = themed.control("theme/blocks", {"template": "product", "block": "recommendations",
                                             "settings": {"heading": "<b>Picked</b> for you"}})
    page = http().get(f"{themed.url}/products/{product['handle']}", timeout=10).text
    assert f'data-product="{product["id"]}"' in page
    assert "&lt;b&gt;Picked&lt;/b&gt; for you" in page
    assert f'id="shopify-block-{placed["id"]}"' in page
    assert page.count("/cdn/extensions/storelift/assets/recs.css") == 1
    assert "storelift-recs" not in http().get(themed.url + "/cart", timeout=10).text
    bad = http().post(f"{themed.url}/_devstore/theme/blocks", json={"template": "product", "block": "loader"},
                      timeout=10)
    assert bad.status_code == 400


def test_hostile_css_toggle(themed):
    themed.control("theme/hostile-css", {"enabled": True})
    assert 'id="devstore-hostile-css"' in http().get(themed.url + "/", timeout=10).text
    themed.control("theme/hostile-css", {"enabled": False})
    assert "devstore-hostile-css" not in http().get(themed.url + "/", timeout=10).text


def test_uninstalled_app_renders_nothing_and_proxy_still_answers(themed):
    assert "loader.js" in http().get(themed.url + "/", timeout=10).text
    shop = start_shop()
    try:
        assert "cdn/extensions" not in http().get(shop.url + "/", timeout=10).text
    finally:
        shop.shutdown()


def test_command_line_help():
    result = subprocess.run([sys.executable, "-m", "devstore", "--help"], capture_output=True, text=True,
                            timeout=60, cwd=__file__.rsplit("/tests/", 1)[0])
    assert result.returncode == 0 and "--api-key" in result.stdout and "--extension-dir" in result.stdout
