"""SQLite's checkpoints run on the store's own thread: a committing request never copies the log itself."""

from __future__ import annotations

import os
import threading

from plugin.store.connection import Database

from ..support.browser import wait_for
from ..support.database import only_on

pytestmark = only_on("sqlite", "WAL checkpoints are SQLite's; PostgreSQL checkpoints on its own")


def test_no_pooled_connection_checkpoints_when_it_commits(database):
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0


def test_the_checkpoint_thread_copies_committed_pages_into_the_database_file(database, database_file):
    before = os.path.getsize(database_file)
    database.executemany("INSERT INTO t (v) VALUES (:v)", [{"v": "x" * 4000} for _ in range(500)])  # ~2 MB
    wait_for(lambda: os.path.getsize(database_file) >= before + 1_500_000)  # pages reach the file only by a checkpoint


def checkpoint_threads() -> int:
    return sum(t.name == "storelift-checkpoint" for t in threading.enumerate())


def test_each_database_has_one_checkpoint_thread_until_it_is_closed(tmp_path):
    before = checkpoint_threads()
    db = Database(f"sqlite:///{tmp_path / 'd.db'}")
    assert checkpoint_threads() == before + 1
    db.close()
    assert checkpoint_threads() == before
