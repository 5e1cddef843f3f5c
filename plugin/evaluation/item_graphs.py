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
  2019): the closed-form ridge regression of each item on all the others,
  bounded to the most-ordered items. Its fit lives in the engine
  (``plugin.recommendations.engine.ease``) because serving completes carts
  with it; this module only names the settings tried here.

RP3beta runs in ``storelift evaluate`` and the tuning only: it won no task on
validation. EASE^R won bought together on Online Retail, so it is served for
the cart block (docs/tuning-log.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ..recommendations.engine.ease import (
    CART_EASE,
    EaseParams,
    ItemMatrix,
    fit,
    order_matrix,
)
from ..recommendations.engine.interactions import Order


@dataclass(frozen=True)
class RP3Params:
    alpha: float = 1.0
    beta: float = 0.5
    neighbours: int = 200


# Chosen on the validation folds only (python -m plugin.evaluation.tuning --only graphs; docs/tuning-log.md).
RETAIL_FOR_YOU_RP3 = RP3Params(alpha=1.0, beta=0.7)
RETAIL_FBT_RP3 = RP3Params(alpha=0.75, beta=0.5)
RETAIL_FOR_YOU_EASE = EaseParams(l2=200.0)
RETAIL_FBT_EASE = CART_EASE  # served: strategies.complete_the_cart
GROCERIES_RP3 = RP3Params(alpha=1.0, beta=0.3)
GROCERIES_EASE = EaseParams(l2=1000.0)


def rp3beta(orders: Iterable[Order], params: RP3Params = RP3Params()) -> ItemMatrix:
    x, items = order_matrix(order.items for order in orders)
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


def ease(orders: Iterable[Order], params: EaseParams = EaseParams()) -> ItemMatrix | None:
    return fit((order.items for order in orders), params)


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
