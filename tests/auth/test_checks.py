"""plugin/auth/: shop domains, query HMAC, app proxy, session tokens, state cookie.

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

import base64
import hashlib
import hmac
import json
import random
import time
from urllib.parse import parse_qsl

import jwt
import pytest

from plugin.auth.app_proxy import ProxyRequest, app_proxy_message, verify_app_proxy
from plugin.auth.common import AuthError, normalize_shop
from plugin.auth.query_hmac import query_hmac_message, verify_query_hmac
from plugin.auth.session_token import SessionToken, decode_session_token
from plugin.auth.state_cookie import sign_state, unsign_state

from tests.support.signing import proxy_signature

SECRET = "test-client-secret-0123456789abcdef0123"
OLD_SECRET = "test-old-secret-fedcba9876543210fedcba"
API_KEY = "storelift-test-api-key"
NOW = 1_760_000_000
SHOP = "my-shop.myshopify.com"


def hex_hmac(secret: str, message: str) -> str:
    """Independent HMAC: what the test expects, computed without plugin.auth."""
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def reason(fn, *args, **kwargs) -> str:
    with pytest.raises(AuthError) as info:
        fn(*args, **kwargs)
    return info.value.reason


def pairs_of(query: str) -> list[tuple[str, str]]:
    """Decoded pairs in request order, like Flask's request.args.items(multi=True)."""
    return parse_qsl(query, keep_blank_values=True)


# =========================================================================== normalize_shop

BAD_SHOPS = [
    # from the brief / platform.md §1.3
    "evil.com",
    "shop.myshopify.com.evil.com",
    "https://shop.myshopify.com/path",
    "https://shop.myshopify.com",
    "http://shop.myshopify.com",
    "shop.myshopify.com@evil.com",
    "evil.com@shop.myshopify.com",
    "%0ashop.myshopify.com",
    "\nshop.myshopify.com",
    "shop.myshopify.com\n",  # `$` would accept this; fullmatch must not
    "shop.myshopify.com:443",
    "foo.bar.myshopify.com",
    "myshopify.com",
    ".myshopify.com",
    "-shop.myshopify.com",
    "two words.myshopify.com",
    # PY test/utils/shop_url_test.py bad list
    "myshop.com",
    "shopify.com",
    "two words",
    "store.myshopify.com.evil.com",
    "/foo/bar",
    "/foo.myshopify.io.evil.ru",
    "%0a123.myshopify.io ",
    "foo.bar.myshopify.io",
    # more of the same family
    "shop.myshopify.com.",
    "shop.myshopify.com/",
    "shop.myshopify.com/admin",
    "shop.myshopify.com?x=1",
    "shop.myshopify.com#x",
    " shop.myshopify.com",
    "shop.myshopify.com ",
    "\tshop.myshopify.com",
    "shop.myshopify.com\r\n",
    "shop%2emyshopify.com",
    "shop.myshopify%2ecom",
    "shop_name.myshopify.com",  # JS allows "_"; a DNS label does not
    "shop.myshopifyxcom",  # the dot must be literal
    "shopxmyshopify.com",
    "shop.admin.shopify.com",
    "admin.shopify.com/store/shop",
    "shop..myshopify.com",
    "shop.myshopify.com.myshopify.com",
    "\u212aey.myshopify.com",  # Kelvin sign: str.lower() would turn it into ASCII "k"
    "ｓｈｏｐ.myshopify.com",  # fullwidth
    "shop\u200b.myshopify.com",  # zero-width space
    "shop.myshopify.com\x00",
    "",
    "my-shop",  # PY would append the domain: we never rewrite
]


@pytest.mark.parametrize("value", BAD_SHOPS)
def test_bad_shops_are_refused(value):
    assert normalize_shop(value, "myshopify.com") is None


PY_BAD_LIST = [
    "myshop.com",
    "myshopify.com",
    "shopify.com",
    "two words",
    "store.myshopify.com.evil.com",
    "/foo/bar",
    "/foo.myshopify.io.evil.ru",
    "%0a123.myshopify.io ",
    "foo.bar.myshopify.io",
]


@pytest.mark.parametrize("value", PY_BAD_LIST)
def test_py_bad_list_is_refused_even_when_myshopify_io_is_the_platform(value):
    """The PY list uses myshopify.io; check it against that platform domain too."""
    assert normalize_shop(value, "myshopify.io") is None


