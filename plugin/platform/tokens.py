"""The one place that turns a shop into an authenticated platform client.

Offline tokens expire (platform.md §1.5: one hour, with a refresh token), so
every caller goes through ``client_for_shop``, which refreshes ahead of
expiry and saves the new pair before anyone uses the old one. A per-shop lock
(``store.shops.refreshing``, per process and database) keeps two threads from
spending the same refresh token at once.
"""

from __future__ import annotations

import requests

from ..clock import now_ms
from ..config import Config
from ..store import Store
from .client import PlatformClient

# Refresh this long before expiry so a slow request never starts with a dying token.
REFRESH_MARGIN_MS = 5 * 60 * 1000


class ShopNotInstalled(Exception):
    """The shop has no usable token: never installed, or uninstalled."""

    def __init__(self, shop: str):
        super().__init__(f"{shop} has not installed Storelift")
        self.shop = shop


# A person waiting on a page gets one retry; background work gets the client's full patience.
INTERACTIVE_ATTEMPTS = 2


def client_for_shop(
    config: Config,
    store: Store,
    shop: str,
    *,
    session: requests.Session | None = None,
    max_attempts: int = 5,
) -> PlatformClient:
    """An Admin API client for ``shop`` holding a token valid for at least the margin."""
    with store.shops.refreshing(shop):
        record = store.shops.get(shop)
        if record is None or not record.installed:
            raise ShopNotInstalled(shop)
        base_url = config.shop_base_url(shop)
        token = record.access_token
        expires = record.token_expires_at
        if expires is not None and expires - now_ms() < REFRESH_MARGIN_MS:
            if not record.refresh_token:
                raise ShopNotInstalled(shop)
            grant = PlatformClient(
                base_url, config.api_version, session=session, max_attempts=max_attempts
            ).refresh(
                config.api_key, config.signing_secret, record.refresh_token
            )
            store.shops.save_refreshed_token(
                shop,
                access_token=grant.access_token,
                token_expires_at=grant.expires_at_ms,
                refresh_token=grant.refresh_token,
                refresh_expires_at=grant.refresh_expires_at_ms,
            )
            token = grant.access_token
        return PlatformClient(
            base_url, record.api_version or config.api_version, token, session=session, max_attempts=max_attempts
        )
