"""A ranking of interned items that names its entries only as far as it is read.

A known shopper's "for you" scores thousands of candidates (over 10,000 for
the most active shoppers of the 50,000-product benchmark store), and a block
reads the first dozen or so of them. Turning every candidate into an
``(item id, score)`` tuple cost about 1.5 ms there; this sequence does it a
chunk at a time, as it is iterated, so a block pays for what it reads. It
equals the list it stands for (``==``, ``len``, slices, iteration).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

FIRST_CHUNK = 32  # entries named on the first step of an iteration; each step doubles it


class IndexRanking(Sequence):
    """``items[indices[n]], scores[n]`` for each ``n``: indices and scores already in rank order."""

    __slots__ = ("_items", "_indices", "_scores")

    def __init__(self, items: Sequence[str], indices: np.ndarray, scores: np.ndarray):
        self._items, self._indices, self._scores = items, indices, scores

    def __len__(self) -> int:
        return len(self._indices)

    def __iter__(self) -> Iterator[tuple[str, float]]:
        start, size, total = 0, FIRST_CHUNK, len(self._indices)
        while start < total:
            yield from self[start:start + size]
            start, size = start + size, size * 2

    def __getitem__(self, key):
        items = self._items
        if isinstance(key, slice):
            return list(zip([items[i] for i in self._indices[key].tolist()], self._scores[key].tolist()))
        return items[int(self._indices[key])], float(self._scores[key])

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and len(other) == len(self) and list(self) == list(other)

    __hash__ = None  # equal to a list, so unhashable like one

    def __repr__(self) -> str:
        return repr(list(self))


def rank_indices(items: Sequence[str], indices: np.ndarray, scores: np.ndarray) -> IndexRanking:
    """``model.rank`` of interned indices (naming ``items``) and their scores: the same entries,
    sorted by numpy and named only as far as the caller reads.

    A known shopper's "for you" ranks thousands of candidates: ``rank``'s two sorts (the first
    comparing item ids) cost about half a millisecond per thousand. Here one stable argsort
    orders the scores, and only runs of equal scores are then put in item id order.
    """
    order = np.argsort(-scores, kind="stable")
    ordered, indices = scores[order], indices[order]
    ties = np.flatnonzero(ordered[1:] == ordered[:-1])
    if len(ties):
        for run in np.split(ties, np.flatnonzero(np.diff(ties) > 1) + 1):
            low, high = int(run[0]), int(run[-1]) + 2
            tied = indices[low:high]
            names = [items[i] for i in tied.tolist()]
            indices[low:high] = tied[sorted(range(len(names)), key=names.__getitem__)]
    return IndexRanking(items, indices, ordered)