@pytest.mark.parametrize(
    "value, expected",
    [
        ("my-shop.myshopify.com", "my-shop.myshopify.com"),
        ("MY-SHOP.myshopify.com", "my-shop.myshopify.com"),
        ("My-Shop.MyShopify.COM", "my-shop.myshopify.com"),
        ("a.myshopify.com", "a.myshopify.com"),
        ("0shop.myshopify.com", "0shop.myshopify.com"),
        ("shop-.myshopify.com", "shop-.myshopify.com"),  # allowed by the §1.3 regex
        ("store-123-x.myshopify.com", "store-123-x.myshopify.com"),
    ],
)
def test_good_shops_are_canonicalised(value, expected):
    assert normalize_shop(value, "myshopify.com") == expected


@pytest.mark.parametrize(
    "value",
    ["my-shop", "http://my-shop.myshopify.com", "https://my-shop.myshopify.com", "my-shop.myshopify.com/"],
)
def test_py_good_list_needs_rewriting_and_is_refused(value):
    """PY accepts these after stripping a scheme / appending the domain; we never rewrite."""
    assert normalize_shop(value, "myshopify.com") is None


def test_custom_platform_domain():
    assert normalize_shop("demo.devstore.test", "devstore.test") == "demo.devstore.test"
    assert normalize_shop("DEMO.devstore.test", "DEVSTORE.test") == "demo.devstore.test"
    assert normalize_shop("demo.devstore.test", "myshopify.com") is None
    assert normalize_shop("demo.myshopify.com", "devstore.test") is None
    assert normalize_shop("demo.devstorextest", "devstore.test") is None  # re.escape
    assert normalize_shop("a.b.devstore.test", "devstore.test") is None
    assert normalize_shop("devstore.test", "devstore.test") is None


@pytest.mark.parametrize("value", [None, 123, b"shop.myshopify.com", ["shop.myshopify.com"]])
def test_non_strings_are_refused(value):
    assert normalize_shop(value, "myshopify.com") is None


@pytest.mark.parametrize("domain", ["", ".myshopify.com", "myshopify.com.", "my shopify.com", "com", "*.com", "myshopify.com/x"])
def test_bad_platform_domain_is_a_configuration_error(domain):
    with pytest.raises(ValueError):
        normalize_shop("shop.myshopify.com", domain)


# =========================================================================== query HMAC


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


def _callback_pairs(ts: int = NOW) -> list[tuple[str, str]]:
    return [
        ("shop", SHOP),
        ("timestamp", str(ts)),
        ("code", "0907a61c0c8d55e99db179b68161bc00"),
        ("state", "5d0b7c3a9b1e4f6a8c2d0e1f3a5b7c9d"),
        ("host", "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvbXktc2hvcA"),
    ]


def signed(pairs, secret=SECRET):
    return list(pairs) + [("hmac", hex_hmac(secret, query_hmac_message(pairs)))]


def test_independent_vector_hand_written_message():
    pairs = _callback_pairs()
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
    pairs = _callback_pairs()
    header = hex_hmac(SECRET, query_hmac_message(pairs))
    for seed in range(5):
        shuffled = pairs[:] + [("hmac", header)]
        random.Random(seed).shuffle(shuffled)
        assert query_hmac_message(shuffled) == query_hmac_message(pairs)
        verify_query_hmac(shuffled, [SECRET], now=NOW)


def test_hmac_and_signature_are_not_signed():
    pairs = _callback_pairs()
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
    pairs = _callback_pairs()
    assert reason(verify_query_hmac, pairs, [SECRET], now=NOW) == "missing hmac"
    assert reason(verify_query_hmac, pairs + [("hmac", "")], [SECRET], now=NOW) == "missing hmac"


@pytest.mark.parametrize("key", ["hmac", "timestamp", "shop", "code", "state", "host", "signature"])
def test_duplicated_single_value_params_are_refused(key):
    pairs = signed(_callback_pairs())
    if key not in dict(pairs):
        pairs.append((key, "x"))
    value = dict(pairs)[key]
    assert reason(verify_query_hmac, pairs + [(key, value)], [SECRET], now=NOW) == "duplicate parameter"


