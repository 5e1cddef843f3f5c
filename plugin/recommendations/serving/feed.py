"""The change feed: webhook handlers append to it, every serving process tails it.

Webhooks are processed by worker processes, not by the process serving the
storefront. The order and product handlers append one row to ``rec_changes``
per new state in their own transaction (so a change is in the feed exactly
when it is in the tables); before answering, a serving process applies the
rows after its snapshot's cursor: a new order is one ``add_order`` (bounded
work: the model's pair cap), a product is one product re-read. The rows go
to a new snapshot that shares what they leave alone (``Snapshot.draft``):
the one being read is never changed.
"""

from __future__ import annotations

from ...clock import DAY_MS, now_ms
from ...store import Store
from ...store.recommendations import ORDER_STATE_COLUMNS
from .rows import cancelled_orders, orders_from_rows, products_from_rows
from .snapshot import Snapshot

FEED_KEEP_MS = DAY_MS  # feed rows kept; a model idle for registry.IDLE_EVICT_S is rebuilt anyway
PRUNE_EVERY = 1024  # feed ids: every so many appends, the appender prunes old rows
TAIL_BATCH = 1000


def record(store: Store, shop: str, kind: str, ref: str, now: int | None) -> None:
    """Append the stored state of an ``order`` or ``product`` (nothing if that state is in already)."""
    now = now_ms() if now is None else now
    change = store.recommendations.record_change(shop, kind, ref, now)
    if change is not None and change % PRUNE_EVERY == 0:
        store.recommendations.prune_changes(shop, now - FEED_KEEP_MS, now)


def _apply_orders(store: Store, shop: str, draft: Snapshot, order_ids: list[str]) -> None:
    rows = store.recommendations.orders_of(shop, order_ids)
    cancelled = cancelled_orders(rows)
    for order in orders_from_rows(rows, ORDER_STATE_COLUMNS):
        if order.order_id in cancelled:
            if order.order_id in draft.counted:
                draft.cancelled.add(order.order_id)
        elif order.order_id not in draft.counted:
            draft.own_model().add_order(order)
            draft.counted.add(order.order_id)


def _apply_products(store: Store, shop: str, draft: Snapshot, product_ids: list[str]) -> None:
    catalog, display = draft.own_catalog()
    found = set()
    for product, shown in products_from_rows(store.recommendations.catalog_of(shop, product_ids)):
        catalog.put(product)
        display[product.item] = shown
        found.add(product.item)
    for product_id in set(product_ids) - found:  # deleted, archived, unpublished
        catalog.remove(product_id)
        display.pop(product_id, None)


def tail(store: Store, shop: str, snap: Snapshot, changes: list | None = None) -> Snapshot:
    """``snap`` with the feed rows after its cursor applied: ``snap`` itself when there are none, else a
    new snapshot (a ``draft``), for the caller to publish. ``snap`` stays as it was: requests read it.
    ``changes``: the first ``TAIL_BATCH`` rows after the cursor, when the caller has read them."""
    if changes is None:
        changes = store.recommendations.changes_since(shop, snap.cursor, TAIL_BATCH)
    if not changes:
        return snap
    draft = snap.draft()
    while changes:
        orders = [ref for _, _, kind, ref in changes if kind == "order"]
        products = list(dict.fromkeys(ref for _, _, kind, ref in changes if kind == "product"))
        if orders:
            _apply_orders(store, shop, draft, orders)
        if products:
            _apply_products(store, shop, draft, products)
        draft.cursor = (changes[-1][0], changes[-1][1])
        if len(changes) < TAIL_BATCH:
            break
        changes = store.recommendations.changes_since(shop, draft.cursor, TAIL_BATCH)
    return draft
