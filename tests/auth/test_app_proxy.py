"""plugin.auth.app_proxy: the ``signature`` of storefront requests through the app proxy.

Known-answer vectors and where each comes from (each re-checked here, none computed
by the code under test):

* App proxy -- Shopify's "Authenticate app proxies" page (shopify.dev), secret ``hush``:
  the long-published example ``extra=1&extra=2&shop=shop-name.myshopify.com&
  path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555`` ->
  ``a9718877bea71c2484f91608a7eaea1532bdf71f5c56825065fa4ccabe549ef3``, and the current
  page's example with ``logged_in_customer_id=1`` ->
  ``4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb`` (the page prints
  the shop as ``{shop}.myshopify.com``; the signature is the one for ``shop-name``).
* App proxy -- Shopify/shopify_app test/shopify_app/controller_concerns/
  app_proxy_verification_test.rb, secret ``secret``: ``f5cd7233...cefcd`` (basic) and
  ``bbf3aa60...464b4f`` (complex args: ``baz[1]`` without ``=``, nested brackets).
"""

from __future__ import annotations

import random

import pytest

from plugin.auth.app_proxy import ProxyRequest, app_proxy_message, verify_app_proxy
from plugin.auth.query_hmac import query_hmac_message

from tests.support.auth import (NOW, OLD_SECRET, SECRET, SHOP, hex_hmac, pairs_of,
                                proxy_pairs, proxy_signed, reason, with_value)


DOCS_QUERY = "extra=1&extra=2&shop=shop-name.myshopify.com&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555"
DOCS_TS = 1317327555


def test_docs_vector_hush():
    """shopify.dev 'Authenticate app proxies' example (secret 'hush'): a9718877..."""
    signature = "a9718877bea71c2484f91608a7eaea1532bdf71f5c56825065fa4ccabe549ef3"
    pairs = pairs_of(DOCS_QUERY + "&signature=" + signature)
    assert app_proxy_message(pairs) == (
        "extra=1,2path_prefix=/apps/awesome_reviewsshop=shop-name.myshopify.comtimestamp=1317327555"
    )
    assert hex_hmac("hush", app_proxy_message(pairs)) == signature
    result = verify_app_proxy(pairs, ["hush"], now=DOCS_TS + 5)
    assert result == ProxyRequest(
        shop="shop-name.myshopify.com", logged_in_customer_id=None, path_prefix="/apps/awesome_reviews", timestamp=DOCS_TS
    )


@pytest.mark.parametrize(
    "customer, signature, expected_id",
    [
        ("1", "4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb", "1"),
        ("", "e072b6d7e6622d85912a5214b860d3100dc1e73d9bc29f43796ac8c9ff8093cb", None),
    ],
)
def test_docs_vector_with_logged_in_customer_id(customer, signature, expected_id):
    """Current shopify.dev example adds logged_in_customer_id=1 (4c68c862...); the empty
    variant is computed independently below and shows an empty id is still signed."""
    query = (
        "extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id="
        + customer
        + "&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555"
    )
    message = f"extra=1,2logged_in_customer_id={customer}path_prefix=/apps/awesome_reviewsshop=shop-name.myshopify.comtimestamp=1317327555"
    assert hex_hmac("hush", message) == signature
    pairs = pairs_of(query + "&signature=" + signature)
    assert app_proxy_message(pairs) == message
    assert verify_app_proxy(pairs, ["hush"], now=DOCS_TS).logged_in_customer_id == expected_id


GEM_BASIC = "f5cd7233558b1c50102a6f33c0b63ad1e1072a2fc126cb58d4500f75223cefcd"
GEM_COMPLEX = "bbf3aa60e098f08919a2ea4c64a388414f164e6a117a63b03479ac7aa9464b4f"
GEM_TS = 1466106083


def test_gem_basic_vector():
    """shopify_app app_proxy_verification_test.rb 'basic_query_string' (secret 'secret')."""
    pairs = pairs_of(
        f"shop=some-random-store.myshopify.com&path_prefix=%2Fapps%2Fmy-app&timestamp={GEM_TS}&signature={GEM_BASIC}"
    )
    result = verify_app_proxy(pairs, ["secret"], now=GEM_TS)
    assert result.shop == "some-random-store.myshopify.com"
    assert result.path_prefix == "/apps/my-app"
    evil = pairs_of(
        f"shop=some-random-store.myshopify.com&path_prefix=%2Fapps%2Fmy-app&timestamp={GEM_TS}&evil=1&signature={GEM_BASIC}"
    )
    assert reason(verify_app_proxy, evil, ["secret"], now=GEM_TS) == "bad signature"
    wrong = pairs_of(
        f"shop=some-random-store.myshopify.com&path_prefix=%2Fapps%2Fmy-app&timestamp={GEM_TS}&evil=1"
        "&signature=wrongwrong8b1c50102a6f33c0b63ad1e1072a2fc126cb58d4500f75223cefcd"
    )
    assert reason(verify_app_proxy, wrong, ["secret"], now=GEM_TS) == "bad signature"


