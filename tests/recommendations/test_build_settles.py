"""A large build keeps what it has made out of the garbage collector's sight as it goes (``snapshot.settle``).

Otherwise the collector's full collections walk the half-built catalog and model, pausing every
request thread of the process for longer each time the build grows.
"""

from __future__ import annotations

import gc

import pytest

from plugin.recommendations.serving import snapshot
from plugin.recommendations.serving.snapshot import ServingModel, build

from tests.support.recommendations import order, store_with

SHOP = "settle.myshopify.com"
PRODUCTS = tuple(str(4000 + n) for n in range(30))
ORDERS = 400
SAMPLE_EVERY = 25
ADD_ORDER = ServingModel.add_order


@pytest.fixture
def store(tmp_path):
    s = store_with(tmp_path / "settle.db", SHOP, PRODUCTS)
    with s.database.write():
        for n in range(ORDERS):
            order(s, SHOP, f"o{n}", [PRODUCTS[n % 30], PRODUCTS[(n * 7 + 1) % 30]], customer=f"c{n}")
    yield s
    s.close()


def in_sight_while_building(store, monkeypatch, every: int) -> list[bool]:
    """Whether a full collection would walk the model being built (its attributes' dict among the
    objects the collector tracks, frozen ones aside), after each ``SAMPLE_EVERY`` orders it adds,
    with a settle every ``every``."""
    monkeypatch.setattr(snapshot, "SETTLE_EVERY", every)
    walked = []

    def sampled(model, order):
        added = ADD_ORDER(model, order)
        if model.order_count % SAMPLE_EVERY == 0:
            state = vars(model)
            walked.append(any(tracked is state for tracked in gc.get_objects()))
        return added

    monkeypatch.setattr(ServingModel, "add_order", sampled)
    try:
        build(store, SHOP)
    finally:
        gc.unfreeze()  # the rest of the test session collects as usual
    return walked


def test_a_build_settles_what_it_has_made_so_collections_do_not_walk_the_growing_model(store, monkeypatch):
    unsettled = in_sight_while_building(store, monkeypatch, every=10 * ORDERS)
    settled = in_sight_while_building(store, monkeypatch, every=2 * SAMPLE_EVERY)
    assert len(settled) == ORDERS // SAMPLE_EVERY and all(unsettled)
    assert settled[:2] == [True, True] and not any(settled[2:])  # out of sight from the first settle on
