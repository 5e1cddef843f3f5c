"""Published snapshots: block reads never wait for each other or for an update, and no update is lost.

The "other process" is a second ``Store`` on the same database: a worker
writing orders and their feed rows while this process serves blocks. Where a
read must not wait, it runs in a thread while the update is held open on an
``Event``; ``finished`` only guards the test against hanging (a deadlock
fails it instead of blocking the suite), it measures nothing.
"""

from __future__ import annotations

import threading

import pytest

from plugin.recommendations.engine.similarity import COSINE
from plugin.recommendations.serving import api as recs
from plugin.recommendations.serving import registry
from plugin.recommendations.serving.registry import Models
from plugin.recommendations.serving.snapshot import build
from plugin.store import Store

from tests.support.recommendations import catalog, order
from tests.support.shops import install

SHOP = "snapshots.myshopify.com"
GUARD_S = 60.0  # only against a hang: every wait here ends as soon as the other thread is done


@pytest.fixture
def store(tmp_path):
    s = Store(str(tmp_path / "snapshots.db"))
    s.migrate()
    install(s, SHOP)
    yield s
    s.close()


@pytest.fixture
def other(store):
    s = Store(store.database.url)
    yield s
    s.close()


@pytest.fixture
def models(store):
    return Models(store)


def fbt(models, product_id: str = "1000", limit: int = 1) -> list[str]:
    served = recs.recommend_for(models, SHOP, recs.ShopperRequest(block="frequently_bought_together",
                                                                  product_id=product_id, limit=limit))
    return [item["product_id"] for item in served.items]


def fed(other, order_id: str, items: list[str]) -> None:
    """A worker's order and its feed row, in one transaction."""
    with other.database.write():
        order(other, SHOP, order_id, items)
        recs.on_order(other, SHOP, order_id)


def in_thread(work) -> tuple[threading.Thread, list]:
    out: list = []
    thread = threading.Thread(target=lambda: out.append(work()), daemon=True)
    thread.start()
    return thread, out


def finished(thread: threading.Thread) -> bool:
    thread.join(GUARD_S)
    return not thread.is_alive()


@pytest.fixture
def held_apply(monkeypatch):
    """Makes the next feed apply stop half-way (its draft forked, nothing published) until released."""
    started, release = threading.Event(), threading.Event()
    real = registry.tail

    def tail(store, shop, snap, *read):
        draft = real(store, shop, snap, *read)
        if draft is not snap and not started.is_set():
            started.set()
            release.wait(GUARD_S)
        return draft

    monkeypatch.setattr(registry, "tail", tail)
    return started, release


def test_a_read_does_not_wait_for_an_apply_and_serves_the_snapshot_before_it(store, other, models, held_apply):
    started, release = held_apply
    catalog(store, SHOP, 6)
    order(store, SHOP, "o1", ["1000", "1001"])
    assert fbt(models) == ["1001"]
    for n in range(3):
        fed(other, f"w{n}", ["1000", "1004"])

    applier, applied = in_thread(lambda: fbt(models))
    assert started.wait(GUARD_S)  # the apply holds the writer lock, its draft not yet published
    reader, read = in_thread(lambda: fbt(models))
    assert finished(reader)
    assert read == [["1001"]]  # the published snapshot, untouched by the draft being filled
    release.set()
    assert finished(applier)
    assert applied == [["1004"]]
    assert fbt(models) == ["1004"]
    assert recs.refresh(models, SHOP) == 4


def test_orders_fed_during_an_apply_are_applied_once_after_it(store, other, models, held_apply):
    started, release = held_apply
    catalog(store, SHOP, 6)
    order(store, SHOP, "o1", ["1000", "1001"])
    recs.refresh(models, SHOP)
    fed(other, "w1", ["1000", "1002"])
    applier, _ = in_thread(lambda: recs.refresh(models, SHOP))
    assert started.wait(GUARD_S)
    for n in range(2, 5):  # written while the apply of w1 is under way
        fed(other, f"w{n}", ["1000", "1003"])
    reader, read = in_thread(lambda: recs.refresh(models, SHOP))
    assert finished(reader) and read == [1]  # served as it was: w1 is not published yet
    fed(other, "w1", ["1000", "1002"])  # a redelivery: the same state adds no feed row
    release.set()
    assert finished(applier)
    assert recs.refresh(models, SHOP) == 5
    assert_same_model(models.current(SHOP), build(store, SHOP))


