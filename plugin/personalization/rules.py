"""Merchant rules: pin, boost and exclude, applied on top of any strategy.

A rule names products by a selector: a bare product id, or ``category:X``,
``vendor:X``, ``tag:X`` (these need the catalog). Excluded products are never
shown, even when pinned. Boosts multiply a strategy's score, so they mean the
same thing whatever the strategy's scale, and several matching boosts
multiply. Pins go first, in the merchant's order, but still pass the block's
filters: a pinned product that is sold out or on the page is not shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .catalog import CatalogIndex
from .model import rank


@dataclass(frozen=True)
class MerchantRules:
    pins: tuple[str, ...] = ()
    boosts: Mapping[str, float] = field(default_factory=dict)
    excluded: frozenset[str] = frozenset()


def matches(selector: str, item: str, catalog: CatalogIndex | None) -> bool:
    kind, sep, value = selector.partition(":")
    if not sep or kind not in ("category", "vendor", "tag"):
        return selector == item
    product = catalog.get(item) if catalog is not None else None
    if product is None:
        return False
    if kind == "category":
        return product.category == value
    if kind == "vendor":
        return product.vendor == value
    return value in product.tags


def is_excluded(item: str, rules: MerchantRules, catalog: CatalogIndex | None) -> bool:
    return any(matches(selector, item, catalog) for selector in rules.excluded)


def apply_rules(
    ranking: Iterable[tuple[str, float]], rules: MerchantRules, catalog: CatalogIndex | None
) -> list[tuple[str, float]]:
    """Drop excluded products and re-rank by boosted score.

    Without rules the ranking passes through untouched: rungs can hold
    thousands of candidates, and checking each against no rules cost
    milliseconds per block.
    """
    if not rules.excluded and not rules.boosts:
        return ranking if isinstance(ranking, list) else list(ranking)
    kept = []
    for item, score in ranking:
        if is_excluded(item, rules, catalog):
            continue
        for selector, factor in rules.boosts.items():
            if matches(selector, item, catalog):
                score *= factor
        kept.append((item, score))
    return rank(kept) if rules.boosts else kept
