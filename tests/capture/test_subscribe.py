"""Subscribing: email rules, idempotency per shop + email, atomic codes from the pool, the consent record."""

from __future__ import annotations

import json
import threading

import pytest

from plugin.capture.codes import hand_out_waiting
from plugin.capture.emails import InvalidEmail, normalize_email
from plugin.capture.settings import CAPTURE, discount_key
from plugin.capture.signup import subscribe
from plugin.clock import now_ms

from tests.support.shops import install
from tests.support.signing import BROWSER_UA, signed
from tests.support.jobs import queued
from tests.support.app import SECRET, SHOP

UA = {"User-Agent": BROWSER_UA, "Content-Type": "text/plain;charset=UTF-8"}
VISITOR = "5d0f4c1e-6a3b-4f7e-9d2c-1b8a7e6f5d4c"


@pytest.fixture(autouse=True)
def setup(store):
    install(store, SHOP)


def pool(store, n: int, shop: str = SHOP) -> int:
    """A campaign with ``n`` free codes, as a refill leaves it."""
    settings = CAPTURE.validate({})
    campaign = store.capture.add_campaign(shop, discount_key=discount_key(settings),
                                          discount_id="gid://shopify/DiscountCodeNode/1", title="t",
                                          starts_at=now_ms(), ends_at=now_ms() + 30 * 86_400_000)
    store.capture.add_codes(shop, campaign, [f"WELCOME-CODE{i:05d}" for i in range(n)])
    return campaign


@pytest.mark.parametrize("raw, expected", [
    ("ann@example.com", "ann@example.com"),
    ("  Ann.Lee+shop@Example.COM ", "ann.lee+shop@example.com"),
    ("o'hara@sub.example.co.uk", "o'hara@sub.example.co.uk"),
    ("jörg@bücher.de", None),
    ("joerg@bücher.de", "joerg@xn--bcher-kva.de"),
])
def test_emails_are_normalised(raw, expected):
    if expected is None:
        with pytest.raises(InvalidEmail):
            normalize_email(raw)
    else:
        assert normalize_email(raw) == expected


@pytest.mark.parametrize("raw", [
    "", "   ", None, 42, "plainaddress", "@example.com", "ann@", "ann@@example.com", "ann@example",
    "ann@example.c", "ann@-example.com", "ann@exa_mple.com", "ann..lee@example.com", ".ann@example.com",
    '"ann"@example.com', "ann lee@example.com", "ann@[127.0.0.1]", "ann@example.123",
    "<script>alert(1)</script>@example.com", "a" * 65 + "@example.com", "a@" + "b" * 250 + ".com",
    "ann@exam ple.com", "ann@exam\u0000ple.com", "ann\n@example.com",
])
def test_invalid_emails_are_refused(raw):
    with pytest.raises(InvalidEmail):
        normalize_email(raw)


def test_the_same_email_gets_the_same_code_and_one_row(store):
    pool(store, 5)
    first = subscribe(store, SHOP, email="ann@example.com", visitor_id=VISITOR, page="/products/a")
    again = subscribe(store, SHOP, email="ann@example.com", visitor_id=VISITOR, page="/")
    assert first.code and first.code == again.code and first.created and not again.created
    assert store.capture.subscriber_count(SHOP) == 1
    row = store.capture.subscriber(SHOP, "ann@example.com")
    assert row["consent_text"] == CAPTURE.defaults()["texts"]["consent"]
    assert row["consent_page"] == "/products/a" and row["visitor_id"] == VISITOR and row["consent_at"] > 0
    assert row["sync_state"] == "pending"
    assert store.capture.code_counts(SHOP) == {"free": 4, "assigned": 1}
    # The visitor is now known by that email: the widget stays hidden for them.
    assert store.identities.visitor(SHOP, VISITOR)["email"] == "ann@example.com"


