"""Item-item similarity from co-occurrence counts.

Every measure scores the pair (i, j) from three counts: ``c_ij`` (baskets
holding both), ``c_i`` and ``c_j`` (baskets holding each). The power family
``c_ij / (c_i**alpha * c_j**beta)`` covers the classic rules with one knob for
how hard a popular candidate ``j`` is damped:

* confidence (alpha=1, beta=0): P(j | i); favours best sellers everywhere;
* cosine (alpha=beta=1/2);
* lift (alpha=beta=1): P(j | i) / P(j); ranks items seen once or twice on top,
  which is why it fails on real data and is kept only as the evaluation's
  counter-example;
* damped confidence (alpha=1, 0 < beta < 1): the usual production compromise.

Jaccard ``c_ij / (c_i + c_j - c_ij)`` is the other classic normalisation.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from functools import cached_property


@dataclass(frozen=True)
class Similarity:
    """A named measure; frozen so it can key a cache of neighbour lists."""

    name: str
    alpha: float = 0.0
    beta: float = 0.0
    jaccard: bool = False

    @cached_property
    def key(self) -> tuple[str, float, float, bool]:
        """The measure as plain values, for cache keys (``InteractionModel.neighbours``).

        A key tuple holding the object itself stays in the garbage collector's sight for as long
        as it is cached, and the neighbour cache holds up to 20,000 of them, which each full
        collection (every request thread paused) walks; a tuple of strings and numbers leaves it.
        """
        return astuple(self)  # every field, so a field added later cannot be left out of the key

    def __call__(self, c_ij: float, c_i: float, c_j: float) -> float:
        if self.jaccard:
            return c_ij / (c_i + c_j - c_ij)
        return c_ij / (c_i**self.alpha * c_j**self.beta)


JACCARD = Similarity("jaccard", jaccard=True)
COSINE = Similarity("cosine", 0.5, 0.5)
CONFIDENCE = Similarity("confidence", 1.0, 0.0)
LIFT = Similarity("lift", 1.0, 1.0)


def power(alpha: float, beta: float) -> Similarity:
    """``c_ij / (c_i**alpha * c_j**beta)``: the tuned member of the family."""
    return Similarity(f"power(a={alpha:g},b={beta:g})", alpha, beta)
