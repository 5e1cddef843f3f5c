"""Webhook topic handlers: ``HANDLERS[topic](store, delivery, payload)``.

The worker calls a handler inside the write transaction that also marks the
delivery done, so a handler never commits and never touches the network.
Every handler is idempotent and ignores states older than those it holds:
deliveries arrive late, twice and out of order.
"""

from __future__ import annotations

from typing import Callable

from plugin.store import Delivery, Store

from . import app, carts, checkouts, customers, orders, privacy, products

Handler = Callable[[Store, Delivery, dict], None]

HANDLERS: dict[str, Handler] = {
    "app/uninstalled": app.handle,
    "orders/create": orders.handle,
    "orders/updated": orders.handle,
    "orders/paid": orders.handle,
    "orders/cancelled": orders.handle,
    "carts/create": carts.handle,
    "carts/update": carts.handle,
    "checkouts/create": checkouts.handle,
    "checkouts/update": checkouts.handle,
    "customers/create": customers.handle,
    "customers/update": customers.handle,
    "products/create": products.handle,
    "products/update": products.handle,
    "products/delete": products.handle_delete,
    "customers/data_request": privacy.handle_data_request,
    "customers/redact": privacy.handle_customer_redact,
    "shop/redact": privacy.handle_shop_redact,
}
