"""Selectors: how merchant settings name products (pins, boosts, exclusions, repeatable consumables).

A selector is a bare product id, or ``category:X``, ``vendor:X``, ``tag:X``
(these need the catalog to match). A set of them is indexed by kind, so
matching a product costs a few set lookups however many the merchant wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .interactions import Product

KINDS = ("category", "vendor", "tag")


@dataclass(frozen=True)
class Selectors:
    """Selectors split by kind, so matching a product is a few set lookups, not one test per rule."""

    ids: frozenset[str]
    categories: frozenset[str]
    vendors: frozenset[str]
    tags: frozenset[str]

    @classmethod
    def of(cls, selectors: Iterable[str]) -> "Selectors":
        by_kind: dict[str, set[str]] = {"": set(), "category": set(), "vendor": set(), "tag": set()}
        for selector in selectors:
            kind, sep, value = selector.partition(":")
            if sep and kind in KINDS:
                by_kind[kind].add(value)
            else:
                by_kind[""].add(selector)
        return cls(*(frozenset(by_kind[k]) for k in ("", "category", "vendor", "tag")))

    def match(self, item: str, product: Product | None) -> bool:
        if item in self.ids:
            return True
        if product is None:
            return False
        return (product.category in self.categories or product.vendor in self.vendors
                or not self.tags.isdisjoint(product.tags))