def test_concurrent_subscribers_never_share_a_code(store):
    pool(store, 60)
    results, errors = [], []

    def run(n):
        try:
            results.append(subscribe(store, SHOP, email=f"shopper{n % 50}@example.com",
                                     visitor_id=f"5d0f4c1e-6a3b-4f7e-9d2c-{n % 50:012d}", page="/"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    by_email = {}
    for r in results:
        by_email.setdefault(r.email, set()).add(r.code)
    assert len(by_email) == 50 and all(len(codes) == 1 for codes in by_email.values())
    codes = [next(iter(c)) for c in by_email.values()]
    assert len(set(codes)) == 50
    assert store.capture.code_counts(SHOP) == {"free": 10, "assigned": 50}


def test_a_dry_pool_records_the_subscriber_and_hands_the_code_out_later(store):
    early = subscribe(store, SHOP, email="early@example.com", visitor_id=VISITOR, page="/")
    assert early.code is None and early.created
    pool(store, 2)
    assert hand_out_waiting(store, SHOP) == 1
    assert subscribe(store, SHOP, email="early@example.com", visitor_id=VISITOR, page="/").code == "WELCOME-CODE00000"


def test_subscribe_over_http_returns_the_code_and_an_apply_link(client, store):
    pool(store, 3)
    body = {"v": VISITOR, "s": VISITOR, "e": "Ann@Example.com", "hp": "", "p": "/collections/sale"}
    response = client.post(signed("/proxy/subscribe", SHOP, SECRET), data=json.dumps(body), headers=UA)
    assert response.status_code == 200, response.json
    assert response.json["code"] == "WELCOME-CODE00000" and response.json["pending"] is False
    assert response.json["apply"] == "/discount/WELCOME-CODE00000?redirect=/collections/sale"
    assert response.json["ends"]
    assert ("customers.sync", SHOP) in queued(store)


@pytest.mark.parametrize("body, status, error", [
    ({"e": "not an email"}, 422, "invalid_email"),
    ({"e": "x" * 250 + "@example.com"}, 422, "invalid_email"),
    ({"e": "ann@example.com", "hp": "Acme Inc"}, 400, "rejected"),
    ({"e": "ann@example.com", "p": "/<script>"}, 400, "bad_request"),
    ({"e": "ann@example.com", "v": "bad id!"}, 400, "bad_request"),
    ({"e": "ann@example.com", "w": True}, 403, "forbidden"),
])
def test_bad_sign_ups_are_refused_and_nothing_is_stored(client, store, body, status, error):
    pool(store, 3)
    response = client.post(signed("/proxy/subscribe", SHOP, SECRET), data=json.dumps(body), headers=UA)
    assert response.status_code == status and response.json["error"] == error
    assert store.capture.subscriber_count(SHOP) == 0
    assert store.capture.code_counts(SHOP) == {"free": 3}


def test_oversized_or_malformed_bodies_are_refused(client, store):
    url = lambda: signed("/proxy/subscribe", SHOP, SECRET)  # noqa: E731
    assert client.post(url(), data="x" * 5000, headers=UA).status_code == 413
    assert client.post(url(), data="{not json", headers=UA).status_code == 400
    assert client.post(url(), data="[1]", headers=UA).status_code == 400
    assert store.capture.subscriber_count(SHOP) == 0


def test_sign_ups_are_rate_limited_per_address(client, store):
    pool(store, 40)
    statuses = []
    for n in range(22):
        body = json.dumps({"e": f"p{n}@example.com"})
        statuses.append(client.post(signed("/proxy/subscribe", SHOP, SECRET), data=body,
                                    headers={**UA, "X-Forwarded-For": "10.0.0.1, 203.0.113.5"}).status_code)
    assert statuses.count(200) == 20 and statuses[-1] == 429
    other = client.post(signed("/proxy/subscribe", SHOP, SECRET), data=json.dumps({"e": "z@example.com"}),
                        headers={**UA, "X-Forwarded-For": "198.51.100.7"})
    assert other.status_code == 200
    unknown = client.post(signed("/proxy/subscribe", SHOP, SECRET), data=json.dumps({"e": "y@example.com"}),
                          headers=UA)
    assert unknown.status_code == 200  # no forwarded address: per-address limits cannot apply


def test_a_shop_that_switched_capture_off_takes_no_sign_ups(client, store):
    CAPTURE.save(store, SHOP, {"enabled": False})
    response = client.post(signed("/proxy/subscribe", SHOP, SECRET), data=json.dumps({"e": "a@example.com"}),
                           headers=UA)
    assert response.status_code == 409 and store.capture.subscriber_count(SHOP) == 0
