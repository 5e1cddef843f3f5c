"""The catalog a serving process keeps current from the change feed, with a bounded new-arrivals view."""

from __future__ import annotations

import bisect
import copy
from collections.abc import Iterable, Iterator

from ..engine.catalog import CatalogIndex
from ..engine.interactions import Product


class LiveCatalog(CatalogIndex):
    """The engine's ``CatalogIndex`` with a bounded new-arrivals view, for a catalog kept current from the feed.

    Iteration feeds only the new-arrivals rung, which sorts whatever it is
    given: with ``newest`` set, it yields just the ``newest`` most recently
    created products that are published and in stock (kept sorted as products
    change), so the last rung of every block costs the same at 50,000
    products as at 500. ``answers`` tops up the rare block that the
    ladder left short, so no block goes empty because of it.
    """

    def __init__(self, products: Iterable[Product] = (), newest: int | None = None):
        self._newest: list[tuple[float, str]] = []  # (-created_at, item) of shown-able products, sorted
        self.limit = newest
        super().__init__(products)

    @staticmethod
    def _age_key(product: Product) -> tuple[float, str]:
        return (-(product.created_at or 0.0), product.item)

    def put(self, product: Product) -> None:
        super().put(product)
        if product.published and product.in_stock:
            bisect.insort(self._newest, self._age_key(product))

    def remove(self, item: str) -> None:
        old = self.products.get(item)
        if old is None:
            return
        super().remove(item)
        key = self._age_key(old)
        at = bisect.bisect_left(self._newest, key)
        if at < len(self._newest) and self._newest[at] == key:
            del self._newest[at]

    def fork(self) -> "LiveCatalog":
        """A copy that ``put``/``remove`` may change while requests read this one (pointer copies:
        about a millisecond at 50,000 products, once per batch of product changes)."""
        twin = copy.copy(self)
        twin.products = dict(self.products)
        twin._groups = {key: list(group) for key, group in self._groups.items()}
        twin._newest = list(self._newest)
        return twin

    def __iter__(self) -> Iterator[Product]:
        if self.limit is None:
            return super().__iter__()
        return iter([self.products[item] for _, item in self._newest[: self.limit]])

    def newest_first(self) -> Iterator[Product]:
        """Every product, newest first (the full scan behind ``answers``' top-up)."""
        return iter(sorted(self.products.values(), key=self._age_key))
