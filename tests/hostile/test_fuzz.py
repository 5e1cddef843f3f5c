"""Property-based fuzzing (Hypothesis) of every /proxy and admin endpoint and of signed webhooks.

Endpoints come from ``app.url_map``, so a new one is fuzzed without being
listed here; one that is neither fuzzed nor in ``EXEMPT`` with a reason fails
``test_every_endpoint_is_fuzzed_or_exempt``. Requests are correctly signed
(app-proxy signature, admin session token, webhook HMAC) so the hostile part
reaches the code behind the checks: deep nesting, huge integers, unicode
digits, wrong types, long strings, 40-digit ids, non-JSON bytes and hostile
query strings. Every answer must be below 500, every refusal a JSON reason
that stored nothing, no ERROR record or traceback may reach the log, and the
worker must still drain a valid delivery afterwards.

Deterministic (``derandomize``, no example database) and bounded (``EXAMPLES``
per endpoint); ``FUZZED`` holds the counts printed at the end (``-s``).
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from contextlib import contextmanager
from urllib.parse import quote

import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plugin.app import create_app
from plugin.config import COMPLIANCE_TOPICS, WEBHOOK_TOPICS
from tests.support.jobs import runner
from widgets.ratelimit import RateLimiter

from tests.support.shops import install
from tests.support.signing import signed
from tests.support.app import base_overrides, SECRET, SHOP
from tests.support.hostile import (admin_headers, BEYOND_INT64, ID_40, nested, PROXY_POSTS, row_counts, SESSION, STOREFRONT, VISITOR, webhook_headers)

EXAMPLES = 100
WEBHOOK_EXAMPLES = 200
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
FUZZED: Counter = Counter()
OTHER_SHOP = "drain-check.myshopify.com"

EXEMPT = {
    "/email/o/<token>/<int:slot>.png": "an email's slot image: a signed token and a slot number the send has, else 404"
                                       " (tests/emails/test_opens.py)",
    "/email/c/<token>/<int:slot>": "an email's slot link: the same token and slot checks (tests/emails/test_opens.py)",
    "/email/p/<token>/<int:slot>/<product_id>": "an email text part's product link: the same token and slot checks,"
                                                " and a product id pattern, else 404 (tests/emails/test_opens.py)",
    "/email/s/<token>.png": "a preview's slot image: a signed sample token, else 404 (tests/emails/test_preview.py)",
    "/email/u/<token>": "the unsubscribe link: a signed token is verified first, and forged, damaged, misused and"
                        " oversized tokens are refused with nothing changed (tests/emails/test_unsubscribe.py)",
    "/static/<path:filename>": "Flask's static files: no Storelift code reads the request",
    "/widgets/static/<path:filename>": "static files served by Flask; nothing is parsed",
    "/widgets/capture.js": "one static file for the admin preview; nothing is parsed",
    "/install": "the install door, not /proxy or admin: checks the platform's HMAC first (tests/install/test_oauth.py)",
    "/": "the install door's App URL, as /install (tests/install/test_oauth.py)",
    "/auth/callback": "the OAuth callback, HMAC and state checked first (tests/install/test_oauth.py)",
    "/admin/api/webhooks/repair": "reads no request input; its only failure, the platform's, is a 502 by design",
    "/admin/api/sync": "reads no request input; its only failure, the platform's, is a 502 by design",
}
QUERY_KEYS = ("limit", "days", "block", "product_id", "cart", "visitor_id", "v", "d", "r", "currency", "title")
BODY_KEYS = ("v", "s", "p", "c", "g", "w", "k", "e", "r", "b", "i", "n", "hp", "enabled", "consent_mode", "position",
             "texts", "colors", "discount", "triggers", "targeting", "pins", "excluded", "repeatable", "boosts",
             "min_price", "max_price", "hide_purchased", "kind", "value", "expires_days", "prefix", "delay_seconds",
             "scroll_percent", "pages_viewed", "devices", "visitors", "include", "exclude", "close_cap_days", "id",
             "customer", "line_items", "variants", "orders_to_redact", "data_request", "email", "updated_at",
             "flow", "to", "settings", "flows", "sender", "budget", "delays_minutes", "address", "logo_url",
             "gap_hours", "timezone")
VALID_BODIES = {
    "/proxy/events": {"v": VISITOR, "s": SESSION, "p": "/", "e": [["product_view", {"i": "1000"}]]},
    "/proxy/identify": {"v": VISITOR, "e": "ann@example.com"},
    "/proxy/subscribe": {"v": VISITOR, "e": "ann@example.com", "p": "/"},
    "/proxy/recommendations/impression": {"v": VISITOR, "r": "abcdefgh12", "b": "trending", "i": ["1000"]},
    "/proxy/recommendations/click": {"v": VISITOR, "r": "abcdefgh12", "b": "trending", "p": "1000", "n": 1},
    "/admin/api/capture/settings": {"enabled": True, "discount": {"kind": "percentage", "value": "10",
                                                                   "expires_days": 7},
                                    "triggers": {"delay_seconds": 5}, "targeting": {"close_cap_days": 3}},
    "/admin/api/recommendations/settings": {"pins": ["1000"], "boosts": {"vendor:Acme": 2}, "min_price": "1"},
    "/admin/api/emails/settings": {"flows": {"cart": {"enabled": True, "delays_minutes": [30, 120]}},
                                   "sender": {"address": "hello@shop.example", "logo_url": "https://cdn.example/l.png"},
                                   "budget": {"gap_hours": 16, "timezone": "Europe/Berlin"}},
    "/admin/api/emails/preview": {"flow": "cart", "settings": {"sender": {"name": "Shop"}}},
    "/admin/api/emails/test": {"flow": "welcome", "to": "me@example.com",
                               "settings": {"sender": {"address": "hello@shop.example"}}},
    "/admin/api/emails/suppressions": {"email": "ann@example.com"},
}
UNICODE_DIGITS = "²³¹٠١٢٣٤٥٦٧٨٩０１２３۴७৪௫๕"


class Raw:
    """JSON text put into a body as is: what ``json.dumps`` cannot write (5,000 digits, ``1²``, deep nesting)."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return f"Raw({self.text[:60]!r}{'…' if len(self.text) > 60 else ''})"