def test_missing_timestamp():
    pairs = [p for p in _callback_pairs() if p[0] != "timestamp"]
    assert reason(verify_query_hmac, signed(pairs), [SECRET], now=NOW) == "missing timestamp"


@pytest.mark.parametrize(
    "ts", ["", "abc", "not-a-number", "Infinity", "-Infinity", "NaN", "123.45", "1e9", "-5", "+5", " 1760000000", "1760000000 ", "１７６０"]
)
def test_non_integer_timestamp(ts):
    pairs = [p for p in _callback_pairs() if p[0] != "timestamp"] + [("timestamp", ts)]
    assert reason(verify_query_hmac, signed(pairs), [SECRET], now=NOW) == "invalid timestamp"


@pytest.mark.parametrize(
    "offset, outcome",
    [(-91, "stale timestamp"), (-90, None), (0, None), (90, None), (91, "future timestamp"), (-86400, "stale timestamp")],
)
def test_timestamp_tolerance_is_90_seconds_both_ways(offset, outcome):
    pairs = signed(_callback_pairs(NOW + offset))
    if outcome is None:
        verify_query_hmac(pairs, [SECRET], now=NOW)
    else:
        assert reason(verify_query_hmac, pairs, [SECRET], now=NOW) == outcome


def test_now_is_truncated_to_seconds_like_js():
    pairs = signed(_callback_pairs(NOW))
    verify_query_hmac(pairs, [SECRET], now=NOW + 90.99)
    assert reason(verify_query_hmac, pairs, [SECRET], now=NOW + 91.0) == "stale timestamp"


def test_custom_tolerance():
    pairs = signed(_callback_pairs(NOW - 30))
    assert reason(verify_query_hmac, pairs, [SECRET], now=NOW, tolerance=10) == "stale timestamp"


def test_signature_is_checked_before_freshness():
    """A forged old link says 'bad hmac', so 'stale timestamp' always means a genuine old link."""
    pairs = _callback_pairs(NOW - 1000) + [("hmac", "0" * 64)]
    assert reason(verify_query_hmac, pairs, [SECRET], now=NOW) == "bad hmac"


def _replace(pairs, key, value):
    return [(k, value if k == key else v) for k, v in pairs]


@pytest.mark.parametrize(
    "mutate",
    [
        lambda p: _replace(p, "shop", "evil-shop.myshopify.com"),
        lambda p: _replace(p, "code", "0907a61c0c8d55e99db179b68161bc01"),
        lambda p: p + [("extra", "1")],
        lambda p: [x for x in p if x[0] != "host"],
        lambda p: _replace(p, "hmac", dict(p)["hmac"].upper()),
        lambda p: _replace(p, "hmac", dict(p)["hmac"][:-1]),
        lambda p: _replace(p, "hmac", dict(p)["hmac"] + "0"),
        lambda p: _replace(p, "hmac", "é" * 64),
        lambda p: _replace(p, "hmac", base64.b64encode(bytes.fromhex(dict(p)["hmac"])).decode()),
    ],
    ids=["other-shop", "other-code", "added-param", "removed-param", "uppercase-hex", "short", "long", "non-ascii", "base64"],
)
def test_tampering_is_bad_hmac(mutate):
    pairs = mutate(signed(_callback_pairs()))
    assert reason(verify_query_hmac, pairs, [SECRET], now=NOW) == "bad hmac"


def test_wrong_secret_is_bad_hmac():
    pairs = signed(_callback_pairs(), secret="another-apps-secret-0000000000000000")
    assert reason(verify_query_hmac, pairs, [SECRET], now=NOW) == "bad hmac"


def test_rotation_every_secret_verifies():
    pairs = signed(_callback_pairs(), secret=OLD_SECRET)
    verify_query_hmac(pairs, [SECRET, OLD_SECRET], now=NOW)
    verify_query_hmac(signed(_callback_pairs()), [SECRET, OLD_SECRET], now=NOW)
    assert reason(verify_query_hmac, pairs, [SECRET], now=NOW) == "bad hmac"


def test_secret_configuration_errors():
    pairs = signed(_callback_pairs())
    with pytest.raises(TypeError):
        verify_query_hmac(pairs, SECRET, now=NOW)
    for bad in ([], [""], (SECRET, "")):
        with pytest.raises(ValueError):
            verify_query_hmac(pairs, bad, now=NOW)


