"""The platform's image CDN: product images asked for at the size they are shown.

A product image is kept as the platform gives it, often 2,048 px wide and hundreds of kilobytes,
while a recommendation card shows it at 160 px and a cart line in an email at 64 px. The platform's
CDN resizes on request: ``width=N`` in the query, as the theme's ``image_url`` filter writes it,
the height following the image's proportions and never beyond the original's size
(https://shopify.dev/docs/api/liquid/filters/image_url). Only the CDN's own URLs are rewritten
(``cdn.shopify.com``, and a shop's ``/cdn/shop/…`` paths); any other URL is left as it is, since
another host may not resize.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

CDN_HOSTS = frozenset({"cdn.shopify.com"})
SHOP_CDN_PATH = "/cdn/shop/"


@lru_cache(maxsize=16_384)  # a block asks for the same few hundred products' images again and again
def sized(url: str, width: int) -> str:
    """``url`` asking the CDN for the image ``width`` pixels wide; other URLs unchanged."""
    parts = urlsplit(url)
    if parts.hostname not in CDN_HOSTS and not parts.path.startswith(SHOP_CDN_PATH):
        return url
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "width"]
    query.append(("width", str(width)))
    return urlunsplit(parts._replace(query=urlencode(query)))


@lru_cache(maxsize=16_384)
def srcset(url: str, widths: tuple[int, ...]) -> str | None:
    """An ``<img srcset>`` offering ``url`` at each of ``widths`` (``URL 160w, …``), so the browser takes
    the one its screen needs; None when the URL is not the CDN's (it cannot be had smaller)."""
    if sized(url, widths[0]) == url:
        return None
    return ", ".join(f"{sized(url, width)} {width}w" for width in widths)
