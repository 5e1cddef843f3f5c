"""Product image URLs asked of the platform's CDN at the size a card shows them."""

from __future__ import annotations

from plugin.platform.images import sized, srcset


def test_the_cdn_is_asked_for_the_width_and_the_rest_of_the_query_is_kept():
    assert sized("https://cdn.shopify.com/s/files/1/0/files/bag.jpg?v=17", 160) == \
        "https://cdn.shopify.com/s/files/1/0/files/bag.jpg?v=17&width=160"
    assert sized("https://shop.example/cdn/shop/files/bag.jpg?width=2048&v=17", 320) == \
        "https://shop.example/cdn/shop/files/bag.jpg?v=17&width=320"  # a width already there is replaced
    assert sized("/cdn/shop/files/bag.png", 160) == "/cdn/shop/files/bag.png?width=160"  # the shop's own path


def test_another_host_is_left_as_it_is_since_it_may_not_resize():
    for url in ("https://images.example.com/bag.jpg?v=1", "https://shop.example/files/bag.jpg", "/bag.jpg"):
        assert sized(url, 160) == url
        assert srcset(url, (160, 320)) is None


def test_srcset_offers_each_width_for_the_browser_to_choose():
    assert srcset("https://cdn.shopify.com/s/files/bag.jpg?v=2", (160, 320)) == (
        "https://cdn.shopify.com/s/files/bag.jpg?v=2&width=160 160w, "
        "https://cdn.shopify.com/s/files/bag.jpg?v=2&width=320 320w")
