"""Catalog lookups: products by id, and the peers sharing a category or vendor.

Kept current one product at a time (``put``/``remove``), so a serving process
follows products/update webhooks without re-indexing 50,000 products, and
"similar items" never scans the catalog per request: candidates come from the
item's own category and vendor groups. Each group is kept sorted by price, so
the peers closest in price are found by walking outwards from the item's own
price (``closest_peers``), in work bounded by how many are asked for, however
large the group. Tags are too broad to generate candidates from ("sale" can
cover half a shop) and are only used to score them.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from itertools import islice

from .interactions import Product

NO_PRICE = float("inf")  # products without a price sort after every priced one


class CatalogIndex:
    def __init__(self, products: Iterable[Product] = ()):
        self.products: dict[str, Product] = {}
        self._groups: dict[tuple[str, str], list[tuple[float, str]]] = {}  # (price, item), sorted
        for product in products:
            self.put(product)

    def put(self, product: Product) -> None:
        self.remove(product.item)
        self.products[product.item] = product
        for key in _group_keys(product):
            bisect.insort(self._groups.setdefault(key, []), _price_key(product))

    def remove(self, item: str) -> None:
        old = self.products.pop(item, None)
        if old is None:
            return
        entry = _price_key(old)
        for key in _group_keys(old):
            group = self._groups[key]
            del group[bisect.bisect_left(group, entry)]
            if not group:
                del self._groups[key]

    def get(self, item: str) -> Product | None:
        return self.products.get(item)

    def __iter__(self) -> Iterator[Product]:
        return iter(list(self.products.values()))

    def __len__(self) -> int:
        return len(self.products)

    def closest_peers(self, item: str, limit: int) -> set[str]:
        """Up to ``limit`` peers from each of the item's groups, those closest to its price.

        Closeness is the price ratio (dearer over cheaper), the measure
        ``attribute_similarity`` scores. A product without a price takes the
        cheapest of its groups.
        """
        product = self.products.get(item)
        if product is None:
            return set()
        found: set[str] = set()
        for key in _group_keys(product):
            found.update(_closest(self._groups[key], _price_key(product), limit))
        return found

    def category_members(self, name: str, limit: int) -> list[str]:
        """Up to ``limit`` products of the category a collection handle or search term names.

        A handle is the category's name in lower case with dashes ("Home
        Decor" -> "home-decor"); a search term matches it too, singular or
        plural ("shoe", "shoes"). Categories are few, so they are scanned;
        members come in price order, ``limit`` bounding the work.
        """
        wanted = slug(name)
        for kind, category in self._groups:
            if kind == "category" and slug(category) in (wanted, wanted + "s", wanted.removesuffix("s")):
                return [item for _, item in self._groups[(kind, category)][:limit]]
        return []


def _closest(group: list[tuple[float, str]], entry: tuple[float, str], limit: int) -> list[str]:
    """Walk outwards from ``entry``'s place in the price-sorted group, nearer side first."""
    price = entry[0]
    if price == NO_PRICE:
        return list(islice((item for _, item in group if item != entry[1]), limit))
    at = bisect.bisect_left(group, entry)
    below, above = at - 1, at
    if above < len(group) and group[above] == entry:
        above += 1
    picked: list[str] = []
    while len(picked) < limit and (below >= 0 or above < len(group)):
        low = price / group[below][0] if below >= 0 else NO_PRICE
        high = group[above][0] / price if above < len(group) else NO_PRICE
        if below >= 0 and low <= high:
            picked.append(group[below][1])
            below -= 1
        else:
            picked.append(group[above][1])
            above += 1
    return picked


def slug(name: str) -> str:
    """A name as a platform handle spells it: lower case, runs of other characters as one dash."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")


def _price_key(product: Product) -> tuple[float, str]:
    price = product.price if product.price is not None and product.price > 0 else NO_PRICE
    return (price, product.item)


def _group_keys(product: Product) -> list[tuple[str, str]]:
    keys = []
    if product.category:
        keys.append(("category", product.category))
    if product.vendor:
        keys.append(("vendor", product.vendor))
    return keys


def attribute_similarities(a: Product, others: Iterable[Product]) -> list[float]:
    """Each of ``others``' mean agreement with ``a`` over the attributes both have, in [0, 1].

    Category, vendor, tag overlap (Jaccard) and price closeness (cheaper over
    dearer) each count once, and only when both sides know them, so a sparse
    catalog is not penalised for what it does not record.

    One loop with ``a``'s attributes at hand rather than a call per pair: "similar
    items" scores a couple of hundred peers per request (a third of its time).
    """
    category, vendor, tags, price = a.category, a.vendor, a.tags, a.price
    priced = price is not None and price > 0
    scores = []
    for b in others:
        total, count = 0, 0
        if category and b.category:
            total += 1.0 if category == b.category else 0.0
            count += 1
        if vendor and b.vendor:
            total += 1.0 if vendor == b.vendor else 0.0
            count += 1
        if tags and b.tags:
            total += len(tags & b.tags) / len(tags | b.tags)
            count += 1
        other = b.price
        if priced and other is not None and other > 0:
            total += price / other if price < other else other / price
            count += 1
        scores.append(total / count if count else 0.0)
    return scores
