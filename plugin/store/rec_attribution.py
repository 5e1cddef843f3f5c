"""The rows that say what recommendation blocks earned: impressions, clicks, and orders after a click.

Kept apart from the feed and the model's reads (``recommendations``): these
rows are written by the storefront's events and read only by the merchant's
report (``attribution_summary``), never by a serving model. Revenue is summed
in Python as decimals: SQLite has no decimal type, and money summed as floats
is not exact.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal

from .connection import Database
from .recommendations import ORDER_TIME


class RecAttribution:
    def __init__(self, database: Database):
        self._d = database

    def add_impression(self, shop: str, rec_id: str, visitor_id: str, strategy: str, items: Sequence[str],
                       at: int) -> None:
        with self._d.write() as db:
            db.execute(
                "INSERT INTO rec_impressions (shop, rec_id, visitor_id, strategy, items, seen_at)"
                " VALUES (:shop, :rec_id, :visitor_id, :strategy, :items, :seen_at)",
                {"shop": shop, "rec_id": rec_id, "visitor_id": visitor_id, "strategy": strategy,
                 "items": json.dumps(list(items)), "seen_at": at},
            )

    def add_click(self, shop: str, rec_id: str, visitor_id: str, strategy: str, product_id: str,
                  position: int | None, at: int) -> None:
        with self._d.write() as db:
            db.execute(
                """
                INSERT INTO rec_clicks (shop, rec_id, visitor_id, strategy, product_id, position, clicked_at)
                VALUES (:shop, :rec_id, :visitor_id, :strategy, :product_id, :position, :clicked_at)
                """,
                {"shop": shop, "rec_id": rec_id, "visitor_id": visitor_id, "strategy": strategy,
                 "product_id": product_id, "position": position, "clicked_at": at},
            )

    def block_counts(self, shop: str, since: int, until: int) -> dict[str, dict[str, int]]:
        """Impressions and clicks per strategy in [since, until)."""
        counts: dict[str, dict[str, int]] = {}
        for table, column, name in (("rec_impressions", "seen_at", "impressions"),
                                    ("rec_clicks", "clicked_at", "clicks")):
            for strategy, n in self._d.rows(
                f"SELECT strategy, COUNT(*) FROM {table} WHERE shop = :shop AND {column} >= :since"
                f" AND {column} < :until GROUP BY strategy", {"shop": shop, "since": since, "until": until}):
                counts.setdefault(strategy, {"impressions": 0, "clicks": 0})[name] = n
        return counts

    def attributed(self, shop: str, since: int, until: int, window_ms: int) -> list[dict]:
        """Order lines bought after a click on that product in a block, by the same shopper.

        A click and an order are the same shopper's when the clicking visitor
        used the order's cart, or belongs to the person with the order's
        customer id or email (identity stitching, so any of their devices).
        The order must come within ``window_ms`` after the click; of several
        such clicks the latest wins. The platform's order times are whole
        seconds, so a click in the order's own second counts as before it. Cancelled orders are never attributed.
        Rows: order_id, product_id, rec_id, strategy, clicked_at, ordered_at,
        revenue (the line's decimal string), currency.
        """
        rows = self._d.query(
            f"""
            SELECT o.order_id, {ORDER_TIME} AS ordered_at, o.currency, l.product_id, l.position,
                   l.line_price, l.price, l.quantity, c.rec_id, c.strategy, c.clicked_at
            FROM orders o
            JOIN order_lines l ON l.shop = o.shop AND l.order_id = o.order_id
            JOIN rec_clicks c ON c.shop = l.shop AND c.product_id = l.product_id
            WHERE o.shop = :shop AND o.cancelled_at IS NULL
              AND {ORDER_TIME} >= :since AND {ORDER_TIME} < :until
              AND c.clicked_at < {ORDER_TIME} + 1000 AND c.clicked_at >= {ORDER_TIME} - :window_ms
              AND (
                c.visitor_id IN (SELECT vc.visitor_id FROM visitor_carts vc
                                 WHERE vc.shop = o.shop AND vc.cart_token = o.cart_token)
                OR c.visitor_id IN (SELECT v.visitor_id FROM visitors v
                                    JOIN people p ON p.shop = v.shop AND p.person_id = v.person_id
                                    WHERE v.shop = o.shop
                                      AND (p.customer_id = o.customer_id OR p.email = lower(o.email)))
              )
            ORDER BY o.order_id, l.position, c.clicked_at DESC, c.id DESC
            """,  # case-fold: lower(o.email) folds ASCII only on SQLite, every letter on PostgreSQL
            {"shop": shop, "since": since, "until": until, "window_ms": window_ms},
        )
        latest: dict[tuple[str, int], dict] = {}
        for row in rows:
            key = (row["order_id"], row["position"])
            if key in latest:
                continue
            revenue = row["line_price"]
            if revenue is None and row["price"] is not None:
                revenue = str(Decimal(row["price"]) * row["quantity"])
            latest[key] = {
                "order_id": row["order_id"], "product_id": row["product_id"], "rec_id": row["rec_id"],
                "strategy": row["strategy"], "clicked_at": row["clicked_at"], "ordered_at": row["ordered_at"],
                "revenue": revenue, "currency": row["currency"],
            }
        return list(latest.values())

    # ------------------------------------------------------------------ the merchant's report

    def attribution_summary(self, shop: str, since: int, until: int, window_ms: int) -> dict:
        """What the blocks earned in [since, until), per strategy and in total.

        ``{"blocks": {strategy: row}, "total": row}``, each row ``impressions``,
        ``clicks``, ``orders`` (distinct attributed orders; one order attributed
        to two blocks counts once in the total) and ``revenue``
        ``{currency: decimal string}`` (lines with no price add nothing). The
        revenue is summed here as decimals over ``attributed``'s lines: SQLite
        has no decimal type, and summing money as floats would not be exact.
        """
        def row() -> dict:
            return {"impressions": 0, "clicks": 0, "orders": 0, "revenue": {}}

        blocks: dict[str, dict] = {}
        total = row()
        for strategy, counts in self.block_counts(shop, since, until).items():
            blocks.setdefault(strategy, row()).update(counts)
            total["impressions"] += counts["impressions"]
            total["clicks"] += counts["clicks"]
        orders: dict[str, set[str]] = {}
        revenue: dict[str | None, dict[str, Decimal]] = {}
        for line in self.attributed(shop, since, until, window_ms):
            for key in (line["strategy"], None):  # None: the total
                orders.setdefault(key, set()).add(line["order_id"])
                if line["revenue"] is not None:
                    sums = revenue.setdefault(key, {})
                    currency = line["currency"] or ""
                    sums[currency] = sums.get(currency, Decimal(0)) + Decimal(line["revenue"])
        for key, ids in orders.items():
            target = total if key is None else blocks.setdefault(key, row())
            target["orders"] = len(ids)
            target["revenue"] = {currency: str(amount) for currency, amount in sorted(revenue.get(key, {}).items())}
        return {"blocks": blocks, "total": total}
