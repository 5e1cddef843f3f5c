"""The one claim shape for work queued in a table: take due rows with a lease, dead-letter the exhausted.

Two tables hold queued work: ``webhook_inbox`` (deliveries, kept after they
finish because a delivery is deduplicated forever) and ``jobs`` (background
work, deduplicated while live). Both share these columns and this SQL:
``status``, ``next_attempt_at``, ``lease_until``, ``locked_by``, ``attempts``,
``last_error``, ``finished_at``. A row is due when it is ``pending`` and its
time has come, or ``processing`` under a lease that ran out (its worker died).

This module is the one place where queued work is claimed: ``claim`` picks due
rows ``FOR UPDATE SKIP LOCKED`` (``sql.claim_rows``), so on PostgreSQL two
workers claiming at once take different rows instead of the same one.

``db`` is whatever runs a statement: the handle of ``Database.write()`` or the
``Database`` itself (one auto-committed statement); only its ``execute`` and
``query`` are used, with named parameters.
"""

from __future__ import annotations

from .sql import claim_rows, in_list

# Only these tables are ever formatted into the SQL below (never input).
TABLES = ("webhook_inbox", "jobs")

DUE = "((status = 'pending' AND next_attempt_at <= :now) OR (status = 'processing' AND lease_until < :now))"


def claim(db, table: str, worker: str, *, now: int, lease_ms: int, limit: int,
          max_attempts: int | None, where: str = "", params: dict | None = None) -> list[dict]:
    """Atomically take up to ``limit`` due rows for ``worker`` until the lease ends; call inside a write.

    The dead-letter rule, the same for every queue: a due row already claimed
    ``max_attempts`` times is dead-lettered instead of claimed again, so a
    worker that dies or hangs on it (its lease runs out and its failure path
    never ran) cannot make it come back forever. ``where`` narrows the rows
    (e.g. to the kinds a worker knows) with its own named ``params``.
    """
    assert table in TABLES
    extra = f" AND {where}" if where else ""
    if max_attempts is not None:
        db.execute(
            f"""
            UPDATE {table}
            SET status = 'dead', lease_until = NULL, finished_at = :now,
                last_error = 'gave up after ' || attempts || ' attempts: '
                    || COALESCE(last_error, 'the worker holding it stopped before finishing')
            WHERE {DUE} AND attempts >= :max_attempts{extra}
            """,
            {**(params or {}), "now": now, "max_attempts": max_attempts},
        )
    claim_sql = claim_rows(
        table, "id", where=DUE + extra, order_by="next_attempt_at, id",
        assign={"status": "'processing'", "lease_until": ":lease_until", "locked_by": ":worker",
                "attempts": "attempts + 1"})
    return list(db.query(claim_sql, {**(params or {}), "lease_until": now + lease_ms, "worker": worker, "now": now,
                                     "limit": limit}))


def settle(db, table: str, row_id: int, worker: str, *, status: str, now: int,
           error: str | None, retry_at: int | None = None) -> int:
    """End an attempt held by ``worker``: ``pending`` again at ``retry_at``, or finished with ``status``.

    Matches nothing (returns 0) when another worker took the row over after this one's lease ran out.
    """
    assert table in TABLES
    cursor = db.execute(
        f"""
        UPDATE {table}
        SET status = :status, next_attempt_at = COALESCE(:retry_at, next_attempt_at), lease_until = NULL,
            last_error = :error, finished_at = :finished_at
        WHERE id = :id AND locked_by = :worker AND status = 'processing'
        """,
        {"status": status, "retry_at": retry_at, "error": error[:2000] if error else None,
         "finished_at": None if status == "pending" else now, "id": row_id, "worker": worker},
    )
    return cursor.rowcount


def finish_all(db, table: str, row_ids: list[int], worker: str, *, now: int) -> int:
    """Mark every one of ``row_ids`` held by ``worker`` done in one statement; returns how many matched
    (fewer than asked when another worker took one over after this one's lease ran out)."""
    assert table in TABLES
    ids, params = in_list("id", row_ids)
    cursor = db.execute(
        f"""
        UPDATE {table} SET status = 'done', lease_until = NULL, last_error = NULL, finished_at = :now
        WHERE id IN ({ids}) AND locked_by = :worker AND status = 'processing'
        """,
        {**params, "now": now, "worker": worker},
    )
    return cursor.rowcount


def replay(db, table: str, *, now: int, row_id: int | None = None) -> int:
    """Queue one finished row (or, with no id, every dead one) again with fresh attempts; returns how many."""
    assert table in TABLES
    if row_id is None:
        where, params = "status = 'dead'", {}
    else:
        where, params = "id = :id AND status <> 'processing'", {"id": row_id}
    cursor = db.execute(
        f"""UPDATE {table} SET status = 'pending', attempts = 0, next_attempt_at = :now, finished_at = NULL
            WHERE {where}""",
        {**params, "now": now},
    )
    return cursor.rowcount


class LeaseLost(Exception):
    """Another worker owns the row now; this attempt's writes were rolled back."""

    def __init__(self, row_id: int):
        super().__init__(f"lease lost on {row_id}")
        self.row_id = row_id
