"""Email capture: discount campaigns, the code pool and subscribers.

The pool is what makes "never one code to two people" a database fact: a code
moves from ``free`` to ``assigned`` in one UPDATE inside the subscriber's write
transaction (on SQLite one writer at a time; on PostgreSQL the UPDATE re-checks
``state = 'free'`` on the row it locked, and concurrent subscribers skip each
other's picks), and the subscriber row's primary key (shop, email) makes a
second submission find the first.
"""

from __future__ import annotations

from ..clock import now_ms
from .connection import Database
from .sql import claim_rows

SYNC_PENDING, SYNC_DONE, SYNC_FAILED = "pending", "done", "failed"

TAKE_CODE = claim_rows(
    "capture_codes", "code", scope="shop = :shop AND state = 'free'",
    where="shop = :shop AND campaign_id = :campaign_id AND state = 'free' AND redeemed_at IS NULL",
    order_by="created_at, code", assign={"state": "'assigned'", "assigned_at": ":now"})


class Capture:
    def __init__(self, database: Database):
        self._d = database

    # ------------------------------------------------------------------ campaigns

    def current_campaign(self, shop: str) -> dict | None:
        return self._d.one(
            "SELECT * FROM capture_campaigns WHERE shop = :shop AND retired_at IS NULL ORDER BY id DESC LIMIT 1",
            {"shop": shop},
        )

    def campaign(self, shop: str, campaign_id: int) -> dict | None:
        return self._d.one("SELECT * FROM capture_campaigns WHERE shop = :shop AND id = :campaign_id",
                           {"shop": shop, "campaign_id": campaign_id})

    def add_campaign(self, shop: str, *, discount_key: str, discount_id: str, title: str, starts_at: int,
                     ends_at: int | None) -> int:
        """Record a discount just created on the platform; older campaigns retire and their free codes too."""
        now = now_ms()
        with self._d.write() as db:
            db.execute(
                "UPDATE capture_codes SET state = 'retired' WHERE shop = :shop AND state = 'free'"
                " AND campaign_id IN (SELECT id FROM capture_campaigns WHERE shop = :shop AND retired_at IS NULL)",
                {"shop": shop},
            )
            db.execute("UPDATE capture_campaigns SET retired_at = :now WHERE shop = :shop AND retired_at IS NULL",
                       {"now": now, "shop": shop})
            rows = list(db.query(
                """
                INSERT INTO capture_campaigns (shop, discount_key, discount_id, title, starts_at, ends_at, created_at)
                VALUES (:shop, :discount_key, :discount_id, :title, :starts_at, :ends_at, :now) RETURNING id
                """,
                {"shop": shop, "discount_key": discount_key, "discount_id": discount_id, "title": title,
                 "starts_at": starts_at, "ends_at": ends_at, "now": now},
            ))
        return rows[0]["id"]

    # ------------------------------------------------------------------ code pool

    def add_codes(self, shop: str, campaign_id: int, codes: list[str]) -> int:
        if not codes:
            return 0
        now = now_ms()
        with self._d.write():
            self._d.executemany(
                """
                INSERT INTO capture_codes (shop, code, campaign_id, state, created_at)
                VALUES (:shop, :code, :campaign_id, 'free', :now)
                ON CONFLICT (shop, code) DO NOTHING
                """,
                [{"shop": shop, "code": code, "campaign_id": campaign_id, "now": now} for code in codes],
            )
        return len(codes)

    def free_codes(self, shop: str, campaign_id: int) -> int:
        row = self._d.one(
            "SELECT COUNT(*) AS n FROM capture_codes WHERE shop = :shop AND campaign_id = :campaign_id"
            " AND state = 'free'",
            {"shop": shop, "campaign_id": campaign_id},
        )
        return row["n"]

    def take_code(self, shop: str, campaign_id: int, now: int) -> str | None:
        """Hand out one free code (call inside ``database.write()``); None when the pool is dry.

        Concurrent subscribers each get a different code: the pick skips codes
        another open transaction has just taken (``claim_rows``)."""
        rows = self._d.query(TAKE_CODE, {"now": now, "shop": shop, "campaign_id": campaign_id, "limit": 1})
        return rows[0]["code"] if rows else None

    def mark_redeemed(self, shop: str, codes: list[str], order_id: str, at: int) -> int:
        """Record that an order used these pool codes (the first order to carry one wins); returns codes matched."""
        if not codes:
            return 0
        with self._d.write() as db:
            matched = 0
            for code in codes:
                matched += db.execute(
                    """
                    UPDATE capture_codes SET redeemed_at = COALESCE(redeemed_at, :at),
                        redeemed_order_id = COALESCE(redeemed_order_id, :order_id)
                    WHERE shop = :shop AND code = :code
                    """,
                    {"at": at, "order_id": order_id, "shop": shop, "code": code},
                ).rowcount
        return matched

    def redeemed_at(self, shop: str, code: str) -> int | None:
        row = self._d.one("SELECT redeemed_at FROM capture_codes WHERE shop = :shop AND code = :code",
                          {"shop": shop, "code": code})
        return row["redeemed_at"] if row else None

    def code_counts(self, shop: str) -> dict[str, int]:
        rows = self._d.query("SELECT state, COUNT(*) AS n FROM capture_codes WHERE shop = :shop GROUP BY state",
                             {"shop": shop})
        return {r["state"]: r["n"] for r in rows}

    # ------------------------------------------------------------------ subscribers

    def subscriber(self, shop: str, email: str) -> dict | None:
        return self._d.one("SELECT * FROM subscribers WHERE shop = :shop AND email = :email",
                           {"shop": shop, "email": email})

    def add_subscriber(self, shop: str, *, email: str, code: str | None, campaign_id: int | None,
                       code_ends_at: int | None, visitor_id: str | None, consent_text: str, consent_page: str,
                       settings_version: int, now: int) -> bool:
        """Insert the consent record (call inside ``database.write()``); False when a concurrent
        submission of the same email inserted it first."""
        return self._d.execute(
            """
            INSERT INTO subscribers (shop, email, code, campaign_id, code_ends_at, visitor_id, consent_at,
                consent_text, consent_page, settings_version, sync_state, sync_next_at, created_at)
            VALUES (:shop, :email, :code, :campaign_id, :code_ends_at, :visitor_id, :now,
                :consent_text, :consent_page, :settings_version, 'pending', :now, :now)
            ON CONFLICT (shop, email) DO NOTHING
            """,
            {"shop": shop, "email": email, "code": code, "campaign_id": campaign_id, "code_ends_at": code_ends_at,
             "visitor_id": visitor_id, "now": now, "consent_text": consent_text, "consent_page": consent_page,
             "settings_version": settings_version},
        ).rowcount == 1

    def give_code(self, shop: str, email: str, code: str, campaign_id: int, code_ends_at: int | None) -> None:
        self._d.execute(
            "UPDATE subscribers SET code = :code, campaign_id = :campaign_id, code_ends_at = :code_ends_at"
            " WHERE shop = :shop AND email = :email AND code IS NULL",
            {"code": code, "campaign_id": campaign_id, "code_ends_at": code_ends_at, "shop": shop, "email": email},
        )

    def replace_code(self, shop: str, email: str, old_code: str, code: str, campaign_id: int,
                     code_ends_at: int | None) -> None:
        """A second welcome code for a subscriber whose first one is spent (only if it is still the first)."""
        self._d.execute(
            "UPDATE subscribers SET code = :code, campaign_id = :campaign_id, code_ends_at = :code_ends_at"
            " WHERE shop = :shop AND email = :email AND code = :old_code",
            {"code": code, "campaign_id": campaign_id, "code_ends_at": code_ends_at, "shop": shop, "email": email,
             "old_code": old_code},
        )

    def waiting_for_code(self, shop: str, limit: int = 500) -> list[str]:
        rows = self._d.query(
            "SELECT email FROM subscribers WHERE shop = :shop AND code IS NULL ORDER BY created_at LIMIT :limit",
            {"shop": shop, "limit": limit},
        )
        return [r["email"] for r in rows]

    def subscribers(self, shop: str, limit: int | None = None) -> list[dict]:
        sql = "SELECT * FROM subscribers WHERE shop = :shop ORDER BY created_at DESC, email"
        params: dict = {"shop": shop}
        if limit is not None:
            sql += " LIMIT :limit"
            params["limit"] = limit
        return self._d.query(sql, params)

    def subscriber_count(self, shop: str) -> int:
        return self._d.one("SELECT COUNT(*) AS n FROM subscribers WHERE shop = :shop", {"shop": shop})["n"]

    def due_syncs(self, shop: str, now: int, limit: int = 50) -> list[dict]:
        return self._d.query(
            """
            SELECT * FROM subscribers WHERE shop = :shop AND sync_state = 'pending' AND sync_next_at <= :now
            ORDER BY sync_next_at LIMIT :limit
            """,
            {"shop": shop, "now": now, "limit": limit},
        )

    def shops_with_due_syncs(self, now: int) -> list[str]:
        rows = self._d.query(
            "SELECT DISTINCT shop FROM subscribers WHERE sync_state = 'pending' AND sync_next_at <= :now",
            {"now": now},
        )
        return [r["shop"] for r in rows]

    def sync_done(self, shop: str, email: str, customer_id: str) -> None:
        self._d.execute(
            """
            UPDATE subscribers SET sync_state = 'done', customer_id = :customer_id, sync_error = NULL,
                sync_attempts = sync_attempts + 1 WHERE shop = :shop AND email = :email
            """,
            {"customer_id": customer_id, "shop": shop, "email": email},
        )

    def sync_failed(self, shop: str, email: str, error: str, next_at: int | None) -> None:
        """Record a failed attempt: retried at ``next_at``, or given up on (``failed``) when None."""
        self._d.execute(
            """
            UPDATE subscribers SET sync_attempts = sync_attempts + 1, sync_error = :error,
                sync_state = CASE WHEN CAST(:next_at AS BIGINT) IS NULL THEN 'failed' ELSE 'pending' END,
                sync_next_at = COALESCE(:next_at, sync_next_at)
            WHERE shop = :shop AND email = :email
            """,
            {"error": error[:500], "next_at": next_at, "shop": shop, "email": email},
        )
