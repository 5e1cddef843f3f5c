"""Group commit for the webhook inbox on SQLite: many concurrent inserts, one durable transaction.

An acknowledged delivery must survive a power cut (the platform will not
send it again), so its commit must reach the disk — an fsync, which costs
more than the rest of the request. Requests queue their insert; whichever
request takes the commit lock first becomes the leader and commits
everything queued at that moment in one transaction, so concurrent
deliveries share one fsync (PostgreSQL's group commit, without a thread
hand-off); a request returns only after its own row is durable. One bad
row never fails its neighbours: a batch that errors is retried one
statement at a time. PostgreSQL groups concurrent commits itself, so this
runs only on SQLite, on a plain sqlite3 connection of its own.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass

BUSY_TIMEOUT_MS = 10_000


def sqlite_file_connection(path: str) -> sqlite3.Connection:
    """A connection to the database file outside SQLAlchemy's pool, in autocommit (explicit BEGIN/COMMIT)."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


@dataclass
class _Pending:
    sql: str
    params: dict
    done: bool = False
    rows: list | None = None
    error: BaseException | None = None


class GroupCommitter:
    def __init__(self, connect, write_lock: threading.Lock):
        self._connect = connect
        self._write_lock = write_lock  # the process-wide one-writer lock
        self._commit_lock = threading.Lock()  # one leader at a time
        self._queue_lock = threading.Lock()
        self._queue: list[_Pending] = []
        self._conn: sqlite3.Connection | None = None

    def execute(self, sql: str, params: dict) -> list[tuple]:
        """Run one write statement durably, batched with whatever else is waiting."""
        item = _Pending(sql, dict(params))
        with self._queue_lock:
            self._queue.append(item)
        with self._commit_lock:
            if not item.done:  # nobody committed it while we waited: lead
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                self._commit_batch(batch)
        if item.error is not None:
            raise item.error
        return item.rows

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = self._connect()
            conn.execute("PRAGMA synchronous=FULL")  # this connection's commits are fsynced
            # Checkpointing (copying the WAL into the database, with an fsync) must not stall
            # an acknowledgement: the store's checkpoint thread does it (``checkpoints``).
            conn.execute("PRAGMA wal_autocheckpoint=0")
            self._conn = conn
        return self._conn

    def close(self) -> None:
        """Close the commit connection."""
        with self._commit_lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _commit_batch(self, batch: list[_Pending]) -> None:
        conn = self._connection()
        try:
            self._commit(conn, batch)
        except sqlite3.Error:
            for item in batch:  # isolate the failing statement
                try:
                    self._commit(conn, [item])
                except sqlite3.Error as exc:
                    item.error = exc
        for item in batch:
            item.done = True

    def _commit(self, conn: sqlite3.Connection, batch: list[_Pending]) -> None:
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for item in batch:
                    item.rows = conn.execute(item.sql, item.params).fetchall()
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                for item in batch:
                    item.rows = None
                raise