def encode(value) -> str:
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{encode(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(encode(v) for v in value) + "]"
    return json.dumps(value)


unicode_digits = st.text(alphabet=UNICODE_DIGITS, min_size=1, max_size=8)
hostile_text = st.one_of(
    st.text(max_size=40),
    unicode_digits,
    st.builds(lambda a, b: a + b, st.sampled_from(["1", "30", "7", "-", " "]), unicode_digits),
    st.integers(1, 6000).map(lambda n: "9" * n),
    st.integers(100, 20_000).map(lambda n: "x" * n),
    st.sampled_from([ID_40, BEYOND_INT64, str(2**63 - 1), "0", "-1", "1e999", "NaN", "gid://shopify/Product/" + ID_40,
                     "category:" + "x" * 500, "../../etc/passwd", "<script>alert(1)</script>", "\x00", ""]),
)
hostile_scalar = st.one_of(
    hostile_text,
    st.integers(-(10**45), 10**45),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.integers(21, 6000).map(lambda n: Raw("9" * n)),
    unicode_digits.map(lambda d: Raw("1" + d)),
    st.sampled_from([Raw("NaN"), Raw("Infinity"), Raw("1e999"), Raw("-0.0e-99999")]),
    st.integers(2, 3000).map(lambda depth: Raw(nested(depth))),
    st.integers(2, 3000).map(lambda depth: Raw('{"a":' * depth + "1" + "}" * depth)),
)
keys = st.one_of(st.sampled_from(BODY_KEYS), st.text(max_size=12))
hostile_value = st.recursive(hostile_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)), max_leaves=8)


