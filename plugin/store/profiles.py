"""Profiles and segment cut points, and the per-person reads that build a profile.

A profile is derived data: ``plugin.people.refresh`` reads one person's history
through the queries here (each one bounded by that person's own rows and served
by an index that starts with ``shop``), folds it with pure functions, and saves
the result. Queries over the whole shop (``scoring_rows``, ``segment_counts``,
``order_identities``) are for the periodic rescore, the rebuild and the admin.
"""

from __future__ import annotations

import json

from .connection import Database
from .sql import chunks, in_list, named

JSON_COLUMNS = ("revenue", "devices", "affinities", "segments")
PROFILE_COLUMNS = (
    "person_id", "customer_id", "email", "first_seen", "last_seen", "visits", "page_views", "product_views",
    "collection_views", "searches", "add_to_carts", "orders", "revenue", "currency", "monetary", "aov",
    "first_order_at", "last_order_at", "devices", "country", "city", "affinities", "affinity_at", "offers_seen",
    "offers_opened", "offers_submitted", "subscribed", "r_score", "f_score", "m_score", "lifecycle", "segments",
    "scored_at", "updated_at",
)
CLOCKS = ("scored_at", "updated_at")  # when a profile was computed, not what it says
SCORING_COLUMNS = ("person_id", "orders", "last_order_at", "monetary", "visits", "product_views", "add_to_carts",
                   "devices", "country", "offers_seen", "offers_opened", "offers_submitted", "subscribed")


def _decoded(row: dict | None) -> dict | None:
    if row is not None:
        for column in JSON_COLUMNS:
            if column in row and isinstance(row[column], str):
                row[column] = json.loads(row[column])
        if "subscribed" in row:
            row["subscribed"] = bool(row["subscribed"])
    return row


def _encoded(value):
    if isinstance(value, (dict, list, tuple, set, frozenset)):
        return json.dumps(sorted(value) if isinstance(value, (set, frozenset)) else value, sort_keys=True,
                          separators=(",", ":"))
    if isinstance(value, bool):
        return int(value)
    return value


