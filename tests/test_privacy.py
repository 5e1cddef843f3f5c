"""The privacy topics, checked against every table in the database rather than against the registry.

A world of two shops is built through the real inbox and worker: in the
first, Alice (customer, guest order by email, point-of-sale order known only
by id, checkout, carts) and Bob, who shares her product, discount code and
city; the second shop holds the very same ids and emails. Which rows are
"about Alice" is decided by an oracle written here, independently of
``plugin.store.privacy``: a row is hers when any value mentions one of her
identifiers. Exports must equal exactly those rows; erasure must leave no
trace of her personal values and every other row byte-identical.
"""

from __future__ import annotations

import itertools
import json
import re

import pytest

from plugin.store import now_ms
from plugin.store.privacy import PII_TABLES
from webhooks.worker import Worker

from .handlers_support import BIG, OTHER_SHOP, SHOP, columns, fixture, iso, new_store, run, snapshot, tables

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
    Worker(store, name="test-worker").run_until_idle()
    done = store.inbox.get(delivery_id)
    assert done.status == "done", done.last_error
    return delivery_id


def build_world(store) -> None:
    for shop in (SHOP, OTHER_SHOP):
        store.shops.save_install(shop, access_token="shpat", scopes=("read_orders",), api_version="2026-10",
                                 token_expires_at=None, refresh_token=None, refresh_expires_at=None)
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


@pytest.fixture
def store(tmp_path):
    s = new_store(tmp_path)
    build_world(s)
    yield s
    s.close()


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def rows_about(store, person: Person, shop: str = SHOP) -> dict[str, list[dict]]:
    """Every row of the shop, in every table with a ``shop`` column, that mentions the person."""
    pattern = person.identifiers()
    found = {}
    for table in tables(store):
        if "shop" not in columns(store, table):
            continue
        rows = [r for r in store.database.query(f"SELECT * FROM {table} WHERE shop = ?", [shop])
                if any(v is not None and pattern.search(_text(v)) for v in r.values())]
        if rows:
            found[table] = rows
    return found


def canonical(row: dict) -> str:
    return json.dumps({k: _text(v) if isinstance(v, bytes) else v for k, v in row.items()}, sort_keys=True)


PERSONAL_COLUMN = re.compile(r"email|customer|first_name|last_name|phone|address|landing|referring")


def test_every_table_with_personal_columns_is_in_the_registry(store):
    unregistered = [
        table for table in tables(store)
        if any(PERSONAL_COLUMN.search(c) for c in columns(store, table)) and table not in PII_TABLES
    ]
    assert unregistered == []


def test_the_registry_names_real_tables_and_columns(store):
    for table, entry in PII_TABLES.items():
        present = set(columns(store, table))
        named = {entry.customer_id, entry.email, entry.order_id, entry.key, *entry.scan, *entry.anonymize,
                 *(link.column for link in entry.links)} - {None}
        assert named <= present, (table, named - present)
        assert "shop" in present
        for link in entry.links:
            assert link.table in PII_TABLES and link.source_column in columns(store, link.table)
        assert entry.action in ("delete", "anonymize", "keep")


def test_data_request_exports_every_row_held_about_the_customer_and_nothing_else(store):
    request_delivery = deliver(store, "customers/data_request", data_request(ALICE))
    requests = [r for r in store.privacy.list_requests(SHOP) if r["customer_id"] == str(ALICE.id)]
    assert [(r["kind"], r["email"], r["has_export"]) for r in requests] == [("data_request", ALICE.email, 1)]
    export = store.privacy.get_export(SHOP, requests[0]["id"])
    assert export["shop"] == SHOP and export["customer"] == {"id": str(ALICE.id), "email": ALICE.email}

    held = rows_about(store, ALICE)
    # The request log is the one holder not exported: it would nest earlier exports.
    assert {"customers", "orders", "order_lines", "checkouts", "checkout_lines", "carts", "cart_lines",
            "webhook_inbox"} <= set(held)
    assert set(held) - {"privacy_requests"} <= {t for t, e in PII_TABLES.items() if e.export}
    for table, entry in PII_TABLES.items():
        if not entry.export:
            continue
        expected = held.get(table, [])
        if table == "webhook_inbox":  # its own row has moved on from 'processing' since the export was taken
            expected = [r for r in expected if r["id"] != request_delivery]
            exported = [r for r in export["tables"][table] if r["id"] != request_delivery]
        else:
            exported = export["tables"][table]
        assert sorted(map(canonical, exported)) == sorted(map(canonical, expected)), table
    assert len(export["tables"]["orders"]) == 3  # by customer id, by email (any case), by requested id


def test_a_replayed_data_request_keeps_its_first_answer(store):
    deliver(store, "customers/data_request", data_request(ALICE))
    before = snapshot(store)["privacy_requests"]
    deliver(store, "customers/data_request", data_request(ALICE))
    assert snapshot(store)["privacy_requests"] == before


def test_a_request_that_names_nobody_is_refused_and_erases_nothing(store):
    before = snapshot(store)
    with pytest.raises(ValueError):
        run(store, "customers/redact", {**redact(ALICE), "customer": {"phone": "555-625-1199"}})
    assert snapshot(store) == before


