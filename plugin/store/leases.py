"""The one claim shape for work queued in a table: take due rows with a lease, dead-letter the exhausted.

Two tables hold queued work: ``webhook_inbox`` (deliveries, kept after they
finish because a delivery is deduplicated forever) and ``jobs`` (background
work, deduplicated while live). Both share these columns and this SQL:
``status``, ``next_attempt_at``, ``lease_until``, ``locked_by``, ``attempts``,
``last_error``, ``finished_at``. A row is due when it is ``pending`` and its
time has come, or ``processing`` under a lease that ran out (its worker died).

This module is the one place where claiming happens, so the PostgreSQL port
adds ``FOR UPDATE SKIP LOCKED`` to the inner SELECT of ``claim`` and nowhere else.
"""

from __future__ import annotations

import sqlite_utils

# Only these tables are ever formatted into the SQL below (never input).
TABLES = ("webhook_inbox", "jobs")

DUE = "((status = 'pending' AND next_attempt_at <= ?) OR (status = 'processing' AND lease_until < ?))"


def claim(db: sqlite_utils.Database, table: str, worker: str, *, now: int, lease_ms: int, limit: int,
          max_attempts: int | None, where: str = "", params: tuple = ()) -> list[dict]:
    """Atomically take up to ``limit`` due rows for ``worker`` until the lease ends; call inside a write.

    The dead-letter rule, the same for every queue: a due row already claimed
    ``max_attempts`` times is dead-lettered instead of claimed again, so a
    worker that dies or hangs on it (its lease runs out and its failure path
    never ran) cannot make it come back forever. ``where`` narrows the rows
    (e.g. to the kinds a worker knows).
    """
    assert table in TABLES
    extra = f" AND {where}" if where else ""
    if max_attempts is not None:
        db.execute(
            f"""
            UPDATE {table}
            SET status = 'dead', lease_until = NULL, finished_at = ?,
                last_error = 'gave up after ' || attempts || ' attempts: '
                    || COALESCE(last_error, 'the worker holding it stopped before finishing')
            WHERE {DUE} AND attempts >= ?{extra}
            """,
            [now, now, now, max_attempts, *params],
        )
    return list(
        db.query(
            f"""
            UPDATE {table}
            SET status = 'processing', lease_until = ?, locked_by = ?, attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM {table}
                WHERE {DUE}{extra}
                ORDER BY next_attempt_at, id
                LIMIT ?
            )
            RETURNING *
            """,
            [now + lease_ms, worker, now, now, *params, limit],
        )
    )


def settle(db: sqlite_utils.Database, table: str, row_id: int, worker: str, *, status: str, now: int,
           error: str | None, retry_at: int | None = None) -> int:
    """End an attempt held by ``worker``: ``pending`` again at ``retry_at``, or finished with ``status``.

    Matches nothing (returns 0) when another worker took the row over after this one's lease ran out.
    """
    assert table in TABLES
    cursor = db.execute(
        f"""
        UPDATE {table}
        SET status = ?, next_attempt_at = COALESCE(?, next_attempt_at), lease_until = NULL,
            last_error = ?, finished_at = ?
        WHERE id = ? AND locked_by = ? AND status = 'processing'
        """,
        [status, retry_at, error[:2000] if error else None, None if status == "pending" else now, row_id, worker],
    )
    return cursor.rowcount


def replay(db: sqlite_utils.Database, table: str, *, now: int, row_id: int | None = None) -> int:
    """Queue one finished row (or, with no id, every dead one) again with fresh attempts; returns how many."""
    assert table in TABLES
    if row_id is None:
        where, params = "status = 'dead'", []
    else:
        where, params = "id = ? AND status <> 'processing'", [row_id]
    cursor = db.execute(
        f"""UPDATE {table} SET status = 'pending', attempts = 0, next_attempt_at = ?, finished_at = NULL
            WHERE {where}""",
        [now, *params],
    )
    return cursor.rowcount


class LeaseLost(Exception):
    """Another worker owns the row now; this attempt's writes were rolled back."""

    def __init__(self, row_id: int):
        super().__init__(f"lease lost on {row_id}")
        self.row_id = row_id
