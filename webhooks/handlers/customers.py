"""customers/create, customers/update: who the shop's customers are and whether they consented.

Newer payloads carry ``email_marketing_consent``; older ones only the
``accepts_marketing`` flag, read as subscribed / not_subscribed.
"""

from __future__ import annotations

from plugin.clock import now_ms
from plugin.store import Delivery, Store
from plugin.store.commerce import Customer

from .payload import email, epoch_ms, money, platform_id, sequence, source_time, tags


def _consent(payload: dict) -> tuple[str | None, str | None, int | None]:
    consent = payload.get("email_marketing_consent")
    if consent:
        return consent.get("state"), consent.get("opt_in_level"), epoch_ms(consent.get("consent_updated_at"))
    if payload.get("accepts_marketing") is None:
        return None, None, None
    return (
        "subscribed" if payload["accepts_marketing"] else "not_subscribed",
        payload.get("marketing_opt_in_level"),
        epoch_ms(payload.get("accepts_marketing_updated_at")),
    )


def handle(store: Store, delivery: Delivery, payload: dict) -> None:
    state, level, consent_at = _consent(payload)
    address = payload.get("default_address") or {}
    orders_count = payload.get("orders_count")
    customer_id = platform_id(payload["id"])
    applied = store.commerce.upsert_customer(
        delivery.shop,
        Customer(
            customer_id=customer_id,
            source_updated_at=source_time(payload, delivery),
            source_sequence=sequence(delivery),
            email=email(payload.get("email")),
            first_name=payload.get("first_name"),
            last_name=payload.get("last_name"),
            marketing_state=state,
            marketing_opt_in_level=level,
            marketing_consent_at=consent_at,
            orders_count=None if orders_count is None else int(orders_count),
            total_spent=money(payload.get("total_spent")),
            tags=tags(payload.get("tags")),
            city=address.get("city"),
            country=address.get("country"),
            country_code=address.get("country_code"),
            created_at=epoch_ms(payload.get("created_at")),
            updated_at=epoch_ms(payload.get("updated_at")),
        ),
    )
    if applied:  # location and ids reach the shopper's profile, off the webhook path
        store.profiles.enqueue(delivery.shop, "customer", customer_id, now_ms())
