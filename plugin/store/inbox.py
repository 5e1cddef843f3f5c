"""The durable webhook inbox: accept fast, claim with a lease, finish exactly once.

A delivery is committed here before the platform gets its 200, and the
handler's writes commit in the same transaction as the row's ``done`` mark,
so a crash at any point either leaves the row claimable again or leaves it
finished with its effects — never half of each. Statuses:

- ``pending``  accepted, waiting for a worker (also after a failed attempt, with a later ``next_attempt_at``)
- ``processing`` claimed by a worker until ``lease_until``; an expired lease is claimable again
- ``done`` the handler ran and committed
- ``skipped`` signed and kept, but nothing to do (unknown shop or topic)
- ``dead`` malformed body, the handler failed on every attempt, or its worker died holding it on the last
  attempt: kept for inspection and replay
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from ..clock import now_ms
from . import leases
from .connection import Database
from .leases import LeaseLost

STATUSES = ("pending", "processing", "done", "skipped", "dead")


@dataclass(frozen=True)
class Delivery:
    id: int
    shop: str
    topic: str
    webhook_id: str | None
    event_id: str | None
    api_version: str | None
    triggered_at: int | None
    received_at: int
    body: bytes
    status: str
    attempts: int
    last_error: str | None


def _delivery(row: dict) -> Delivery:
    return Delivery(
        id=row["id"], shop=row["shop"], topic=row["topic"], webhook_id=row["webhook_id"],
        event_id=row["event_id"], api_version=row["api_version"], triggered_at=row["triggered_at"],
        received_at=row["received_at"], body=bytes(row["body"]), status=row["status"],
        attempts=row["attempts"], last_error=row["last_error"],
    )


class Inbox:
    def __init__(self, database: Database):
        self._d = database

    def accept(
        self,
        *,
        shop: str,
        topic: str,
        dedupe_key: str,
        webhook_id: str | None,
        event_id: str | None,
        api_version: str | None,
        triggered_at: int | None,
        body: bytes,
        status: str = "pending",
        note: str | None = None,
    ) -> int | None:
        """Store a delivery durably; returns its id, or None when it is a duplicate.

        A pending delivery wakes idle workers when it commits (PostgreSQL's NOTIFY).
        """
        now = now_ms()
        rows = self._d.write_durable(
            """
            INSERT INTO webhook_inbox (shop, topic, dedupe_key, webhook_id, event_id, api_version,
                triggered_at, received_at, body, status, next_attempt_at, last_error, finished_at)
            VALUES (:shop, :topic, :dedupe_key, :webhook_id, :event_id, :api_version,
                :triggered_at, :now, :body, :status, :now, :note, :finished_at)
            ON CONFLICT (shop, topic, dedupe_key) DO NOTHING
            RETURNING id
            """,
            {"shop": shop, "topic": topic, "dedupe_key": dedupe_key, "webhook_id": webhook_id, "event_id": event_id,
             "api_version": api_version, "triggered_at": triggered_at, "now": now, "body": body, "status": status,
             "note": note, "finished_at": None if status == "pending" else now},
            wake_workers=status == "pending",
        )
        return rows[0][0] if rows else None

    def claim(self, worker: str, *, lease_ms: int, limit: int = 1, max_attempts: int | None = None) -> list[Delivery]:
        """Atomically take up to ``limit`` due deliveries for ``worker`` until the lease ends
        (``leases.claim``: the claim shape and dead-letter rule every queue shares)."""
        with self._d.write(durable=False) as db:
            rows = leases.claim(db, "webhook_inbox", worker, now=now_ms(), lease_ms=lease_ms, limit=limit,
                                max_attempts=max_attempts)
        return sorted((_delivery(r) for r in rows), key=lambda d: d.id)

    @contextmanager
    def finishing(self, delivery_id: int, worker: str) -> Iterator[None]:
        """Run a handler's writes and the ``done`` mark in one transaction.

        If another worker took the row over after our lease ran out, the mark
        matches nothing and the whole transaction, handler writes included,
        is rolled back: the delivery is applied exactly once.
        """
        with self._d.write(durable=False) as db:  # a crash before the flush: handled again, from the inbox
            yield
            if not leases.settle(db, "webhook_inbox", delivery_id, worker, status="done", now=now_ms(), error=None):
                raise LeaseLost(delivery_id)

    @contextmanager
    def finishing_together(self, delivery_ids: list[int], worker: str) -> Iterator[None]:
        """``finishing`` for several deliveries: their handlers' writes and one ``done`` mark for all
        of them in one transaction, or, if any mark misses (``LeaseLost``), none of it."""
        with self._d.write(durable=False) as db:
            yield
            if leases.finish_all(db, "webhook_inbox", delivery_ids, worker, now=now_ms()) != len(delivery_ids):
                raise LeaseLost(delivery_ids[0])

    def fail(self, delivery_id: int, worker: str, error: str, *, retry_at: int | None) -> None:
        """Record a failed attempt: retry at ``retry_at``, or dead-letter when None."""
        with self._d.write(durable=False) as db:
            leases.settle(db, "webhook_inbox", delivery_id, worker, now=now_ms(), error=error,
                          status="pending" if retry_at is not None else "dead", retry_at=retry_at)

    def skip(self, delivery_id: int, worker: str, reason: str) -> None:
        """Finish a delivery that needs no handler (unknown shop or topic, uninstalled shop)."""
        with self._d.write(durable=False) as db:
            leases.settle(db, "webhook_inbox", delivery_id, worker, status="skipped", now=now_ms(), error=reason)

    def replay(self, delivery_id: int | None = None, *, all_dead: bool = False) -> int:
        """Queue dead (or any finished) deliveries again; returns how many."""
        return leases.replay(self._d, "webhook_inbox", now=now_ms(), row_id=None if all_dead else delivery_id)

    def get(self, delivery_id: int) -> Delivery | None:
        row = self._d.one("SELECT * FROM webhook_inbox WHERE id = :id", {"id": delivery_id})
        return _delivery(row) if row else None

    def list(self, *, status: str | None = None, shop: str | None = None, limit: int = 50) -> list[dict]:
        """Rows for people to read (no bodies), newest first."""
        clauses, params = [], {"limit": limit}
        if status == "failed":  # retrying after an error, not yet dead
            clauses.append("status = 'pending' AND last_error IS NOT NULL")
        elif status:
            clauses.append("status = :status")
            params["status"] = status
        if shop:
            clauses.append("shop = :shop")
            params["shop"] = shop
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return self._d.query(
            f"""SELECT id, shop, topic, status, attempts, received_at, finished_at, last_error
                FROM webhook_inbox {where} ORDER BY id DESC LIMIT :limit""",
            params,
        )

    def stats(self, shop: str | None = None) -> dict[str, dict[str, int]]:
        """Counts per topic and status."""
        where, params = ("WHERE shop = :shop", {"shop": shop}) if shop else ("", {})
        result: dict[str, dict[str, int]] = {}
        for row in self._d.query(
            f"SELECT topic, status, COUNT(*) AS n FROM webhook_inbox {where} GROUP BY topic, status", params
        ):
            result.setdefault(row["topic"], {})[row["status"]] = row["n"]
        return result

    def last_received(self, shop: str) -> dict[str, int]:
        """When each topic last arrived for ``shop`` (subscription health in the admin)."""
        rows = self._d.query(
            "SELECT topic, MAX(received_at) AS at FROM webhook_inbox WHERE shop = :shop GROUP BY topic", {"shop": shop}
        )
        return {r["topic"]: r["at"] for r in rows}