class Profiles:
    def __init__(self, database: Database):
        self._d = database

    # ------------------------------------------------------------------ one person's history

    def visitors(self, shop: str, person_id: str) -> list[dict]:
        return self._d.query(
            "SELECT visitor_id, first_seen, last_seen FROM visitors WHERE shop = :shop AND person_id = :person_id"
            " ORDER BY first_seen, visitor_id",
            {"shop": shop, "person_id": person_id},
        )

    def event_counts(self, shop: str, visitor_ids: list[str]) -> tuple[dict, int]:
        """({type: {n, first, last}}, distinct sessions) over every event of these visitors.

        Counted here rather than with GROUP BY, which would lead the planner to
        the (shop, type) index and a scan of the whole shop's events.
        """
        counts: dict[str, dict] = {}
        sessions: set[str] = set()
        for chunk in chunks(visitor_ids):
            ids_sql, ids = in_list("visitor", chunk)
            cursor = self._d.rows(
                f"SELECT type, session_id, occurred_at FROM storefront_events"
                f" WHERE shop = :shop AND visitor_id IN ({ids_sql})",
                {**ids, "shop": shop},
            )
            for kind, session, at in cursor:
                sessions.add(session)
                entry = counts.get(kind)
                if entry is None:
                    counts[kind] = {"n": 1, "first": at, "last": at}
                else:
                    entry["n"] += 1
                    entry["first"], entry["last"] = min(entry["first"], at), max(entry["last"], at)
        return counts, len(sessions)

    def recent_events(self, shop: str, visitor_ids: list[str], limit: int) -> list[dict]:
        """The newest ``limit`` events of these visitors, newest first, ``data`` decoded."""
        rows: list[dict] = []
        for chunk in chunks(visitor_ids):
            ids_sql, ids = in_list("visitor", chunk)
            rows += self._d.query(
                f"""
                SELECT id, type, occurred_at, data FROM storefront_events
                WHERE shop = :shop AND visitor_id IN ({ids_sql}) ORDER BY occurred_at DESC, id DESC LIMIT :limit
                """,
                {**ids, "shop": shop, "limit": limit},
            )
        rows.sort(key=lambda r: (r["occurred_at"], r["id"]), reverse=True)
        for row in rows[:limit]:
            row["data"] = json.loads(row["data"])
        return rows[:limit]

    def orders_of(self, shop: str, *, customer_id: str | None, email: str | None,
                  cart_tokens: list[str]) -> list[dict]:
        """The person's orders: by customer id; by email when the order names no other customer;
        by a cart token the person's visitors used when the order names nobody at all."""
        columns = "order_id, customer_id, email, currency, total_price, cancelled_at, created_at, source_name, origin"
        found: dict[str, dict] = {}
        if customer_id:
            for row in self._d.query(f"SELECT {columns} FROM orders WHERE shop = :shop AND customer_id = :customer_id",
                                     {"shop": shop, "customer_id": customer_id}):
                found[row["order_id"]] = row
        if email:
            # case-fold: SQLite's lower() folds ASCII only, Python's lower() and PostgreSQL's fold all letters
            for row in self._d.query(f"SELECT {columns} FROM orders WHERE shop = :shop AND lower(email) = :email",
                                     {"shop": shop, "email": email.lower()}):
                if row["customer_id"] is None or row["customer_id"] == customer_id:
                    found[row["order_id"]] = row
        for chunk in chunks(cart_tokens):
            tokens_sql, tokens = in_list("cart_token", chunk)
            for row in self._d.query(
                f"SELECT {columns} FROM orders WHERE shop = :shop AND cart_token IN ({tokens_sql})"
                " AND customer_id IS NULL AND email IS NULL",
                {**tokens, "shop": shop},
            ):
                found[row["order_id"]] = row
        return sorted(found.values(), key=lambda r: (r["created_at"] or 0, r["order_id"]))

    def order_lines(self, shop: str, order_ids: list[str]) -> list[dict]:
        rows: list[dict] = []
        for chunk in chunks(order_ids):
            ids_sql, ids = in_list("order", chunk)
            rows += self._d.query(
                f"SELECT order_id, position, product_id, vendor, quantity FROM order_lines"
                f" WHERE shop = :shop AND order_id IN ({ids_sql}) ORDER BY order_id, position",
                {**ids, "shop": shop},
            )
        return rows

    def products(self, shop: str, product_ids: list[str]) -> dict[str, dict]:
        """product_id → {product_type, vendor, tags (list)} for the ids the shop knows."""
        found = {}
        for chunk in chunks(sorted(set(product_ids))):
            ids_sql, ids = in_list("product", chunk)
            for row in self._d.query(
                f"SELECT product_id, product_type, vendor, tags FROM products"
                f" WHERE shop = :shop AND product_id IN ({ids_sql})",
                {**ids, "shop": shop},
            ):
                row["tags"] = json.loads(row["tags"] or "[]")
                found[row.pop("product_id")] = row
        return found

    def customer_place(self, shop: str, customer_id: str) -> dict | None:
        return self._d.one(
            "SELECT city, country, country_code FROM customers WHERE shop = :shop AND customer_id = :customer_id",
            {"shop": shop, "customer_id": customer_id},
        )

    def subscribed(self, shop: str, email: str | None) -> bool:
        """A consent record exists for the person's email (subscribing stitches the browser to it)."""
        return bool(email) and self._d.one(
            "SELECT 1 AS x FROM subscribers WHERE shop = :shop AND email = :email",
            {"shop": shop, "email": email}) is not None

    # ------------------------------------------------------------------ orders → people

    def order_identity(self, shop: str, order_id: str) -> dict | None:
        return self._d.one(
            "SELECT order_id, customer_id, email, cart_token, created_at FROM orders"
            " WHERE shop = :shop AND order_id = :order_id",
            {"shop": shop, "order_id": order_id},
        )

    def cart_visitors(self, shop: str, cart_token: str) -> list[str]:
        rows = self._d.query(
            "SELECT visitor_id FROM visitor_carts WHERE shop = :shop AND cart_token = :cart_token"
            " ORDER BY seen_at, visitor_id",
            {"shop": shop, "cart_token": cart_token},
        )
        return [r["visitor_id"] for r in rows]

    def order_identities(self, shop: str) -> list[dict]:
        """Every distinct (customer id, email) orders name, oldest first: who the rebuild must know."""
        return self._d.query(
            """
            SELECT customer_id, lower(email) AS email, MIN(created_at) AS first_at FROM orders
            WHERE shop = :shop AND (customer_id IS NOT NULL OR email IS NOT NULL)
            GROUP BY customer_id, lower(email) ORDER BY first_at NULLS FIRST, customer_id NULLS FIRST, email NULLS FIRST
            """,  # case-fold: lower(email) folds ASCII only on SQLite, every letter on PostgreSQL
            {"shop": shop},
        )

    def carted_orders(self, shop: str) -> list[dict]:
        """Orders whose cart token a known visitor used (the join identity stitching makes)."""
        return self._d.query(
            """
            SELECT o.order_id, o.cart_token, o.created_at FROM orders o
            WHERE o.shop = :shop AND o.cart_token IS NOT NULL
              AND EXISTS (SELECT 1 FROM visitor_carts c WHERE c.shop = o.shop AND c.cart_token = o.cart_token)
            ORDER BY o.created_at NULLS FIRST, o.order_id
            """,
            {"shop": shop},
        )

    def person_ids(self, shop: str) -> list[str]:
        return [r["person_id"] for r in self._d.query(
            "SELECT person_id FROM people WHERE shop = :shop ORDER BY person_id", {"shop": shop})]

    # ------------------------------------------------------------------ profiles

    def save(self, shop: str, profile: dict) -> bool:
        """Insert or replace the person's profile (call inside ``database.write()``); True when written.

        A profile equal to the stored one but for its clocks is left alone, so
        a replayed delivery or a repeated refresh changes nothing at all.
        """
        row = {"shop": shop, **{c: _encoded(profile[c]) for c in PROFILE_COLUMNS}}
        stored = self._d.one("SELECT * FROM profiles WHERE shop = :shop AND person_id = :person_id",
                             {"shop": shop, "person_id": row["person_id"]})
        if stored is not None and all(stored[c] == row[c] for c in row if c not in CLOCKS):
            return False
        names = list(row)
        updates = ", ".join(f"{c} = excluded.{c}" for c in names if c not in ("shop", "person_id"))
        self._d.execute(
            f"INSERT INTO profiles ({', '.join(names)}) VALUES ({named(names)})"
            f" ON CONFLICT (shop, person_id) DO UPDATE SET {updates}",
            row,
        )
        return True

    def get(self, shop: str, person_id: str) -> dict | None:
        return _decoded(self._d.one("SELECT * FROM profiles WHERE shop = :shop AND person_id = :person_id",
                                    {"shop": shop, "person_id": person_id}))

    def scoring_rows(self, shop: str) -> list[dict]:
        """What segments need of every profile of the shop (the rescore reads nothing else)."""
        return [_decoded(r) for r in self._d.query(
            f"SELECT {', '.join(SCORING_COLUMNS)} FROM profiles WHERE shop = :shop ORDER BY person_id",
            {"shop": shop})]

    def buyers(self, shop: str, *, exclude: str, limit: int) -> list[dict]:
        """Up to ``limit`` buyers other than ``exclude``: a small shop's fixed thresholds need them all,
        and reaching the limit is all a larger shop needs to know."""
        return self._d.query(
            "SELECT last_order_at, orders, monetary FROM profiles"
            " WHERE shop = :shop AND orders > 0 AND person_id <> :exclude"
            " LIMIT :limit",  # no ORDER BY: below the limit every buyer is read anyway, and it stops the scan at the limit
            {"shop": shop, "exclude": exclude, "limit": limit},
        )

    def save_scores(self, shop: str, scores: list[dict]) -> None:
        """Write re-scored segments: dicts of person_id, r_score, f_score, m_score, lifecycle, segments, scored_at."""
        if not scores:
            return
        self._d.executemany(
            """
            UPDATE profiles SET r_score = :r_score, f_score = :f_score, m_score = :m_score, lifecycle = :lifecycle,
                segments = :segments, scored_at = :scored_at
            WHERE shop = :shop AND person_id = :person_id
            """,
            [{"r_score": s["r_score"], "f_score": s["f_score"], "m_score": s["m_score"], "lifecycle": s["lifecycle"],
              "segments": _encoded(s["segments"]), "scored_at": s["scored_at"], "shop": shop,
              "person_id": s["person_id"]} for s in scores],
        )

    def segment_counts(self, shop: str) -> list[tuple[list[str], int]]:
        """(segments, how many profiles have exactly that set): few distinct sets, so the group is small."""
        rows = self._d.query(
            "SELECT segments, COUNT(*) AS n FROM profiles WHERE shop = :shop GROUP BY segments ORDER BY segments",
            {"shop": shop},
        )
        return [(json.loads(r["segments"]), r["n"]) for r in rows]

    # ------------------------------------------------------------------ cut points

    def cuts(self, shop: str) -> dict | None:
        row = self._d.one("SELECT * FROM segment_cuts WHERE shop = :shop", {"shop": shop})
        if row is None:
            return None
        for column in ("recency", "frequency", "monetary"):
            row[column] = json.loads(row[column])
        return row

    def save_cuts(self, shop: str, cuts: dict) -> None:
        self._d.execute(
            """
            INSERT INTO segment_cuts (shop, mode, buyers, recency, frequency, monetary, computed_at)
            VALUES (:shop, :mode, :buyers, :recency, :frequency, :monetary, :computed_at)
            ON CONFLICT (shop) DO UPDATE SET mode = excluded.mode, buyers = excluded.buyers,
                recency = excluded.recency, frequency = excluded.frequency, monetary = excluded.monetary,
                computed_at = excluded.computed_at
            """,
            {"shop": shop, "mode": cuts["mode"], "buyers": cuts["buyers"], "recency": json.dumps(cuts["recency"]),
             "frequency": json.dumps(cuts["frequency"]), "monetary": json.dumps(cuts["monetary"]),
             "computed_at": cuts["computed_at"]},
        )
