"""One SQLAlchemy engine (and its connection pool) per process, for a SQLite file or a PostgreSQL server.

``STORELIFT_DATABASE_URL`` names the database: ``sqlite:///path`` (the embedded
default) or ``postgresql://user:pass@host/db``. Both engines take the same SQL
text; what differs is how a connection is set up and how a write transaction
starts, and that is all here:

- SQLite: WAL (readers never block the writer), ``busy_timeout`` so a second
  process's writer waits instead of failing, foreign keys on, and
  ``synchronous=NORMAL`` (durable writes that acknowledge a promise use the
  group committer's fully synchronous connection instead), and no checkpoint
  run by a committing request (``checkpoints`` runs them on a thread). Python's sqlite3
  driver would open transactions behind SQLAlchemy's back, so it is put in
  autocommit and SQLAlchemy's ``begin`` emits the ``BEGIN`` itself: ``BEGIN
  IMMEDIATE`` for writes, which takes the file's write lock up front, so a
  transaction that reads and then writes cannot fail half-way with "database is
  locked" (the pattern SQLAlchemy's pysqlite documentation gives).
- PostgreSQL (psycopg 3): READ COMMITTED and a pool sized by
  ``STORELIFT_DB_POOL_SIZE`` (see docs/deploy.md). No ping on checkout: it would
  add a round trip to every transaction; after a server restart the first
  failing statement makes SQLAlchemy drop the pool and reconnect. Every
  statement is planned for its own parameters (``plan_cache_mode``): psycopg
  prepares a statement after a few runs, and PostgreSQL's generic plan for it is
  costed on the table as it was then. A table that was empty at that moment
  (every new store) kept a sequential scan that a thousand orders later cost
  ten times the index lookup; one shop's rows can also dwarf another's, which a
  plan that ignores the shop cannot see. Parsing stays prepared.
"""

from __future__ import annotations

import os
import sqlite3
import time

import sqlalchemy as sa
from sqlalchemy import event

BUSY_TIMEOUT_MS = 10_000
DEFAULT_POOL_SIZE = 5


class DatabaseUrlError(ValueError):
    """The database URL names no engine Storelift runs on."""


def normalize(target: str) -> str:
    """A URL for SQLAlchemy from a URL or a bare SQLite file path; psycopg 3 is the PostgreSQL driver."""
    if "://" not in target:
        return "sqlite:///" + os.path.abspath(target)
    scheme, rest = target.split("://", 1)
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return "postgresql+psycopg://" + rest
    if scheme == "sqlite":
        return target
    raise DatabaseUrlError(f"unsupported database URL scheme {scheme!r}: use sqlite:///path or postgresql://…")


def printable(target: str) -> str:
    """The database URL without its password, for messages and logs."""
    return sa.engine.make_url(normalize(target)).render_as_string(hide_password=True)


def create(target: str, pool_size: int = DEFAULT_POOL_SIZE, *, autocommit: bool = False,
           durable: bool = True) -> sa.Engine:
    """``pool_size``: PostgreSQL connections kept open (``STORELIFT_DB_POOL_SIZE``); SQLite's pool is fixed.
    PostgreSQL only: ``autocommit``, a pool whose connections run each statement on its own;
    ``durable=False``, a pool whose commits return before they reach the disk
    (``synchronous_commit = off`` for the session: no statement per transaction to say so)."""
    url = normalize(target)
    if url.startswith("sqlite"):
        return _sqlite(url)
    return _postgresql(url, pool_size, "AUTOCOMMIT" if autocommit else "READ COMMITTED", durable)


def _sqlite(url: str) -> sa.Engine:
    engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
                              pool_size=8, max_overflow=24)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # SQLAlchemy, not the driver, begins transactions
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        _use_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA wal_autocheckpoint=0")  # the store's checkpoint thread does it (``checkpoints``)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        mode = "IMMEDIATE" if connection.get_execution_options().get("storelift_write") else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _use_wal(cursor) -> None:
    """Put the file in WAL mode (it stays so): the first connection to a new file switches it.

    Switching takes the file's exclusive lock and SQLite answers "database is locked" at
    once, without waiting out ``busy_timeout``, when several processes open a new file
    together (``serve`` and workers starting at once): so wait and try again here.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _postgresql(url: str, size: int, isolation_level: str, durable: bool) -> sa.Engine:
    given = sa.engine.make_url(url).query.get("options")  # the URL's own options come first
    options = " ".join(filter(None, (given, "-c plan_cache_mode=force_custom_plan",
                                     None if durable else "-c synchronous_commit=off")))
    return sa.create_engine(url, pool_size=size, max_overflow=size * 2, isolation_level=isolation_level,
                            connect_args={"options": options})
