"""Forks of the serving model: growing a fork changes nothing a reader of its parent sees.

A fork shares most of its parent's structures (``serving.forks``); these
tests read everything a block can read of the parent, grow forks of forks
with orders that touch shared rows, histories, purchases and basket
postings (with few baskets kept per item, so baskets are released), and
read the parent again. The grown fork must equal a model that counted the
same orders directly.
"""

from __future__ import annotations

import gc
import random

import pytest

from plugin.recommendations.engine.interactions import Order, OrderLine
from plugin.recommendations.engine.model import InteractionModel, ModelParams
from plugin.recommendations.engine.similarity import CONFIDENCE, COSINE
from plugin.recommendations.serving import forks
from plugin.recommendations.serving.snapshot import ServingModel, settle

PARAMS = ModelParams(basket_per_item=3, pair_cap=4, candidates=5)
ITEMS = [f"p{n}" for n in range(30)]
FRESH = [f"new{n}" for n in range(6)]  # sold first in a fork
CUSTOMERS = [f"c{n}" for n in range(8)]


def orders(count: int, seed: int, first: int = 0, pool: list[str] = ITEMS) -> list[Order]:
    rng = random.Random(seed)
    return [Order(order_id=f"o{first + n}", customer=rng.choice(CUSTOMERS + [None]), time=1e9 + first + n,
                  lines=tuple(OrderLine(item=item, quantity=1.0) for item in rng.sample(pool, rng.randint(1, 6))))
            for n in range(count)]


def model_of(counted: list[Order]) -> ServingModel:
    model = ServingModel(PARAMS)
    for order in counted:
        model.add_order(order)
    return model


def readings(model: ServingModel) -> dict:
    """Everything a block reads of the model, through a new fork, as the next published model reads
    it: with the neighbour cache it shares and the memo it carries, so a cached answer kept past a
    change it depended on shows as a difference from a model that counted the same orders directly."""
    return reads(model.fork())


def reads(model: ServingModel) -> dict:
    """Everything a block reads of the model, filling its caches as requests do."""
    items = ITEMS + FRESH + ["unknown"]
    carts = [tuple(ITEMS[n:n + 3]) for n in range(0, 30, 3)]
    return {
        "items": sorted(model.items),
        "orders": model.order_count,
        "neighbours": [model.neighbours(item, similarity, 10) for item in items for similarity in (COSINE, CONFIDENCE)],
        "best_sellers": model.best_sellers(40),
        "trending": model.trending(40),
        "trends": model.trends(items),
        "dense trends": dict(zip(model.items, model.trends_at(model.indices(model.items)).tolist())),
        "repeat": [model.repeat_rate(item) for item in items],
        "histories": [model.history(customer) for customer in CUSTOMERS + ["nobody"]],
        "purchased": [model.purchased(customer) for customer in CUSTOMERS + ["nobody"]],
        "customers": sorted(model.customers()),
        "votes": [model.basket_index.votes(cart, 5, 1.0) for cart in carts],
        "contains": [item in model for item in items],
    }


@pytest.mark.parametrize("fold_at", [2, forks.FOLD_AT])
def test_growing_forks_of_forks_leaves_every_parent_as_it_was(monkeypatch, fold_at):
    monkeypatch.setattr(forks, "FOLD_AT", fold_at)
    counted = orders(60, seed=1)
    parent = model_of(counted)
    reads(parent)
    chain = [(parent, readings(parent))]
    for step in range(6):
        child = chain[-1][0].fork()
        batch = orders(15, seed=10 + step, first=100 * (step + 1), pool=ITEMS + FRESH[step:step + 1])
        for order in batch:
            child.add_order(order)
        reads(child)  # published: requests fill its caches, which its fork inherits
        counted += batch
        chain.append((child, readings(child)))
        for model, seen in chain[:-1]:
            assert readings(model) == seen
    assert readings(chain[-1][0]) == readings(model_of(counted))


def test_a_fork_counts_an_order_its_parent_counted_once():
    counted = orders(20, seed=2)
    child = model_of(counted).fork()
    for order in counted:
        assert not child.add_order(order)
    assert readings(child) == readings(model_of(counted))


def test_releasing_baskets_in_a_fork_keeps_them_for_its_parent_and_counts_them():
    parent = model_of(orders(60, seed=3))
    votes = readings(parent)["votes"]
    child = parent.fork()
    for order in orders(60, seed=4, first=1000):
        child.add_order(order)
    assert child.basket_index.retired > 0
    assert parent.basket_index.retired == 0
    assert readings(parent)["votes"] == votes


