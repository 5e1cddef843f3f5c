"""Store rows → the engine's records (and what a block shows), each column found by its name.

The store returns the catalog and order reads as tuples (a rebuild streams a
million order lines: no dict per row) and names their columns, in row order,
in ``CATALOG_COLUMNS``, ``ORDER_LINE_COLUMNS`` and ``ORDER_STATE_COLUMNS``.
The getters here are built from those same mappings by column name, so a
column added to or moved in a query cannot silently shift another.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from operator import itemgetter

from ...store.recommendations import CATALOG_COLUMNS, ORDER_LINE_COLUMNS, ORDER_STATE_COLUMNS
from ..engine.interactions import Order, OrderLine, Product


def getter(columns: dict[str, str], *names: str) -> itemgetter:
    """Reads the named columns of a row shaped like ``columns``: a value for one name, else a tuple."""
    order = list(columns)
    return itemgetter(*(order.index(name) for name in names))


_PRODUCT_ID = getter(CATALOG_COLUMNS, "product_id")
_PRODUCT = getter(CATALOG_COLUMNS, "product_id", "title", "handle", "url", "image", "vendor", "category", "tags",
                  "created_at")
_VARIANT = getter(CATALOG_COLUMNS, "price", "quantity", "variant_id")
_CANCELLED = getter(ORDER_STATE_COLUMNS, "order_id", "cancelled_at")


@dataclass(frozen=True)
class Display:
    title: str
    url: str
    image: str | None
    price: str | None  # decimal string in the shop's currency
    variant_id: str | None  # the only variant (add to cart from the card); None with several


def safe_link(url: str | None) -> str | None:
    """A URL a storefront may link or load: a site path or http(s); never ``javascript:`` & co."""
    if not url:
        return None
    url = url.strip()
    if url.startswith("/") and not url.startswith("//"):
        return url
    if url.lower().startswith(("https://", "http://")):
        return url
    return None


def _decimal(text: str | None) -> Decimal | None:
    try:
        value = Decimal(text) if text is not None else None
    except InvalidOperation:
        return None
    return value if value is not None and value.is_finite() else None


def products_from_rows(rows: Iterable[tuple]) -> Iterator[tuple[Product, Display]]:
    """``catalog`` rows (grouped by product) → each product's engine record and what a block shows."""
    for batch in _grouped(rows, _PRODUCT_ID):
        yield _product(batch)


def _product(rows: list[tuple]) -> tuple[Product, Display]:
    """One product's ``catalog`` rows (one per variant) → the engine's record and what a block shows.

    In stock: any variant not tracked or with stock, or no variants at all
    (products known only from imported orders). Price: the cheapest in-stock
    variant, else the cheapest. A product without a link (nothing to click)
    is treated as unpublished.
    """
    product_id, title, handle, url, image, vendor, category, tags, created_at = _PRODUCT(rows[0])
    variants = [_VARIANT(row) for row in rows]
    stock = [(price, quantity) for price, quantity, _ in variants if price is not None or quantity is not None]
    variant_ids = [variant_id for _, _, variant_id in variants if variant_id is not None]
    in_stock = not stock or any(quantity is None or quantity > 0 for _, quantity in stock)
    prices = [(p, text) for text, quantity in stock if (p := _decimal(text)) is not None
              and (quantity is None or quantity > 0 or not in_stock)]
    price = min(prices)[1] if prices else None
    link = safe_link(url) or (f"/products/{handle}" if handle else None)
    product = Product(
        item=product_id, category=category or None, vendor=vendor or None,
        tags=frozenset(json.loads(tags or "[]")), price=float(min(prices)[0]) if prices else None,
        published=link is not None, in_stock=in_stock,
        created_at=created_at / 1000.0 if created_at is not None else None,
    )
    return product, Display(title=title or "", url=link or "", image=safe_link(image), price=price,
                            variant_id=variant_ids[0] if len(variant_ids) == 1 else None)


def _grouped(rows: Iterable[tuple], key: itemgetter) -> Iterator[list[tuple]]:
    """Consecutive rows with the same ``key`` (the product or order id the reads sort by)."""
    batch: list[tuple] = []
    current = None
    for row in rows:
        at = key(row)
        if batch and at != current:
            yield batch
            batch = []
        current = at
        batch.append(row)
    if batch:
        yield batch


def shopper_key(customer_id: str | None, email: str | None) -> str | None:
    """Whose history an order joins: the customer id, else the (lowercased) email."""
    if customer_id:
        return customer_id
    return "email:" + email.strip().lower() if email and email.strip() else None


def _line(product_id: str, quantity, price) -> OrderLine:
    value = _decimal(price)
    return OrderLine(item=product_id, quantity=float(quantity or 1), price=float(value) if value is not None else None)


def orders_from_rows(rows: Iterable[tuple], columns: dict[str, str] = ORDER_LINE_COLUMNS) -> Iterator[Order]:
    """``order_lines`` rows (or ``orders_of`` rows, with ``ORDER_STATE_COLUMNS``) → the engine's
    orders (times in epoch seconds)."""
    order_of = getter(columns, "order_id", "customer_id", "email", "ordered_at")
    line_of = getter(columns, "product_id", "quantity", "price")
    for batch in _grouped(rows, getter(columns, "order_id")):
        order_id, customer_id, email, at = order_of(batch[0])
        lines = tuple(_line(*line) for line in map(line_of, batch) if line[0] is not None)
        yield Order(order_id=order_id, customer=shopper_key(customer_id, email),
                    time=(at or 0) / 1000.0, lines=lines)


def cancelled_orders(rows: Iterable[tuple]) -> set[str]:
    """The ids of the cancelled orders among ``orders_of`` rows."""
    return {order_id for order_id, cancelled_at in map(_CANCELLED, rows) if cancelled_at is not None}
