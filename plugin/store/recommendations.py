"""The rows recommendation models read: the change feed, and the catalog, order and shopper reads.

What the blocks earned (impressions, clicks, attributed orders) is ``rec_attribution``'s.

Serving processes keep each shop's model in memory (``plugin.recommendations.serving``)
and tail ``rec_changes`` to stay current: a webhook handler in any process
appends one row per new state of an order or product it wrote (the same state
twice is one row, so a redelivered webhook changes no table), and each process
reads the rows after its own cursor. ``rec_state.generation`` is the big hammer: when
it moves, every process rebuilds the shop's model from scratch.

The feed is read in ``(position, id)`` order, never by id alone: ids are handed
out when a row is inserted but become visible when its transaction commits, so
on PostgreSQL a row with a smaller id can appear after a reader has moved past
it. There a row's position is its transaction's id, and a reader takes only
rows below the oldest transaction still running (``pg_snapshot_xmin``): every
transaction below that line has ended, so nothing can appear behind the
cursor any more. SQLite commits one writer at a time, so a shop's next position
is simply one more than its largest, and every committed row is final.

A crash can take back a row that readers have already seen. A worker's
handler commits without waiting for the disk (``Database.write(durable=False)``),
and PostgreSQL shows such a commit to every session before it is on disk; a
crash loses it and hands its transaction id, the row's position, out again.
A process that had read the lost row would hold a cursor past positions that
new rows then take, and never read them (the scale test lost an order so).
So the feed carries the server's life: a token in ``rec_feed_life``, an
unlogged table, which PostgreSQL empties in every crash recovery (and which
a promoted standby never had). A process reads it with every batch of news
and rebuilds when it is not the token its model was built under. SQLite's
token never changes: its readers die with the machine that could lose a commit.

The catalog and order reads return plain tuples and dicts, never engine
records: turning rows into the engine's records is
``plugin.recommendations.serving.rows``' job. The tuples' columns are named
by ``CATALOG_COLUMNS``, ``ORDER_LINE_COLUMNS`` and ``ORDER_STATE_COLUMNS``
(name -> SQL, in row order), and the decoder finds each column by its name in
the same mapping, so reordering or adding a column cannot silently shift
another. Tuples, not dicts: a rebuild streams a million order lines. Times
are epoch ms here, as everywhere in the schema.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator, Sequence

from .connection import Database
from .sql import chunks, in_list

# The products a shopper may be shown (the catalog's rows, and the tests' reads): not deleted,
# active (or from before statuses), published, or known only from imported orders (clock 0).
AVAILABLE = (
    "p.deleted_at IS NULL AND COALESCE(p.status, 'active') = 'active'"
    " AND (p.published_at IS NOT NULL OR p.source_updated_at = 0)"
)
ORDER_TIME = "COALESCE(o.created_at, o.source_updated_at)"
# The columns of the catalog and order rows, by name (see the module docstring): name -> SQL.
CATALOG_COLUMNS = {
    "product_id": "p.product_id", "title": "p.title", "handle": "p.handle", "url": "p.url",
    "image": "p.image_src", "vendor": "p.vendor", "category": "p.product_type", "tags": "p.tags",
    "created_at": "p.created_at",
    "price": "v.price", "quantity": "v.inventory_quantity", "variant_id": "v.variant_id",  # NULL: no variants
}
ORDER_LINE_COLUMNS = {
    "order_id": "o.order_id", "customer_id": "o.customer_id", "email": "o.email", "ordered_at": ORDER_TIME,
    "product_id": "l.product_id", "quantity": "l.quantity", "price": "l.price",  # NULL: no product lines
}
ORDER_STATE_COLUMNS = {**ORDER_LINE_COLUMNS, "cancelled_at": "o.cancelled_at"}
FEED_SOURCES = {  # kind -> (table, key column, the column that retires the row)
    "order": ("orders", "order_id", "cancelled_at"),
    "product": ("products", "product_id", "deleted_at"),
}

# Where a new feed row sits, and the line below which every row is final (see the module docstring).
FEED_POSITION = {
    "postgresql": "CAST(CAST(pg_current_xact_id() AS TEXT) AS BIGINT)",
    "sqlite": "(SELECT COALESCE(MAX(position), 0) + 1 FROM rec_changes WHERE shop = :shop)",
}
FEED_HORIZON = {
    "postgresql": "CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS TEXT) AS BIGINT)",
    "sqlite": "9223372036854775807",
}
FEED_LIFE = "SELECT token FROM rec_feed_life WHERE id = 1"
FeedCursor = tuple[int, int]  # (position, id) of the last row read


def _select(columns: dict[str, str]) -> str:
    return ", ".join(f"{sql} AS {name}" for name, sql in columns.items())


class Recommendations:
    def __init__(self, database: Database):
        self._d = database

    # ------------------------------------------------------------------ change feed

    def record_change(self, shop: str, kind: str, ref: str, now: int) -> int | None:
        """Append the stored state of an ``order`` or ``product`` to the feed, unless that very state
        (its staleness clock, and cancellation or deletion) is already there. Returns the new row's
        id, or None. Joins the caller's transaction if any."""
        table, key, gone = FEED_SOURCES[kind]
        version = (f"CAST(source_updated_at AS TEXT) || ':' || CAST(source_sequence AS TEXT)"
                   f" || ':' || COALESCE(CAST({gone} AS TEXT), '')")
        with self._d.write() as db:
            rows = list(db.query(
                f"""
                INSERT INTO rec_changes (shop, kind, ref, version, created_at, position)
                SELECT CAST(:shop AS TEXT), CAST(:kind AS TEXT), CAST(:ref AS TEXT), {version}, CAST(:now AS BIGINT),
                    {FEED_POSITION[self._d.dialect]}
                FROM {table} WHERE shop = :shop AND {key} = :ref
                ON CONFLICT (shop, kind, ref, version) DO NOTHING
                RETURNING id
                """,
                {"shop": shop, "kind": kind, "ref": ref, "now": now},
            ))
        return rows[0]["id"] if rows else None

    def changes_since(self, shop: str, cursor: FeedCursor, limit: int = 1000) -> list[tuple[int, int, str, str]]:
        """Final feed rows after ``cursor``, in feed order: ``(position, id, kind, ref)``."""
        return self.feed_news(shop, cursor, limit)[3]

    def feed_news(self, shop: str, cursor: FeedCursor, limit: int = 1000) -> tuple[int, int, int | None, list]:
        """``state``, the server's life token (None: a new life has none yet, see ``feed_life``) and
        ``changes_since``, in one statement (read before every block a process serves)."""
        rows = self._d.rows(
            f"""SELECT s.generation, s.pruned_through, ({FEED_LIFE}) AS life, c.position, c.id, c.kind, c.ref
                FROM (SELECT 1 AS here) AS q LEFT JOIN rec_state s ON s.shop = :shop
                LEFT JOIN (SELECT position, id, kind, ref FROM rec_changes
                           WHERE shop = :shop AND (position > :position OR (position = :position AND id > :id))
                             AND position < {FEED_HORIZON[self._d.dialect]}
                           ORDER BY position, id LIMIT :limit) c ON 1 = 1 ORDER BY c.position, c.id""",
            {"shop": shop, "position": cursor[0], "id": cursor[1], "limit": limit})
        generation, pruned = (0, 0) if rows[0][0] is None else (rows[0][0], rows[0][1])
        return generation, pruned, rows[0][2], [tuple(row[3:]) for row in rows if row[3] is not None]

    def feed_life(self) -> int:
        """The token of the database server's current life (see the module docstring), made by the
        first reader of a life that has none yet. Read it before the feed's cursor: a crash in
        between then shows as a new token at the next read."""
        token = self._d.scalar(FEED_LIFE)
        if token is None:
            self._d.execute("INSERT INTO rec_feed_life (id, token) VALUES (1, :token) ON CONFLICT (id) DO NOTHING",
                            {"token": secrets.randbits(62)})
            token = self._d.scalar(FEED_LIFE)
        return token

    def last_change(self, shop: str) -> FeedCursor:
        """The cursor of the shop's last final feed row ((0, 0) when there is none)."""
        rows = self._d.rows(
            f"""SELECT position, id FROM rec_changes WHERE shop = :shop AND position < {FEED_HORIZON[self._d.dialect]}
                ORDER BY position DESC, id DESC LIMIT 1""", {"shop": shop})
        return (rows[0][0], rows[0][1]) if rows else (0, 0)

    def state(self, shop: str) -> tuple[int, int]:
        """(generation, pruned_through: the last feed position pruned); a shop never rebuilt is generation 0."""
        rows = self._d.rows("SELECT generation, pruned_through FROM rec_state WHERE shop = :shop", {"shop": shop})
        return (rows[0][0], rows[0][1]) if rows else (0, 0)

    def bump_generation(self, shop: str, now: int, prune_before: int | None = None) -> int:
        """Move the shop's generation (every process rebuilds) and, in the same transaction,
        drop feed rows older than ``prune_before``: a rebuild reads the tables, not the feed."""
        with self._d.write() as db:
            rows = list(db.query(
                """
                INSERT INTO rec_state (shop, generation, updated_at) VALUES (:shop, 1, :now)
                ON CONFLICT (shop) DO UPDATE SET generation = rec_state.generation + 1, updated_at = excluded.updated_at
                RETURNING generation
                """,
                {"shop": shop, "now": now},
            ))
            if prune_before is not None:
                self._prune(db, shop, prune_before, now)
        return rows[0]["generation"]

    def prune_changes(self, shop: str, before: int, now: int) -> int:
        """Drop feed rows created before ``before``; returns how many."""
        with self._d.write() as db:
            return self._prune(db, shop, before, now)

    def _prune(self, db, shop: str, before: int, now: int) -> int:
        """Delete the old rows' positions, except the newest position the shop has: SQLite numbers
        a shop's positions from its largest, which must never go back."""
        last = db.execute(
            f"""SELECT MAX(position) FROM rec_changes WHERE shop = :shop AND created_at < :before
                  AND position < (SELECT MAX(position) FROM rec_changes WHERE shop = :shop)
                  AND position < {FEED_HORIZON[self._d.dialect]}""",
            {"shop": shop, "before": before}).scalar()
        if last is None:
            return 0
        deleted = db.execute("DELETE FROM rec_changes WHERE shop = :shop AND position <= :last",
                             {"shop": shop, "last": last}).rowcount
        db.execute(
            """
            INSERT INTO rec_state (shop, generation, pruned_through, updated_at) VALUES (:shop, 0, :last, :now)
            ON CONFLICT (shop) DO UPDATE SET pruned_through = excluded.pruned_through, updated_at = excluded.updated_at
            """,
            {"shop": shop, "last": last, "now": now},
        )
        return deleted

    # ------------------------------------------------------------------ catalog

    def catalog(self, shop: str) -> Iterator[tuple]:
        """Available products, one row per variant (variant columns NULL when it has none),
        grouped by product: ``CATALOG_COLUMNS`` in order."""
        yield from self._d.stream(
            f"""
            SELECT {_select(CATALOG_COLUMNS)}
            FROM products p LEFT JOIN product_variants v ON v.shop = p.shop AND v.product_id = p.product_id
            WHERE p.shop = :shop AND {AVAILABLE}
            ORDER BY p.product_id
            """,
            {"shop": shop},
        )

    def catalog_of(self, shop: str, product_ids: Sequence[str]) -> list[tuple]:
        """``catalog`` rows of these products only; an id missing from the answer is not available."""
        found: list[tuple] = []
        for chunk in chunks(list(product_ids)):
            ids_sql, ids = in_list("product", chunk)
            found.extend(self._d.rows(
                f"""
                SELECT {_select(CATALOG_COLUMNS)}
                FROM products p LEFT JOIN product_variants v ON v.shop = p.shop AND v.product_id = p.product_id
                WHERE p.shop = :shop AND p.product_id IN ({ids_sql}) AND {AVAILABLE}
                ORDER BY p.product_id
                """,
                {**ids, "shop": shop},
            ))
        return found

    def currency(self, shop: str) -> str | None:
        """The currency of the shop's latest order: prices are in it (the shop row does not say)."""
        return self._d.scalar(
            "SELECT currency FROM orders WHERE shop = :shop AND currency IS NOT NULL"
            " ORDER BY created_at DESC NULLS LAST LIMIT 1",
            {"shop": shop},
        )

    # ------------------------------------------------------------------ orders

    def order_count(self, shop: str) -> int:
        return self._d.scalar("SELECT COUNT(*) FROM orders WHERE shop = :shop", {"shop": shop})

    def order_lines(self, shop: str) -> Iterator[tuple]:
        """Every line of every order that counts (not cancelled), in time order, grouped by order:
        ``ORDER_LINE_COLUMNS`` in order. Streamed."""
        yield from self._d.stream(
            f"""
            SELECT {_select(ORDER_LINE_COLUMNS)}
            FROM orders o JOIN order_lines l ON l.shop = o.shop AND l.order_id = o.order_id
            WHERE o.shop = :shop AND o.cancelled_at IS NULL AND l.product_id IS NOT NULL
            ORDER BY ordered_at, o.order_id, l.position
            """,
            {"shop": shop},
        )

    def orders_of(self, shop: str, order_ids: Sequence[str]) -> list[tuple]:
        """Like ``order_lines`` for these orders, cancelled ones included: ``ORDER_STATE_COLUMNS``
        in order. An order with no product lines gives one row with a NULL product."""
        found: list[tuple] = []
        for chunk in chunks(list(dict.fromkeys(order_ids))):
            ids_sql, ids = in_list("order", chunk)
            found.extend(self._d.rows(
                f"""
                SELECT {_select(ORDER_STATE_COLUMNS)}
                FROM orders o LEFT JOIN order_lines l
                  ON l.shop = o.shop AND l.order_id = o.order_id AND l.product_id IS NOT NULL
                WHERE o.shop = :shop AND o.order_id IN ({ids_sql})
                ORDER BY ordered_at, o.order_id, l.position
                """,
                {**ids, "shop": shop},
            ))
        return found

    # ------------------------------------------------------------------ shoppers

    def shopper(self, shop: str, visitor_id: str) -> dict | None:
        """The visitor's person: its id, email and customer id (None for an unknown visitor)."""
        return self._d.one(
            """
            SELECT p.person_id, p.email, p.customer_id
            FROM visitors v JOIN people p ON p.shop = v.shop AND p.person_id = v.person_id
            WHERE v.shop = :shop AND v.visitor_id = :visitor_id
            """,
            {"shop": shop, "visitor_id": visitor_id},
        )

    def product_views(self, shop: str, person_id: str, limit: int = 50) -> list[tuple[str, int]]:
        """The person's latest product views on any of their devices: (product id, time ms), newest first."""
        rows = self._d.rows(
            """
            SELECT e.data, e.occurred_at FROM storefront_events e
            WHERE e.shop = :shop AND e.type = 'product_view'
              AND e.visitor_id IN (SELECT visitor_id FROM visitors WHERE shop = :shop AND person_id = :person_id)
            ORDER BY e.occurred_at DESC LIMIT :limit
            """,
            {"shop": shop, "person_id": person_id, "limit": limit},
        )
        views = []
        for data, at in rows:
            item = json.loads(data).get("i")
            if isinstance(item, str) and item:
                views.append((item, at))
        return views