def test_a_model_with_a_part_the_fork_does_not_know_refuses_to_fork():
    model = model_of(orders(5, seed=5))
    model.session_counts = {}  # e.g. a structure the engine gains later
    with pytest.raises(TypeError, match="session_counts"):
        model.fork()


def test_the_shared_cache_treats_a_key_another_thread_evicted_as_a_miss():
    cache = forks.SharedLRU()
    cache["a"] = 1
    cache.move_to_end("gone")
    assert cache.popitem(last=False) == ("a", 1)
    assert cache.popitem(last=False) is None


def sold(order_id: str, *items: str) -> Order:
    return Order(order_id=order_id, customer=None, time=1e9, lines=tuple(OrderLine(item=i, quantity=1.0) for i in items))


def test_a_fork_keeps_the_neighbour_lists_an_order_left_alone_and_recomputes_the_rest():
    counted = [sold("o1", "a", "b"), sold("o2", "a", "b"), sold("o3", "b", "c"), sold("o4", "x", "y")]
    parent = model_of(counted)
    before = {item: parent.neighbours(item, COSINE, 10) for item in ("a", "b", "c", "x")}
    child = parent.fork()
    child.add_order(sold("o5", "a"))  # only a's basket count changes, and it is in every score a and b read
    direct = model_of(counted + [sold("o5", "a")])
    for item in ("a", "b", "c", "x"):
        assert child.neighbours(item, COSINE, 10) == direct.neighbours(item, COSINE, 10)
    assert child.neighbours("x", COSINE, 10) is before["x"]  # x shares no candidate with a: kept
    assert child.neighbours("a", COSINE, 10) != before["a"]
    assert child.neighbours("b", COSINE, 10) != before["b"]
    assert parent.neighbours("a", COSINE, 10) == before["a"]  # the parent ignores its child's newer entry


def test_a_fork_carries_the_memoised_rankings_over_an_order_without_scanning_every_item(monkeypatch):
    counted = orders(60, seed=6)
    parent = model_of(counted)
    parent.best_sellers(5), parent.trending(5), parent.dense_trends()
    child = parent.fork()
    scans = []

    def spying(name, scan):
        def spy(model, *args):
            if model is child and len(args) < 2:  # no ``among``: a scan of every item
                scans.append(name)
            return scan(model, *args)
        return spy
    for name in ("best_sellers", "trending", "_dense_trends"):
        monkeypatch.setattr(InteractionModel, name, spying(name, getattr(InteractionModel, name)))
    batch = orders(10, seed=7, first=500, pool=ITEMS + FRESH)
    for order in batch:
        child.add_order(order)
    direct = model_of(counted + batch)
    assert (child.best_sellers(5), child.trending(5)) == (direct.best_sellers(5), direct.trending(5))
    assert child.dense_trends().tolist() == direct.dense_trends().tolist()
    assert scans == []


def test_an_order_brings_a_sold_items_candidates_up_to_date_without_ranking_its_whole_row(monkeypatch):
    history = [sold(f"h{n}", "hub", f"p{n}") for n in range(20)]  # 20 partners, of which PARAMS keep 5
    parent = model_of(history)
    parent.neighbours("hub", COSINE, 10)
    child = parent.fork()
    ranked = []
    top_partners = InteractionModel._top_partners

    def spy(model, index, among):
        if model is child:
            ranked.append(len(among))
        return top_partners(model, index, among)
    monkeypatch.setattr(InteractionModel, "_top_partners", spy)
    order = sold("h99", "hub", "p3", "p19", "fresh")
    child.add_order(order)
    assert child.neighbours("hub", COSINE, 10) == model_of(history + [order]).neighbours("hub", COSINE, 10)
    assert ranked and max(ranked) < 20


def test_forking_for_an_order_hands_the_collector_work_of_the_orders_size_not_the_catalogs():
    """Whatever a fork and its order newly allocate, the collector's next young passes walk, and
    every request thread waits meanwhile: that must grow with the order, not with the catalog.
    What was there before is frozen out of the collector's sight, as a large shop's build does
    (``snapshot.settle``)."""
    catalog = [f"p{n}" for n in range(3000)]
    rng = random.Random(8)
    parent = model_of([sold(f"o{n}", *rng.sample(catalog, 3)) for n in range(3000)])
    published = parent.fork()
    published.add_order(sold("first", "p1", "p2"))
    settle(full=False)
    try:
        before = {id(found) for found in gc.get_objects()}
        child = published.fork()
        child.add_order(sold("second", "p1", "p3", "p4"))  # items sold before: the interning stays shared
        walked = sum(len(gc.get_referents(found)) for found in gc.get_objects()
                     if id(found) not in before and found is not before)
    finally:
        gc.unfreeze()
    assert walked < 300
