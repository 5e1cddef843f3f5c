"""Requests signed as the platform signs them: OAuth queries, webhooks, app-proxy calls, session tokens.

Written from platform.md, independently of ``plugin.auth`` and ``webhooks.verify``, so the tests
check the code against the protocol rather than against itself. App-proxy signatures: decoded
values, repeated keys joined with ``,``, sorted ``k=v`` strings concatenated with nothing, hex
HMAC-SHA256 (§5).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote, urlencode

from .app import API_KEY, SECRET, SHOP


def hex_hmac(message: str, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def signed_query(params: dict, secret: str = SECRET) -> dict:
    """Query parameters plus ``hmac`` as the platform signs OAuth requests (platform.md §1.4)."""
    message = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in sorted(params.items()))
    return {**params, "hmac": hex_hmac(message, secret)}


def webhook_signature(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()



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


def session_token(shop: str = SHOP, **claims) -> str:
    """A session token as the platform's admin issues it to the embedded app (HS256, our API key)."""
    import jwt

    now = int(time.time())
    payload = {"iss": f"https://{shop}/admin", "dest": f"https://{shop}", "aud": API_KEY, "sub": "42",
               "exp": now + 60, "nbf": now - 5, "iat": now - 5, "jti": "j", "sid": "s", **claims}
    return jwt.encode(payload, SECRET, algorithm="HS256")


def webhook_headers(body: bytes, secret: str = SECRET, **extra) -> dict:
    base = {
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Hmac-Sha256": webhook_signature(body, secret),
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-API-Version": "2026-10",
        "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        "X-Shopify-Event-Id": "98880550-7158-44d4-b7cd-2c97c8a091b5",
        "X-Shopify-Triggered-At": "2026-11-23T10:00:00.000000Z",
        "Content-Type": "application/json",
    }
    base.update(extra)
    return {k: v for k, v in base.items() if v is not None}
