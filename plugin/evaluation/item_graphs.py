"""Two item-based challengers from the reproducibility study: RP3beta and EASE^R.

Dacrema, Cremonesi & Jannach, "Are we really making much progress? A
worrying analysis of recent neural recommendation approaches", RecSys 2019,
found these simple item-based methods ahead of most neural and
matrix-factorization models they could reproduce. Both learn one item x item
matrix ``W`` from the training orders (each order a row of the binary
order x item matrix ``X``); a query (a basket, or a shopper's decayed
purchases) scores every item as ``q @ W``.

* RP3beta (Paudel, Christoffel, Newell & Bernstein, ACM TiiS 7(1), 2017): a
  random walk item -> order -> item with a popularity penalty. Its fit lives in
  the engine (``plugin.recommendations.engine.rp3beta``), because serving
  mixes it into "for you" with each *customer* a row; here each order is a row,
  as the comparison rows of ``storelift evaluate`` and the tuning use it.
* EASE^R (Steck, "Embarrassingly shallow autoencoders for sparse data", WWW
  2019): the closed-form ridge regression of each item on all the others,
  bounded to the most-ordered items. Its fit lives in the engine
  (``plugin.recommendations.engine.ease``) because serving completes carts
  with it; this module only names the settings tried here.

With each order a row RP3beta won no task on validation; with each customer a
row, mixed into item kNN, it won "for you" and is served there. EASE^R won
bought together on Online Retail, so it is served for the cart block
(docs/tuning-log.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..recommendations.engine import rp3beta as engine_rp3
from ..recommendations.engine.ease import (
    CART_EASE,
    EaseParams,
    ItemMatrix,
    fit,
)
from ..recommendations.engine.interactions import Order
from ..recommendations.engine.rp3beta import RP3Params


# Chosen on the validation folds only (python -m plugin.evaluation.tuning --only graphs; docs/tuning-log.md).
RETAIL_FOR_YOU_RP3 = RP3Params(alpha=1.0, beta=0.7)
RETAIL_FBT_RP3 = RP3Params(alpha=0.75, beta=0.5)
RETAIL_FOR_YOU_EASE = EaseParams(l2=200.0)
RETAIL_FBT_EASE = CART_EASE  # served: strategies.complete_the_cart
GROCERIES_RP3 = RP3Params(alpha=1.0, beta=0.3)
GROCERIES_EASE = EaseParams(l2=1000.0)


def rp3beta(orders: Iterable[Order], params: RP3Params = RP3Params()) -> ItemMatrix | None:
    """RP3beta with each order a row."""
    return engine_rp3.fit((order.items for order in orders), params)


def ease(orders: Iterable[Order], params: EaseParams = EaseParams()) -> ItemMatrix | None:
    return fit((order.items for order in orders), params)
