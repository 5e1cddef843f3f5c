"""orders/create, orders/updated, orders/paid, orders/cancelled: one order state, newest wins.

All four topics carry the whole order, so one handler serves them; a
cancelled order keeps its row with ``cancelled_at`` set, which every
aggregate excludes. An order that used one of the capture widget's pool codes
marks it redeemed, so it is never shown to its subscriber again.
"""

from __future__ import annotations

from plugin.capture.codes import record_redemptions
from plugin.clock import now_ms
from plugin.recommendations.serving import api as recommendations
from plugin.people import refresh
from plugin.store import Delivery, Store
from plugin.store.commerce import Order

from .payload import customer_of, epoch_ms, lines, money, platform_id, sequence, source_time


def handle(store: Store, delivery: Delivery, payload: dict) -> None:
    customer_id, email = customer_of(payload)
    order_id = platform_id(payload["id"])
    applied = store.commerce.upsert_order(
        delivery.shop,
        Order(
            order_id=order_id,
            source_updated_at=source_time(payload, delivery),
            source_sequence=sequence(delivery),
            name=payload.get("name"),
            email=email,
            customer_id=customer_id,
            currency=payload.get("currency"),
            total_price=money(payload.get("total_price")),
            subtotal_price=money(payload.get("subtotal_price")),
            total_discounts=money(payload.get("total_discounts")),
            discount_codes=tuple(
                {"code": d.get("code"), "amount": money(d.get("amount")), "type": d.get("type")}
                for d in payload.get("discount_codes") or []
            ),
            cart_token=payload.get("cart_token"),
            checkout_token=payload.get("checkout_token"),
            checkout_id=platform_id(payload.get("checkout_id")),
            landing_site=payload.get("landing_site"),
            referring_site=payload.get("referring_site"),
            source_name=payload.get("source_name"),
            financial_status=payload.get("financial_status"),
            cancelled_at=epoch_ms(payload.get("cancelled_at")),
            created_at=epoch_ms(payload.get("created_at")),
            updated_at=epoch_ms(payload.get("updated_at")),
            lines=lines(payload.get("line_items")),
        ),
    )
    used = [d.get("code") for d in payload.get("discount_codes") or [] if isinstance(d, dict)]
    if used:  # every version of the order carries its codes: recording them again changes nothing
        record_redemptions(store, delivery.shop, used, order_id, now_ms())
    if applied:  # the buyer's profile and segments follow, off the webhook path; the model learns it
        refresh.queue_refresh(store, delivery.shop, "order", order_id)
        recommendations.on_order(store, delivery.shop, order_id)
