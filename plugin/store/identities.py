"""People, their visitor ids and cart tokens: the rows identity stitching works on.

Only primitives live here (find, create, re-point, merge); which signal joins
whom is decided in ``plugin.people.identity``, which calls these inside one write
transaction. The commerce tables (filled by webhooks) are read here too,
because joining a cart token or a customer id to an email is a query.
"""

from __future__ import annotations

import secrets

from .connection import Database
from .experiments import merge_exposures
from .sql import in_list

PERSON_COLUMNS = "p.person_id, p.email, p.customer_id"


def new_person_id() -> str:
    return "p_" + secrets.token_hex(12)


class Identities:
    def __init__(self, database: Database):
        self._d = database

    # ------------------------------------------------------------------ reads

    def visitor(self, shop: str, visitor_id: str) -> dict | None:
        """The visitor with its person's email and customer id, or None."""
        return self._d.one(
            f"""
            SELECT v.visitor_id, v.first_seen, v.last_seen, {PERSON_COLUMNS}
            FROM visitors v JOIN people p ON p.shop = v.shop AND p.person_id = v.person_id
            WHERE v.shop = :shop AND v.visitor_id = :visitor_id
            """,
            {"shop": shop, "visitor_id": visitor_id},
        )

    def person(self, shop: str, person_id: str) -> dict | None:
        return self._d.one("SELECT * FROM people WHERE shop = :shop AND person_id = :person_id",
                           {"shop": shop, "person_id": person_id})

    def person_by_email(self, shop: str, email: str) -> dict | None:
        return self._d.one("SELECT * FROM people WHERE shop = :shop AND email = :email", {"shop": shop, "email": email})

    def person_by_customer(self, shop: str, customer_id: str) -> dict | None:
        return self._d.one("SELECT * FROM people WHERE shop = :shop AND customer_id = :customer_id",
                           {"shop": shop, "customer_id": customer_id})

    def visitor_ids(self, shop: str, person_id: str) -> list[str]:
        rows = self._d.query(
            "SELECT visitor_id FROM visitors WHERE shop = :shop AND person_id = :person_id"
            " ORDER BY first_seen, visitor_id",
            {"shop": shop, "person_id": person_id},
        )
        return [r["visitor_id"] for r in rows]

    def customer_email(self, shop: str, customer_id: str) -> str | None:
        """The email the platform's customer record (from webhooks) holds for this id."""
        row = self._d.one(
            "SELECT email FROM customers WHERE shop = :shop AND customer_id = :customer_id AND email IS NOT NULL",
            {"shop": shop, "customer_id": customer_id},
        )
        return row["email"].strip().lower() if row else None

    def customer_for_email(self, shop: str, email: str) -> str | None:
        # case-fold: SQLite's lower() folds ASCII only, PostgreSQL's folds every letter (non-ASCII emails).
        row = self._d.one(
            "SELECT customer_id FROM customers WHERE shop = :shop AND lower(email) = :email"
            " ORDER BY customer_id LIMIT 1",
            {"shop": shop, "email": email},
        )
        return row["customer_id"] if row else None

    def identity_of_cart(self, shop: str, cart_token: str) -> tuple[str | None, str | None]:
        """(email, customer id) that a checkout or order made from this cart carried, newest first."""
        row = self._d.one(
            """
            SELECT email, customer_id FROM (
                SELECT email, customer_id, source_updated_at FROM checkouts WHERE shop = :shop AND cart_token = :cart
                UNION ALL
                SELECT email, customer_id, source_updated_at FROM orders WHERE shop = :shop AND cart_token = :cart
            ) AS found
            WHERE email IS NOT NULL OR customer_id IS NOT NULL
            ORDER BY source_updated_at DESC LIMIT 1
            """,
            {"shop": shop, "cart": cart_token},
        )
        if row is None:
            return None, None
        email = row["email"].strip().lower() if row["email"] else None
        return email or None, row["customer_id"]

    def cart_tokens(self, shop: str, visitor_ids: list[str]) -> list[str]:
        if not visitor_ids:
            return []
        ids_sql, ids = in_list("visitor", visitor_ids)
        rows = self._d.query(
            f"SELECT DISTINCT cart_token FROM visitor_carts WHERE shop = :shop AND visitor_id IN ({ids_sql})",
            {**ids, "shop": shop},
        )
        return [r["cart_token"] for r in rows]

    # ------------------------------------------------------------------ writes (call inside database.write())

    def create_person(self, shop: str, now: int, email: str | None = None, customer_id: str | None = None) -> str:
        person_id = new_person_id()
        self._d.execute(
            "INSERT INTO people (shop, person_id, email, customer_id, created_at, updated_at)"
            " VALUES (:shop, :person_id, :email, :customer_id, :now, :now)",
            {"shop": shop, "person_id": person_id, "email": email, "customer_id": customer_id, "now": now},
        )
        return person_id

    def add_visitor(self, shop: str, visitor_id: str, person_id: str, now: int) -> str:
        """Point a new visitor id at ``person_id``; returns the person it points at, which is another
        one when a concurrent request recorded this visitor first (an upsert, not read-then-insert)."""
        rows = self._d.execute(
            "INSERT INTO visitors (shop, visitor_id, person_id, first_seen, last_seen)"
            " VALUES (:shop, :visitor_id, :person_id, :now, :now)"
            " ON CONFLICT (shop, visitor_id) DO NOTHING RETURNING person_id",
            {"shop": shop, "visitor_id": visitor_id, "person_id": person_id, "now": now},
        ).rows
        return rows[0][0] if rows else self.visitor(shop, visitor_id)["person_id"]

    def seen(self, shop: str, visitor_id: str, now: int) -> None:
        self._d.execute(
            "UPDATE visitors SET last_seen = :now WHERE shop = :shop AND visitor_id = :visitor_id AND last_seen < :now",
            {"now": now, "shop": shop, "visitor_id": visitor_id},
        )

    def move_visitor(self, shop: str, visitor_id: str, person_id: str) -> None:
        self._d.execute(
            "UPDATE visitors SET person_id = :person_id WHERE shop = :shop AND visitor_id = :visitor_id",
            {"person_id": person_id, "shop": shop, "visitor_id": visitor_id},
        )

    def set_person(self, shop: str, person_id: str, now: int, *, email: str | None = None,
                   customer_id: str | None = None) -> None:
        """Fill in the email and/or customer id where the person has none yet."""
        self._d.execute(
            """
            UPDATE people SET email = COALESCE(email, :email), customer_id = COALESCE(customer_id, :customer_id),
                updated_at = :now
            WHERE shop = :shop AND person_id = :person_id
            """,
            {"email": email, "customer_id": customer_id, "now": now, "shop": shop, "person_id": person_id},
        )

    def merge(self, shop: str, loser: str, winner: str, now: int) -> None:
        """Fold ``loser`` into ``winner``: its visitors move, its email/customer id fill gaps, it goes."""
        if loser == winner:
            return
        gone = self.person(shop, loser)
        self._d.execute("UPDATE visitors SET person_id = :winner WHERE shop = :shop AND person_id = :loser",
                        {"winner": winner, "shop": shop, "loser": loser})
        merge_exposures(self._d, shop, loser, winner)  # the winner keeps the first arm each was shown
        self._d.execute("DELETE FROM people WHERE shop = :shop AND person_id = :loser", {"shop": shop, "loser": loser})
        if gone:
            self.set_person(shop, winner, now, email=gone["email"], customer_id=gone["customer_id"])

    def delete_person_if_orphan(self, shop: str, person_id: str) -> None:
        """An anonymous person whose last visitor moved away is nobody: drop it."""
        self._d.execute(
            """
            DELETE FROM people WHERE shop = :shop AND person_id = :person_id AND email IS NULL AND customer_id IS NULL
              AND NOT EXISTS (SELECT 1 FROM visitors v WHERE v.shop = people.shop AND v.person_id = people.person_id)
            """,
            {"shop": shop, "person_id": person_id},
        )

    def add_cart(self, shop: str, cart_token: str, visitor_id: str, now: int) -> None:
        self._d.execute(
            """
            INSERT INTO visitor_carts (shop, cart_token, visitor_id, seen_at)
            VALUES (:shop, :cart_token, :visitor_id, :now)
            ON CONFLICT (shop, cart_token, visitor_id) DO UPDATE SET seen_at = excluded.seen_at
            """,
            {"shop": shop, "cart_token": cart_token, "visitor_id": visitor_id, "now": now},
        )
