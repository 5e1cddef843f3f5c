"""A large shop's model builds in the background: meanwhile the catalog serves, and heeds the feed as a model does.

The fixtures are ``test_serving``'s: this process's store and models, and another process's store.
"""

from __future__ import annotations

import threading
import time

from plugin.recommendations.serving import registry
from plugin.recommendations.serving import api as recs

from tests.support.recommendations import catalog, order, product

from .test_serving import SHOP, ask, ids, models, other, store  # noqa: F401 (fixtures)


def eventually(probe, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not probe():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_large_shop_serves_its_catalog_while_its_model_builds_in_the_background(store, other, monkeypatch, models):
    monkeypatch.setattr(registry, "INLINE_REBUILD_ORDERS", 1)  # three orders count as "large"
    catalog(store, SHOP, 4)
    for n in range(3):
        order(store, SHOP, f"o{n}", ["1000"])
    assert ids(ask(models, "best_sellers", limit=1)) == ["1003"]  # provisional: the newest product
    eventually(lambda: ids(ask(models, "best_sellers", limit=1)) == ["1000"])

    for n in range(5):  # a bulk write, then a rebuild request: the old model serves until the new one is in
        order(other, SHOP, f"bulk{n}", ["1001"])
    recs.invalidate(other, SHOP)
    assert ids(ask(models, "best_sellers", limit=1)) in (["1000"], ["1001"])
    eventually(lambda: ids(ask(models, "best_sellers", limit=1)) == ["1001"])


def test_a_new_life_of_the_database_server_makes_a_provisional_catalog_read_again(store, other, monkeypatch, models):
    """The catalog a large shop serves while its model builds tails the feed too, so it heeds a crash the same way."""
    monkeypatch.setattr(registry, "INLINE_REBUILD_ORDERS", 1)
    release = threading.Event()
    real_build = registry.build

    def held(store_, shop, orders=True, **kw):  # the model build stays in progress: the catalog serves
        if orders:
            release.wait(10)
        return real_build(store_, shop, orders, **kw)

    monkeypatch.setattr(registry, "build", held)
    try:
        catalog(store, SHOP, 4)
        for n in range(3):
            order(store, SHOP, f"o{n}", ["1000"])
        recs.on_product(store, SHOP, "1003")  # the catalog's cursor is past a row
        assert ids(ask(models, "new_arrivals", limit=1)) == ["1003"]
        assert models.current(SHOP).provisional
        other.database.execute("DELETE FROM rec_feed_life")  # as crash recovery empties it
        product(other, SHOP, "1004", created=9000)
        recs.on_product(other, SHOP, "1004")
        other.database.execute("UPDATE rec_changes SET position = 0 WHERE ref = '1004'")  # behind the cursor
        assert ids(ask(models, "new_arrivals", limit=1)) == ["1004"]
    finally:
        release.set()
