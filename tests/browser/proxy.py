"""Helpers shared by the storefront tests: app-proxy signing and a ready shop.

The signature is computed here from platform.md §5, independently of
``plugin.auth``: decoded values, repeated keys joined with ``,``, sorted
``k=v`` strings concatenated with nothing, hex HMAC-SHA256.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlencode

BROWSER_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/124.0.0.0 Safari/537.36")
MOBILE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
             "Version/17.4 Mobile/15E148 Safari/604.1")


def proxy_signature(pairs: list[tuple[str, str]], secret: str) -> str:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        if key != "signature":
            grouped.setdefault(key, []).append(value)
    message = "".join(sorted(f"{k}={','.join(v)}" for k, v in grouped.items()))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def signed(path: str, shop: str, secret: str, params: dict | None = None, *, customer: str = "",
           timestamp: int | None = None, extra: list[tuple[str, str]] | None = None) -> str:
    """``path?query`` as the platform's proxy forwards it, signed."""
    pairs = list((params or {}).items()) + [
        ("shop", shop), ("logged_in_customer_id", customer), ("path_prefix", "/apps/storelift"),
        ("timestamp", str(int(time.time()) if timestamp is None else timestamp)),
    ] + list(extra or [])
    pairs.append(("signature", proxy_signature(pairs, secret)))
    return f"{path}?{urlencode(pairs)}"


def install(store, shop: str) -> None:
    store.shops.save_install(shop, access_token="shpat_test", scopes=("write_discounts", "write_customers"),
                             api_version="2026-10", token_expires_at=None, refresh_token=None,
                             refresh_expires_at=None)
