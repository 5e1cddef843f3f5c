"""What the store holds, read back for tests: queries no production code needs, run through the store's database.

Production reads what it serves (a product, a catalog, a block's report); tests also need
to see whole orders, carts and customers, totals and raw click rows to check what
webhooks, imports and the storefront wrote. Those reads live here, not in ``plugin/store``,
so the store keeps only queries the app runs.
"""

from __future__ import annotations

import json
from decimal import Decimal

from plugin.store import Store
from plugin.store.commerce import JSON_COLUMNS
from plugin.store.recommendations import AVAILABLE


def _decoded(row: dict | None) -> dict | None:
    if row is not None:
        for column in JSON_COLUMNS:
            if column in row:
                row[column] = json.loads(row[column])
    return row


def _with_lines(store: Store, shop: str, table: str, key: str, value: str, lines_table: str) -> dict | None:
    params = {"shop": shop, "key": value}
    row = _decoded(store.database.one(f"SELECT * FROM {table} WHERE shop = :shop AND {key} = :key", params))
    if row is not None:
        row["lines"] = store.database.query(
            f"SELECT * FROM {lines_table} WHERE shop = :shop AND {key} = :key ORDER BY position", params)
    return row


# Commerce ---------------------------------------------------------------------------------------

def order(store: Store, shop: str, order_id: str) -> dict | None:
    """The stored order with its ``lines``."""
    return _with_lines(store, shop, "orders", "order_id", order_id, "order_lines")


def cart(store: Store, shop: str, cart_token: str) -> dict | None:
    return _with_lines(store, shop, "carts", "cart_token", cart_token, "cart_lines")


def checkout(store: Store, shop: str, checkout_token: str) -> dict | None:
    return _with_lines(store, shop, "checkouts", "checkout_token", checkout_token, "checkout_lines")


def customer(store: Store, shop: str, customer_id: str) -> dict | None:
    return _decoded(store.database.one("SELECT * FROM customers WHERE shop = :shop AND customer_id = :customer_id",
                                       {"shop": shop, "customer_id": customer_id}))


def order_totals(store: Store, shop: str) -> dict[str, dict]:
    """Orders and revenue per currency, cancelled orders excluded, every sales channel alike (``Decimal`` sums)."""
    totals: dict[str, dict] = {}
    for row in store.database.query(
        "SELECT currency, total_price FROM orders WHERE shop = :shop AND cancelled_at IS NULL", {"shop": shop}
    ):
        entry = totals.setdefault(row["currency"], {"orders": 0, "revenue": Decimal("0")})
        entry["orders"] += 1
        entry["revenue"] += Decimal(row["total_price"] or "0")
    return {currency: {"orders": t["orders"], "revenue": str(t["revenue"])} for currency, t in totals.items()}


def product_sales(store: Store, shop: str) -> list[dict]:
    """Per product: how many orders bought it and how many units, cancelled orders excluded."""
    return store.database.query(
        """
        SELECT l.product_id, COUNT(DISTINCT l.order_id) AS orders, SUM(l.quantity) AS units
        FROM order_lines l
        JOIN orders o ON o.shop = l.shop AND o.order_id = l.order_id
        WHERE l.shop = :shop AND o.cancelled_at IS NULL AND l.product_id IS NOT NULL
        GROUP BY l.product_id
        ORDER BY units DESC, l.product_id
        """,
        {"shop": shop},
    )


def available_products(store: Store, shop: str) -> list[dict]:
    """Products a shopper can be shown, by the store's own rule (``AVAILABLE``), by product id."""
    return [_decoded(row) for row in store.database.query(
        f"SELECT p.* FROM products p WHERE p.shop = :shop AND {AVAILABLE} ORDER BY p.product_id", {"shop": shop})]


# People -----------------------------------------------------------------------------------------

def profiles(store: Store, shop: str) -> list[dict]:
    """Every profile of the shop, decoded as the store decodes one, by person id."""
    ids = store.database.query("SELECT person_id FROM profiles WHERE shop = :shop ORDER BY person_id", {"shop": shop})
    return [store.profiles.get(shop, row["person_id"]) for row in ids]




def segments_of(store: Store, shop: str, person_id: str) -> set[str]:
    """The person's segments (lifecycle stage plus tags); someone without a profile is a new visitor."""
    profile = store.profiles.get(shop, person_id)
    return set(profile["segments"]) if profile is not None else {"new_visitor"}


def segments_of_visitor(store: Store, shop: str, visitor_id: str) -> set[str]:
    """``segments_of`` the person behind a browser's visitor id."""
    visitor = store.identities.visitor(shop, visitor_id)
    return segments_of(store, shop, visitor["person_id"]) if visitor else {"new_visitor"}


# Recommendation blocks --------------------------------------------------------------------------

def impressions(store: Store, shop: str, rec_id: str | None = None) -> list[dict]:
    where, params = ("AND rec_id = :rec_id", {"rec_id": rec_id}) if rec_id else ("", {})
    rows = store.database.query(f"SELECT * FROM rec_impressions WHERE shop = :shop {where} ORDER BY id",
                                {**params, "shop": shop})
    for row in rows:
        row["items"] = json.loads(row["items"])
    return rows


def clicks(store: Store, shop: str, rec_id: str | None = None) -> list[dict]:
    where, params = ("AND rec_id = :rec_id", {"rec_id": rec_id}) if rec_id else ("", {})
    return store.database.query(f"SELECT * FROM rec_clicks WHERE shop = :shop {where} ORDER BY id",
                                {**params, "shop": shop})