def test_customer_redact_erases_her_everywhere_and_touches_no_one_else(store):
    deliver(store, "customers/data_request", data_request(ALICE))
    sales = store.commerce.product_sales(SHOP)
    lines = len(store.database.query("SELECT * FROM order_lines WHERE shop = ?", [SHOP]))
    hers = {table: {canonical(r) for r in rows} for table, rows in rows_about(store, ALICE).items()}
    others_before = {
        table: [r for r in store.database.query(f"SELECT * FROM {table}") if canonical(r) not in hers.get(table, ())]
        for table in tables(store)
    }
    other_shop_before = snapshot(store, OTHER_SHOP)

    redact_delivery = deliver(store, "customers/redact", redact(ALICE))

    # No personal value of hers survives anywhere in her shop, whatever the table.
    for table in tables(store):
        for row in store.database.query(f"SELECT * FROM {table}"):
            if row.get("shop") == SHOP:
                text = canonical(row).lower()
                assert not [v for v in ALICE.personal_values() if v.lower() in text], (table, row)
    # Her id is left only in the request log, which keeps ids and hashes, never an email or an export.
    remaining = rows_about(store, ALICE)
    assert set(remaining) <= {"privacy_requests", "orders", "order_lines"}
    assert {r["order_id"] for r in remaining["orders"]} == {str(ALICE.order), str(ALICE.guest_order),
                                                            str(ALICE.pos_order)}
    for row in remaining["orders"]:
        assert row["email"] is row["customer_id"] is row["cart_token"] is row["landing_site"] is None
    log = remaining["privacy_requests"]
    assert sorted(r["kind"] for r in log) == ["customer_redact", "data_request"]
    assert all(r["email"] is None and r["export"] is None and r["email_sha256"] for r in log)
    assert store.inbox.get(redact_delivery).body == b'{"redacted":true}'
    # Anonymous lines still count.
    assert store.commerce.product_sales(SHOP) == sales
    assert len(store.database.query("SELECT * FROM order_lines WHERE shop = ?", [SHOP])) == lines

    # Everyone else's rows, Bob's and the other shop's (same ids, same email), are byte-identical.
    for table, rows in others_before.items():
        after = [canonical(r) for r in store.database.query(f"SELECT * FROM {table}")]
        missing = [r for r in rows if canonical(r) not in after]
        if table == "webhook_inbox":  # only the redact delivery's own row moved on
            missing = [r for r in missing if r["id"] != redact_delivery]
        assert missing == [], table
    assert snapshot(store, OTHER_SHOP) == other_shop_before
    assert rows_about(store, BOB)["customers"]


def test_a_replayed_redact_changes_nothing_more(store):
    deliver(store, "customers/redact", redact(ALICE))
    data = {t: rows for t, rows in snapshot(store).items() if t != "webhook_inbox"}
    deliver(store, "customers/redact", redact(ALICE))
    assert {t: rows for t, rows in snapshot(store).items() if t != "webhook_inbox"} == data


def test_shop_redact_removes_every_row_of_the_shop_but_its_own_delivery(store):
    other_shop_before = snapshot(store, OTHER_SHOP)
    unscoped_before = {t: rows for t, rows in snapshot(store).items() if "shop" not in columns(store, t)}
    deliver(store, "app/uninstalled", fixture("shop.json"), triggered_at=now_ms() + 1000)
    redact_delivery = deliver(store, "shop/redact", fixture("shop_redact.json", "webhooks"),
                              triggered_at=now_ms() + 2000)

    left = snapshot(store, SHOP)
    assert {t for t in left} >= set(PII_TABLES) | {"shops", "oauth_states", "products", "product_variants"}
    assert [row[0] for row in left.pop("webhook_inbox")] == [redact_delivery]
    assert {t: rows for t, rows in left.items() if rows} == {}
    assert snapshot(store, OTHER_SHOP) == other_shop_before
    assert {t: rows for t, rows in snapshot(store).items() if "shop" not in columns(store, t)} == unscoped_before


def test_shop_redact_fired_before_a_reinstall_leaves_the_live_install_alone(store):
    before = {t: rows for t, rows in snapshot(store, SHOP).items() if t != "webhook_inbox"}
    deliver(store, "shop/redact", fixture("shop_redact.json", "webhooks"), triggered_at=now_ms() - 60_000)
    assert {t: rows for t, rows in snapshot(store, SHOP).items() if t != "webhook_inbox"} == before


def test_shop_erasure_deletes_children_before_the_parents_their_foreign_keys_name(store):
    store.database.execute("CREATE TABLE probe_parent (shop TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (shop, id))")
    store.database.execute(
        """CREATE TABLE probe_child (shop TEXT NOT NULL, parent TEXT NOT NULL,
           FOREIGN KEY (shop, parent) REFERENCES probe_parent (shop, id))"""
    )
    store.database.execute("INSERT INTO probe_parent VALUES (?, 'p')", [SHOP])
    store.database.execute("INSERT INTO probe_child VALUES (?, 'p')", [SHOP])
    counts = store.privacy.erase_shop(SHOP)
    assert counts["probe_parent"] == counts["probe_child"] == 1
