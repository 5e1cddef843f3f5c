"""The interaction model: bounded incremental updates that agree with a rebuild."""

from __future__ import annotations

import gc
import random

import numpy as np
import pytest

from plugin.recommendations.engine.baskets import BasketIndex
from plugin.recommendations.engine.decay import DecayedCounter, decay_factor
from plugin.recommendations.engine.interactions import DAY, Order, OrderLine
from plugin.recommendations.engine.model import InteractionModel, ModelParams, pair_sample, rank
from plugin.recommendations.engine.similarity import COSINE, JACCARD, LIFT, Similarity, power

from tests.support.recommendations import baskets_with, co_count, orders_with


def order(order_id, items, time=0.0, customer="c1"):
    return Order(order_id, customer, time, tuple(OrderLine(i) for i in items))


def random_orders(n=300, seed=7):
    rng = random.Random(seed)
    catalog = [f"p{i}" for i in range(60)]
    weights = [1 / (i + 1) for i in range(60)]
    orders = []
    for k in range(n):
        size = rng.choice([1, 2, 3, 5, 8, 40])  # some orders exceed the pair cap
        items = rng.choices(catalog, weights, k=size)
        orders.append(order(f"o{k}", items, time=k * 3600.0 * rng.random() * 10, customer=f"c{rng.randrange(25)}"))
    return orders


def snapshot(model: InteractionModel):
    items = sorted(model.items)
    return {
        "orders": model.order_count,
        "counts": {i: (orders_with(model, i), baskets_with(model, i)) for i in items},
        "pairs": {(a, b): co_count(model, a, b) for a in items for b in items if co_count(model, a, b)},
        "neighbours": {i: model.neighbours(i, JACCARD, 10) for i in items},
        "histories": {c: sorted(model.history(c)) for c in model.customers()},
        "purchased": {c: model.purchased(c) for c in model.customers()},
        "repeat": {i: model.repeat_rate(i) for i in items},
        "basket votes": {i: model.basket_index.votes([i], 1000, 1.0) for i in items},
        "baskets held": len(model.basket_index),
    }


def test_incremental_updates_equal_a_rebuild_whatever_the_arrival_order():
    orders = random_orders()
    params = ModelParams(pair_cap=10, candidates=15)
    rebuilt = InteractionModel.from_orders(orders, params)

    incremental = InteractionModel.from_orders(orders[:100], params)
    late = orders[100:]
    random.Random(1).shuffle(late)
    for o in late + late[:20]:  # out of order, and twenty delivered twice
        incremental.add_order(o)

    assert snapshot(incremental) == snapshot(rebuilt)
    for item in rebuilt.items:
        assert incremental.trend(item) == pytest.approx(rebuilt.trend(item), rel=1e-9, abs=1e-12)


def test_basket_index_keeps_the_most_recent_baskets_per_item_and_frees_the_rest():
    index = BasketIndex(per_item=2)
    index.add("o1", 1.0, ("a", "b"))
    index.add("o3", 3.0, ("a",))
    index.add("o2", 2.0, ("a", "c"))  # late, but newer than o1: a keeps o2 and o3
    assert index.votes(["a"], 10, 1.0) == {"a": pytest.approx(1.0 + 0.5), "c": pytest.approx(0.5)}
    assert index.votes(["b"], 10, 1.0) == {"a": 0.5, "b": 0.5}  # b still holds o1
    index.add("o0", 0.0, ("a",))  # older than everything a keeps: not indexed, nothing held
    index.add("o4", 4.0, ("b",))
    index.add("o5", 5.0, ("b",))  # b lets go of o1, which nothing references any more
    assert len(index) == 4  # o2, o3, o4, o5
    cosine = index.votes(["a", "b", "zz"], 10, 1.0, jaccard=False)  # o2: 1/sqrt(3*2), o3..o5: 1/sqrt(3)
    assert cosine == pytest.approx({"a": 1 / 6 ** 0.5 + 1 / 3 ** 0.5, "c": 1 / 6 ** 0.5, "b": 2 / 3 ** 0.5})


def test_a_repeated_order_id_is_counted_once():
    model = InteractionModel()
    assert model.add_order(order("o1", ["a", "b"]))
    assert not model.add_order(order("o1", ["a", "b"]))
    assert co_count(model, "a", "b") == 1 and orders_with(model, "a") == 1


def test_pair_work_per_order_is_capped_deterministically():
    items = tuple(f"p{i}" for i in range(200))
    picked = pair_sample("o9", items, 20)
    assert len(picked) == 20 and picked == pair_sample("o9", tuple(reversed(items)), 20)
    model = InteractionModel(ModelParams(pair_cap=20))
    model.add_order(order("o9", items))
    assert model.pair_total() == 20 * 19
    assert all(orders_with(model, i) == 1 for i in items)  # popularity still counts every line
    assert sum(baskets_with(model, i) for i in items) == 20