def test_accepts_any_iterable_of_pairs():
    pairs = signed(_callback_pairs())
    verify_query_hmac(iter(pairs), [SECRET], now=NOW)
    verify_query_hmac(tuple(pairs), (SECRET,), now=NOW)


# =========================================================================== app proxy

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


def _proxy_pairs(ts: int = NOW, customer: str = "") -> list[tuple[str, str]]:
    return [
        ("shop", SHOP),
        ("logged_in_customer_id", customer),
        ("path_prefix", "/apps/storelift"),
        ("timestamp", str(ts)),
    ]


def proxy_signed(pairs, secret=SECRET):
    return list(pairs) + [("signature", proxy_signature(pairs, secret))]


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
    pairs = _proxy_pairs(customer="7")
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
    pairs = proxy_signed(_proxy_pairs(customer="5"))
    for seed in range(5):
        shuffled = pairs[:]
        random.Random(seed).shuffle(shuffled)
        verify_app_proxy(shuffled, [SECRET], now=NOW)


@pytest.mark.parametrize("key", ["signature", "shop", "timestamp", "hmac", "path_prefix", "logged_in_customer_id"])
def test_proxy_duplicated_single_value_params_are_refused(key):
    """JS 2026 'App Proxy HMAC hardening' (+ the two values we hand back)."""
    base = _proxy_pairs(customer="5") + ([("hmac", "h")] if key == "hmac" else [])
    pairs = proxy_signed(base)
    value = dict(pairs)[key]
    assert reason(verify_app_proxy, pairs + [(key, value)], [SECRET], now=NOW) == "duplicate parameter"


def test_proxy_duplicate_is_refused_even_if_signed():
    """A repeat is refused before the signature check: no honest single value exists."""
    pairs = _proxy_pairs() + [("shop", "other.myshopify.com")]
    assert reason(verify_app_proxy, proxy_signed(pairs), [SECRET], now=NOW) == "duplicate parameter"


def test_proxy_missing_signature():
    assert reason(verify_app_proxy, _proxy_pairs(), [SECRET], now=NOW) == "missing signature"
    assert reason(verify_app_proxy, _proxy_pairs() + [("signature", "")], [SECRET], now=NOW) == "missing signature"


def test_proxy_missing_shop():
    pairs = [p for p in _proxy_pairs() if p[0] != "shop"]
    assert reason(verify_app_proxy, proxy_signed(pairs), [SECRET], now=NOW) == "missing shop"


def test_proxy_missing_timestamp():
    pairs = [p for p in _proxy_pairs() if p[0] != "timestamp"]
    assert reason(verify_app_proxy, proxy_signed(pairs), [SECRET], now=NOW) == "missing timestamp"


@pytest.mark.parametrize("ts", ["not-a-number", "Infinity", "-Infinity", "123.45", "", "NaN", "1e9", "-1"])
def test_proxy_non_integer_timestamp(ts):
    """JS 'rejects a %s timestamp' table."""
    pairs = [p for p in _proxy_pairs() if p[0] != "timestamp"] + [("timestamp", ts)]
    assert reason(verify_app_proxy, proxy_signed(pairs), [SECRET], now=NOW) == "invalid timestamp"


@pytest.mark.parametrize(
    "offset, outcome", [(-91, "stale timestamp"), (-90, None), (90, None), (91, "future timestamp")]
)
def test_proxy_stale_and_future(offset, outcome):
    pairs = proxy_signed(_proxy_pairs(NOW + offset))
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
        lambda p: _replace(p, "logged_in_customer_id", "999"),
        lambda p: _replace(p, "shop", "other.myshopify.com"),
        lambda p: _replace(p, "path_prefix", "/apps/other"),
        lambda p: p + [("extra", "")],
        lambda p: _replace(p, "signature", dict(p)["signature"].upper()),
    ],
    ids=["customer-id", "shop", "path-prefix", "added", "uppercase"],
)
def test_proxy_tampering_is_bad_signature(mutate):
    pairs = mutate(proxy_signed(_proxy_pairs(customer="5")))
    assert reason(verify_app_proxy, pairs, [SECRET], now=NOW) == "bad signature"


