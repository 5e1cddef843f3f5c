"""SQLite's checkpoints, on a thread of their own, so that no request ever runs one.

In WAL mode a commit that takes the log past ``wal_autocheckpoint`` pages
(1,000 by default) copies the log into the database file itself, with an
fsync, before its ``COMMIT`` returns. Measured on the 50,000-product
benchmark store, that made one storefront write in about a thousand (an
experiment exposure) take 160 ms instead of 0.1 ms, while the process's
other writers queued behind it. So every connection of the store's pool is
opened with ``wal_autocheckpoint=0`` (``engines``), and this thread runs a
PASSIVE checkpoint every second instead: it copies what no reader still
needs and never takes the write lock, so writers go on beside it. One per
``Database`` on SQLite; PostgreSQL checkpoints on its own.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable

CHECKPOINT_INTERVAL_S = 1.0


class Checkpointer:
    def __init__(self, connect: Callable[[], sqlite3.Connection]):
        self._connect = connect
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._checkpoint_forever, name="storelift-checkpoint", daemon=True)
        self._thread.start()

    def _checkpoint_forever(self) -> None:
        conn = self._connect()
        try:
            while not self._stopping.wait(CHECKPOINT_INTERVAL_S):
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.OperationalError:  # busy or locked: the next round catches up
                    continue
        finally:
            conn.close()

    def close(self) -> None:
        """Stop the thread (it finishes a checkpoint under way first)."""
        self._stopping.set()
        self._thread.join()
