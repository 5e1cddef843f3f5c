"""Orders, carts, checkouts, customers and the catalog, as the platform's webhooks describe them.

Deliveries arrive late, twice and out of order, so every write is an upsert
guarded in SQL by ``source_updated_at`` (the payload's ``updated_at`` in epoch
ms, else the delivery's trigger time): an older state never overwrites a newer
one, and applying the same state again changes nothing. Lines are replaced as
a set, and only when their parent row accepted the write, so a stale delivery
leaves parent and lines untouched alike.

Platform ids are TEXT (they exceed 2^53), money stays the platform's decimal
string, never a float.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields

from .connection import Database
from .sql import MAX_ROWS, chunks, named, values_rows

# Newest wins; equal ``updated_at`` (whole seconds on the platform) falls back to the
# delivery's trigger time, so two edits within one second still end with the later one.
NEWER = (
    "(excluded.source_updated_at, excluded.source_sequence)"
    " >= ({table}.source_updated_at, {table}.source_sequence)"
)


@dataclass(frozen=True)
class Line:
    """One line of an order, cart or checkout: the three line tables share these columns."""

    quantity: int
    product_id: str | None = None
    variant_id: str | None = None
    price: str | None = None
    line_price: str | None = None
    line_id: str | None = None
    sku: str | None = None
    title: str | None = None
    variant_title: str | None = None
    vendor: str | None = None


@dataclass(frozen=True)
class Order:
    order_id: str
    source_updated_at: int
    source_sequence: int = 0
    name: str | None = None
    email: str | None = None
    customer_id: str | None = None
    currency: str | None = None
    total_price: str | None = None
    subtotal_price: str | None = None
    total_discounts: str | None = None
    discount_codes: tuple[dict, ...] = ()
    cart_token: str | None = None
    checkout_token: str | None = None
    checkout_id: str | None = None
    landing_site: str | None = None
    referring_site: str | None = None
    source_name: str | None = None
    financial_status: str | None = None
    cancelled_at: int | None = None
    created_at: int | None = None
    updated_at: int | None = None
    origin: str = "webhook"  # 'import' for orders loaded from a merchant's CSV
    lines: tuple[Line, ...] = ()


@dataclass(frozen=True)
class Cart:
    cart_token: str
    source_updated_at: int
    source_sequence: int = 0
    created_at: int | None = None
    updated_at: int | None = None
    lines: tuple[Line, ...] = ()


@dataclass(frozen=True)
class Checkout:
    checkout_token: str
    source_updated_at: int
    source_sequence: int = 0
    checkout_id: str | None = None
    cart_token: str | None = None
    email: str | None = None
    customer_id: str | None = None
    currency: str | None = None
    total_price: str | None = None
    abandoned_checkout_url: str | None = None
    completed_at: int | None = None
    created_at: int | None = None
    updated_at: int | None = None
    lines: tuple[Line, ...] = ()


@dataclass(frozen=True)
class Customer:
    customer_id: str
    source_updated_at: int
    source_sequence: int = 0
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    marketing_state: str | None = None
    marketing_opt_in_level: str | None = None
    marketing_consent_at: int | None = None
    orders_count: int | None = None
    total_spent: str | None = None
    tags: tuple[str, ...] = ()
    city: str | None = None
    country: str | None = None
    country_code: str | None = None
    created_at: int | None = None
    updated_at: int | None = None


@dataclass(frozen=True)
class Variant:
    variant_id: str
    position: int | None = None
    title: str | None = None
    sku: str | None = None
    price: str | None = None
    compare_at_price: str | None = None
    inventory_quantity: int | None = None


@dataclass(frozen=True)
class Product:
    product_id: str
    source_updated_at: int
    source_sequence: int = 0
    title: str | None = None
    handle: str | None = None
    vendor: str | None = None
    product_type: str | None = None
    tags: tuple[str, ...] = ()
    status: str | None = None
    published_at: int | None = None
    image_src: str | None = None
    url: str | None = None
    created_at: int | None = None
    updated_at: int | None = None
    variants: tuple[Variant, ...] = ()


JSON_COLUMNS = ("discount_codes", "tags")
CHILDREN = ("lines", "variants")


def _columns(shop: str, record) -> dict:
    """The table row for a record: its scalar fields, JSON for list fields, children left out."""
    row = {"shop": shop}
    for f in fields(record):
        if f.name in CHILDREN:
            continue
        value = getattr(record, f.name)
        row[f.name] = json.dumps(list(value)) if f.name in JSON_COLUMNS else value
    return row


def _decoded(row: dict | None) -> dict | None:
    if row is not None:
        for column in JSON_COLUMNS:
            if column in row:
                row[column] = json.loads(row[column])
    return row


def _upsert(db, table: str, keys: tuple[str, ...], row: dict, guard: str) -> bool:
    """Insert, or update when ``guard`` holds; True when the row was written."""
    columns = list(row)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in keys)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({named(columns)}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates} WHERE {guard} RETURNING 1"
    )
    return bool(list(db.query(sql, row)))


def _replace(database: Database, table: str, parent: str, shop: str, key: str, children: list[dict]) -> None:
    """Replace a parent's children with ``children`` (call inside ``database.write()``)."""
    database.execute(f"DELETE FROM {table} WHERE shop = :shop AND {parent} = :key", {"shop": shop, "key": key})
    if not children:
        return
    names = ["shop", parent, *children[0]]
    for part in chunks(children, MAX_ROWS):  # an order's lines in one statement; hundreds in a few
        values, params = values_rows(names, [{"shop": shop, parent: key, **child} for child in part])
        database.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES {values}", params)


