"""``Database.hold_reads``: a request's reads share one pooled connection, given back at its end."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa


@pytest.fixture
def checkouts(store):
    """How many times the read pool handed out a connection."""
    database = store.database
    pool = database._reader.pool
    counted = [0]

    def count(*_):
        counted[0] += 1

    sa.event.listen(pool, "checkout", count)
    yield counted, pool
    sa.event.remove(pool, "checkout", count)


def test_reads_in_a_hold_take_one_connection_and_give_it_back(store, checkouts):
    counted, pool = checkouts
    database = store.database
    database.hold_reads()
    try:
        assert [database.scalar(f"SELECT {n}") for n in range(5)] == [0, 1, 2, 3, 4]
        assert counted[0] == 1 and pool.checkedout() == 1
    finally:
        database.release_reads()
    assert pool.checkedout() == 0
    assert [database.scalar("SELECT 7"), database.scalar("SELECT 8")] == [7, 8]
    assert counted[0] == 3  # without a hold, each read checks out on its own


def test_a_failed_read_drops_the_held_connection_and_the_next_read_takes_another(store, checkouts):
    counted, pool = checkouts
    database = store.database
    database.hold_reads()
    try:
        assert database.scalar("SELECT 1") == 1
        with pytest.raises(sa.exc.DBAPIError):
            database.scalar("SELECT * FROM no_such_table")
        assert database.scalar("SELECT 2") == 2 and database.scalar("SELECT 3") == 3
    finally:
        database.release_reads()
    assert pool.checkedout() == 0


def test_a_hold_is_the_holding_threads_alone(store, checkouts):
    counted, pool = checkouts
    database = store.database
    database.hold_reads()
    try:
        database.scalar("SELECT 1")
        other = threading.Thread(target=lambda: [database.scalar("SELECT 2") for _ in range(3)])
        other.start()
        other.join()
        assert counted[0] == 1 + 3 and pool.checkedout() == 1
    finally:
        database.release_reads()
