"""Selectors: how merchant settings name products (pins, boosts, exclusions, repeatable consumables).

A selector is a bare product id, or ``category:X``, ``vendor:X``, ``tag:X``
(these need the catalog to match). A set of them is indexed by kind, so
matching a product costs a few set lookups however many the merchant wrote.
Names match whatever their letter case (``name_key``): a merchant who writes
``vendor:acme`` means the vendor the catalog spells ``ACME``. Product ids are
exact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .interactions import Product

KINDS = ("category", "vendor", "tag")


def name_key(name: str) -> str:
    """How category, vendor and tag names compare: without regard to letter case."""
    return name.casefold()


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
                by_kind[kind].add(name_key(value))
            else:
                by_kind[""].add(selector)
        return cls(*(frozenset(by_kind[k]) for k in ("", "category", "vendor", "tag")))

    def match(self, item: str, product: Product | None) -> bool:
        if item in self.ids:
            return True
        if product is None:
            return False
        return ((product.category is not None and name_key(product.category) in self.categories)
                or (product.vendor is not None and name_key(product.vendor) in self.vendors)
                or (bool(self.tags) and any(name_key(tag) in self.tags for tag in product.tags)))
