"""Small catalogs and order histories for the recommendation tests, written through the real store."""

from __future__ import annotations

from plugin.clock import DAY_MS, now_ms
from plugin.store import Store
from plugin.store.commerce import Line, Order, Product, Variant

from .shops import install


def store_with(path, shop: str, products: tuple[str, ...]) -> Store:
    """A migrated SQLite store at ``path`` with ``shop`` installed and ``products`` in its catalog."""
    store = Store(str(path))
    store.migrate()
    install(store, shop)
    for product_id in products:
        product(store, shop, product_id)
    return store


def product(store, shop: str, product_id: str, *, title: str | None = None, stock: int | None = 5,
            price: str = "10.00", status: str = "active", published: bool = True, category: str | None = None,
            vendor: str | None = None, image: str | None = None, created: int = 1, clock: int = 1,
            tags: tuple[str, ...] = ()) -> None:
    store.commerce.upsert_product(shop, Product(
        product_id=product_id, source_updated_at=clock, title=title or f"Product {product_id}",
        handle=f"product-{product_id}", vendor=vendor, product_type=category, status=status,
        published_at=1 if published else None, image_src=image or f"https://cdn.example/{product_id}.png",
        url=f"/products/product-{product_id}", created_at=created, tags=tags,
        variants=(Variant(variant_id=f"v{product_id}", price=price, inventory_quantity=stock),),
    ))


def order(store, shop: str, order_id: str, items: list[str], *, customer: str | None = None,
          email: str | None = None, cart: str | None = None, at: int | None = None,
          cancelled: bool = False, clock: int | None = None, currency: str = "USD") -> None:
    at = now_ms() - DAY_MS if at is None else at
    store.commerce.upsert_order(shop, Order(
        order_id=order_id, source_updated_at=clock or at, customer_id=customer, email=email, cart_token=cart,
        currency=currency, total_price="10.00", created_at=at, updated_at=at,
        cancelled_at=at + 1 if cancelled else None,
        lines=tuple(Line(quantity=1, product_id=item, price="10.00", line_price="10.00") for item in items),
    ))


def catalog(store, shop: str, count: int = 12) -> list[str]:
    ids = [str(1000 + n) for n in range(count)]
    for n, product_id in enumerate(ids):
        product(store, shop, product_id, created=n * 1000, category="mugs" if n % 2 else "tea")
    return ids


# The interaction model's raw counters. The app reads them only through the model's rankings
# (neighbours, best sellers), which prune and score them; the model tests compare them exactly.

def orders_with(model, item: str) -> int:
    """Orders that hold ``item`` at all."""
    index = model._ids.get(item)
    return 0 if index is None else model._orders[index]


def baskets_with(model, item: str) -> int:
    """Orders in which ``item`` was pair-counted: the ``c_i`` of every similarity."""
    index = model._ids.get(item)
    return 0 if index is None else model._baskets[index]


def co_count(model, a: str, b: str) -> int:
    """Orders in which ``a`` and ``b`` were pair-counted together: the ``c_ij``."""
    ia, ib = model._ids.get(a), model._ids.get(b)
    return 0 if ia is None or ib is None else model._pairs[ia].get(ib, 0)