def test_duplicate_lines_of_one_product_are_one_purchase():
    model = InteractionModel()
    model.add_order(Order("o1", "c", 0.0, (OrderLine("a", 2), OrderLine("a", 1), OrderLine("b"))))
    assert orders_with(model, "a") == 1 and co_count(model, "a", "b") == 1


def test_guest_orders_count_but_keep_no_history():
    model = InteractionModel()
    model.add_order(order("o1", ["a", "b"], customer=None))
    assert co_count(model, "b", "a") == 1 and model.customers() == [] and model.history(None) == []


def test_neighbour_candidates_are_pruned_to_the_highest_co_counts():
    model = InteractionModel(ModelParams(candidates=2))
    for k, partner in enumerate(["x", "x", "x", "y", "y", "z"]):
        model.add_order(order(f"o{k}", ["a", partner]))
    assert [item for item, _ in model.neighbours("a", COSINE, 10)] == ["x", "y"]


def test_cached_neighbour_lists_cost_the_collectors_full_passes_nothing():
    """The cache keeps up to ``NEIGHBOUR_CACHE`` lists; once the collector has seen them, its full
    passes (which pause every request thread) no longer walk them."""
    model = InteractionModel.from_orders(random_orders())
    cached = [model.neighbours(item, COSINE, 10) for item in model.items]
    gc.collect()
    gc.collect()  # a tuple leaves the collector's sight once every tuple in it has
    assert any(cached) and not any(gc.is_tracked(found) for found in cached)


def test_the_neighbour_caches_keys_leave_the_collectors_sight_too():
    """Up to ``NEIGHBOUR_CACHE`` keys name the measure they were scored with: as plain values,
    not the measure object, which would keep every key tuple tracked."""
    measure = Similarity("cosine-for-this-test", 0.5, 0.5)
    model = InteractionModel.from_orders(random_orders())
    for item in model.items:
        model.neighbours(item, measure, 10)
        model.neighbour_terms(item, measure, 10, 2.0)
    gc.collect()
    gc.collect()
    assert not [holder for holder in gc.get_referrers(measure) if isinstance(holder, tuple)]


def test_neighbour_cache_follows_updates():
    model = InteractionModel()
    model.add_order(order("o1", ["a", "b"]))
    assert [i for i, _ in model.neighbours("a", JACCARD, 5)] == ["b"]
    model.add_order(order("o2", ["a", "c"]))
    model.add_order(order("o3", ["a", "c"]))
    assert [i for i, _ in model.neighbours("a", JACCARD, 5)] == ["c", "b"]


def test_similarity_measures_on_counts():
    assert JACCARD(2, 4, 3) == pytest.approx(2 / 5)
    assert COSINE(2, 4, 1) == pytest.approx(2 / 2)
    assert LIFT(2, 4, 2) == pytest.approx(0.25)
    assert power(1, 0.5)(3, 3, 4) == pytest.approx(0.5)


def test_decayed_counter_halves_per_half_life_and_rebases_exactly():
    counter = DecayedCounter(half_life=DAY)
    counter.add("a", 1.0, 0.0)
    counter.add("b", 1.0, DAY)
    assert counter.relative("b") == 1.0 and counter.relative("a") == pytest.approx(0.5)
    counter.add("a", 1.0, 200 * DAY)  # past the rebase threshold: origin moves, ratios stay
    assert counter.origin == 200 * DAY
    assert counter.relative("b") == pytest.approx(2.0**-199 / (1 + 2.0**-200))
    counter.add("c", 1.0, 199 * DAY)  # an event older than the origin still counts, decayed
    assert counter.relative("c") == pytest.approx(0.5, rel=1e-9)
    assert counter.relative("missing") == 0.0 and DecayedCounter(DAY).relative("a") == 0.0
    assert decay_factor(2 * DAY, DAY) == 0.25
    with pytest.raises(ValueError):
        DecayedCounter(0)


def test_ranking_by_index_is_the_list_rank_gives_ties_in_item_id_order():
    model = InteractionModel.from_orders(random_orders())
    rng = random.Random(3)
    indices = np.arange(len(model.items))
    rng.shuffle(indices)  # interning order is not item id order, and neither is this
    scores = np.array([rng.choice([0.0, 0.25, 0.5, 1.0, rng.random()]) for _ in indices])  # many ties
    expected = rank((model.items[i], score) for i, score in zip(indices.tolist(), scores.tolist()))
    ranked = model.ranking(indices, scores)
    assert len(expected) > 32  # more than the first chunk an iteration names
    assert list(ranked) == expected and ranked == expected and len(ranked) == len(expected)
    assert ranked[5] == expected[5] and ranked[3:40] == expected[3:40] and ranked[-1] == expected[-1]
    assert any(a[1] == b[1] for a, b in zip(expected, expected[1:]))  # ties were there to break
