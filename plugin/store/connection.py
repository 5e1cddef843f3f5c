"""The store's database: SQL text with named parameters, write transactions, and reads, on either engine.

Store modules hand this class SQL text (``:name`` parameters, dict values) and
never see a driver. A thread's write transaction is remembered, so everything
the thread reads or writes while it is open — including calls from other store
modules, such as a subscriber's code taken inside the signup transaction —
joins it, and so does a nested ``write``: no savepoint (on PostgreSQL each would
cost two round trips), so an exception that leaves a nested block rolls the
whole transaction back when it leaves the outermost one, as it always does.

On SQLite, writers inside one process queue on a lock of their own before
``BEGIN IMMEDIATE``: a cheap lock instead of SQLite's sleeping busy handler,
which backs off in milliseconds and wrecks tail latency under load. Other
processes still queue on the file lock (``busy_timeout``). On PostgreSQL,
writers run concurrently under READ COMMITTED; the store's SQL is written for
that (claims skip locked rows, read-then-insert paths are upserts).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

import sqlalchemy as sa

from . import engines, wakeups
from .checkpoints import Checkpointer
from .group_commit import GroupCommitter, sqlite_file_connection

STREAM_BATCH = 2_000


@functools.lru_cache(maxsize=4096)
def _driver_sql(sql: str, dialect: sa.Dialect) -> str:
    """The store's SQL in the driver's own parameter style, worked out once per statement.

    ``:name`` is SQLite's own named style, so the text goes as it is; for psycopg
    SQLAlchemy's compiler writes ``%(name)s`` and escapes literal ``%``. Handing
    the driver this string (``exec_driver_sql``) skips SQLAlchemy's per-call
    compile-cache lookup and parameter processing (untyped text has none to do),
    about a fifth of a statement's cost in Python; errors, and dropping the pool
    after a lost connection, are still SQLAlchemy's.
    """
    return sql if dialect.name == "sqlite" else str(sa.text(sql).compile(dialect=dialect))


@dataclass
class Outcome:
    """What a statement did: rows it returned (read before its transaction ends) and rows it touched."""

    rowcount: int
    rows: list = field(default_factory=list)

    def fetchone(self):
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list:
        return self.rows

    def scalar(self):
        return self.rows[0][0] if self.rows else None


def _execute(connection: sa.Connection, sql: str | sa.Executable, params) -> sa.CursorResult:
    """SQL text, or a statement built with SQLAlchemy Core where the engines' SQL differs (row locks)."""
    if isinstance(sql, str):
        return connection.exec_driver_sql(_driver_sql(sql, connection.dialect), params or {})
    return connection.execute(sql, params or {})


def _run(connection: sa.Connection, sql, params) -> Outcome:
    result = _execute(connection, sql, params)
    rows = result.fetchall() if result.returns_rows else []
    return Outcome(result.rowcount, rows)


def _described(connection: sa.Connection, sql, params) -> tuple[list[str], list[tuple]]:
    result = _execute(connection, sql, params)
    return list(result.keys()), [tuple(row) for row in result.fetchall()]


def _dicts(connection: sa.Connection, sql, params) -> list[dict]:
    return [dict(row) for row in _execute(connection, sql, params).mappings()]


class Transaction:
    """One open transaction: the handle ``Database.write`` yields."""

    def __init__(self, connection: sa.Connection, durable: bool = True):
        self.connection = connection
        self.durable = durable  # False: a worker's claim or handler (see ``Database.write``)
        self.memo: dict = {}  # see ``Database.memo``

    def execute(self, sql: str, params: dict | None = None) -> Outcome:
        return _run(self.connection, sql, params)

    def executemany(self, sql: str, rows: list[dict]) -> None:
        if rows:
            self.connection.exec_driver_sql(_driver_sql(sql, self.connection.dialect), rows)

    def query(self, sql: str, params: dict | None = None) -> list[dict]:
        return _dicts(self.connection, sql, params)

    def one(self, sql: str, params: dict | None = None) -> dict | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None


