"""The in-memory interaction model: co-occurrence, popularity and shopper histories.

One order updates the model in bounded work, and the model holds nothing that
depends on the order in which orders arrived, so replaying every order from
scratch (``InteractionModel.from_orders``) gives the same counts as adding them
one at a time, however late or twice they were delivered:

* every count is an exact integer sum over orders; an order id already seen is
  ignored (webhooks are delivered at least once);
* an order with more than ``pair_cap`` distinct items contributes pairs only
  among ``pair_cap`` of them, picked by a hash of (order id, item), so the pair
  work per order is at most ``pair_cap * (pair_cap - 1)`` dict increments and
  the pick does not depend on arrival order (wholesale baskets of 500 lines
  would otherwise cost 250,000 increments and mostly add noise);
* trending is a ``DecayedCounter``: O(1) per line, float sums that agree with a
  rebuild to rounding;
* the repeat rate counts, per item, the customers who bought it at all and
  those who bought it in two or more orders (a per-customer count capped at 2);
* each item's ``basket_per_item`` most recent baskets (``baskets``), for the
  basket-neighbour half of "complete the cart": kept by order time, so late
  orders land where a rebuild would put them.

Items are interned to dense ints and each item's partners live in one
``dict[int, int]``, the cheapest exact sparse row pure Python offers with O(1)
updates (about 48 bytes per stored entry, measured by ``plugin.evaluation.benchmark``; both
directions are stored so a row is one lookup). Reads never scan
the catalog: an item's neighbour *candidates* are its ``candidates`` partners
with the highest co-count. That list depends only on the item's own row, which
changes only when the item itself is sold, so it is cached (as a compact
array of partner ids) and brought up to date exactly then: counts only grow,
so the new top is among the old top and the order's items, a hundred-odd
entries to rank instead of a popular item's tens of thousands of partners
(milliseconds each, which the next "for you" would pay). Similarity scores
are computed from current counts over those candidates when read, and
cached. Each entry carries the model version it was computed at, and each
item the version at which its co-counts last changed (``_changed``): an
entry holds while neither its item nor any of its candidates has been sold
since. So an order makes stale only the lists it touches, found out when
they are read, and no request frees thousands of lists at once. The cache
holds at most ``NEIGHBOUR_CACHE`` entries (the lists, the same lists as
arrays for summing a whole history at once, and a dense copy of the trend
counts), evicting the least recently read one at a time, so memory stays
bounded in a long-running process and no request pays for clearing it.
"""

from __future__ import annotations

import heapq
import zlib
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter

import numpy as np

from .baskets import BasketIndex
from .decay import DecayedCounter
from .ease import ItemMatrix
from .interactions import DAY, Order
from .ranked import IndexRanking, rank_indices
from .similarity import Similarity


NEIGHBOUR_CACHE = 20_000  # entries kept per model, least recently read evicted: scored lists (~50 pairs, ~4.6 KB
# each) and for-you's arrays (~1 KB each); 20,000 covers a 50,000-product store's for-you working set, 10,000
# did not (a third of its reads missed)


@dataclass(frozen=True)
class ModelParams:
    pair_cap: int = 50
    candidates: int = 100
    trend_half_life_days: float = 30.0
    basket_per_item: int = 100  # recent baskets kept per item for basket neighbours (``baskets``)
    basket_cap: int = 200  # items of one order kept as a basket (hashed picks, like the pair sample)


def pair_sample(order_id: str, items: tuple[str, ...], cap: int) -> tuple[str, ...]:
    """The items of one order that take part in pair counting: all, or ``cap`` hashed picks."""
    if len(items) <= cap:
        return items
    ranked = sorted(items, key=lambda item: (zlib.crc32(f"{order_id}\x00{item}".encode()), item))
    return tuple(ranked[:cap])


