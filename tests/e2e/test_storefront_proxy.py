"""The storefront API over real HTTP: devstore's app proxy in front, Storelift under waitress behind.

- the theme embed puts the loader on every page, its asset is the loader file;
- the config answers through the proxy, revalidates to 304, and is refused without a valid signature;
- 200 concurrent sign-ups for distinct emails get 200 distinct codes the platform knows;
  the same email 20 times at once gets one subscriber and one code;
- bad input is refused with a clear 4xx and stores nothing;
- subscribers reach the store as customers with email marketing consent.
"""

from __future__ import annotations

import html
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests


from tests.support.signing import BROWSER_UA, signed
from tests.support.jobs import wait_for_jobs
from tests.support.storefront import SECRET, SHOP, StorefrontStack

VISITOR = "3f2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d"
UA = {"User-Agent": BROWSER_UA}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = StorefrontStack(tmp_path_factory.mktemp("storefront"), settings={}, pool=240, threads=24)
    yield running
    running.close()


def direct(stack, path, method="GET", body=None, ip="203.0.113.1", **kw):
    """Straight to Storelift, signed as the platform's proxy would (one shopper per ``ip``)."""
    url = stack.app_url + signed(path, SHOP, SECRET, **kw)
    headers = {**UA, "X-Forwarded-For": ip, "Content-Type": "text/plain;charset=UTF-8"}
    return requests.request(method, url, data=body, headers=headers, timeout=30)


def test_every_storefront_page_carries_the_loader_from_the_theme_embed(stack):
    page = requests.get(f"{stack.store_url}/collections/all", timeout=10).text
    tag = re.search(r"<script [^>]*data-storelift[^>]*>", page).group(0)
    assert " defer" in tag and 'data-p="/apps/storelift"' in tag and 'data-t="collection_view"' in tag
    src = html.unescape(re.search(r'src="([^"]+)"', tag).group(1))
    asset = requests.get(src, timeout=10)
    assert asset.status_code == 200 and asset.content == open("widgets/static/loader.js", "rb").read()


def test_config_through_the_proxy_with_an_etag(stack):
    url = f"{stack.store_url}/apps/storelift/config?v={VISITOR}&d=d"
    first = requests.get(url, headers=UA, timeout=10)
    assert first.status_code == 200 and first.json()["show"] == 1
    again = requests.get(url, headers={**UA, "If-None-Match": first.headers["ETag"]}, timeout=10)
    assert again.status_code == 304


@pytest.mark.parametrize("query", [
    "",  # no signature at all
    f"?v={VISITOR}&shop={SHOP}&timestamp={{now}}&signature=" + "ab" * 32,  # forged
    "{stale}",
])
def test_direct_requests_without_a_valid_signature_are_refused(stack, query):
    if query == "{stale}":
        query = signed("", SHOP, SECRET, {"v": VISITOR}, timestamp=int(time.time()) - 600)
    query = query.replace("{now}", str(int(time.time())))
    for method, path in (("GET", "/proxy/config"), ("POST", "/proxy/events"), ("POST", "/proxy/subscribe")):
        response = requests.request(method, f"{stack.app_url}{path}{query}", data=b'{"e":"a@b.co"}', headers=UA,
                                    timeout=10)
        assert response.status_code == 401 and response.json()["error"] == "unauthorized", (path, query)


def test_subscribers_become_customers_with_marketing_consent(stack):
    response = direct(stack, "/proxy/subscribe", "POST", json.dumps({"e": "Consent.Check@example.com", "p": "/"}),
                      ip="203.0.113.50")
    assert response.status_code == 200
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        wait_for_jobs(stack.store)
        row = stack.store.capture.subscriber(SHOP, "consent.check@example.com")
        if row["sync_state"] != "pending":
            break
        time.sleep(0.2)
    assert row["sync_state"] == "done", row["sync_error"]
    data = stack.graphql("query($e: String!) { customerByIdentifier(identifier: {emailAddress: $e}) "
                         "{ id emailMarketingConsent { marketingState marketingOptInLevel } } }",
                         {"e": "consent.check@example.com"})
    customer = data["customerByIdentifier"]
    assert customer["id"].endswith("/" + row["customer_id"])
    assert customer["emailMarketingConsent"] == {"marketingState": "SUBSCRIBED", "marketingOptInLevel": "SINGLE_OPT_IN"}


