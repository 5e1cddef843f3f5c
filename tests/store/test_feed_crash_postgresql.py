"""A serving process's model misses no feed row when PostgreSQL crashes.

A serving process reads the feed in position order (the writing transaction's
id) and keeps a cursor. Handlers commit without waiting for the disk, and
PostgreSQL shows such a commit to other sessions before it is on disk; a
crash loses it and hands its transaction id out again, so a new row can take
a position behind the cursor of a process that read the lost one (the scale
run lost an order so). The feed's life token, in an unlogged table that
crash recovery empties, makes that process rebuild instead
(plugin/store/recommendations.py).

A crash loses only the few commits whose WAL was not yet written out (two
or three in the runs that found this), so which ids come back is up to
timing; here a row is moved behind the cursor by hand, after a real crash,
to stand for one. A server of its own
(``bench.fleet.Cluster``): the suite's shared one must not be crashed.
"""

from __future__ import annotations

import os
import signal

import pytest
from sqlalchemy.exc import DBAPIError

from bench.fleet import DURABLE_SETTINGS, Cluster
from plugin.recommendations.serving.registry import Models
from plugin.store import Store

from ..support.app import SHOP
from ..support.database import only_on
from ..support.recommendations import product
from ..support.shops import install

pytestmark = only_on("postgresql", "the crash is PostgreSQL's: SQLite's readers die with the machine that loses a commit")


def handle(url: str, product_id: str, behind: tuple[int, int] | None = None) -> None:
    """A product webhook's handler, committed as a worker commits it: not waiting for the disk.
    ``behind``: then give its feed row a position behind that cursor, as a transaction id handed out again would."""
    store = Store(url)
    try:
        with store.database.write(durable=False):
            product(store, SHOP, product_id)
            store.recommendations.record_change(SHOP, "product", product_id, 1)
        if behind is not None:
            store.database.execute("UPDATE rec_changes SET position = :position WHERE shop = :shop AND ref = :ref",
                                   {"position": behind[0] - 1, "shop": SHOP, "ref": product_id})
    finally:
        store.close()


def crash(cluster: Cluster) -> None:
    """What ``pg_ctl stop -m immediate`` sends the postmaster: every process quits, nothing is flushed."""
    os.kill(int((cluster.data / "postmaster.pid").read_text().split()[0]), signal.SIGQUIT)
    cluster.stop("immediate")  # waits until it is down
    cluster.start()


def door(store: Store) -> None:
    """What a block request reads before the model (its shop). After a restart the first read on a
    pooled connection fails and the pool reconnects (docs/deploy.md): that request gets a 5xx."""
    try:
        store.shops.get(SHOP)
    except DBAPIError:
        store.shops.get(SHOP)


@pytest.fixture
def server():
    cluster = Cluster(DURABLE_SETTINGS)
    try:
        url = cluster.create_database("storelift_feed_crash")
        store = Store(url)
        store.migrate()
        install(store, SHOP)
        store.close()
        yield cluster, url
    finally:
        cluster.remove()


def test_after_a_crash_a_model_holds_what_the_tables_hold_even_behind_its_cursor(server):
    cluster, url = server
    reader = Store(url)
    try:
        models = Models(reader)
        handle(url, "7001")
        before = models.current(SHOP)
        assert "7001" in before.catalog.products
        crash(cluster)
        handle(url, "7002", behind=before.cursor)
        door(reader)
        after = models.current(SHOP)
        if after.broken:  # its rebuild met a pooled connection the restart closed: the next request's goes on
            after = models.current(SHOP)
        stored = {row["product_id"] for row in reader.database.query(
            "SELECT product_id FROM products WHERE shop = :shop", {"shop": SHOP})}
        assert "7002" in stored  # and 7001 too, unless the crash took its commit back: the platform sends it again
        assert set(after.catalog.products) == stored
    finally:
        reader.close()


def test_the_life_token_outlives_a_clean_restart_and_not_a_crash(server):
    cluster, url = server
    store = Store(url)
    life = store.recommendations.feed_life()
    store.close()
    cluster.stop("fast")  # a clean stop flushes every commit: nothing read can be taken back
    cluster.start()
    store = Store(url)
    assert store.recommendations.feed_life() == life
    store.close()
    crash(cluster)
    store = Store(url)
    try:
        assert store.database.scalar("SELECT COUNT(*) FROM rec_feed_life") == 0
        assert store.recommendations.feed_life() != life
    finally:
        store.close()
