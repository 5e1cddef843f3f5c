"""app/uninstalled: the platform already revoked the token; forget it at once.

The shop's data stays until shop/redact (48 h later), so a merchant who
comes back in between finds everything. A late uninstall delivery that
fired before the shop installed again must not log the new install out.
"""

from __future__ import annotations

from plugin.store import Delivery, Shop, Store


def reinstalled_since(shop: Shop | None, delivery: Delivery) -> bool:
    """True when the shop installed again after the event fired (our clock against the platform's;
    an uninstall and a reinstall are seconds apart at the very least)."""
    return bool(
        shop and shop.installed and shop.installed_at and delivery.triggered_at
        and shop.installed_at > delivery.triggered_at
    )


def handle(store: Store, delivery: Delivery, payload: dict) -> None:
    if not reinstalled_since(store.shops.get(delivery.shop), delivery):
        store.shops.mark_uninstalled(delivery.shop)
