"""Basket neighbours ("session kNN"): past baskets that look like the whole cart vote for their other items.

Item-item co-occurrence (``model``) scores a candidate pair by pair, so it
never sees that *these items together* tend to come with a third. Session
kNN does: it finds the stored baskets most similar to the whole cart and
lets each vote for its items. Jannach & Ludewig, "When recurrent neural
networks meet the neighborhood for session-based recommendation", RecSys
2017, and Ludewig & Jannach, "Evaluation of session-based recommendation
algorithms", UMUAI 28(4-5), 2018, found it competitive with or better than
GRU4Rec and item kNN. Their recency sample is what keeps the work bounded:
only the ``per_item`` most recent baskets holding a cart item are candidates.
``strategies.complete_the_cart`` mixes its scores with the item-kNN scores
(each scaled to a maximum of 1: their "hybrid"); the measured gains are in
docs/tuning-log.md.

Like the model, the index depends only on the *set* of orders it was given:
which baskets an item keeps is decided by their (time, order id), not by
when they arrived, and the caller (the model) ignores an order id it has
already counted. Memory is at most ``per_item`` postings per item plus the
baskets they reference (each at most ``ModelParams.basket_cap`` items); a
basket no posting references any more is freed.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left
from collections.abc import Iterable

Key = tuple[float, str]  # (order time, order id): a basket's place in time, unique per order


class BasketIndex:
    """The ``per_item`` most recent baskets holding each item (the model's ``ModelParams.basket_per_item``)."""

    def __init__(self, per_item: int):
        self.per_item = per_item
        self._postings: dict[str, list[Key]] = {}  # item -> keys of its baskets, oldest first
        self._baskets: dict[Key, tuple[str, ...]] = {}
        self._refs: dict[Key, int] = {}  # postings referencing each basket

    def __len__(self) -> int:
        return len(self._baskets)

    def add(self, order_id: str, time: float, items: tuple[str, ...]) -> None:
        """Index one basket (distinct items; the model caps them); O(|basket| * per_item) at worst.

        An item keeps the basket only if it is among its ``per_item`` most
        recent; the oldest kept one is dropped to make room.
        """
        if not items:
            return
        key: Key = (time, order_id)
        limit, refs = self.per_item, 0
        for item in items:
            posting = self._postings.setdefault(item, [])
            if len(posting) >= limit and key < posting[0]:
                continue  # older than everything this item keeps
            posting.insert(bisect_left(posting, key), key)
            refs += 1
            if len(posting) > limit:
                self._release(posting.pop(0))
        if refs:
            self._baskets[key] = items
            self._refs[key] = refs

    def _release(self, key: Key) -> None:
        left = self._refs[key] - 1
        if left:
            self._refs[key] = left
        else:
            del self._refs[key], self._baskets[key]

    def votes(self, cart: Iterable[str], neighbours: int, power: float, jaccard: bool = True,
              query_cap: int = 50) -> dict[str, float]:
        """Every item of the ``neighbours`` stored baskets most similar to the cart, scored by the
        sum of their similarity ** ``power``. Similarity is Jaccard ``|q & b| / |q | b|`` (or
        cosine ``|q & b| / sqrt(|q| |b|)``); at most ``query_cap`` cart items find candidates."""
        query = set(list(dict.fromkeys(cart))[:query_cap])
        if not query:
            return {}
        candidates: set[Key] = set()
        for item in query:
            candidates.update(self._postings.get(item, ()))
        size_q, baskets, scored = len(query), self._baskets, []
        for key in candidates:
            basket = baskets[key]
            overlap = len(query.intersection(basket))
            similarity = (overlap / (size_q + len(basket) - overlap) if jaccard
                          else overlap / math.sqrt(size_q * len(basket)))
            scored.append((similarity, key))
        out: dict[str, float] = {}
        for similarity, key in heapq.nlargest(neighbours, scored):
            vote = similarity**power
            for item in baskets[key]:
                out[item] = out.get(item, 0.0) + vote
        return out
