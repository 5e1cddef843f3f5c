"""RP3beta: a three-step random walk item -> shopper -> item, with a popularity penalty.

Paudel, Christoffel, Newell & Bernstein, "Updatable, accurate, diverse, and
scalable recommendations for interactive applications", ACM TiiS 7(1), 2017
(Christoffel et al., RecSys 2015 for the P^3 walk); Dacrema, Cremonesi &
Jannach, RecSys 2019, found it ahead of most neural models they reproduced.
With ``X`` the binary row x item matrix, ``W_ij`` is the probability of
walking i -> row -> j, each step's transition probability raised to
``alpha``, divided by ``popularity_j ** beta``, and pruned to the
``neighbours`` largest entries per item. A shopper's decayed purchases ``q``
score every item as ``q @ W``.

Why each *shopper* is a row: Dacrema et al.'s RP3beta walks the user x item
matrix. With each order a row it lost "for you" on the validation folds
(0.439 against item kNN's 0.453); with each customer a row, a quarter of its
scaled score added to item kNN's won (0.465, +0.012, paired SE 0.005;
docs/tuning-log.md), so ``strategies.for_you`` mixes it in when the model
carries one (``InteractionModel.rp3``).

Why in blocks of items: the walk's item x item product has one entry per
pair of items some shopper bought both of, tens of millions at 50,000
products. Computed ``BLOCK`` items at a time and pruned per block, what is
held is ``neighbours`` entries per item (35 MB at 50,000 products).
Like EASE^R it is a batch fit: whoever builds a model from all its orders
fits it, and orders added afterwards leave it as it was until the next fit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from .ease import ItemMatrix, order_matrix

if TYPE_CHECKING:
    from .model import InteractionModel

BLOCK = 256  # items whose walk rows are computed at once (memory: see the module docstring)


@dataclass(frozen=True)
class RP3Params:
    alpha: float = 1.0
    beta: float = 0.5
    neighbours: int = 200


# Chosen on the Online Retail validation folds for "for you", each customer a row (docs/tuning-log.md).
FOR_YOU_RP3 = RP3Params(alpha=1.0, beta=0.7, neighbours=100)


def fit_shoppers(model: "InteractionModel", params: RP3Params = FOR_YOU_RP3) -> ItemMatrix | None:
    """Each customer's purchases (every order they placed) one row: the walk ``for_you`` mixes in."""
    return fit((sorted(model.purchased(customer)) for customer in model.customers()), params)


def fit(rows: Iterable[Sequence[str]], params: RP3Params = RP3Params()) -> ItemMatrix | None:
    """RP3beta's ``W`` (sparse, float32) over every item in ``rows``; None without an item."""
    x, items = order_matrix((row for row in rows if row), dtype=np.float32)
    if not items:
        return None
    row_sizes = np.asarray(x.sum(axis=1)).ravel()
    popularity = np.asarray(x.sum(axis=0)).ravel()
    to_item = (sparse.diags(_inverse(row_sizes)) @ x).tocsr()  # row -> item
    to_row = (sparse.diags(_inverse(popularity)) @ x.T).tocsr()  # item -> row
    del x
    to_item.data **= params.alpha
    to_row.data **= params.alpha
    penalty = np.power(np.maximum(popularity, 1.0), -params.beta).astype(np.float32)
    counts, indices, weights = [], [], []
    for start in range(0, len(items), BLOCK):
        walk = (to_row[start:start + BLOCK] @ to_item).tocsr()
        walk.data *= penalty[walk.indices]
        for block_counts, block_indices, block_weights in _top_per_row(walk, params.neighbours, start):
            counts.append(block_counts)
            indices.append(block_indices)
            weights.append(block_weights)
        del walk
    indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    return ItemMatrix(items, sparse.csr_matrix((np.concatenate(weights), np.concatenate(indices), indptr),
                                               shape=(len(items), len(items))))


def _inverse(values: np.ndarray) -> np.ndarray:
    return np.divide(1.0, values, out=np.zeros_like(values, dtype=np.float32), where=values > 0)


def _top_per_row(walk: sparse.csr_matrix, k: int, first_item: int) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """Each row's ``k`` largest entries other than the item itself (row n is item ``first_item + n``),
    as (how many, their columns, their weights): the rows of the pruned matrix, built directly."""
    indptr, indices, data = walk.indptr, walk.indices, walk.data
    for row in range(walk.shape[0]):
        start, end = indptr[row], indptr[row + 1]
        cells, weights = indices[start:end], data[start:end]
        others = cells != first_item + row
        cells, weights = cells[others], weights[others]
        if len(cells) > k:
            keep = np.sort(np.argpartition(-weights, k - 1)[:k])
            cells, weights = cells[keep], weights[keep]
        yield len(cells), cells, weights
