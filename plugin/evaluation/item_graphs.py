"""Two item-based challengers from the reproducibility study: RP3beta and EASE^R.

Dacrema, Cremonesi & Jannach, "Are we really making much progress? A
worrying analysis of recent neural recommendation approaches", RecSys 2019,
found these simple item-based methods ahead of most neural and
matrix-factorization models they could reproduce. Both learn one item x item
matrix ``W`` from the training orders (each order a row of the binary
order x item matrix ``X``); a query (a basket, or a shopper's decayed
purchases) scores every item as ``q @ W``.

* RP3beta (Paudel, Christoffel, Newell & Bernstein, "Updatable, accurate,
  diverse, and scalable recommendations for interactive applications", ACM
  TiiS 7(1), 2017; Christoffel et al., RecSys 2015 for the P^3 walk): the
  probability of a three-step random walk item -> order -> item, each step's
  transition probability raised to ``alpha``, divided by the target item's
  popularity ** ``beta`` (the popularity penalty), and pruned to the
  ``neighbours`` largest entries per row. Sparse throughout (scipy), so its
  memory follows the number of co-purchased pairs, not items squared.
* EASE^R (Steck, "Embarrassingly shallow autoencoders for sparse data", WWW
  2019): the closed-form ridge regression of each item on all the others with
  a zero diagonal, ``P = (X^T X + lambda I)^-1``, ``B = I - P / diag(P)``.
  ``B`` and the inverse are dense: 4,000 items take 128 MB per float64
  matrix and a few seconds, 50,000 items would take 20 GB and hours
  (``O(n^3)``), so it is fitted on the ``MAX_EASE_ITEMS`` most-ordered items
  only and the rest are never recommended by it.

These run in ``storelift evaluate`` and the tuning only; serving keeps the
incremental engine unless one of them wins there (docs/tuning-log.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ..recommendations.engine.interactions import Order

MAX_EASE_ITEMS = 4000  # dense item x item: 4,000^2 float64 = 128 MB per matrix (see the module docstring)
TOP = 200  # items a ranking returns (the evaluation pads with trending after them)


@dataclass(frozen=True)
class RP3Params:
    alpha: float = 1.0
    beta: float = 0.5
    neighbours: int = 200


@dataclass(frozen=True)
class EaseParams:
    l2: float = 500.0
    max_items: int = MAX_EASE_ITEMS


# Chosen on the validation folds only (python -m plugin.evaluation.tuning --only graphs; docs/tuning-log.md).
RETAIL_FOR_YOU_RP3 = RP3Params(alpha=1.0, beta=0.7)
RETAIL_FBT_RP3 = RP3Params(alpha=0.75, beta=0.5)
RETAIL_FOR_YOU_EASE = EaseParams(l2=200.0)
RETAIL_FBT_EASE = EaseParams(l2=20.0)
GROCERIES_RP3 = RP3Params(alpha=1.0, beta=0.3)
GROCERIES_EASE = EaseParams(l2=1000.0)


class ItemMatrix:
    """A learnt item x item matrix (dense or sparse CSR) and the item ids of its rows and columns."""

    def __init__(self, items: list[str], weights):
        self.items = items
        self.index = {item: n for n, item in enumerate(items)}
        self.weights = weights

    def rank(self, query: Mapping[str, float]) -> list[tuple[str, float]]:
        """Items by ``q @ W`` (query items included; callers filter), best first, ties by item id."""
        known = [(self.index[item], weight) for item, weight in query.items() if item in self.index]
        if not known:
            return []
        rows, weights = zip(*known)
        block = self.weights[list(rows)]
        scores = np.asarray(block.T @ np.asarray(weights, dtype=np.float64)).ravel()
        top = min(TOP, len(scores))
        picked = np.argpartition(-scores, top - 1)[:top]
        ranked = sorted(((self.items[j], float(scores[j])) for j in picked if scores[j] > 0),
                        key=lambda pair: (-pair[1], pair[0]))
        return ranked


def order_matrix(orders: Iterable[Order], items: list[str] | None = None) -> tuple[sparse.csr_matrix, list[str]]:
    """The binary order x item matrix; with ``items``, only those columns (others dropped)."""
    baskets = [order.items for order in orders]
    if items is None:
        items = sorted({item for basket in baskets for item in basket})
    index = {item: n for n, item in enumerate(items)}
    rows, cols = [], []
    for n, basket in enumerate(baskets):
        for item in basket:
            j = index.get(item)
            if j is not None:
                rows.append(n)
                cols.append(j)
    data = np.ones(len(rows), dtype=np.float64)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(baskets), len(items))), items


def rp3beta(orders: Iterable[Order], params: RP3Params = RP3Params()) -> ItemMatrix:
    x, items = order_matrix(orders)
    order_sizes = np.asarray(x.sum(axis=1)).ravel()
    popularity = np.asarray(x.sum(axis=0)).ravel()
    p_ui = sparse.diags(_inverse(order_sizes)) @ x  # order -> item
    p_iu = sparse.diags(_inverse(popularity)) @ x.T.tocsr()  # item -> order
    p_ui.data **= params.alpha
    p_iu.data **= params.alpha
    penalty = sparse.diags(np.power(np.maximum(popularity, 1.0), -params.beta))  # column j / popularity_j^beta
    walk = (p_iu @ p_ui @ penalty).tocsr()
    walk.setdiag(0.0)
    walk.eliminate_zeros()
    return ItemMatrix(items, _top_per_row(walk, params.neighbours))


def ease(orders: Iterable[Order], params: EaseParams = EaseParams()) -> ItemMatrix:
    orders = list(orders)
    counts: dict[str, int] = {}
    for order in orders:
        for item in order.items:
            counts[item] = counts.get(item, 0) + 1
    kept = sorted(counts, key=lambda item: (-counts[item], item))[: params.max_items]
    x, items = order_matrix(orders, sorted(kept))
    gram = (x.T @ x).toarray()
    gram[np.diag_indices_from(gram)] += params.l2
    inverse = np.linalg.inv(gram)
    weights = inverse / (-np.diag(inverse))
    weights[np.diag_indices_from(weights)] = 0.0
    return ItemMatrix(items, weights)


def _inverse(values: np.ndarray) -> np.ndarray:
    return np.divide(1.0, values, out=np.zeros_like(values, dtype=np.float64), where=values > 0)


def _top_per_row(matrix: sparse.csr_matrix, k: int) -> sparse.csr_matrix:
    """Each row's ``k`` largest entries (the item's neighbours), the rest dropped."""
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    rows, cols, values = [], [], []
    for row in range(matrix.shape[0]):
        start, end = indptr[row], indptr[row + 1]
        if end - start > k:
            keep = start + np.argpartition(-data[start:end], k - 1)[:k]
        else:
            keep = np.arange(start, end)
        rows.append(np.full(len(keep), row))
        cols.append(indices[keep])
        values.append(data[keep])
    return sparse.csr_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
                             shape=matrix.shape)