def test_a_read_does_not_wait_while_another_thread_rebuilds(store, other, models):
    catalog(store, SHOP, 6)
    order(store, SHOP, "o1", ["1000", "1001"])
    assert fbt(models) == ["1001"]
    writer = models._slot(SHOP).writer
    with writer:  # a rebuild or an apply under way in another thread
        order(other, SHOP, "imported", ["1000", "1005"])
        order(other, SHOP, "imported2", ["1000", "1005"])
        recs.invalidate(other, SHOP)
        reader, read = in_thread(lambda: fbt(models))
        assert finished(reader) and read == [["1001"]]
    assert fbt(models) == ["1005"]  # the first read after it rebuilds


def test_many_readers_and_a_stream_of_orders_end_with_every_order_counted_once(store, other, models):
    catalog(store, SHOP, 8)
    order(store, SHOP, "o0", ["1000", "1001"])
    recs.refresh(models, SHOP)
    stop = threading.Event()
    errors: list[BaseException] = []

    def read() -> None:
        while not stop.is_set():
            try:
                for product_id in ("1000", "1003", "1006"):
                    fbt(models, product_id, limit=4)
            except BaseException as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)
                return

    readers = [threading.Thread(target=read, daemon=True) for _ in range(4)]
    for thread in readers:
        thread.start()
    for n in range(1, 41):
        fed(other, f"o{n}", [str(1000 + n % 8), str(1000 + (n * 3) % 8), str(1000 + (n * 5 + 1) % 8)])
    stop.set()
    assert all(finished(thread) for thread in readers)
    assert errors == []
    assert recs.refresh(models, SHOP) == 41
    assert_same_model(models.current(SHOP), build(store, SHOP))


def test_a_failed_apply_keeps_the_old_snapshot_serving_and_rebuilds_next(store, other, models, monkeypatch):
    catalog(store, SHOP, 6)
    order(store, SHOP, "o1", ["1000", "1001"])
    assert fbt(models) == ["1001"]
    real = registry.tail

    def lost(store, shop, snap, *read):
        raise OSError("connection lost")

    monkeypatch.setattr(registry, "tail", lost)
    for n in range(3):
        fed(other, f"w{n}", ["1000", "1004"])
    assert fbt(models) == ["1001"]  # logged; the shopper still gets the block
    assert models.current(SHOP).broken
    monkeypatch.setattr(registry, "tail", real)
    assert fbt(models) == ["1004"]
    assert not models.current(SHOP).broken


def assert_same_model(served, fresh) -> None:
    """Everything a block reads of the model, as served, equals a model built from the tables."""
    model, expected = served.model, fresh.model
    assert model.order_count == expected.order_count
    assert sorted(model.items) == sorted(expected.items)
    assert model.best_sellers(50) == expected.best_sellers(50)
    assert [item for item, _ in model.trending(50)] == [item for item, _ in expected.trending(50)]
    for item in expected.items:
        assert model.neighbours(item, COSINE, 20) == expected.neighbours(item, COSINE, 20), item


def test_the_feed_news_is_the_state_and_the_first_changes_in_one_read(store, other):
    feed = store.recommendations

    def apart(cursor, limit=1000):
        return (*feed.state(SHOP), feed.feed_life(), feed.changes_since(SHOP, cursor, limit))

    assert feed.feed_news(SHOP, (0, 0)) == (0, 0, None, [])  # no process has read this server's life yet
    life = feed.feed_life()
    assert feed.feed_life() == life and feed.feed_news(SHOP, (0, 0)) == apart((0, 0)) == (0, 0, life, [])
    catalog(store, SHOP, 3)
    for n in range(4):
        fed(other, f"o{n}", ["1000", "1001"])
    assert len(feed.feed_news(SHOP, (0, 0))[3]) == 4
    assert feed.feed_news(SHOP, (0, 0), limit=3) == apart((0, 0), limit=3)
    middle = feed.changes_since(SHOP, (0, 0))[1][:2]
    assert feed.feed_news(SHOP, middle) == apart(middle)
    recs.invalidate(other, SHOP)
    news = feed.feed_news(SHOP, middle)
    assert news == apart(middle) and news[0] == 1
