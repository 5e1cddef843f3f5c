"""Background work as rows: enqueue deduplicated, claim with a lease, finish, fail, replay.

Statuses are the inbox's (``pending``, ``processing``, ``skipped``, ``dead``;
a job that is done is deleted, see ``finishing``).
A job is live while ``pending`` or ``processing``, and one live row exists
per (shop, kind, dedupe_key) (a partial unique index), so the same work
enqueued twice is one job. Enqueueing work that is running sets ``rerun``:
when the run finishes the row goes back to ``pending`` once, because the
run may have read the database before the new cause was written. That is
"at most one run per key at a time, plus one more if asked during a run",
kept in the database where every process sees it.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy.exc import IntegrityError

from . import leases
from ..clock import now_ms
from .connection import Database
from .sql import in_list
from .leases import LeaseLost

STATUSES = ("pending", "processing", "skipped", "dead")

ENQUEUE = """
        INSERT INTO jobs (kind, shop, dedupe_key, payload, status, next_attempt_at, created_at)
        VALUES (:kind, :shop, :dedupe_key, :payload, 'pending', :due_at, :now)
        ON CONFLICT (shop, kind, dedupe_key) WHERE status IN ('pending', 'processing') DO UPDATE SET
            rerun = CASE WHEN jobs.status = 'processing' THEN 1 ELSE jobs.rerun END,
            next_attempt_at = CASE WHEN jobs.status = 'pending' AND excluded.next_attempt_at < jobs.next_attempt_at
                                   THEN excluded.next_attempt_at ELSE jobs.next_attempt_at END
        """


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    shop: str
    dedupe_key: str
    payload: dict
    attempts: int
    last_error: str | None


def _job(row: dict) -> Job:
    return Job(id=row["id"], kind=row["kind"], shop=row["shop"], dedupe_key=row["dedupe_key"],
               payload=json.loads(row["payload"]), attempts=row["attempts"], last_error=row["last_error"])


class Jobs:
    def __init__(self, database: Database):
        self._d = database

    def enqueue(self, shop: str, kind: str, dedupe_key: str = "", payload: dict | None = None,
                *, due_at: int | None = None) -> None:
        """Queue work (one cheap insert); the same live work queued again is the same job.

        A pending duplicate becomes due at the earlier of the two times; a
        running one is marked to run once more when it finishes.
        """
        now = now_ms()
        with self._d.write() as db:  # the notification goes out with the row's commit, not in one of its own
            db.execute(ENQUEUE, {"kind": kind, "shop": shop, "dedupe_key": dedupe_key, "due_at": due_at or now,
                                 "payload": json.dumps(payload or {}, sort_keys=True), "now": now})
            self._d.wake_workers()

    def claim(self, worker: str, *, lease_ms: int, limit: int, max_attempts: int | None, kinds: tuple[str, ...]) -> list[Job]:
        """Take up to ``limit`` due jobs of the given kinds (``leases.claim``, shared with the inbox)."""
        if not kinds:
            return []
        kinds_sql, kinds_params = in_list("kind", kinds)
        with self._d.write(durable=False) as db:
            rows = leases.claim(db, "jobs", worker, now=now_ms(), lease_ms=lease_ms, limit=limit,
                                max_attempts=max_attempts, where=f"kind IN ({kinds_sql})", params=kinds_params)
        return sorted((_job(r) for r in rows), key=lambda j: j.id)

    @contextmanager
    def finishing(self, job_id: int, worker: str) -> Iterator[None]:
        """The job's writes and its end in one transaction (or rolled back on a lost lease).

        A finished job's row is deleted: its work is in the database, and
        keeping one row per refresh or refill would grow without bound (and
        keep the customer ids of refreshes past a redaction). Dead jobs stay,
        with their error, for ``storelift jobs list`` and replay. A job asked
        for again while it ran goes back to ``pending`` instead, due now.
        """
        with self._d.write() as db:
            yield
            now = now_ms()
            held = {"id": job_id, "worker": worker}
            again = db.execute(
                """UPDATE jobs SET status = 'pending', rerun = 0, attempts = 0, next_attempt_at = :now,
                       lease_until = NULL, last_error = NULL
                   WHERE id = :id AND locked_by = :worker AND status = 'processing' AND rerun = 1""",
                {**held, "now": now},
            ).rowcount
            if not again and not db.execute(
                "DELETE FROM jobs WHERE id = :id AND locked_by = :worker AND status = 'processing'", held
            ).rowcount:
                raise LeaseLost(job_id)

    def fail(self, job_id: int, worker: str, error: str, *, retry_at: int | None) -> None:
        """Record a failed attempt: retry at ``retry_at``, or dead-letter when None."""
        with self._d.write(durable=False) as db:
            leases.settle(db, "jobs", job_id, worker, now=now_ms(), error=error,
                          status="pending" if retry_at is not None else "dead", retry_at=retry_at)

    def skip(self, job_id: int, worker: str, reason: str) -> None:
        """Finish a job that has nothing to do (its shop is gone)."""
        with self._d.write(durable=False) as db:
            leases.settle(db, "jobs", job_id, worker, status="skipped", now=now_ms(), error=reason)

    def replay(self, job_id: int | None = None, *, all_dead: bool = False) -> int:
        """Queue dead (or any finished) jobs again; returns how many. Work that is already
        queued again under the same key is left to that live job."""
        ids = [r["id"] for r in self._d.query("SELECT id FROM jobs WHERE status = 'dead'")] if all_dead else [job_id]
        count = 0
        for one in ids:
            try:
                count += leases.replay(self._d, "jobs", now=now_ms(), row_id=one)
            except IntegrityError:  # a live job with the same key exists: it does this work
                continue
        return count

    def get(self, job_id: int) -> dict | None:
        return self._d.one("SELECT * FROM jobs WHERE id = :id", {"id": job_id})

    def list(self, *, status: str | None = None, shop: str | None = None, kind: str | None = None,
             limit: int = 50) -> list[dict]:
        """Rows for people to read, newest first (``failed``: retrying after an error, not yet dead)."""
        clauses, params = [], {"limit": limit}
        if status == "failed":
            clauses.append("status = 'pending' AND last_error IS NOT NULL")
        elif status:
            clauses.append("status = :status")
            params["status"] = status
        for column, value in (("shop", shop), ("kind", kind)):
            if value:
                clauses.append(f"{column} = :{column}")
                params[column] = value
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return self._d.query(
            f"""SELECT id, kind, shop, dedupe_key, status, attempts, next_attempt_at, created_at, finished_at,
                       last_error
                FROM jobs {where} ORDER BY id DESC LIMIT :limit""",
            params,
        )

    def stats(self, shop: str | None = None) -> dict[str, dict[str, int]]:
        """Counts per kind and status."""
        where, params = ("WHERE shop = :shop", {"shop": shop}) if shop else ("", {})
        result: dict[str, dict[str, int]] = {}
        for row in self._d.query(f"SELECT kind, status, COUNT(*) AS n FROM jobs {where} GROUP BY kind, status", params):
            result.setdefault(row["kind"], {})[row["status"]] = row["n"]
        return result