@pytest.mark.parametrize(
    "query",
    [
        "shop=some-random-store.myshopify.com&path_prefix=%2Fapps%2Fmy-app&timestamp=1466106083"
        f"&signature={GEM_COMPLEX}&foo=bar&baz[1]&baz[2]=b&baz[c[0]]=whatup&baz[c[1]]=notmuch",
        "shop=some-random-store.myshopify.com&path_prefix=%2Fapps%2Fmy-app&timestamp=1466106083"
        f"&foo=bar&baz[1]&baz[2]=b&baz[c[0]]=whatup&baz[c[1]]=notmuch&signature={GEM_COMPLEX}",
    ],
)
def test_gem_complex_args_vector(query):
    """shopify_app 'query_string_complex_args': brackets are not expanded, 'baz[1]' signs as 'baz[1]='."""
    pairs = pairs_of(query)
    assert "baz[1]=" in app_proxy_message(pairs)
    verify_app_proxy(pairs, ["secret"], now=GEM_TS)


def test_gem_no_signature():
    pairs = pairs_of(f"shop=some-random-store.myshopify.com&path_prefix=%2Fapps%2Fmy-app&timestamp={GEM_TS}")
    assert reason(verify_app_proxy, pairs, ["secret"], now=GEM_TS) == "missing signature"


def test_js_vector_app_proxy():
    """hmac-validator.test.ts appProxy 'returns true when timestamp and hmac is correct'."""
    key = "my super secret key"
    ts = str(NOW - 60)
    pairs = [("shop", "the shop URL"), ("logged_in_customer_id", "1"), ("path_prefix", "/apps/my_app"), ("timestamp", ts)]
    message = f"logged_in_customer_id=1path_prefix=/apps/my_appshop=the shop URLtimestamp={ts}"
    assert app_proxy_message(pairs) == message
    result = verify_app_proxy(pairs + [("signature", hex_hmac(key, message))], [key], now=NOW)
    assert result.shop == "the shop URL"  # raw: the caller runs normalize_shop
    assert result.logged_in_customer_id == "1"


def test_js_vector_repeated_application_params():
    """hmac-validator.test.ts 'accepts URLSearchParams and preserves repeated application params'."""
    key = "my super secret key"
    ts = str(NOW - 60)
    pairs = [
        ("shop", "the shop URL"),
        ("logged_in_customer_id", "1"),
        ("path_prefix", "/apps/my_app"),
        ("timestamp", ts),
        ("consentGiven", "true"),
        ("consentGiven", "false"),
    ]
    message = f"consentGiven=true,falselogged_in_customer_id=1path_prefix=/apps/my_appshop=the shop URLtimestamp={ts}"
    assert app_proxy_message(pairs) == message
    verify_app_proxy(pairs + [("signature", hex_hmac(key, message))], [key], now=NOW)


def test_independent_proxy_vector():
    pairs = proxy_pairs(customer="7")
    message = f"logged_in_customer_id=7path_prefix=/apps/storeliftshop={SHOP}timestamp={NOW}"
    expected = hex_hmac(SECRET, message)
    assert hex_hmac(SECRET, app_proxy_message(pairs)) == expected
    result = verify_app_proxy(pairs + [("signature", expected)], [SECRET], now=NOW)
    assert result == ProxyRequest(shop=SHOP, logged_in_customer_id="7", path_prefix="/apps/storelift", timestamp=NOW)


def test_proxy_message_rules():
    # no separator, sorted strings, decoded values kept as they are (no re-encoding)
    assert app_proxy_message([("b", "x y"), ("a", "/p&q=r")]) == "a=/p&q=rb=x y"
    # the key=value *strings* are sorted (GEM), so "a-b=2" sorts before "a=1"
    assert app_proxy_message([("a", "1"), ("a-b", "2")]) == "a-b=2a=1"
    # repeated values joined with "," in request order
    assert app_proxy_message([("x", "2"), ("x", "1")]) == "x=2,1"
    # only signature is dropped; a forwarded hmac is part of what was signed (GEM)
    assert app_proxy_message([("signature", "s"), ("hmac", "h")]) == "hmac=h"


def test_reordering_proxy_params_does_not_matter():
    pairs = proxy_signed(proxy_pairs(customer="5"))
    for seed in range(5):
        shuffled = pairs[:]
        random.Random(seed).shuffle(shuffled)
        verify_app_proxy(shuffled, [SECRET], now=NOW)


