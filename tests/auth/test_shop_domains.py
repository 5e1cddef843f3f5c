"""plugin.auth.common.normalize_shop: which shop domains are accepted, and their canonical form."""

from __future__ import annotations

import pytest

from plugin.auth.common import normalize_shop

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
