"""A world of two shops for the privacy tests, built through the real inbox and worker, and an oracle.

In the first shop, Alice (customer, guest order by email, point-of-sale order known only by id,
checkout, carts) and Bob, who shares her product, discount code and city; the second shop holds
the very same ids and emails. Which rows are "about Alice" is decided by ``rows_about``, written
here independently of ``plugin.store.privacy``: a row is hers when any value mentions one of her
identifiers.
"""

from __future__ import annotations

import itertools
import json
import re

from tests.support.jobs import runner

from .handlers import BIG, OTHER_SHOP, SHOP, columns, fixture, iso, tables
from .shops import install

T0 = 1_760_000_000_000
PRODUCT_ID = BIG + 1


class Person:
    def __init__(self, n: int, email: str, first: str, last: str, landing: str, referring: str):
        self.id = BIG + 100 * n
        self.email, self.first, self.last = email, first, last
        self.landing, self.referring = landing, referring
        self.order, self.guest_order, self.pos_order = BIG + 100 * n + 1, BIG + 100 * n + 2, BIG + 100 * n + 3
        self.checkout_id = BIG + 100 * n + 4
        self.cart, self.checkout_cart = f"{n:x}" * 32, f"c{n:x}" * 16
        self.checkout_token = f"d{n:x}" * 16
        self.abandoned_url = f"https://checkout.local/orders/{n}/{self.checkout_token}?recovered=1"

    def identifiers(self) -> re.Pattern:
        """The oracle: her email anywhere (any case), or one of her ids or tokens as a whole word."""
        words = [self.id, self.order, self.guest_order, self.pos_order, self.checkout_id, self.cart,
                 self.checkout_cart, self.checkout_token]
        return re.compile(
            re.escape(self.email) + r"|(?<![0-9a-z])(?:" + "|".join(str(w) for w in words) + r")(?![0-9a-z])",
            re.IGNORECASE,
        )

    def personal_values(self) -> list[str]:
        """Values that are hers alone: none may survive her erasure anywhere in her shop."""
        return [self.email, self.first, self.last, self.landing, self.referring, self.cart, self.checkout_cart,
                self.checkout_token, self.abandoned_url]


ALICE = Person(1, "alice.liddell@wonder.example", "Alice", "Liddell", "https://alpha.example/?ref=alice-mail",
               "https://mail.wonder.example/alice")
BOB = Person(2, "bob.builder@fixit.example", "Bob", "Builder", "http://www.example.com?source=abc",
             "http://www.otherexample.com")


def customer(person: Person) -> dict:
    payload = fixture("customer.json")
    payload.update(id=person.id, email=person.email.title(), first_name=person.first, last_name=person.last,
                   updated_at=iso(T0))
    return payload


def order(person: Person, order_id: int, *, linked: bool = True, email: str | None = None) -> dict:
    payload = fixture("order.json")
    payload.update(id=order_id, updated_at=iso(T0), email=email, landing_site=person.landing,
                   referring_site=person.referring, cart_token=None, checkout_token=None, checkout_id=None,
                   billing_address=None, shipping_address=None, customer=None)
    for n, line in enumerate(payload["line_items"]):
        line.update(product_id=PRODUCT_ID, variant_id=BIG + 10 + n, id=order_id * 10 + n)
    payload["fulfillments"] = []
    if linked:
        payload.update(cart_token=person.cart, checkout_token=person.checkout_token, checkout_id=person.checkout_id,
                       customer={"id": person.id, "email": person.email, "first_name": person.first,
                                 "last_name": person.last})
    return payload


def checkout(person: Person) -> dict:
    payload = fixture("checkouts.json")[0]
    payload.update(id=person.checkout_id, token=person.checkout_token, cart_token=person.checkout_cart,
                   email=person.email, abandoned_checkout_url=person.abandoned_url, updated_at=iso(T0),
                   billing_address=None, shipping_address=None,
                   customer={"id": person.id, "email": person.email, "first_name": person.first,
                             "last_name": person.last})
    return payload


def cart(token: str) -> dict:
    payload = fixture("carts.json")[0]
    payload.update(id=token, token=token, updated_at=iso(T0))
    payload["line_items"][0]["variant_id"] = BIG + 10
    return payload


def product() -> dict:
    payload = fixture("product.json")
    payload.update(id=PRODUCT_ID, updated_at=iso(T0))
    for n, variant in enumerate(payload["variants"]):
        variant.update(id=BIG + 10 + n, product_id=PRODUCT_ID)
    return payload


def data_request(person: Person, request_id: int = 9999) -> dict:
    payload = fixture("customers_data_request.json", "webhooks")
    payload.update(orders_requested=[person.pos_order], data_request={"id": request_id},
                   customer={"id": person.id, "email": person.email.upper(), "phone": "555-625-1199"})
    return payload


def redact(person: Person) -> dict:
    payload = fixture("customers_redact.json", "webhooks")
    payload.update(orders_to_redact=[person.pos_order],
                   customer={"id": person.id, "email": person.email.upper(), "phone": "555-625-1199"})
    return payload


_keys = itertools.count()


def deliver(store, topic: str, payload: dict, *, shop: str = SHOP, triggered_at: int | None = T0) -> int:
    """Through the inbox and the real worker, exactly as a webhook is processed."""
    delivery_id = store.inbox.accept(
        shop=shop, topic=topic, dedupe_key=f"test-{next(_keys)}", webhook_id=None, event_id=None,
        api_version="2026-10", triggered_at=triggered_at, body=json.dumps(payload).encode(),
    )
    runner(store, name="test-worker").run_until_idle()
    done = store.inbox.get(delivery_id)
    assert done.status == "done", done.last_error
    return delivery_id


def build_world(store) -> None:
    for shop in (SHOP, OTHER_SHOP):
        install(store, shop)
        deliver(store, "products/create", product(), shop=shop)
        for person in (ALICE, BOB):
            deliver(store, "customers/create", customer(person), shop=shop)
            deliver(store, "carts/create", cart(person.cart), shop=shop)
            deliver(store, "carts/create", cart(person.checkout_cart), shop=shop)
            deliver(store, "checkouts/create", checkout(person), shop=shop)
            deliver(store, "orders/create", order(person, person.order), shop=shop)
            deliver(store, "orders/create", order(person, person.guest_order, linked=False,
                                                  email=person.email.upper()), shop=shop)
            deliver(store, "orders/create", order(person, person.pos_order, linked=False), shop=shop)
        deliver(store, "customers/data_request", data_request(BOB, request_id=1), shop=shop)


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def rows_about(store, person: Person, shop: str = SHOP) -> dict[str, list[dict]]:
    """Every row of the shop, in every table with a ``shop`` column, that mentions the person."""
    pattern = person.identifiers()
    found = {}
    for table in tables(store):
        if "shop" not in columns(store, table):
            continue
        rows = [r for r in store.database.query(f"SELECT * FROM {table} WHERE shop = :shop", {"shop": shop})
                if any(v is not None and pattern.search(_text(v)) for v in r.values())]
        if rows:
            found[table] = rows
    return found


def canonical(row: dict) -> str:
    return json.dumps({k: _text(v) if isinstance(v, bytes) else v for k, v in row.items()}, sort_keys=True)
