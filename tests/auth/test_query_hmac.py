"""plugin.auth.query_hmac: the ``hmac`` of install requests, OAuth callbacks and admin-loaded URLs.

Known-answer vectors and where each comes from (each re-checked here, none computed
by the code under test):

* Query HMAC -- Shopify/shopify_python_api test/session_test.py
  (``test_hmac_calculation`` / ``test_hmac_validation``, "examples given in the Shopify
  API documentation"): secret ``hush``, shop ``some-shop.myshopify.com``, code
  ``a94a110d86d2452eb3e2af4cfb8a3828``, timestamp ``1337178173`` ->
  ``2cb1a277650a659f1b11e92a4a64275b128e037f2c3390e3c8fd2d8721dac9e2``.
* Query HMAC, JS encoding -- Shopify/shopify-app-js
  packages/apps/shopify-api/lib/utils/__tests__/hmac-validator.test.ts: the canonical
  strings ``code=some%20code%20goes%20here&shop=the%20shop%20URL&...`` and
  ``custom=hello%20world&shop=myshop.myshopify.com&timestamp=...`` (HMACs computed in
  this file with ``hmac.new`` over those hand-written strings, as the JS test does).
"""

from __future__ import annotations

import base64
import random

import pytest

from plugin.auth.query_hmac import query_hmac_message, verify_query_hmac

from tests.support.auth import NOW, OLD_SECRET, SECRET, SHOP, callback_pairs, hex_hmac, reason, signed, with_value


def test_py_docs_vector():
    """shopify_python_api test_hmac_validation: 'examples given in the Shopify API documentation'."""
    pairs = [
        ("shop", "some-shop.myshopify.com"),
        ("code", "a94a110d86d2452eb3e2af4cfb8a3828"),
        ("timestamp", "1337178173"),
        ("hmac", "2cb1a277650a659f1b11e92a4a64275b128e037f2c3390e3c8fd2d8721dac9e2"),
    ]
    assert query_hmac_message(pairs) == (
        "code=a94a110d86d2452eb3e2af4cfb8a3828&shop=some-shop.myshopify.com&timestamp=1337178173"
    )
    assert hex_hmac("hush", query_hmac_message(pairs)) == "2cb1a277650a659f1b11e92a4a64275b128e037f2c3390e3c8fd2d8721dac9e2"
    verify_query_hmac(pairs, ["hush"], now=1337178173 + 30)


def test_independent_vector_hand_written_message():
    pairs = callback_pairs()
    message = (
        "code=0907a61c0c8d55e99db179b68161bc00"
        "&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvbXktc2hvcA"
        f"&shop={SHOP}"
        "&state=5d0b7c3a9b1e4f6a8c2d0e1f3a5b7c9d"
        f"&timestamp={NOW}"
    )
    expected = hex_hmac(SECRET, message)
    assert query_hmac_message(pairs) == message
    assert hex_hmac(SECRET, query_hmac_message(pairs)) == expected
    verify_query_hmac(pairs + [("hmac", expected)], [SECRET], now=NOW)


def test_js_vector_spaces_in_oauth_params():
    """hmac-validator.test.ts 'returns true when timestamp and hmac is correct'."""
    ts = str(NOW - 60)
    pairs = [
        ("code", "some code goes here"),
        ("shop", "the shop URL"),
        ("state", "some nonce passed from auth"),
        ("timestamp", ts),
    ]
    message = f"code=some%20code%20goes%20here&shop=the%20shop%20URL&state=some%20nonce%20passed%20from%20auth&timestamp={ts}"
    assert query_hmac_message(pairs) == message
    key = "my super secret key"
    verify_query_hmac(pairs + [("hmac", hex_hmac(key, message))], [key], now=NOW)


def test_js_vector_space_is_percent_20_not_plus():
    """hmac-validator.test.ts 'spaces in param values are percent-encoded (%20), not plus-encoded'."""
    ts = str(NOW - 60)
    pairs = [("custom", "hello world"), ("shop", "myshop.myshopify.com"), ("timestamp", ts)]
    key = "my super secret key"
    percent = f"custom=hello%20world&shop=myshop.myshopify.com&timestamp={ts}"
    plus = f"custom=hello+world&shop=myshop.myshopify.com&timestamp={ts}"
    assert query_hmac_message(pairs) == percent
    verify_query_hmac(pairs + [("hmac", hex_hmac(key, percent))], [key], now=NOW)
    assert reason(verify_query_hmac, pairs + [("hmac", hex_hmac(key, plus))], [key], now=NOW) == "bad hmac"


