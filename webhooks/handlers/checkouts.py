"""checkouts/create, checkouts/update: the raw material of abandoned-checkout emails.

A checkout with an email, lines and no ``completed_at`` after a while is an
abandoned one; ``abandoned_checkout_url`` brings the shopper back to it. Its
emails are planned as soon as it has an email (``plugin.emails.flows``) and
checked again when each is due, so a completed checkout simply gets none.
"""

from __future__ import annotations

from plugin.clock import now_ms
from plugin.emails import flows
from plugin.store import Delivery, Store
from plugin.store.commerce import Checkout

from .payload import customer_of, epoch_ms, lines, money, platform_id, sequence, source_time


def handle(store: Store, delivery: Delivery, payload: dict) -> None:
    customer_id, email = customer_of(payload)
    store.commerce.upsert_checkout(
        delivery.shop,
        Checkout(
            checkout_token=payload["token"],
            source_updated_at=source_time(payload, delivery),
            source_sequence=sequence(delivery),
            checkout_id=platform_id(payload.get("id")),
            cart_token=payload.get("cart_token"),
            email=email,
            customer_id=customer_id,
            currency=payload.get("currency"),
            total_price=money(payload.get("total_price")),
            abandoned_checkout_url=payload.get("abandoned_checkout_url"),
            completed_at=epoch_ms(payload.get("completed_at")),
            created_at=epoch_ms(payload.get("created_at")),
            updated_at=epoch_ms(payload.get("updated_at")),
            lines=lines(payload.get("line_items")),
        ),
    )
    flows.on_checkout(store, delivery.shop, payload["token"], now_ms())
