"""Top-k ranking metrics for offline evaluation, each for one (recommended, target) pair.

Definitions (k = 10 in every protocol here):

* HR@k: 1 if any target item is among the first k recommendations, else 0;
* NDCG@k: binary-relevance DCG ``sum 1/log2(rank + 1)`` over hits in the top k,
  divided by the DCG of a perfect list (``min(|target|, k)`` hits on top);
* recall@k: hits in the top k over ``|target|``;
* catalog coverage: distinct items recommended across all queries over the
  catalog size (computed by ``Scores``).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field


def hit_rate(recommended: Sequence[str], target: Collection[str], k: int = 10) -> float:
    return 1.0 if any(item in target for item in recommended[:k]) else 0.0


def ndcg(recommended: Sequence[str], target: Collection[str], k: int = 10) -> float:
    if not target:
        return 0.0
    dcg = sum(1.0 / math.log2(rank + 2) for rank, item in enumerate(recommended[:k]) if item in target)
    ideal = sum(1.0 / math.log2(rank + 2) for rank in range(min(len(target), k)))
    return dcg / ideal


def recall(recommended: Sequence[str], target: Collection[str], k: int = 10) -> float:
    if not target:
        return 0.0
    return sum(1 for item in recommended[:k] if item in target) / len(target)


@dataclass
class Scores:
    """Running means of the per-query metrics plus the set of items ever recommended."""

    k: int = 10
    queries: int = 0
    hits: float = 0.0
    ndcg_sum: float = 0.0
    recall_sum: float = 0.0
    recommended: set[str] = field(default_factory=set)

    def add(self, recommended: Sequence[str], target: Collection[str]) -> None:
        top = list(recommended[: self.k])
        self.queries += 1
        self.hits += hit_rate(top, target, self.k)
        self.ndcg_sum += ndcg(top, target, self.k)
        self.recall_sum += recall(top, target, self.k)
        self.recommended.update(top)

    def summary(self, catalog_size: int) -> dict[str, float]:
        n = self.queries or 1
        return {
            "queries": self.queries,
            "hr": self.hits / n,
            "ndcg": self.ndcg_sum / n,
            "recall": self.recall_sum / n,
            "coverage": len(self.recommended) / catalog_size if catalog_size else 0.0,
        }


def mean_summary(summaries: Sequence[dict[str, float]]) -> dict[str, float]:
    """Several runs' summaries as one: rates averaged over runs, queries summed."""
    if not summaries:
        return Scores().summary(0)
    mean = {key: sum(s[key] for s in summaries) / len(summaries) for key in ("hr", "ndcg", "recall", "coverage")}
    return {"queries": sum(s["queries"] for s in summaries), **mean}
