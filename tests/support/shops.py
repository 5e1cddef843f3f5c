"""The one shop factory: a shop installed as after a successful OAuth install."""

from __future__ import annotations

from plugin.clock import DAY_MS, now_ms


def install(store, shop: str, *, token: str = "shpat_test",
            scopes: tuple[str, ...] = ("write_discounts", "write_customers"),
            expires_in_ms: int | None = None):
    """Save ``shop``'s install; with ``expires_in_ms`` the token expires (and has a refresh token)."""
    expiring = expires_in_ms is not None
    return store.shops.save_install(
        shop, access_token=token, scopes=scopes, api_version="2026-10",
        token_expires_at=now_ms() + expires_in_ms if expiring else None,
        refresh_token="shprt_test" if expiring else None,
        refresh_expires_at=now_ms() + 90 * DAY_MS if expiring else None,
    )
