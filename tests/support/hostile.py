"""Shared by the hostile-input tests: correctly signed requests carrying bad data, and a row-count snapshot.

The requests are as the platform would forward them (app-proxy signature,
admin session token, webhook HMAC): what is hostile is only what a shopper,
a script or a compromised merchant browser chose to put inside.
"""

from __future__ import annotations

from plugin.store import catalog

from .app import SECRET, SHOP
from .signing import BROWSER_UA, session_token, signed, webhook_signature

VISITOR = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
SESSION = "a3bb189e-8bf9-3888-9912-ace4e6543002"
STOREFRONT = {"User-Agent": BROWSER_UA, "Content-Type": "text/plain;charset=UTF-8", "X-Forwarded-For": "203.0.113.9"}
PROXY_POSTS = ("/proxy/events", "/proxy/identify", "/proxy/subscribe", "/proxy/recommendations/impression",
               "/proxy/recommendations/click")
ID_40 = "1" * 40
BEYOND_INT64 = str(2**63)


def nested(depth: int, inner: str = "1") -> str:
    """``depth`` lists inside one another: a few bytes that make ``json.loads`` recurse ``depth`` times."""
    return "[" * depth + inner + "]" * depth


def proxy_post(client, path: str, body: str | bytes, *, customer: str = "", params: dict | None = None):
    return client.post(signed(path, SHOP, SECRET, params, customer=customer), data=body, headers=STOREFRONT)


def proxy_get(client, path: str, params: dict, *, customer: str = ""):
    return client.get(signed(path, SHOP, SECRET, params, customer=customer),
                      headers={**STOREFRONT, "Accept": "application/json"})


def admin_headers() -> dict:
    return {"Authorization": f"Bearer {session_token()}", "Content-Type": "application/json",
            "Accept": "application/json"}


def webhook_headers(body: bytes, topic: str, webhook_id: str, shop: str = SHOP) -> dict:
    return {"X-Shopify-Hmac-Sha256": webhook_signature(body), "X-Shopify-Topic": topic,
            "X-Shopify-Shop-Domain": shop, "X-Shopify-Webhook-Id": webhook_id,
            "X-Shopify-API-Version": "2026-10", "Content-Type": "application/json"}


_TABLES: dict[str, list[str]] = {}


def row_counts(store) -> dict[str, int]:
    """Rows per table: equal before and after a refused request means it stored nothing."""
    if store.database.url not in _TABLES:  # the schema does not change during a test: read it once
        _TABLES[store.database.url] = [table.name for table in catalog.tables(store.database.engine)]
    tables = _TABLES[store.database.url]
    return {t: store.database.one(f'SELECT COUNT(*) AS n FROM "{t}"')["n"] for t in tables}

