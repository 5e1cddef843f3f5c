"""EASE^R: one batch-fitted item x item weight matrix, for completing a cart.

Steck, "Embarrassingly shallow autoencoders for sparse data", WWW 2019: the
closed-form ridge regression of each item on all the others with a zero
diagonal. With ``X`` the binary order x item matrix (each order a row),
``P = (X^T X + lambda I)^-1`` and ``B = I - P / diag(P)``, i.e.
``B_ij = -P_ij / P_jj`` off the diagonal and 0 on it. A cart ``q`` scores
every item as ``q @ B``.

Why bounded: ``B`` and the inverse are dense and the fit is ``O(n^3)``. It is
fitted on the ``max_items`` most-ordered items only, in float32: 4,000 items
take 64 MB for ``B`` (held) and about twice that while fitting (the Gram
matrix is inverted in place of a copy), and 2-4 s on one core; 50,000 items
would take 10 GB and hours. Items outside the bound are never scored by it.

It won the Online Retail bought-together task on the validation folds
(HR@10 0.378 at lambda 20 against item kNN with basket neighbours' 0.351;
docs/tuning-log.md), so ``strategies.complete_the_cart`` uses it when the
model carries one (``InteractionModel.ease``). It is fitted by whoever
builds a model from all its orders (the serving rebuild, ``storelift
evaluate``); orders added afterwards leave it as it was until the next fit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import linalg, sparse

from .scatter import summed

TOP = 200  # items a ranking returns
_NOTHING = (np.zeros(0, dtype=np.int64), np.zeros(0))


@dataclass(frozen=True)
class EaseParams:
    l2: float = 500.0  # lambda, the ridge penalty
    max_items: int = 4000  # the most-ordered items it is fitted on (memory: see the module docstring)


# Chosen on the Online Retail validation folds for bought together (docs/tuning-log.md).
CART_EASE = EaseParams(l2=20.0)


class ItemMatrix:
    """A learnt item x item matrix (dense or sparse CSR) and the item ids of its rows and columns.

    A fitted matrix is shared by a model and all its forks and read by many
    threads at once, so a dense one is made read-only."""

    def __init__(self, items: list[str], weights):
        self.items = items
        self.index = {item: n for n, item in enumerate(items)}
        self.weights = weights
        self._interned: np.ndarray | None = None
        if isinstance(weights, np.ndarray):
            weights.flags.writeable = False

    def __contains__(self, item: str) -> bool:
        return item in self.index

    def rank(self, query: Mapping[str, float]) -> list[tuple[str, float]]:
        """Items by ``q @ W`` with a positive score (query items included; callers filter), best
        first, ties by item id; at most ``TOP``."""
        columns, scores = self.top(query)
        items = self.items
        return sorted(((items[j], score) for j, score in zip(columns.tolist(), scores.tolist())),
                      key=lambda pair: (-pair[1], pair[0]))

    def top(self, query: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """``rank``'s items as (column indices into ``items``, scores), in no particular order: for
        callers that go on in arrays (``InteractionModel.matrix_terms``), which need no sort."""
        known = [(self.index[item], weight) for item, weight in query.items() if item in self.index]
        if not known:
            return _NOTHING
        rows, weights = zip(*known)
        if sparse.issparse(self.weights):
            columns, scores = self._sparse_scores(rows, weights)
        else:
            block = self.weights[list(rows)]
            scores = np.asarray(block.T @ np.asarray(weights, dtype=block.dtype)).ravel()
            columns = None
        top = min(TOP, len(scores))
        if not top:
            return _NOTHING
        picked = np.argpartition(-scores, top - 1)[:top]
        picked = picked[scores[picked] > 0]
        return (picked if columns is None else columns[picked]), scores[picked].astype(np.float64)

    def interned(self, ids: Mapping[str, int]) -> np.ndarray:
        """Each column's index in ``ids`` (-1 where it has none), worked out on the first call.

        ``ids`` is the interning map of the model the matrix was fitted from. A fork of that
        model keeps every item's index and only appends new ones, so the array stays right for
        the model's whole line of forks; a rebuild fits a new matrix.
        """
        if self._interned is None:
            self._interned = np.fromiter((ids.get(item, -1) for item in self.items), np.int64, len(self.items))
        return self._interned

    def _sparse_scores(self, rows, weights) -> tuple[np.ndarray, np.ndarray]:
        """``q @ W`` over the columns the query's rows reach only (a pruned matrix holds a few
        hundred per row), not over every item: what keeps a block's read well under a millisecond.
        (They are summed in a vector with a slot per column: ``scatter.summed``.)"""
        indptr, indices, data = self.weights.indptr, self.weights.indices, self.weights.data
        rows = np.asarray(rows)
        starts, lengths = indptr[rows], indptr[rows + 1] - indptr[rows]
        # every entry of those rows, gathered at once rather than row by row (46 rows for a known
        # shopper of the benchmark store): each row's start, less where its run begins, plus a count
        entries = np.arange(int(lengths.sum())) + np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        # each weight taken in the matrix's dtype, as ``data[start:end] * weight`` would take it
        values = data[entries] * np.repeat(np.asarray(weights, dtype=data.dtype), lengths)
        return summed(indices[entries], values, self.weights.shape[1])


def order_matrix(baskets: Iterable[Sequence[str]], items: list[str] | None = None,
                 dtype=np.float64) -> tuple[sparse.csr_matrix, list[str]]:
    """The binary basket x item matrix; with ``items``, only those columns (others dropped)."""
    baskets = list(baskets)
    if items is None:
        items = sorted({item for basket in baskets for item in basket})
    index = {item: n for n, item in enumerate(items)}
    rows, cols = [], []
    for n, basket in enumerate(baskets):
        for item in dict.fromkeys(basket):
            j = index.get(item)
            if j is not None:
                rows.append(n)
                cols.append(j)
    data = np.ones(len(rows), dtype=dtype)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(baskets), len(items))), items


def fit(baskets: Iterable[Sequence[str]], params: EaseParams = EaseParams()) -> ItemMatrix | None:
    """EASE^R's ``B`` over the ``max_items`` items in most baskets (ties by item id), float32;
    None without a basket."""
    baskets = [basket for basket in baskets if basket]
    counts: dict[str, int] = {}
    for basket in baskets:
        for item in dict.fromkeys(basket):
            counts[item] = counts.get(item, 0) + 1
    if not counts:
        return None
    kept = sorted(counts, key=lambda item: (-counts[item], item))[: params.max_items]
    x, items = order_matrix(baskets, sorted(kept), np.float32)
    gram = (x.T @ x).toarray()
    del x
    gram[np.diag_indices_from(gram)] += params.l2
    inverse = linalg.inv(gram, overwrite_a=True, check_finite=False)
    del gram
    np.divide(inverse, -np.diag(inverse), out=inverse)  # column j over -P_jj
    inverse[np.diag_indices_from(inverse)] = 0.0
    return ItemMatrix(items, inverse)