@pytest.mark.parametrize("key", ["signature", "shop", "timestamp", "hmac", "path_prefix", "logged_in_customer_id"])
def test_proxy_duplicated_single_value_params_are_refused(key):
    """JS 2026 'App Proxy HMAC hardening' (+ the two values we hand back)."""
    base = proxy_pairs(customer="5") + ([("hmac", "h")] if key == "hmac" else [])
    pairs = proxy_signed(base)
    value = dict(pairs)[key]
    assert reason(verify_app_proxy, pairs + [(key, value)], [SECRET], now=NOW) == "duplicate parameter"


def test_proxy_duplicate_is_refused_even_if_signed():
    """A repeat is refused before the signature check: no honest single value exists."""
    pairs = proxy_pairs() + [("shop", "other.myshopify.com")]
    assert reason(verify_app_proxy, proxy_signed(pairs), [SECRET], now=NOW) == "duplicate parameter"


def test_proxy_missing_signature():
    assert reason(verify_app_proxy, proxy_pairs(), [SECRET], now=NOW) == "missing signature"
    assert reason(verify_app_proxy, proxy_pairs() + [("signature", "")], [SECRET], now=NOW) == "missing signature"


def test_proxy_missing_shop():
    pairs = [p for p in proxy_pairs() if p[0] != "shop"]
    assert reason(verify_app_proxy, proxy_signed(pairs), [SECRET], now=NOW) == "missing shop"


def test_proxy_missing_timestamp():
    pairs = [p for p in proxy_pairs() if p[0] != "timestamp"]
    assert reason(verify_app_proxy, proxy_signed(pairs), [SECRET], now=NOW) == "missing timestamp"


@pytest.mark.parametrize("ts", ["not-a-number", "Infinity", "-Infinity", "123.45", "", "NaN", "1e9", "-1"])
def test_proxy_non_integer_timestamp(ts):
    """JS 'rejects a %s timestamp' table."""
    pairs = [p for p in proxy_pairs() if p[0] != "timestamp"] + [("timestamp", ts)]
    assert reason(verify_app_proxy, proxy_signed(pairs), [SECRET], now=NOW) == "invalid timestamp"


@pytest.mark.parametrize(
    "offset, outcome", [(-91, "stale timestamp"), (-90, None), (90, None), (91, "future timestamp")]
)
def test_proxy_stale_and_future(offset, outcome):
    pairs = proxy_signed(proxy_pairs(NOW + offset))
    if outcome is None:
        verify_app_proxy(pairs, [SECRET], now=NOW)
    else:
        assert reason(verify_app_proxy, pairs, [SECRET], now=NOW) == outcome


def test_proxy_docs_vector_is_stale_today():
    pairs = pairs_of(DOCS_QUERY + "&signature=a9718877bea71c2484f91608a7eaea1532bdf71f5c56825065fa4ccabe549ef3")
    assert reason(verify_app_proxy, pairs, ["hush"], now=NOW) == "stale timestamp"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda p: with_value(p, "logged_in_customer_id", "999"),
        lambda p: with_value(p, "shop", "other.myshopify.com"),
        lambda p: with_value(p, "path_prefix", "/apps/other"),
        lambda p: p + [("extra", "")],
        lambda p: with_value(p, "signature", dict(p)["signature"].upper()),
    ],
    ids=["customer-id", "shop", "path-prefix", "added", "uppercase"],
)
def test_proxy_tampering_is_bad_signature(mutate):
    pairs = mutate(proxy_signed(proxy_pairs(customer="5")))
    assert reason(verify_app_proxy, pairs, [SECRET], now=NOW) == "bad signature"


def test_proxy_query_hmac_style_signature_does_not_verify():
    """The two HMAC schemes differ (no '&', no encoding): one must not pass for the other."""
    pairs = proxy_pairs(customer="5")
    assert reason(verify_app_proxy, pairs + [("signature", hex_hmac(SECRET, query_hmac_message(pairs)))], [SECRET], now=NOW) == "bad signature"


def test_proxy_rotation():
    pairs = proxy_signed(proxy_pairs(), secret=OLD_SECRET)
    verify_app_proxy(pairs, [SECRET, OLD_SECRET], now=NOW)
    assert reason(verify_app_proxy, pairs, [SECRET], now=NOW) == "bad signature"


def test_proxy_request_is_frozen():
    result = verify_app_proxy(proxy_signed(proxy_pairs()), [SECRET], now=NOW)
    with pytest.raises(AttributeError):
        result.shop = "x"  # type: ignore[misc]
