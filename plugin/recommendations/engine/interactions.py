"""The plain records the recommendation engine reads: orders, their lines, products.

The store layer turns its rows into these; the engine never sees SQL or JSON.
Times are epoch seconds (floats) because every decay in the engine is stated
in days, and seconds keep that arithmetic free of unit conversions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DAY = 86400.0


@dataclass(frozen=True, slots=True)
class OrderLine:
    item: str
    quantity: float = 1.0
    price: float | None = None


@dataclass(frozen=True, slots=True)
class Order:
    """One placed order; ``customer`` is None for a guest checkout."""

    order_id: str
    customer: str | None
    time: float
    lines: tuple[OrderLine, ...]

    @property
    def items(self) -> tuple[str, ...]:
        """Distinct items in line order: two lines of one product are one purchase."""
        return tuple(dict.fromkeys(line.item for line in self.lines))


@dataclass(frozen=True, slots=True)
class Product:
    """Catalog attributes a filter or a content similarity may use; all optional."""

    item: str
    category: str | None = None
    vendor: str | None = None
    tags: frozenset[str] = field(default_factory=frozenset)
    price: float | None = None
    published: bool = True
    in_stock: bool = True
    created_at: float | None = None
