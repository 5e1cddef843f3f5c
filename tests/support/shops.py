"""The one shop factory: a shop installed as after a successful OAuth install."""

from __future__ import annotations

from plugin.clock import DAY_MS, now_ms
from plugin.experiments.settings import EXPERIMENTS


def install(store, shop: str, *, token: str = "shpat_test",
            scopes: tuple[str, ...] = ("write_discounts", "write_customers"),
            expires_in_ms: int | None = None):
    """Save ``shop``'s install; with ``expires_in_ms`` the token expires (and has a refresh token).
    The shop keeps no holdouts (``without_holdouts``)."""
    expiring = expires_in_ms is not None
    without_holdouts(store, shop)
    return store.shops.save_install(
        shop, access_token=token, scopes=scopes, api_version="2026-10",
        token_expires_at=now_ms() + expires_in_ms if expiring else None,
        refresh_token="shprt_test" if expiring else None,
        refresh_expires_at=now_ms() + 90 * DAY_MS if expiring else None,
    )


def without_holdouts(store, shop: str) -> None:
    """Every surface for everyone: a test of what a surface does is no 10 % lottery on a random salt.
    The holdouts' own tests set a split and pick people by their bucket."""
    EXPERIMENTS.save(store, shop, {**EXPERIMENTS.defaults(), "holdout_percent": 0})
