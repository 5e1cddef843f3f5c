"""carts/create, carts/update: the cart by its token, with its lines.

Cart payloads name no customer; a cart is tied to a person later through
the ``cart_token`` of their checkout or order.
"""

from __future__ import annotations

from plugin.store import Delivery, Store
from plugin.store.commerce import Cart

from .payload import epoch_ms, lines, platform_id, sequence, source_time


def handle(store: Store, delivery: Delivery, payload: dict) -> None:
    store.commerce.upsert_cart(
        delivery.shop,
        Cart(
            cart_token=payload.get("token") or platform_id(payload["id"]),
            source_updated_at=source_time(payload, delivery),
            source_sequence=sequence(delivery),
            created_at=epoch_ms(payload.get("created_at")),
            updated_at=epoch_ms(payload.get("updated_at")),
            lines=lines(payload.get("line_items")),
        ),
    )