class Database:
    """The engine, its pool, and this thread's open write transaction, if any."""

    def __init__(self, target: str, pool_size: int = engines.DEFAULT_POOL_SIZE):
        self.url = engines.normalize(target)
        self.engine = engines.create(self.url, pool_size)
        self.dialect = self.engine.dialect.name  # "sqlite" or "postgresql"
        self._local = threading.local()
        if self.dialect == "sqlite":
            path = sa.engine.make_url(self.url).database
            self._write_lock = threading.Lock()
            self._group = GroupCommitter(functools.partial(sqlite_file_connection, path), self._write_lock)
            self._checkpointer = Checkpointer(functools.partial(sqlite_file_connection, path))
            self._reader = self.engine
        else:
            self._write_lock = None
            self._group = None
            self._checkpointer = None
            # Reads and single durable statements: a pool of its own, always in autocommit (one round
            # trip each, and no switching a transactional connection back and forth).
            self._reader = engines.create(self.url, pool_size, autocommit=True)
        self._writer = self.engine.execution_options(storelift_write=True)
        # Workers' claims and handlers (``write(durable=False)``): on PostgreSQL a pool whose sessions
        # commit without waiting for the disk; only processes that run workers open its connections.
        self._lazy_writer = self._writer if self.is_sqlite else engines.create(self.url, pool_size, durable=False)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def _open(self) -> Transaction | None:
        return getattr(self._local, "transaction", None)

    @contextmanager
    def write(self, *, durable: bool = True) -> Iterator[Transaction]:
        """A write transaction, committed when the block ends and rolled back if it raises.

        ``durable=False``: the commit may return before it reaches the disk (PostgreSQL's
        ``synchronous_commit = off``; SQLite in WAL with ``synchronous=NORMAL`` always works
        this way). A crash can then lose the last fraction of a second of such commits, whole
        and in order, never half of one: right for a worker's claims and handlers, whose work
        is simply claimed and done again, and wrong for anything already promised to someone
        (an acknowledged webhook, a code shown to a shopper), which keep the default.
        """
        current = self._open()
        if current is not None:  # joins the thread's transaction: one commit, or one rollback, for all of it
            yield current
            return
        writer = self._writer if durable else self._lazy_writer
        with self._write_lock or nullcontext(), writer.connect() as connection:
            transaction = Transaction(connection, durable)
            self._local.transaction = transaction
            try:
                with connection.begin():
                    yield transaction
            finally:
                self._local.transaction = None

    def memo(self) -> dict:
        """A dict that lives as long as this thread's open transaction (outside one, a fresh dict each call).

        For a read that a transaction repeats and that its own writes do not change, such as the
        shop row each delivery of a worker's group checks: whoever fills an entry also drops it
        when its own writes may change what it holds.
        """
        current = self._open()
        return current.memo if current is not None else {}

    def write_durable(self, sql: str, params: dict, *, wake_workers: bool = False) -> list[tuple]:
        """One write statement committed to disk before returning, for rows whose acknowledgement is a promise.

        On SQLite, concurrent callers share one fsync (the group committer). On PostgreSQL
        the statement runs on its own in autocommit, one round trip with its durable commit
        (the server groups concurrent commits itself); ``wake_workers``: when it returns a
        row (work was queued), the same statement notifies idle workers.
        """
        if self._group is not None:
            return self._group.execute(sql, params)
        if wake_workers:
            sql = f"WITH queued AS ({sql}) SELECT queued.*, {wakeups.NOTIFY_CALL} AS woke FROM queued"
        # Once more after a lost connection: a delivery stored by the first try is then a duplicate.
        rows = self._on_its_own(lambda connection: _run(connection, sql, params).rows)
        return [tuple(row)[:-1] for row in rows] if wake_workers else rows

    def _on_its_own(self, statement):
        """Run ``statement(connection)`` outside any transaction of this thread's, on a pooled connection.

        Tried once more when the connection turns out to be dead (the server restarted since
        it was pooled: SQLAlchemy then drops the pool), for statements that may run twice.
        """
        for attempt in (1, 2):
            try:
                with self._reader.connect() as connection:
                    return statement(connection)
            except sa.exc.DBAPIError as exc:
                if attempt == 2 or not exc.connection_invalidated:
                    raise

    def hold_reads(self) -> None:
        """Until ``release_reads``, this thread's reads outside a transaction share one pooled
        connection, taken at the first of them. A storefront request makes half a dozen reads, and
        a checkout and check-in of the pool cost about 9 µs each time, more than a primary-key read
        on SQLite itself (6 µs)."""
        self._local.holding = True

    def release_reads(self) -> None:
        """Give back what ``hold_reads`` took; call it however the request ended."""
        self._local.holding = False
        held, self._local.held = getattr(self._local, "held", None), None
        if held is not None:
            held.close()

    def _read(self, sql: str, params: dict | None) -> tuple[list[str], list[tuple]]:
        """A read outside any transaction of this thread's: its column names and its rows as tuples.

        Straight on a pooled driver connection (SQLite's in autocommit, PostgreSQL's reader pool's
        in autocommit; this thread's held one, see ``hold_reads``), so the one statement is its
        own snapshot, as before. This skips SQLAlchemy's
        ``Connection``, its transaction (on SQLite a ``BEGIN`` and a ``ROLLBACK`` around every
        read) and its result objects: 16 µs a primary-key read instead of 84 µs, and a storefront
        request makes half a dozen. Any driver error sends the read once more down SQLAlchemy's own
        path (reads may run twice), which translates the error and, after a lost connection, drops
        the pool and reconnects; the connection that failed is discarded.
        """
        dialect, local = self._reader.dialect, self._local
        holding, connection = getattr(local, "holding", False), getattr(local, "held", None)
        if connection is None:
            connection = self._reader.raw_connection()
            if holding:
                local.held = connection
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(_driver_sql(sql, dialect), params or {})
                return [column[0] for column in cursor.description or ()], cursor.fetchall()
            finally:
                cursor.close()
        except dialect.loaded_dbapi.Error:
            connection.invalidate()
            if holding:
                local.held, holding = None, False  # the next read takes a new one
        finally:
            if not holding:
                connection.close()
        return self._on_its_own(lambda sa_connection: _described(sa_connection, sql, params))

    def wake_workers(self) -> None:
        """Call in the transaction that queues work: on PostgreSQL, idle workers wake when it commits.

        Not from a worker's own handler: that worker runs the work itself once its deliveries
        are done, and a NOTIFY holds a server-wide lock until its transaction commits, which
        would make every runner's handler wait for the others' commits.
        """
        current = self._open()
        if not self.is_sqlite and (current is None or current.durable):
            self.execute(wakeups.NOTIFY_SQL)

    def waiter(self) -> wakeups.Poll | wakeups.Listen:
        """What an idle worker waits on (one per worker thread)."""
        return wakeups.Poll() if self.is_sqlite else wakeups.Listen(self.url)

    def execute(self, sql: str, params: dict | None = None) -> Outcome:
        current = self._open()
        if current is not None:
            return current.execute(sql, params)
        with self.write() as transaction:
            return transaction.execute(sql, params)

    def executemany(self, sql: str, rows: list[dict]) -> None:
        """One statement for many parameter sets, in the open transaction or one of its own."""
        with self.write() as transaction:
            transaction.executemany(sql, rows)

    def query(self, sql: str, params: dict | None = None) -> list[dict]:
        """Rows as dicts. Outside a write transaction this only reads: a write here is rolled back
        (use ``execute``, which commits, for statements that change rows)."""
        current = self._open()
        if current is not None:
            return current.query(sql, params)
        names, rows = self._read(sql, params)
        return [dict(zip(names, row)) for row in rows]

    def one(self, sql: str, params: dict | None = None) -> dict | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def rows(self, sql: str, params: dict | None = None) -> list:
        """Rows as tuples, for code that unpacks them."""
        current = self._open()
        if current is not None:
            return current.execute(sql, params).rows
        return self._read(sql, params)[1]

    def scalar(self, sql: str, params: dict | None = None):
        """The first column of the first row, or None."""
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None

    def stream(self, sql: str, params: dict | None = None) -> Iterator:
        """Rows as tuples, fetched in batches as they are consumed (whole-table scans: rebuilds, exports)."""
        with self.engine.connect() as connection:
            result = connection.execution_options(yield_per=STREAM_BATCH).exec_driver_sql(
                _driver_sql(sql, connection.dialect), params or {})
            yield from result

    def close(self) -> None:
        if self._reader is not self.engine:
            self._reader.dispose()
            self._lazy_writer.dispose()
        if self._group is not None:
            self._group.close()
            self._checkpointer.close()
        self.engine.dispose()
