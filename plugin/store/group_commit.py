"""Group commit for the webhook inbox: many concurrent inserts, one durable transaction.

An acknowledged delivery must survive a power cut (the platform will not
send it again), so its commit must reach the disk — an fsync, which costs
more than the rest of the request. A single committer thread takes every
insert waiting at that moment and commits them together, so concurrent
deliveries share one fsync, as PostgreSQL's group commit does; a request
returns only after its own row is durable. One bad row never fails its
neighbours: a batch that errors is retried one statement at a time.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from dataclasses import dataclass, field

MAX_BATCH = 256


@dataclass
class _Pending:
    sql: str
    params: list
    done: threading.Event = field(default_factory=threading.Event)
    rows: list | None = None
    error: BaseException | None = None


class GroupCommitter:
    def __init__(self, connect, write_lock: threading.Lock):
        self._connect = connect
        self._write_lock = write_lock
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._started = False
        self._start_lock = threading.Lock()

    def execute(self, sql: str, params) -> list[tuple]:
        """Run one write statement durably, batched with whatever else is waiting."""
        self._ensure_started()
        item = _Pending(sql, list(params))
        self._queue.put(item)
        item.done.wait()
        if item.error is not None:
            raise item.error
        return item.rows

    def _ensure_started(self) -> None:
        if self._started:
            return
        with self._start_lock:
            if not self._started:
                threading.Thread(target=self._run, name="storelift-group-commit", daemon=True).start()
                self._started = True

    def _run(self) -> None:
        conn: sqlite3.Connection = self._connect()
        conn.isolation_level = None  # explicit BEGIN/COMMIT below
        conn.execute("PRAGMA synchronous=FULL")  # this connection's commits are fsynced
        while True:
            batch = [self._queue.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._commit(conn, batch)
            except sqlite3.Error:
                for item in batch:  # isolate the failing statement
                    try:
                        self._commit(conn, [item])
                    except sqlite3.Error as exc:
                        item.error = exc
            for item in batch:
                item.done.set()

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
