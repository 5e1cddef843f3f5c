"""Every /proxy/* request is checked before anything is read: signature, shop, install.

Requests are signed here independently of ``plugin.auth`` (tests/browser/proxy.py).
"""

from __future__ import annotations

import time

import pytest

from plugin.capture.settings import CAPTURE

from tests.support.shops import install
from tests.support.signing import BROWSER_UA, signed
from tests.support.jobs import queued
from tests.support.app import OLD_SECRET, SECRET, SHOP

UA = {"User-Agent": BROWSER_UA}
VISITOR = "0b1f6c2e-1111-4222-8333-944455556666"


@pytest.fixture
def shop(store):
    install(store, SHOP)
    return SHOP


def get_config(client, **kw):
    return client.get(signed("/proxy/config", SHOP, SECRET, {"v": VISITOR, "d": "d"}, **kw), headers=UA)


def test_a_signed_request_gets_the_config_with_an_etag_and_a_304_on_repeat(client, shop):
    first = get_config(client)
    assert first.status_code == 200, first.json
    assert first.json["show"] == 1 and first.json["w"]["texts"]["teaser"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    etag = first.headers["ETag"]
    again = client.get(signed("/proxy/config", SHOP, SECRET, {"v": VISITOR, "d": "d"}),
                       headers={**UA, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    # A settings change changes the answer and so the tag.
    capture_settings = CAPTURE.validate({"texts": {"teaser": "New teaser"}})
    client.application.extensions["storelift"].store.settings.save(SHOP, CAPTURE.name, capture_settings)
    changed = client.get(signed("/proxy/config", SHOP, SECRET, {"v": VISITOR, "d": "d"}),
                         headers={**UA, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_the_old_secret_still_verifies_during_rotation(client, shop):
    assert client.get(signed("/proxy/config", SHOP, OLD_SECRET, {"v": VISITOR}), headers=UA).status_code == 200


@pytest.mark.parametrize("mutate, reason", [
    (lambda url: url.split("&signature=")[0], "missing signature"),
    (lambda url: url[:-4] + "0000", "bad signature"),
    (lambda url: url.replace("v=0b1f", "v=0b1e"), "bad signature"),
    (lambda url: url + "&shop=evil.myshopify.com", "duplicate parameter"),
    (lambda url: url + "&signature=" + "0" * 64, "duplicate parameter"),
])
def test_missing_forged_or_tampered_signatures_are_refused(client, shop, mutate, reason):
    response = client.get(mutate(signed("/proxy/config", SHOP, SECRET, {"v": VISITOR})), headers=UA)
    assert response.status_code == 401
    assert response.json == {"error": "unauthorized", "reason": reason}


@pytest.mark.parametrize("offset, reason", [(-91, "stale timestamp"), (91, "future timestamp")])
def test_stale_or_future_timestamps_are_refused(client, shop, offset, reason):
    url = signed("/proxy/config", SHOP, SECRET, {"v": VISITOR}, timestamp=int(time.time()) + offset)
    response = client.get(url, headers=UA)
    assert (response.status_code, response.json["reason"]) == (401, reason)


def test_a_signed_request_for_a_shop_without_storelift_is_refused(client, store):
    response = get_config(client)
    assert response.status_code == 403 and response.json["reason"] == "shop not installed"
    bad = client.get(signed("/proxy/config", "evil.example.com", SECRET), headers=UA)
    assert bad.status_code == 400 and bad.json["reason"] == "invalid shop"


def test_a_storefront_request_reads_on_one_pooled_connection_and_gives_it_back(client, store, shop):
    import sqlalchemy as sa

    assert get_config(client).status_code == 200  # the shop's first request also queues its housekeeping
    pool, taken = store.database._reader.pool, []
    sa.event.listen(pool, "checkout", lambda *_: taken.append(1))
    for _ in range(2):
        assert get_config(client).status_code == 200
    assert len(taken) == 2 and pool.checkedout() == 0  # one per request, however many reads it made


def test_a_shop_that_uninstalled_storelift_is_refused(client, store, shop):
    assert get_config(client).status_code == 200
    store.shops.mark_uninstalled(shop)
    response = get_config(client)
    assert response.status_code == 403 and response.json["reason"] == "shop not installed"


def test_post_endpoints_check_the_signature_before_reading_the_body(client, shop, store):
    body = b'{"v":"' + VISITOR.encode() + b'","e":"a@b.co"}'
    for path in ("/proxy/events", "/proxy/subscribe", "/proxy/identify"):
        response = client.post(path + "?shop=" + SHOP, data=body, headers=UA)
        assert response.status_code == 401, path
    assert store.capture.subscriber_count(SHOP) == 0
    assert store.events.count(SHOP) == 0


def test_the_logged_in_customer_is_trusted_only_after_the_check_and_hides_the_widget(client, shop):
    response = client.get(signed("/proxy/config", SHOP, SECRET, {"v": VISITOR, "d": "d"}, customer="42"), headers=UA)
    assert response.json == {"v": 0, "cm": 0, "show": 0, "why": "known"}
    forged = client.get(signed("/proxy/config", SHOP, SECRET, {"v": VISITOR}, customer="42")
                        .replace("logged_in_customer_id=42", "logged_in_customer_id=43"), headers=UA)
    assert forged.status_code == 401


def test_decision_follows_device_targeting_and_drops_crawlers(client, shop, store):
    CAPTURE.save(store, SHOP, {"targeting": {"devices": ["desktop"]}})
    mobile = client.get(signed("/proxy/config", SHOP, SECRET, {"v": VISITOR, "d": "m"}), headers=UA)
    assert mobile.json["show"] == 0 and mobile.json["why"] == "device" and "w" not in mobile.json
    crawler = client.get(signed("/proxy/config", SHOP, SECRET, {"v": VISITOR, "d": "d"}),
                         headers={"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"})
    assert crawler.json["why"] == "bot"


def test_config_kicks_a_refill_of_the_code_pool_in_the_background(client, store, shop):
    get_config(client)  # unit tests run no worker: the queued job stays queued, no platform is reached
    assert ("capture.refill", SHOP) in queued(store)
