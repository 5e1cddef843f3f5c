"""Shoppers for the profile and segment tests: products, customers, page views and orders, written to a store."""

from __future__ import annotations

from plugin.people import identity
from plugin.store import Event, Store
from plugin.store.commerce import Customer, Line, Order, Product

SHOP = "profile-shop.myshopify.com"
OTHER_SHOP = "other-shop.myshopify.com"
T0 = 1_760_000_000_000
DAY = 86_400_000
HOUR = 3_600_000


def new_store(tmp_path) -> Store:
    store = Store(str(tmp_path / "profiles.db"))
    store.migrate()
    return store


def product(store: Store, product_id: str, *, category: str | None = None, vendor: str | None = None,
            tags: tuple[str, ...] = (), shop: str = SHOP) -> None:
    store.commerce.upsert_product(shop, Product(product_id=product_id, source_updated_at=1, product_type=category,
                                                vendor=vendor, tags=tags, status="active", published_at=1))


def customer(store: Store, customer_id: str, *, email: str | None = None, country_code: str | None = None,
             city: str | None = None, shop: str = SHOP) -> None:
    store.commerce.upsert_customer(shop, Customer(customer_id=customer_id, source_updated_at=T0, email=email,
                                                  country_code=country_code, city=city))


def browse(store: Store, visitor_id: str, at: int, *events: tuple, session: str | None = None,
           shop: str = SHOP, email: str | None = None, customer_id: str | None = None,
           cart_token: str | None = None) -> None:
    """One page view's batch, as the events endpoint stores it: observe the visitor, then add the events."""
    with store.database.write():
        identity.observe(store, shop, visitor_id, at, email=email, customer_id=customer_id, cart_token=cart_token)
        store.events.add(shop, visitor_id, session or f"s-{visitor_id}", [
            Event(type=e[0], occurred_at=at, path="/", data=e[1] if len(e) > 1 else {}) for e in events
        ], at)


def order(store: Store, order_id: str, at: int, *, total: str = "50.00", customer_id: str | None = None,
          email: str | None = None, currency: str | None = "EUR", cancelled_at: int | None = None,
          cart_token: str | None = None, products: tuple[str, ...] = (), source_name: str = "web",
          origin: str = "webhook", shop: str = SHOP) -> None:
    store.commerce.upsert_order(shop, Order(
        order_id=order_id, source_updated_at=at + (1 if cancelled_at else 0), email=email, customer_id=customer_id,
        currency=currency, total_price=total, cancelled_at=cancelled_at, created_at=at, cart_token=cart_token,
        source_name=source_name, origin=origin,
        lines=tuple(Line(quantity=1, product_id=p, price=total) for p in products),
    ))


def person_count(store: Store, shop: str = SHOP) -> int:
    return store.database.one("SELECT COUNT(*) AS n FROM people WHERE shop = :shop", {"shop": shop})["n"]


def profile_count(store: Store, shop: str = SHOP) -> int:
    return store.database.one("SELECT COUNT(*) AS n FROM profiles WHERE shop = :shop", {"shop": shop})["n"]


def profile_of(store, *, visitor_id=None, customer_id=None, email=None, shop=SHOP) -> dict:
    if visitor_id:
        person_id = store.identities.visitor(shop, visitor_id)["person_id"]
    elif customer_id:
        person_id = store.identities.person_by_customer(shop, customer_id)["person_id"]
    else:
        person_id = store.identities.person_by_email(shop, email)["person_id"]
    return store.profiles.get(shop, person_id)