def test_js_vector_extra_keys_are_signed():
    """hmac-validator.test.ts 'queries with extra keys include those extra keys in hmac querystring'."""
    ts = str(NOW - 60)
    pairs = [
        ("code", "some code goes here"),
        ("shop", "the shop URL"),
        ("state", "some nonce passed from auth"),
        ("timestamp", ts),
        ("foo", "bar"),
    ]
    message = f"code=some%20code%20goes%20here&foo=bar&shop=the%20shop%20URL&state=some%20nonce%20passed%20from%20auth&timestamp={ts}"
    assert query_hmac_message(pairs) == message


@pytest.mark.parametrize(
    "value, encoded",
    [
        ("hello world", "hello%20world"),
        ("a+b", "a%2Bb"),
        ("/apps/x:y", "%2Fapps%2Fx%3Ay"),
        ("~", "%7E"),
        ("*-._", "*-._"),
        ("AZaz09", "AZaz09"),
        ("é", "%C3%A9"),
        ("€", "%E2%82%AC"),
        ("a=b&c", "a%3Db%26c"),
        ("'!()", "%27%21%28%29"),
        ("%41", "%2541"),
        ("YWRtaW4=", "YWRtaW4%3D"),
        ('"<>#?@[]{}|\\^`,;$', "%22%3C%3E%23%3F%40%5B%5D%7B%7D%7C%5C%5E%60%2C%3B%24"),
        ("\n\t", "%0A%09"),
        ("\ud800", "%EF%BF%BD"),  # lone surrogate -> U+FFFD, as a JS USVString
        ("", ""),
    ],
)
def test_values_are_encoded_like_js_urlsearchparams_with_percent_20(value, encoded):
    assert query_hmac_message([("k", value)]) == f"k={encoded}"


def test_keys_are_encoded_too():
    assert query_hmac_message([("a b", "1"), ("c/d", "2")]) == "a%20b=1&c%2Fd=2"


def test_reordering_params_does_not_matter():
    pairs = callback_pairs()
    header = hex_hmac(SECRET, query_hmac_message(pairs))
    for seed in range(5):
        shuffled = pairs[:] + [("hmac", header)]
        random.Random(seed).shuffle(shuffled)
        assert query_hmac_message(shuffled) == query_hmac_message(pairs)
        verify_query_hmac(shuffled, [SECRET], now=NOW)


def test_hmac_and_signature_are_not_signed():
    pairs = callback_pairs()
    assert query_hmac_message(pairs + [("hmac", "x"), ("signature", "y")]) == query_hmac_message(pairs)


def test_repeated_keys_become_js_array_entries():
    """platform.md §1.4 / JS ProcessedQuery.putArray: repeated keys sign as key[]=v, in request order."""
    assert query_hmac_message([("ids", "2"), ("ids", "1")]) == "ids%5B%5D=2&ids%5B%5D=1"
    assert query_hmac_message([("ids[]", "2"), ("ids[]", "1")]) == "ids%5B%5D=2&ids%5B%5D=1"
    assert query_hmac_message([("ids[]", "7")]) == "ids%5B%5D=7"
    assert query_hmac_message([("ids", "7")]) == "ids=7"
    assert query_hmac_message([("z", "1"), ("ids[]", "2"), ("a", "0"), ("ids[]", "1")]) == (
        "a=0&ids%5B%5D=2&ids%5B%5D=1&z=1"
    )


def test_bulk_action_link_with_ids_verifies():
    ts = str(NOW)
    pairs = [("ids[]", "11"), ("ids[]", "12"), ("shop", SHOP), ("timestamp", ts)]
    message = f"ids%5B%5D=11&ids%5B%5D=12&shop={SHOP}&timestamp={ts}"
    verify_query_hmac(pairs + [("hmac", hex_hmac(SECRET, message))], [SECRET], now=NOW)


def test_missing_hmac():
    pairs = callback_pairs()
    assert reason(verify_query_hmac, pairs, [SECRET], now=NOW) == "missing hmac"
    assert reason(verify_query_hmac, pairs + [("hmac", "")], [SECRET], now=NOW) == "missing hmac"


@pytest.mark.parametrize("key", ["hmac", "timestamp", "shop", "code", "state", "host", "signature"])
def test_duplicated_single_value_params_are_refused(key):
    pairs = signed(callback_pairs())
    if key not in dict(pairs):
        pairs.append((key, "x"))
    value = dict(pairs)[key]
    assert reason(verify_query_hmac, pairs + [(key, value)], [SECRET], now=NOW) == "duplicate parameter"


