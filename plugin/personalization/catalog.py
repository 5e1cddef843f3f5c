"""Catalog lookups: products by id, and the peers sharing a category or vendor.

Built once per catalog change so "similar items" never scans 50,000 products
per request: candidates come from the item's own category and vendor groups.
Tags are too broad to generate candidates from ("sale" can cover half a shop)
and are only used to score them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .interactions import Product


class CatalogIndex:
    def __init__(self, products: Iterable[Product]):
        self.products: dict[str, Product] = {p.item: p for p in products}
        self._groups: dict[tuple[str, str], list[str]] = {}
        for product in self.products.values():
            for key in _group_keys(product):
                self._groups.setdefault(key, []).append(product.item)

    def get(self, item: str) -> Product | None:
        return self.products.get(item)

    def __iter__(self) -> Iterator[Product]:
        return iter(self.products.values())

    def peers(self, item: str) -> set[str]:
        """Other products sharing the item's category or vendor."""
        product = self.products.get(item)
        if product is None:
            return set()
        found = {peer for key in _group_keys(product) for peer in self._groups.get(key, ())}
        found.discard(item)
        return found


def _group_keys(product: Product) -> list[tuple[str, str]]:
    keys = []
    if product.category:
        keys.append(("category", product.category))
    if product.vendor:
        keys.append(("vendor", product.vendor))
    return keys


def attribute_similarity(a: Product, b: Product) -> float:
    """Mean agreement over the attributes both products have, in [0, 1].

    Category, vendor, tag overlap (Jaccard) and price closeness (cheaper over
    dearer) each count once, and only when both sides know them, so a sparse
    catalog is not penalised for what it does not record.
    """
    parts = []
    if a.category and b.category:
        parts.append(1.0 if a.category == b.category else 0.0)
    if a.vendor and b.vendor:
        parts.append(1.0 if a.vendor == b.vendor else 0.0)
    if a.tags and b.tags:
        parts.append(len(a.tags & b.tags) / len(a.tags | b.tags))
    if a.price and b.price and a.price > 0 and b.price > 0:
        parts.append(min(a.price, b.price) / max(a.price, b.price))
    return sum(parts) / len(parts) if parts else 0.0
