"""Group commit: concurrent durable writes share transactions, and one bad row fails alone."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from plugin.store.group_commit import _Pending

from ..support.database import only_on

pytestmark = only_on("sqlite", "group commit and its checkpoint thread are SQLite's; PostgreSQL commits its own way")


def test_concurrent_writes_are_all_committed_once(database):
    barrier = threading.Barrier(8)
    results: list[int] = []

    def writer(n):
        barrier.wait()
        for i in range(50):
            rows = database.write_durable("INSERT INTO t (v) VALUES (:v) RETURNING id", {"v": f"{n}-{i}"})
            results.append(rows[0][0])

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == len(set(results)) == 400
    assert database.one("SELECT COUNT(*) AS n FROM t")["n"] == 400


def test_a_failing_statement_does_not_take_its_batch_down(database):
    committer = database._group
    # three writes committed together by one leader
    items = [_Pending("INSERT INTO t (v) VALUES (:v)", {"v": "a"}), _Pending("INSERT INTO t (v) VALUES (:v)", {"v": None}),
             _Pending("INSERT INTO t (v) VALUES (:v)", {"v": "c"})]
    committer._commit_batch(items)
    good = [i for i in items if i.error is None]
    bad = [i for i in items if i.error is not None]
    assert len(good) == 2 and len(bad) == 1
    assert isinstance(bad[0].error, sqlite3.IntegrityError)
    assert [r["v"] for r in database.query("SELECT v FROM t ORDER BY id")] == ["a", "c"]
    with pytest.raises(sqlite3.IntegrityError):
        database.write_durable("INSERT INTO t (v) VALUES (:v)", {"v": None})


def test_durable_writes_use_a_fully_synchronous_connection_that_never_checkpoints_itself(database):
    database.write_durable("INSERT INTO t (v) VALUES (:v)", {"v": "x"})
    conn = database._group._conn
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0  # a thread of its own does it
    assert any(t.name == "storelift-checkpoint" for t in threading.enumerate())