def hostile_body(valid: dict | None) -> st.SearchStrategy[bytes]:
    """Non-JSON bytes, hostile JSON, or (most often) a valid body with a few fields made hostile."""
    mutated = st.builds(lambda changes: encode({**(valid or {}), **changes}),
                        st.dictionaries(st.sampled_from(BODY_KEYS), hostile_value, min_size=1, max_size=3))
    return st.one_of(
        st.binary(max_size=200),
        hostile_value.map(encode),
        mutated, mutated,
    ).map(lambda body: body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass"))


hostile_query = st.dictionaries(st.one_of(st.sampled_from(QUERY_KEYS), st.text(min_size=1, max_size=10).filter(
    lambda k: k not in ("shop", "timestamp", "signature", "logged_in_customer_id", "path_prefix", "id_token"))),
    hostile_text, max_size=4)
hostile_customer = st.one_of(st.just(""), st.sampled_from(["42", ID_40, BEYOND_INT64]), unicode_digits, hostile_text)
hostile_segment = st.one_of(st.sampled_from([ID_40, BEYOND_INT64, "0", "-1", "1", str(2**63 - 1)]), unicode_digits,
                            st.integers(1, 5000).map(lambda n: "9" * n), st.text(min_size=1, max_size=30))


class Records(logging.Handler):
    """Every ERROR record and every record carrying a traceback, from any logger."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.bad: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.bad.append(record)


@contextmanager
def hostile_world(tmp_path, monkeypatch):
    """An app with one installed shop, rate limits off (so requests reach the parsers), no network."""
    app = create_app(base_overrides(tmp_path))
    store = app.extensions["storelift"].store
    for shop in (SHOP, OTHER_SHOP):
        install(store, shop)
    app.extensions["storelift.widgets"].limiter = RateLimiter({})
    records = Records()
    logging.getLogger().addHandler(records)
    try:
        with responses.RequestsMock(assert_all_requests_are_fired=False) as platform:
            platform.add(responses.POST, re.compile(r"https://.*/graphql\.json"), json={"data": {
                "webhookSubscriptions": {"nodes": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}}})
            yield app, store, records
    finally:
        logging.getLogger().removeHandler(records)
        store.close()


def fuzzed_endpoints(app) -> list[tuple[str, str]]:
    rules = [(rule.rule, method) for rule in app.url_map.iter_rules()
             for method in sorted(rule.methods - {"HEAD", "OPTIONS"}) if rule.rule not in EXEMPT]
    return sorted(rules)


def assert_drains_a_valid_delivery(store, records) -> None:
    records.bad.clear()
    body = json.dumps({"id": 7001, "title": "Mug", "handle": "mug", "status": "active",
                       "updated_at": "2026-01-01T00:00:00Z", "variants": []}).encode()
    delivery = store.inbox.accept(shop=OTHER_SHOP, topic="products/update", dedupe_key="drain-check",
                                  webhook_id="drain-check", event_id=None, api_version="2026-10", triggered_at=None,
                                  body=body)
    runner(store, max_attempts=2).run_until_idle()
    assert store.inbox.get(delivery).status == "done"
    assert records.bad == [], [r.getMessage() for r in records.bad]


def send(client, rule: str, method: str, query: dict, body: bytes, customer: str, segment: str):
    path = re.sub(r"<[^>]+>", quote(segment, safe=""), rule)
    if path.startswith("/proxy/"):
        return client.open(signed(path, SHOP, SECRET, query, customer=customer), method=method, data=body,
                           headers=STOREFRONT)
    return client.open(path, method=method, query_string=query, data=body, headers=admin_headers())


def check(response, before: dict, store, records) -> None:
    FUZZED["requests"] += 1
    if response.status_code >= 500:
        FUZZED["5xx"] += 1
    assert response.status_code < 500, response.get_data()[:500]
    assert records.bad == [], [r.getMessage() for r in records.bad]
    if 400 <= response.status_code < 500:
        assert row_counts(store) == before
        if response.request.path.startswith(("/proxy/", "/admin/api/")):
            body = response.get_json()
            assert body["error"] and (body.get("reason") or body.get("message") or body.get("errors")), body


def test_every_endpoint_is_fuzzed_or_exempt(app):
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert set(EXEMPT) <= rules, f"exempt but gone: {set(EXEMPT) - rules}"
    unfuzzed = {r for r in rules - set(EXEMPT) if not (r.startswith("/proxy/") or r.startswith("/admin"))}
    assert unfuzzed == set(), f"neither fuzzed (/proxy/, /admin) nor exempt with a reason: {unfuzzed}"


def test_proxy_and_admin_endpoints_answer_hostile_input_with_a_4xx(tmp_path, monkeypatch):
    with hostile_world(tmp_path, monkeypatch) as (app, store, records):
        client = app.test_client()
        endpoints = fuzzed_endpoints(app)
        assert set(PROXY_POSTS) <= {rule for rule, _ in endpoints}

        for rule, method in endpoints:
            @FUZZ
            @given(query=hostile_query, body=hostile_body(VALID_BODIES.get(rule)), customer=hostile_customer,
                   segment=hostile_segment)
            def fuzz(query, body, customer, segment):
                records.bad.clear()  # each example answers for its own log records
                before = row_counts(store)
                check(send(client, rule, method, query, body, customer, segment), before, store, records)

            fuzz()
        assert_drains_a_valid_delivery(store, records)
    print(f"\nfuzzed /proxy and admin: {FUZZED['requests']} requests, {FUZZED['5xx']} answered 5xx")


def test_signed_hostile_webhooks_are_acknowledged_and_never_jam_the_worker(tmp_path, monkeypatch):
    topics = sorted(set(WEBHOOK_TOPICS) | set(COMPLIANCE_TOPICS))
    with hostile_world(tmp_path, monkeypatch) as (app, store, records):
        client = app.test_client()
        worker = runner(store, max_attempts=2, batch=10)
        sent = Counter()

        @settings(FUZZ, max_examples=WEBHOOK_EXAMPLES)
        @given(topic=st.sampled_from(topics), body=hostile_body({"id": 1001, "updated_at": "2026-01-01T00:00:00Z"}))
        def fuzz(topic, body):
            records.bad.clear()
            sent["n"] += 1
            headers = webhook_headers(body, topic, f"fuzz-{sent['n']}")
            response = client.post("/webhooks", data=body, headers=headers)
            FUZZED["webhooks"] += 1
            FUZZED["webhook 5xx"] += response.status_code >= 500
            assert response.status_code == (200 if body else 401), response.get_data()  # an empty body is unsigned
            worker.run_until_idle()
            if body:  # this delivery is finished, dead or waiting for its retry: never left claimed
                [row] = store.inbox.list(limit=1)
                assert row["status"] != "processing", row
            assert records.bad == [], [r.getMessage() for r in records.bad]

        fuzz()
        assert_drains_a_valid_delivery(store, records)
    print(f"\nfuzzed webhooks: {FUZZED['webhooks']} signed deliveries, {FUZZED['webhook 5xx']} answered 5xx")
