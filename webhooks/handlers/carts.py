"""carts/create, carts/update: the cart by its token, with its lines.

Cart payloads name no customer; a cart is tied to a person through a browser
of theirs that used it, or later through the ``cart_token`` of their checkout
or order. When its owner's address is known, its emails are planned.
"""

from __future__ import annotations

from plugin.clock import now_ms
from plugin.emails import flows
from plugin.store import Delivery, Store
from plugin.store.commerce import Cart

from .payload import epoch_ms, lines, platform_id, sequence, source_time


def handle(store: Store, delivery: Delivery, payload: dict) -> None:
    cart_token = payload.get("token") or platform_id(payload["id"])
    store.commerce.upsert_cart(
        delivery.shop,
        Cart(
            cart_token=cart_token,
            source_updated_at=source_time(payload, delivery),
            source_sequence=sequence(delivery),
            created_at=epoch_ms(payload.get("created_at")),
            updated_at=epoch_ms(payload.get("updated_at")),
            lines=lines(payload.get("line_items")),
        ),
    )
    flows.on_cart(store, delivery.shop, cart_token, now_ms())
