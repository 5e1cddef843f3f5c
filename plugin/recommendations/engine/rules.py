"""Merchant rules: pin, boost and exclude, applied on top of any strategy.

A rule names products by a selector: a bare product id, or ``category:X``,
``vendor:X``, ``tag:X`` (these need the catalog; names match whatever their
letter case). Excluded products are never
shown, even when pinned. Boosts multiply a strategy's score, so they mean the
same thing whatever the strategy's scale, and several matching boosts
multiply. Pins go first, in the merchant's order, but still pass the block's
filters: a pinned product that is sold out or on the page is not shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from .catalog import CatalogIndex
from .interactions import Product
from .model import rank
from .selectors import KINDS, Selectors, name_key

@dataclass(frozen=True)
class MerchantRules:
    pins: tuple[str, ...] = ()
    boosts: Mapping[str, float] = field(default_factory=dict)
    excluded: frozenset[str] = frozenset()

    @cached_property
    def exclusions(self) -> Selectors:
        """``excluded`` indexed by kind (worked out once: a shop's rules live until its next save)."""
        return Selectors.of(self.excluded)

    @cached_property
    def boost_factors(self) -> dict[str, dict[str, float]]:
        """``boosts`` indexed by kind ("" for product ids): {kind: {value: factor}}."""
        index: dict[str, dict[str, float]] = {"": {}, "category": {}, "vendor": {}, "tag": {}}
        for selector, factor in self.boosts.items():
            kind, sep, value = selector.partition(":")
            if sep and kind in KINDS:
                key = name_key(value)
                index[kind][key] = index[kind].get(key, 1.0) * factor
            else:
                index[""][selector] = factor
        return index


def boost(item: str, product: Product | None, factors: dict[str, dict[str, float]]) -> float:
    """The product of every matching boost's factor (1.0 when none matches)."""
    result = factors[""].get(item, 1.0)
    if product is not None:
        if product.category is not None:
            result *= factors["category"].get(name_key(product.category), 1.0)
        if product.vendor is not None:
            result *= factors["vendor"].get(name_key(product.vendor), 1.0)
        tags = factors["tag"]
        if tags:
            for tag in product.tags:
                result *= tags.get(name_key(tag), 1.0)
    return result


def is_excluded(item: str, rules: MerchantRules, catalog: CatalogIndex | None) -> bool:
    if not rules.excluded:
        return False
    return rules.exclusions.match(item, catalog.get(item) if catalog is not None else None)


def apply_rules(
    ranking: Iterable[tuple[str, float]], rules: MerchantRules, catalog: CatalogIndex | None
) -> Sequence[tuple[str, float]]:
    """Drop excluded products and re-rank by boosted score.

    Without rules the ranking passes through untouched, so a lazily named
    ``IndexRanking`` stays lazy: rungs can hold thousands of candidates, and
    checking each against no rules cost milliseconds per block.
    """
    if not rules.excluded and not rules.boosts:
        return ranking if isinstance(ranking, Sequence) else list(ranking)
    exclusions, factors = rules.exclusions, rules.boost_factors
    kept = []
    for item, score in ranking:
        product = catalog.get(item) if catalog is not None else None
        if exclusions.match(item, product):
            continue
        kept.append((item, score * boost(item, product, factors) if rules.boosts else score))
    return rank(kept) if rules.boosts else kept