def test_missing_timestamp():
    pairs = [p for p in callback_pairs() if p[0] != "timestamp"]
    assert reason(verify_query_hmac, signed(pairs), [SECRET], now=NOW) == "missing timestamp"


@pytest.mark.parametrize(
    "ts", ["", "abc", "not-a-number", "Infinity", "-Infinity", "NaN", "123.45", "1e9", "-5", "+5", " 1760000000", "1760000000 ", "１７６０"]
)
def test_non_integer_timestamp(ts):
    pairs = [p for p in callback_pairs() if p[0] != "timestamp"] + [("timestamp", ts)]
    assert reason(verify_query_hmac, signed(pairs), [SECRET], now=NOW) == "invalid timestamp"


@pytest.mark.parametrize(
    "offset, outcome",
    [(-91, "stale timestamp"), (-90, None), (0, None), (90, None), (91, "future timestamp"), (-86400, "stale timestamp")],
)
def test_timestamp_tolerance_is_90_seconds_both_ways(offset, outcome):
    pairs = signed(callback_pairs(NOW + offset))
    if outcome is None:
        verify_query_hmac(pairs, [SECRET], now=NOW)
    else:
        assert reason(verify_query_hmac, pairs, [SECRET], now=NOW) == outcome


def test_now_is_truncated_to_seconds_like_js():
    pairs = signed(callback_pairs(NOW))
    verify_query_hmac(pairs, [SECRET], now=NOW + 90.99)
    assert reason(verify_query_hmac, pairs, [SECRET], now=NOW + 91.0) == "stale timestamp"


def test_custom_tolerance():
    pairs = signed(callback_pairs(NOW - 30))
    assert reason(verify_query_hmac, pairs, [SECRET], now=NOW, tolerance=10) == "stale timestamp"


def test_signature_is_checked_before_freshness():
    """A forged old link says 'bad hmac', so 'stale timestamp' always means a genuine old link."""
    pairs = callback_pairs(NOW - 1000) + [("hmac", "0" * 64)]
    assert reason(verify_query_hmac, pairs, [SECRET], now=NOW) == "bad hmac"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda p: with_value(p, "shop", "evil-shop.myshopify.com"),
        lambda p: with_value(p, "code", "0907a61c0c8d55e99db179b68161bc01"),
        lambda p: p + [("extra", "1")],
        lambda p: [x for x in p if x[0] != "host"],
        lambda p: with_value(p, "hmac", dict(p)["hmac"].upper()),
        lambda p: with_value(p, "hmac", dict(p)["hmac"][:-1]),
        lambda p: with_value(p, "hmac", dict(p)["hmac"] + "0"),
        lambda p: with_value(p, "hmac", "é" * 64),
        lambda p: with_value(p, "hmac", base64.b64encode(bytes.fromhex(dict(p)["hmac"])).decode()),
    ],
    ids=["other-shop", "other-code", "added-param", "removed-param", "uppercase-hex", "short", "long", "non-ascii", "base64"],
)
def test_tampering_is_bad_hmac(mutate):
    pairs = mutate(signed(callback_pairs()))
    assert reason(verify_query_hmac, pairs, [SECRET], now=NOW) == "bad hmac"


def test_wrong_secret_is_bad_hmac():
    pairs = signed(callback_pairs(), secret="another-apps-secret-0000000000000000")
    assert reason(verify_query_hmac, pairs, [SECRET], now=NOW) == "bad hmac"


def test_rotation_every_secret_verifies():
    pairs = signed(callback_pairs(), secret=OLD_SECRET)
    verify_query_hmac(pairs, [SECRET, OLD_SECRET], now=NOW)
    verify_query_hmac(signed(callback_pairs()), [SECRET, OLD_SECRET], now=NOW)
    assert reason(verify_query_hmac, pairs, [SECRET], now=NOW) == "bad hmac"


def test_secret_configuration_errors():
    pairs = signed(callback_pairs())
    with pytest.raises(TypeError):
        verify_query_hmac(pairs, SECRET, now=NOW)
    for bad in ([], [""], (SECRET, "")):
        with pytest.raises(ValueError):
            verify_query_hmac(pairs, bad, now=NOW)


def test_accepts_any_iterable_of_pairs():
    pairs = signed(callback_pairs())
    verify_query_hmac(iter(pairs), [SECRET], now=NOW)
    verify_query_hmac(tuple(pairs), (SECRET,), now=NOW)
