"""One SQLite file through sqlite-utils: a connection per thread, WAL, write transactions.

SQLite connections must not be shared between threads, and the app serves
requests on several threads (waitress) while a worker thread drains the
webhook inbox, so each thread lazily opens its own connection to the same
file. WAL lets readers proceed while one writer commits; ``busy_timeout``
makes a second writer wait instead of failing.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from typing import Iterator

import sqlite_utils

from .group_commit import GroupCommitter

BUSY_TIMEOUT_MS = 10_000


class Database:
    """Thread-local sqlite-utils connections to one database file."""

    def __init__(self, path: str):
        self.path = path
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        # One writer at a time inside this process: threads queue here on a
        # cheap lock instead of in SQLite's sleeping busy handler, which
        # backs off in milliseconds and wrecks tail latency under load.
        self._write_lock = threading.Lock()
        self._group = GroupCommitter(self._connect, self._write_lock)
        with self._lock:
            conn = self._connect()
            conn.execute("PRAGMA journal_mode=WAL")

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        self._all.append(conn)
        return conn

    @property
    def db(self) -> sqlite_utils.Database:
        """This thread's sqlite-utils database handle."""
        handle = getattr(self._local, "db", None)
        if handle is None:
            with self._lock:
                handle = sqlite_utils.Database(self._connect(), execute_plugins=False)
            self._local.db = handle
        return handle

    @contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """A write transaction taken with BEGIN IMMEDIATE.

        A deferred transaction that reads first and writes later can fail with
        "database is locked" when another writer committed in between;
        taking the write lock up front makes concurrent writers queue on
        ``busy_timeout`` instead. Nested use becomes a savepoint.
        """
        db = self.db
        if db.conn.in_transaction:
            with db.atomic():
                yield db
            return
        with self._write_lock:
            db.conn.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                if db.conn.in_transaction:
                    db.conn.execute("ROLLBACK")
                raise
            else:
                db.conn.execute("COMMIT")

    def write_durable(self, sql: str, params=()) -> list[tuple]:
        """One write statement committed to disk (fsync) before returning, group-committed.

        For rows whose acknowledgement is a promise, such as accepted webhooks.
        """
        return self._group.execute(sql, params)

    def query(self, sql: str, params=()) -> list[dict]:
        return list(self.db.query(sql, params))

    def one(self, sql: str, params=()) -> dict | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def execute(self, sql: str, params=()) -> sqlite3.Cursor:
        return self.db.execute(sql, params)

    def executemany(self, sql: str, rows: list) -> None:
        """One statement for many parameter sets (inside or outside ``write``)."""
        self.db.conn.executemany(sql, rows)

    def scalar(self, sql: str, params=()):
        """The first column of the first row, or None."""
        row = self.db.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def rows(self, sql: str, params=()) -> list[tuple]:
        """Rows as tuples, for code that unpacks them."""
        return self.db.conn.execute(sql, params).fetchall()

    def stream(self, sql: str, params=()):
        """Rows as tuples, read as they are consumed (large scans: rebuilds, exports)."""
        yield from self.db.conn.execute(sql, params)

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                try:
                    conn.close()
                except sqlite3.ProgrammingError:
                    pass
            self._all.clear()
        self._local = threading.local()