def test_proxy_query_hmac_style_signature_does_not_verify():
    """The two HMAC schemes differ (no '&', no encoding): one must not pass for the other."""
    pairs = _proxy_pairs(customer="5")
    assert reason(verify_app_proxy, pairs + [("signature", hex_hmac(SECRET, query_hmac_message(pairs)))], [SECRET], now=NOW) == "bad signature"


def test_proxy_rotation():
    pairs = proxy_signed(_proxy_pairs(), secret=OLD_SECRET)
    verify_app_proxy(pairs, [SECRET, OLD_SECRET], now=NOW)
    assert reason(verify_app_proxy, pairs, [SECRET], now=NOW) == "bad signature"


def test_proxy_request_is_frozen():
    result = verify_app_proxy(proxy_signed(_proxy_pairs()), [SECRET], now=NOW)
    with pytest.raises(AttributeError):
        result.shop = "x"  # type: ignore[misc]


# =========================================================================== session token

DROP = object()


def claims(**overrides):
    base = {
        "iss": f"https://{SHOP}/admin",
        "dest": f"https://{SHOP}",
        "aud": API_KEY,
        "sub": "42",
        "exp": NOW + 60,
        "nbf": NOW,
        "iat": NOW,
        "jti": "f8912129-1af6-4cad-9ca3-76b0f7621087",
        "sid": "aaea182f2732d44c23057c0fea584021a4485b2bd25d3eb7fd349313ad24c685",
    }
    for key, value in overrides.items():
        if value is DROP:
            base.pop(key)
        else:
            base[key] = value
    return base


def make_token(secret=SECRET, **overrides) -> str:
    return jwt.encode(claims(**overrides), secret, algorithm="HS256")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_token(header: dict, payload: dict, signer=None) -> str:
    """Build a JWT by hand (for algorithms PyJWT must refuse)."""
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}"
    signature = signer(signing_input.encode()) if signer else b""
    return f"{signing_input}.{b64url(signature)}"


def decode(token, secrets=(SECRET,), platform_domain="myshopify.com", now=NOW, **kwargs):
    return decode_session_token(token, API_KEY, list(secrets), platform_domain, now=now, **kwargs)


def token_reason(token, **kwargs) -> str:
    with pytest.raises(AuthError) as info:
        decode(token, **kwargs)
    assert not isinstance(info.value, jwt.PyJWTError)
    return info.value.reason


def test_valid_token():
    result = decode(make_token())
    assert result == SessionToken(
        shop=SHOP,
        user_id="42",
        session_id="aaea182f2732d44c23057c0fea584021a4485b2bd25d3eb7fd349313ad24c685",
        jti="f8912129-1af6-4cad-9ca3-76b0f7621087",
        expires_at=NOW + 60,
    )
    with pytest.raises(AttributeError):
        result.shop = "x"  # type: ignore[misc]


def test_independently_signed_token():
    """HS256 over header.payload computed with hmac, not PyJWT."""
    token = hand_token(
        {"alg": "HS256", "typ": "JWT"},
        claims(),
        lambda data: hmac.new(SECRET.encode(), data, hashlib.sha256).digest(),
    )
    assert decode(token).shop == SHOP


def test_default_now_is_the_wall_clock():
    now = int(time.time())
    token = make_token(exp=now + 60, nbf=now, iat=now)
    assert decode_session_token(token, API_KEY, [SECRET], "myshopify.com").shop == SHOP


def test_session_token_for_a_custom_platform_domain():
    token = make_token(iss="https://demo.devstore.test/admin", dest="https://demo.devstore.test")
    assert decode(token, platform_domain="devstore.test").shop == "demo.devstore.test"
    assert token_reason(token) == "invalid shop"


@pytest.mark.parametrize(
    "header, signer",
    [
        ({"alg": "none", "typ": "JWT"}, None),
        ({"alg": "None"}, None),
        ({"alg": "NONE"}, None),
        ({"typ": "JWT"}, lambda d: hmac.new(SECRET.encode(), d, hashlib.sha256).digest()),
        ({"alg": "HS512"}, lambda d: hmac.new(SECRET.encode(), d, hashlib.sha512).digest()),
        ({"alg": "HS384"}, lambda d: hmac.new(SECRET.encode(), d, hashlib.sha384).digest()),
        ({"alg": "hs256"}, lambda d: hmac.new(SECRET.encode(), d, hashlib.sha256).digest()),
        # RS256 header with an HMAC made from the "public key" (here: the secret) -- key confusion
        ({"alg": "RS256"}, lambda d: hmac.new(SECRET.encode(), d, hashlib.sha256).digest()),
        ({"alg": "ES256"}, lambda d: b"\x00" * 64),
    ],
    ids=["none", "None", "NONE", "no-alg", "HS512", "HS384", "lowercase-hs256", "RS256-confusion", "ES256"],
)
def test_only_hs256_is_accepted(header, signer):
    assert token_reason(hand_token(header, claims(), signer)) == "unsupported algorithm"