class InteractionModel:
    def __init__(self, params: ModelParams | None = None):
        self.params = params or ModelParams()
        self.version = 0
        self._ids: dict[str, int] = {}
        self._items: list[str] = []
        self._pairs: list[dict[int, int]] = []
        # per-item counts are int64 arrays, not lists: a serving fork copies them (a memcpy), and the
        # garbage collector never walks them (a list's thousands of int objects, scattered in memory,
        # cost every collection milliseconds of cache misses after each fork)
        self._baskets = array("q")  # orders in which the item was pair-counted
        self._orders = array("q")  # orders containing the item at all
        self._changed = array("q")  # the version at which the item's co-counts last changed
        self._trend = DecayedCounter(self.params.trend_half_life_days * DAY)
        self._histories: dict[str, list[tuple[float, tuple[str, ...]]]] = {}
        # customer -> item -> orders holding it, counted up to 2: enough for the repeat rate
        self._bought: dict[str, dict[int, int]] = {}
        self._buyers = array("q")  # distinct customers who bought the item
        self._repeat_buyers = array("q")  # ... in two or more orders
        self._seen: set[str] = set()
        self.basket_index = BasketIndex(self.params.basket_per_item)
        # EASE^R weights fitted on every order at build time (``ease.fit``), never changed after;
        # add_order leaves them alone, so orders since the fit count only in the other scores
        self.ease: ItemMatrix | None = None
        # RP3beta weights over every customer's purchases (``rp3beta.fit_shoppers``), fitted and kept alike
        self.rp3: ItemMatrix | None = None
        self._candidates: dict[int, array] = {}
        # (similarity, item, k) -> (model version, scored list), least recently read first
        self._neighbours: OrderedDict[tuple[Similarity, int, int], tuple[int, list[tuple[str, float]]]] = OrderedDict()

    @classmethod
    def from_orders(cls, orders: Iterable[Order], params: ModelParams | None = None) -> "InteractionModel":
        """Rebuild from scratch, in time order (the order only affects float rounding)."""
        model = cls(params)
        for order in sorted(orders, key=lambda o: (o.time, o.order_id)):
            model.add_order(order)
        return model

    def _intern(self, item: str) -> int:
        index = self._ids.get(item)
        if index is None:
            index = self._ids[item] = len(self._items)
            self._items.append(item)
            self._pairs.append({})
            self._baskets.append(0)
            self._orders.append(0)
            self._changed.append(0)
            self._buyers.append(0)
            self._repeat_buyers.append(0)
        return index

    def add_order(self, order: Order) -> bool:
        """Count one order; False (and no change) if its id was already counted."""
        if order.order_id in self._seen:
            return False
        self._seen.add(order.order_id)
        items = order.items
        if not items:
            return True
        indices = [self._intern(item) for item in items]
        for index in indices:
            self._orders[index] += 1
            self._trend.add(index, 1.0, order.time)
        paired = [self._ids[item] for item in pair_sample(order.order_id, items, self.params.pair_cap)]
        pairs, changed, candidates = self._pairs, self._changed, self._candidates
        for a in paired:
            self._baskets[a] += 1
            changed[a] = self.version + 1
            row = pairs[a]
            for b in paired:
                if b != a:
                    row[b] = row.get(b, 0) + 1
            cached = candidates.get(a)
            if cached is not None:
                among = set(cached).union(paired)
                among.discard(a)
                candidates[a] = self._top_partners(a, among)
        self.basket_index.add(order.order_id, order.time, pair_sample(order.order_id, items, self.params.basket_cap))
        if order.customer is not None:
            interned = tuple(self._items[i] for i in indices)
            self._histories.setdefault(order.customer, []).append((order.time, interned))
            self._count_buyers(order.customer, indices)
        self.version += 1
        return True

    def _count_buyers(self, customer: str, indices: list[int]) -> None:
        bought = self._bought.setdefault(customer, {})
        for index in indices:
            times = bought.get(index, 0)
            if times == 0:
                self._buyers[index] += 1
                bought[index] = 1
            elif times == 1:
                self._repeat_buyers[index] += 1
                bought[index] = 2

    # --- reads -----------------------------------------------------------------

    def __contains__(self, item: str) -> bool:
        return item in self._ids

    def __len__(self) -> int:
        return len(self._items)

    @property
    def items(self) -> list[str]:
        return list(self._items)

    @property
    def order_count(self) -> int:
        return len(self._seen)

    def pair_total(self) -> int:
        """Stored (directed) pair entries: the model's dominant memory term."""
        return sum(len(row) for row in self._pairs)

    def history(self, customer: str | None) -> list[tuple[float, tuple[str, ...]]]:
        """The shopper's orders as (time, distinct items), in arrival order."""
        if customer is None:
            return []
        return self._histories.get(customer, [])

    def customers(self) -> list[str]:
        return list(self._histories)

    def purchased(self, customer: str | None) -> frozenset[str]:
        """Everything the shopper ever ordered."""
        bought = self._bought.get(customer, {}) if customer is not None else {}
        return frozenset(self._items[i] for i in bought)

    def together(self, item: str, other: str) -> tuple[int, int]:
        """(orders pair-counted with both, orders pair-counted with ``item``): how often ``other``
        came with ``item``, and out of how many."""
        a, b = self._ids.get(item), self._ids.get(other)
        if a is None or b is None:
            return 0, 0 if a is None else self._baskets[a]
        return self._pairs[a].get(b, 0), self._baskets[a]

    def repeat_rate(self, item: str) -> float:
        """Share of the item's buyers who ordered it twice or more, Laplace-smoothed.

        High for consumables and staples, low for one-off purchases; an item
        nobody bought gets the uninformed 0.5.
        """
        index = self._ids.get(item)
        if index is None:
            return 0.5
        return (self._repeat_buyers[index] + 1) / (self._buyers[index] + 2)

    def trend(self, item: str) -> float:
        """Decayed order count relative to the top trending item, in [0, 1]."""
        index = self._ids.get(item)
        return 0.0 if index is None else self._trend.relative(index)

    def trends(self, items: Iterable[str]) -> list[float]:
        """``trend`` of many items at once (a prior over a thousand candidates is one pass)."""
        ids, grown, scale = self._ids, self._trend.grown, self._trend.max_grown
        if not scale:
            return [0.0 for _ in items]
        return [grown.get(ids.get(item, -1), 0.0) / scale for item in items]

    def trending(self, limit: int, among: Iterable[int] | None = None) -> list[tuple[str, float]]:
        """Top items by decayed order count, scored relative to the top one; of the item indices
        ``among`` only, if given (every item by default)."""
        items, grown, scale = self._items, self._trend.grown, self._trend.max_grown or 1.0
        pool = grown.items() if among is None else ((i, grown[i]) for i in among)
        top = heapq.nsmallest(limit, pool, key=lambda kv: (-kv[1], items[kv[0]]))
        return [(items[i], value / scale) for i, value in top]

    def best_sellers(self, limit: int, among: Iterable[int] | None = None) -> list[tuple[str, float]]:
        """Top items by number of orders (not units: one wholesale order is one vote); of the item
        indices ``among`` only, if given."""
        counts, items = self._orders, self._items
        pool = range(len(counts)) if among is None else among
        top = heapq.nsmallest(limit, pool, key=lambda i: (-counts[i], items[i]))
        return [(items[i], float(counts[i])) for i in top]

    def _candidate_row(self, index: int) -> array:
        """Partner indices only (8 bytes each): counts are read from the live row."""
        cached = self._candidates.get(index)
        if cached is None:
            cached = self._candidates[index] = self._top_partners(index, self._pairs[index])
        return cached

    def _top_partners(self, index: int, among: Iterable[int]) -> array:
        """``index``'s ``candidates`` partners of highest co-count (ties by item id), taken from
        ``among``, which must hold them: its whole row, or its old top and the partners an order added to."""
        row, limit = self._pairs[index], self.params.candidates
        if len(row) <= limit:
            return array("q", row)
        items = self._items
        return array("q", heapq.nsmallest(limit, among, key=lambda j: (-row[j], items[j])))

    def neighbours(self, item: str, similarity: Similarity, k: int) -> tuple[tuple[str, float], ...]:
        """The ``k`` most similar co-purchased items, best first (ties by item id).

        A tuple, not a list: a tuple of (item, score) pairs drops out of the garbage collector's
        sight after its first pass, and the cache keeps up to ``NEIGHBOUR_CACHE`` of them, which
        every full collection (all request threads paused) would otherwise walk. With the answer
        cache's lists, they were half of what one walked in the benchmark's server after its
        warm-up: 69,600 references and 7.5 ms, against 32,900 and 4.5 ms as tuples."""
        index = self._ids.get(item)
        if index is None:
            return ()
        return self._cached((similarity.key, index, k), lambda: tuple(self._scored(index, similarity)[:k]), index)

    def neighbour_terms(self, item: str, similarity: Similarity, k: int,
                        sharpness: float) -> tuple[np.ndarray, np.ndarray] | None:
        """``neighbours`` as arrays, for summing many items' lists at once (``strategies.for_you``):
        (partner indices, ``score ** sharpness``), in the same order; None for an item nobody bought.

        The powers are taken by Python's own ``**``, not numpy's (which differs from it in the last
        bit for some scores), so sums of these terms are the floats a loop over ``neighbours`` gives.
        """
        index = self._ids.get(item)
        if index is None:
            return None

        def terms() -> tuple[np.ndarray, np.ndarray]:
            scored, ids = self._scored(index, similarity)[:k], self._ids
            return (np.fromiter((ids[other] for other, _ in scored), np.int64, len(scored)),
                    np.fromiter((score**sharpness for _, score in scored), np.float64, len(scored)))
        return self._cached((similarity.key, index, k, sharpness), terms, index)

    def _scored(self, index: int, similarity: Similarity) -> list[tuple[str, float]]:
        c_i, row = self._baskets[index], self._pairs[index]
        baskets, items = self._baskets, self._items
        return rank([(items[j], similarity(row[j], c_i, baskets[j])) for j in self._candidate_row(index)])

    def _cached(self, key: tuple, compute, index: int | None = None):
        """``compute()`` through the neighbour cache, least recently read evicted. A value read from
        ``index``'s co-counts is kept until that item or one of its candidates is sold again; any
        other value (``index`` None) until the next order."""
        cache = self._neighbours
        cached = cache.get(key)
        if cached is not None and (cached[0] == self.version or self._unchanged_since(cached[0], index)):
            if cached[0] != self.version:
                cache[key] = (self.version, cached[1])  # checked once per version, not on every read
            cache.move_to_end(key)
            return cached[1]
        value = compute()
        cache[key] = (self.version, value)
        cache.move_to_end(key)
        if len(cache) > NEIGHBOUR_CACHE:
            cache.popitem(last=False)
        return value

    def _unchanged_since(self, version: int, index: int | None) -> bool:
        """Whether ``index``'s neighbour scores are what they were at ``version``: they read the
        item's co-count row and basket count and those of its candidates, and nothing else.
        A later version (a newer fork's entry, this being an older model) never is."""
        if index is None or version > self.version:
            return False
        changed = self._changed
        return changed[index] <= version and max(map(changed.__getitem__, self._candidate_row(index)),
                                                 default=0) <= version

    def indices(self, items: Iterable[str]) -> np.ndarray:
        """The interned indices of those ``items`` anyone bought."""
        ids = self._ids
        return np.array([ids[item] for item in items if item in ids], dtype=np.int64)

    def matrix_terms(self, matrix: ItemMatrix, query: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """``matrix.rank(query)``'s items as (indices in this model, scores), unsorted, for mixing in
        arrays (``strategies.for_you``): no item names and no sort on the way."""
        columns, scores = matrix.top(query)
        indices = matrix.interned(self._ids)[columns]
        known = indices >= 0
        return indices[known], scores[known]

    def ranking(self, indices: np.ndarray, scores: np.ndarray) -> IndexRanking:
        """``rank`` of interned indices and their scores (``ranked.rank_indices``)."""
        return rank_indices(self._items, indices, scores)

    def trends_at(self, indices: np.ndarray) -> np.ndarray:
        """``trends`` of interned indices, as an array (the same quotients), from a dense copy of the
        decayed counts (``dense_trends``)."""
        scale = self._trend.max_grown
        if not scale:
            return np.zeros(len(indices))
        return self.dense_trends()[indices] / scale

    def dense_trends(self) -> np.ndarray:
        """Every item's decayed count, by index: made once per model version (a few ms at 50,000
        items) and kept in the neighbour cache, where an order makes it stale."""
        return self._cached(("trends",), self._dense_trends)

    def _dense_trends(self) -> np.ndarray:
        grown = self._trend.grown
        dense = np.zeros(len(self._items))
        dense[np.fromiter(grown.keys(), np.int64, len(grown))] = np.fromiter(grown.values(), np.float64, len(grown))
        return dense


_SCORE = itemgetter(1)


def rank(scored: Iterable[tuple[str, float]]) -> list[tuple[str, float]]:
    """Best score first, ties broken by item id so every path ranks alike.

    Two C-level sorts instead of one with a Python key: by item id, then by
    score descending, which is stable (``reverse`` keeps equal scores in
    their id order). Item ids are distinct, so the first sort never compares scores.
    """
    return sorted(sorted(scored), key=_SCORE, reverse=True)
