"""What a block may show, whatever strategy ranked it.

Kept apart from the strategies so every block applies the same rules: a
product that is unpublished, sold out, outside the price band, the one on the
page, already in the cart or already bought (unless it is a repeatable
consumable) is never recommended. Attribute checks need the catalog; without
one (offline evaluation) only the context checks apply. With a catalog, an
item the catalog does not know (deleted since it sold) is not shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .catalog import CatalogIndex
from .interactions import Product
from .selectors import Selectors


@dataclass(frozen=True)
class FilterPolicy:
    """The merchant's and the block's eligibility settings.

    ``repeatable`` holds selectors (``selectors``: product ids, ``category:X``,
    ``vendor:X``, ``tag:X``) of products that may be recommended to a shopper
    who already bought them (consumables); ``allow_repeats`` lifts the
    already-bought exclusion entirely (the buy-again block).
    """

    published_only: bool = True
    in_stock_only: bool = True
    allow_repeats: bool = False
    repeatable: frozenset[str] = frozenset()
    min_price: float | None = None
    max_price: float | None = None

    @cached_property
    def repeatables(self) -> Selectors:
        return Selectors.of(self.repeatable)


@dataclass(frozen=True)
class Context:
    """Where the block renders: the product on the page, the cart, the shopper's purchases."""

    current: str | None = None
    cart: frozenset[str] = frozenset()
    purchased: frozenset[str] = frozenset()


def _repeatable(item: str, product: Product | None, policy: FilterPolicy) -> bool:
    return policy.allow_repeats or (bool(policy.repeatable) and policy.repeatables.match(item, product))


def _in_price_band(product: Product, policy: FilterPolicy) -> bool:
    if policy.min_price is None and policy.max_price is None:
        return True
    if product.price is None:
        return False
    if policy.min_price is not None and product.price < policy.min_price:
        return False
    return policy.max_price is None or product.price <= policy.max_price


def is_eligible(item: str, catalog: CatalogIndex | None, policy: FilterPolicy, context: Context) -> bool:
    if item == context.current or item in context.cart:
        return False
    product = catalog.get(item) if catalog is not None else None
    if catalog is not None:
        if product is None:
            return False
        if policy.published_only and not product.published:
            return False
        if policy.in_stock_only and not product.in_stock:
            return False
        if not _in_price_band(product, policy):
            return False
    return item not in context.purchased or _repeatable(item, product, policy)