def test_wrong_secret():
    assert token_reason(make_token(secret="another-apps-secret-000000000000000000")) == "bad signature"


def test_rotation():
    token = make_token(secret=OLD_SECRET)
    assert decode(token, secrets=[SECRET, OLD_SECRET]).shop == SHOP
    assert token_reason(token) == "bad signature"


def test_tampered_payload_keeps_old_signature():
    header, _, signature = make_token().split(".")
    forged = b64url(json.dumps(claims(dest="https://victim.myshopify.com", iss="https://victim.myshopify.com/admin")).encode())
    assert token_reason(f"{header}.{forged}.{signature}") == "bad signature"


def test_truncated_signature():
    token = make_token()
    assert token_reason(token[:-4]) in ("bad signature", "malformed token")
    assert token_reason(token.rsplit(".", 1)[0] + ".") == "bad signature"


@pytest.mark.parametrize("claim", ["iss", "dest", "aud", "sub", "exp", "nbf", "iat", "jti", "sid"])
def test_every_claim_is_required(claim):
    assert token_reason(make_token(**{claim: DROP})) == "missing claim"


@pytest.mark.parametrize("claim", ["sub", "sid", "jti", "iss", "dest", "aud", "exp"])
def test_null_claim_is_missing(claim):
    # by hand: PyJWT refuses to *encode* a non-string iss
    token = hand_token({"alg": "HS256"}, claims(**{claim: None}), lambda d: hmac.new(SECRET.encode(), d, hashlib.sha256).digest())
    assert token_reason(token) == "missing claim"


@pytest.mark.parametrize(
    "aud", ["someone-else", API_KEY.upper(), [API_KEY], [API_KEY, "other"], ""],
    ids=["other", "case", "list", "list-with-other", "empty"],
)
def test_audience_must_be_exactly_our_api_key(aud):
    assert token_reason(make_token(aud=aud)) in ("wrong audience", "missing claim")


def test_wrong_audience_reason():
    assert token_reason(make_token(aud="someone-else")) == "wrong audience"


@pytest.mark.parametrize(
    "overrides, outcome",
    [
        ({"exp": NOW - 9}, None),
        ({"exp": NOW - 10}, "expired"),  # PyJWT rule: exp <= now - leeway
        ({"exp": NOW - 3600}, "expired"),
        ({"nbf": NOW + 10}, None),
        ({"nbf": NOW + 11}, "not yet valid"),
        ({"iat": NOW + 10}, None),
        ({"iat": NOW + 11}, "not yet valid"),
    ],
)
def test_time_claims_with_10_second_leeway(overrides, outcome):
    token = make_token(**overrides)
    if outcome is None:
        assert decode(token).shop == SHOP
    else:
        assert token_reason(token) == outcome


def test_custom_leeway():
    token = make_token(exp=NOW - 5)
    assert decode(token, leeway=10).shop == SHOP
    assert token_reason(token, leeway=0) == "expired"


@pytest.mark.parametrize(
    "overrides",
    [{"exp": "9999999999"}, {"exp": True}, {"nbf": "0"}, {"iat": [1]}, {"exp": {"a": 1}}],
)
def test_time_claims_must_be_numbers(overrides):
    assert token_reason(make_token(**overrides)) == "invalid claim"


@pytest.mark.parametrize(
    "overrides",
    [{"sub": 42}, {"sub": ""}, {"sid": 123}, {"sid": ""}, {"jti": 7}, {"jti": ""}, {"dest": 5}],
)
def test_string_claims_must_be_non_empty_strings(overrides):
    assert token_reason(make_token(**overrides)) == "invalid claim"


