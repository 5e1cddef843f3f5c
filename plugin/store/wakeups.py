"""Waking idle workers when work is queued: LISTEN/NOTIFY on PostgreSQL, a short poll on SQLite.

A worker with nothing to do waits here instead of asking the database every
few milliseconds. On PostgreSQL, whoever queues a delivery or a job sends a
notification in the same transaction, so it is delivered only when the row is
visible; every listening worker wakes and races to claim it (the claims skip
each other's rows). The worker still polls at ``FALLBACK_S`` when nothing
arrives, because some work becomes due by time alone (a retry's backoff, a lease
that ran out). SQLite has no notifications: its workers poll every
``POLL_S``, as before.
"""

from __future__ import annotations

import logging
import threading

import psycopg
import sqlalchemy as sa

CHANNEL = "storelift_work"
NOTIFY_CALL = f"pg_notify('{CHANNEL}', '')"
NOTIFY_SQL = f"SELECT {NOTIFY_CALL}"
POLL_S = 0.2  # SQLite: how often an idle worker looks again
FALLBACK_S = 1.0  # PostgreSQL: the longest an idle worker sleeps without a notification

log = logging.getLogger(__name__)


class Poll:
    """SQLite: sleep a little, or until stopped."""

    def listen(self) -> None:
        pass

    def wait(self, stop: threading.Event) -> bool:
        """False: SQLite cannot be told about new work, so this only sleeps."""
        stop.wait(POLL_S)
        return False

    def close(self) -> None:
        pass


class Listen:
    """PostgreSQL: a connection of its own that LISTENs, outside the pool (it is never returned)."""

    def __init__(self, url: str):
        self._dsn = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._conn: psycopg.Connection | None = None

    def listen(self) -> None:
        """Start listening (before the worker's first claim, so no notification falls in between)."""
        self._connection()

    def _connection(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(self._dsn, autocommit=True)
            self._conn.execute(f"LISTEN {CHANNEL}")
        return self._conn

    def wait(self, stop: threading.Event) -> bool:
        """Return when work may have been queued: True on a notification, False after ``FALLBACK_S``
        or at once if stopped."""
        if stop.is_set():
            return False
        try:
            return any(True for _ in self._connection().notifies(timeout=FALLBACK_S, stop_after=1))
        except psycopg.OperationalError as exc:  # the server restarted: poll meanwhile, listen again next time
            log.warning("lost the notification connection (%s); reconnecting", exc)
            self.close()
            stop.wait(FALLBACK_S)
            return False

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
