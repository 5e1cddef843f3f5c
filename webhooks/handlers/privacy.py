"""The mandatory privacy topics: customers/data_request, customers/redact, shop/redact.

Requests are keyed by the ``X-Shopify-Shop-Domain`` of the delivery, never
by the payload's ``shop_domain``. What is held, exported and erased is
decided by ``plugin.store.privacy.PII_TABLES``; these handlers only read the
request.
"""

from __future__ import annotations

from plugin.recommendations.serving import api as recommendations
from plugin.store import Delivery, Store

from .app import reinstalled_since
from .payload import email, platform_id


def _subject(payload: dict, orders_key: str) -> dict:
    """Who the request is about; one that names nobody is refused, to be inspected in the dead letters."""
    customer = payload.get("customer") or {}
    subject = {
        "customer_id": platform_id(customer.get("id")),
        "email": email(customer.get("email")),
        "order_ids": tuple(platform_id(i) for i in payload.get(orders_key) or []),
    }
    if not (subject["customer_id"] or subject["email"]):
        raise ValueError("privacy request names no customer id or email")
    return subject


def _requested_at(delivery: Delivery) -> int:
    return delivery.triggered_at or delivery.received_at


def handle_data_request(store: Store, delivery: Delivery, payload: dict) -> None:
    """Build the export now and keep it for the merchant to download and send on."""
    request = payload.get("data_request") or {}
    store.privacy.answer_data_request(
        delivery.shop,
        request_id=platform_id(request.get("id")),
        requested_at=_requested_at(delivery),
        **_subject(payload, "orders_requested"),
    )


def handle_customer_redact(store: Store, delivery: Delivery, payload: dict) -> None:
    """Erase the customer; if an erased order still named a shopper, every process rebuilds its model.

    The recommendation models hold shoppers' order histories in memory, keyed
    by customer id or email; a rebuild reads the anonymised orders, so the
    history is gone everywhere. A replayed request finds no order still
    naming anyone and rebuilds nothing.
    """
    subject = _subject(payload, "orders_to_redact")
    named = store.privacy.names_orders(delivery.shop, subject["customer_id"], subject["email"], subject["order_ids"])
    store.privacy.erase_customer(delivery.shop, requested_at=_requested_at(delivery), **subject)
    if named:
        recommendations.invalidate(store, delivery.shop)


def handle_shop_redact(store: Store, delivery: Delivery, payload: dict) -> None:
    """Remove every row of the shop, but this delivery's own inbox row (see ``Privacy.erase_shop``).

    Skipped when the shop installed again after the request fired: erasing
    then would wipe a live install's token and data.
    """
    if not reinstalled_since(store.shops.get(delivery.shop), delivery):
        store.privacy.erase_shop(delivery.shop, keep_delivery=delivery.id)