@pytest.mark.parametrize(
    "dest",
    [
        f"http://{SHOP}",
        f"https://{SHOP}/",
        f"https://{SHOP}/admin",
        f"https://{SHOP}:443",
        "https://evil.com",
        "https://MY-SHOP.myshopify.com",
        f"https:// {SHOP}",
        f"https://user@{SHOP}",
        SHOP,
        "https://a.b.myshopify.com",
        "https://myshopify.com",
    ],
)
def test_dest_must_be_https_and_a_canonical_shop(dest):
    assert token_reason(make_token(dest=dest, iss=f"{dest}/admin")) == "invalid shop"


@pytest.mark.parametrize(
    "iss",
    [
        "https://other-shop.myshopify.com/admin",
        f"https://{SHOP}",
        f"https://{SHOP}/admin/",
        f"https://{SHOP}/checkouts",  # checkout UI extension token
        f"http://{SHOP}/admin",
        "https://MY-SHOP.myshopify.com/admin",
        "",
    ],
)
def test_iss_must_be_the_same_shops_admin(iss):
    assert token_reason(make_token(iss=iss)) in ("wrong issuer", "invalid claim")


def test_non_string_iss_is_invalid():
    token = hand_token({"alg": "HS256"}, claims(iss=5), lambda d: hmac.new(SECRET.encode(), d, hashlib.sha256).digest())
    assert token_reason(token) == "invalid claim"


def test_checkout_extension_token_is_refused():
    """RB jwt_payload_test: checkout tokens have iss .../checkouts, bare dest, no sid."""
    token = make_token(iss=f"https://{SHOP}/checkouts", dest=SHOP, sid=DROP, sub="gid://shopify/Customer/1")
    assert token_reason(token) == "missing claim"


@pytest.mark.parametrize(
    "token",
    ["abc", "a.b", "a.b.c", "....", "a.b.c.d", "eyJhbGciOiJIUzI1NiJ9.!!!.abc", "Bearer x.y.z", "é.é.é"],
)
def test_malformed_tokens(token):
    assert token_reason(token) in ("malformed token", "unsupported algorithm", "bad signature")


@pytest.mark.parametrize("token", [None, "", 123, b"x.y.z"])
def test_missing_token(token):
    assert token_reason(token) == "missing token"


def test_oversized_token():
    assert token_reason("a" * 9000) == "malformed token"


def test_non_object_payload():
    token = hand_token({"alg": "HS256"}, claims(), lambda d: hmac.new(SECRET.encode(), d, hashlib.sha256).digest())
    header, _, _ = token.split(".")
    payload = b64url(b"[1,2,3]")
    sig = b64url(hmac.new(SECRET.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest())
    assert token_reason(f"{header}.{payload}.{sig}") == "malformed token"


def _hs256(data: bytes) -> bytes:
    return hmac.new(SECRET.encode(), data, hashlib.sha256).digest()


@pytest.mark.parametrize(
    "header, payload, expected",
    [
        ({"alg": ["HS256"]}, claims(), "unsupported algorithm"),
        ({"alg": None}, claims(), "unsupported algorithm"),
        ({"alg": "HS256", "b64": False}, claims(), "malformed token"),
        ({"alg": "HS256", "crit": ["b64"]}, claims(), "invalid token"),
        ({"alg": "HS256"}, claims(exp=float("inf")), "invalid claim"),
        ({"alg": "HS256"}, claims(exp=float("nan")), "invalid claim"),
        ({"alg": "HS256"}, claims(dest=f"https://{SHOP}\n", iss=f"https://{SHOP}\n/admin"), "invalid shop"),
        ({"alg": "HS256"}, claims(sub=["42"]), "invalid claim"),
    ],
)
def test_validly_signed_oddities_are_refused(header, payload, expected):
    assert token_reason(hand_token(header, payload, _hs256)) == expected


def test_garbage_never_leaks_pyjwt_exceptions():
    rng = random.Random(1234)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.=+/ "
    valid = make_token()
    for _ in range(300):
        kind = rng.randrange(3)
        if kind == 0:
            token = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 200)))
        elif kind == 1:
            i = rng.randrange(len(valid))
            token = valid[:i] + rng.choice(alphabet) + valid[i + 1 :]
            if token == valid:
                continue
        else:
            token = valid[: rng.randrange(len(valid))]
        if not token:
            continue
        with pytest.raises(AuthError):
            decode(token)