def code_exists(stack, code: str) -> bool:
    data = stack.graphql("query($c: String!) { codeDiscountNodeByCode(code: $c) { id } }", {"c": code})
    return data["codeDiscountNodeByCode"] is not None


def test_200_concurrent_sign_ups_get_200_distinct_codes_the_platform_accepts(stack):
    def sign_up(n):
        body = json.dumps({"e": f"shopper{n}@example.com", "p": "/"})
        return direct(stack, "/proxy/subscribe", "POST", body, ip=f"198.51.{n // 250}.{n % 250}")

    with ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(sign_up, range(200)))
    assert [r.status_code for r in responses] == [200] * 200
    codes = [r.json()["code"] for r in responses]
    assert None not in codes and len(set(codes)) == 200
    assert stack.store.capture.code_counts(SHOP)["assigned"] >= 200
    assert all(code_exists(stack, c) for c in codes[:: 10])


def test_the_same_email_twenty_times_at_once_is_one_subscriber_with_one_code(stack):
    before = stack.store.capture.subscriber_count(SHOP)

    def sign_up(n):
        body = json.dumps({"e": "Same.Person@Example.com", "p": "/"})
        return direct(stack, "/proxy/subscribe", "POST", body, ip=f"192.0.2.{n}")

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(sign_up, range(20)))
    assert [r.status_code for r in responses] == [200] * 20
    # The request that signed up sees the code; the others cannot prove they are that browser.
    codes = [r.json()["code"] for r in responses if r.json()["code"]]
    assert len(codes) == 1
    assert all(r.json() == {"ok": True, "code": None, "pending": True, "ends": None}
               for r in responses if not r.json()["code"])
    assert stack.store.capture.subscriber_count(SHOP) == before + 1
    assert stack.store.capture.subscriber(SHOP, "same.person@example.com")["code"] == codes[0]


@pytest.mark.parametrize("path, body, status", [
    ("/proxy/subscribe", '{"e": "not-an-email"}', 422),
    ("/proxy/subscribe", '{"e": "<script>alert(1)</script>@x.com"}', 422),
    ("/proxy/subscribe", '{"e": "' + "a" * 300 + '@example.com"}', 422),
    ("/proxy/subscribe", "{{{", 400),
    ("/proxy/subscribe", "x" * 10_000, 413),
    ("/proxy/events", "x" * 20_000, 413),
    ("/proxy/events", json.dumps({"v": VISITOR, "s": VISITOR, "p": "/", "e": [["page_view"]] * 60}), 413),
    ("/proxy/events", json.dumps({"v": VISITOR, "s": VISITOR, "p": "/<script>", "e": [["page_view"]]}), 400),
    ("/proxy/events", '{"v": 1}', 400),
])
def test_bad_input_over_real_http_is_refused_and_stores_nothing(stack, path, body, status):
    subscribers = stack.store.capture.subscriber_count(SHOP)
    events = stack.store.events.count(SHOP)
    response = direct(stack, path, "POST", body, ip="203.0.113.99")
    assert response.status_code == status and response.json()["reason"]
    assert stack.store.capture.subscriber_count(SHOP) == subscribers
    assert stack.store.events.count(SHOP) == events


def test_events_through_the_proxy_are_stored_and_bots_dropped(stack):
    before = stack.store.events.count(SHOP)
    body = json.dumps({"v": VISITOR, "s": VISITOR, "p": "/products/x", "e": [["page_view"], ["product_view", {"i": "1"}]]})
    url = f"{stack.store_url}/apps/storelift/events"
    ok = requests.post(url, data=body, headers={**UA, "Content-Type": "text/plain"}, timeout=10)
    assert ok.status_code == 204
    bot = requests.post(url, data=body, headers={"User-Agent": "Googlebot/2.1", "Content-Type": "text/plain"},
                        timeout=10)
    assert bot.status_code == 204
    assert stack.store.events.count(SHOP) == before + 2