def _flat(record) -> dict:
    """A line's or variant's fields as a row: scalars all, so no deep copy (``asdict`` makes one)."""
    return {f.name: getattr(record, f.name) for f in fields(record)}


def _lines(lines: tuple[Line, ...]) -> list[dict]:
    return [{"position": position, **_flat(line)} for position, line in enumerate(lines, 1)]


class Commerce:
    def __init__(self, database: Database):
        self._d = database

    def _save(self, shop: str, table: str, key: str, record, child_table: str, child_rows: list[dict],
              guard: str = NEWER) -> bool:
        """Upsert a parent row and, when it was accepted, replace its children (keyed by ``key`` too) as a set."""
        row = _columns(shop, record)
        with self._d.write() as db:
            applied = _upsert(db, table, ("shop", key), row, guard.format(table=table))
            if applied:
                _replace(self._d, child_table, key, shop, row[key], child_rows)
        return applied

    def _get(self, shop: str, table: str, key: str, value: str, child_table: str, child_name: str,
             order_by: str = "position") -> dict | None:
        params = {"shop": shop, "key": value}
        row = _decoded(self._d.one(f"SELECT * FROM {table} WHERE shop = :shop AND {key} = :key", params))
        if row is not None:
            row[child_name] = self._d.query(
                f"SELECT * FROM {child_table} WHERE shop = :shop AND {key} = :key ORDER BY {order_by}", params
            )
        return row

    # Orders -------------------------------------------------------------------------------------

    def upsert_order(self, shop: str, order: Order) -> bool:
        """Store an order and its lines unless a newer state is already held; True when applied."""
        return self._save(shop, "orders", "order_id", order, "order_lines", _lines(order.lines))

    # Carts and checkouts ------------------------------------------------------------------------

    def upsert_cart(self, shop: str, cart: Cart) -> bool:
        return self._save(shop, "carts", "cart_token", cart, "cart_lines", _lines(cart.lines))

    def upsert_checkout(self, shop: str, checkout: Checkout) -> bool:
        return self._save(shop, "checkouts", "checkout_token", checkout, "checkout_lines", _lines(checkout.lines))

    # Customers ----------------------------------------------------------------------------------

    def upsert_customer(self, shop: str, customer: Customer) -> bool:
        with self._d.write() as db:
            return _upsert(db, "customers", ("shop", "customer_id"), _columns(shop, customer),
                           NEWER.format(table="customers"))

    # Catalog ------------------------------------------------------------------------------------

    def upsert_product(self, shop: str, product: Product) -> bool:
        """Store a product and its variants; a deleted product stays deleted, whatever comes later."""
        variants = [_flat(v) for v in product.variants]
        return self._save(shop, "products", "product_id", product, "product_variants", variants,
                          guard=NEWER + " AND {table}.deleted_at IS NULL")

    def delete_product(self, shop: str, product_id: str, at: int) -> bool:
        """Mark a product deleted at ``at``, keeping the row so old orders still resolve.

        A delete that arrives before the product itself leaves a tombstone,
        so the late create cannot bring it back either. True when newly marked.
        """
        with self._d.write() as db:
            rows = list(db.query(
                """
                INSERT INTO products (shop, product_id, deleted_at, source_updated_at)
                VALUES (:shop, :product_id, :at, :at)
                ON CONFLICT (shop, product_id) DO UPDATE SET
                    deleted_at = excluded.deleted_at,
                    source_updated_at = CASE WHEN excluded.source_updated_at > products.source_updated_at
                                             THEN excluded.source_updated_at ELSE products.source_updated_at END
                WHERE products.deleted_at IS NULL
                RETURNING 1
                """,
                {"shop": shop, "product_id": product_id, "at": at},
            ))
        return bool(rows)

    def get_product(self, shop: str, product_id: str) -> dict | None:
        return self._get(shop, "products", "product_id", product_id, "product_variants", "variants",
                         "position, variant_id")