def test_session_token_configuration_errors():
    token = make_token()
    with pytest.raises(TypeError):
        decode_session_token(token, API_KEY, SECRET, "myshopify.com", now=NOW)
    with pytest.raises(ValueError):
        decode_session_token(token, API_KEY, [], "myshopify.com", now=NOW)
    with pytest.raises(ValueError):
        decode_session_token(token, "", [SECRET], "myshopify.com", now=NOW)


# =========================================================================== state cookie

NONCE = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def test_state_round_trip():
    signed_value = sign_state(NONCE, SECRET, NOW)
    assert signed_value.startswith(f"{NONCE}.{NOW}.")
    assert unsign_state(signed_value, [SECRET], NOW + 5) == NONCE


def test_state_rotation():
    signed_value = sign_state(NONCE, OLD_SECRET, NOW)
    assert unsign_state(signed_value, [SECRET, OLD_SECRET], NOW) == NONCE
    assert reason(unsign_state, signed_value, [SECRET], NOW) == "bad state cookie"


@pytest.mark.parametrize(
    "offset, outcome",
    [(0, None), (600, None), (601, "expired state cookie"), (-10, None), (-11, "bad state cookie")],
)
def test_state_age(offset, outcome):
    signed_value = sign_state(NONCE, SECRET, NOW)
    if outcome is None:
        assert unsign_state(signed_value, [SECRET], NOW + offset) == NONCE
    else:
        assert reason(unsign_state, signed_value, [SECRET], NOW + offset) == outcome


def test_state_custom_max_age():
    signed_value = sign_state(NONCE, SECRET, NOW)
    assert reason(unsign_state, signed_value, [SECRET], NOW + 61, max_age=60) == "expired state cookie"


def _tamper_value(s):
    return "0" + s[1:]


def _tamper_time(s):
    value, stamp, mac = s.split(".")
    return f"{value}.{int(stamp) + 1}.{mac}"


def _tamper_mac(s):
    return s[:-1] + ("0" if s[-1] != "0" else "1")


@pytest.mark.parametrize(
    "mutate",
    [
        _tamper_value,
        _tamper_time,
        _tamper_mac,
        lambda s: s.upper(),
        lambda s: s + ".x",
        lambda s: s.rsplit(".", 1)[0],
        lambda s: "",
        lambda s: "a.b.c",
        lambda s: s.replace(".", "..", 1),
        lambda s: "é" + s,
        lambda s: None,
    ],
    ids=["value", "time", "mac", "upper", "extra-part", "no-mac", "empty", "junk", "double-dot", "non-ascii", "none"],
)
def test_state_tampering(mutate):
    assert reason(unsign_state, mutate(sign_state(NONCE, SECRET, NOW)), [SECRET], NOW) == "bad state cookie"


def test_state_key_is_separate_from_the_platform_signing_key():
    """An HMAC made with the raw client secret (e.g. by the platform over an app-proxy
    message an attacker shaped like 'value.timestamp') is not a valid state cookie."""
    forged = f"{NONCE}.{NOW}.{hex_hmac(SECRET, f'{NONCE}.{NOW}')}"
    assert reason(unsign_state, forged, [SECRET], NOW) == "bad state cookie"


@pytest.mark.parametrize("value", ["", "a.b", "a b", "x" * 257, "é", "a;b", None])
def test_state_value_must_be_a_plain_nonce(value):
    with pytest.raises(ValueError):
        sign_state(value, SECRET, NOW)


# =========================================================================== AuthError


def test_auth_error_message_is_the_reason_and_never_a_secret():
    failures = [
        lambda: verify_query_hmac(signed(_callback_pairs(), secret="x" * 40), [SECRET], now=NOW),
        lambda: verify_app_proxy(proxy_signed(_proxy_pairs(), secret="x" * 40), [SECRET], now=NOW),
        lambda: decode(make_token(secret="x" * 40)),
        lambda: decode(make_token(aud="other")),
        lambda: unsign_state(sign_state(NONCE, "x" * 40, NOW), [SECRET], NOW),
    ]
    for failure in failures:
        with pytest.raises(AuthError) as info:
            failure()
        assert str(info.value) == info.value.reason
        assert SECRET not in str(info.value)
        assert info.value.__cause__ is None
