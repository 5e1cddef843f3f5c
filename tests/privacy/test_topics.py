"""The privacy topics, checked against every table in the database rather than against the registry.

A world of two shops is built through the real inbox and worker: in the
first, Alice (customer, guest order by email, point-of-sale order known only
by id, checkout, carts) and Bob, who shares her product, discount code and
city; the second shop holds the very same ids and emails. Which rows are
"about Alice" is decided by an oracle (``tests/support/privacy.py``), independently of
``plugin.store.privacy``: a row is hers when any value mentions one of her
identifiers. Exports must equal exactly those rows; erasure must leave no
trace of her personal values and every other row byte-identical.
"""

from __future__ import annotations

import re

import pytest

from plugin.clock import now_ms
from plugin.store.privacy import PII_TABLES

from tests.support import reads
from tests.support.handlers import OTHER_SHOP, SHOP, columns, fixture, new_store, run, snapshot, tables
from tests.support.privacy import ALICE, BOB, build_world, canonical, data_request, deliver, redact, rows_about


@pytest.fixture
def store(tmp_path):
    s = new_store(tmp_path)
    build_world(s)
    yield s
    s.close()


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
    sales = reads.product_sales(store, SHOP)
    lines = len(store.database.query("SELECT * FROM order_lines WHERE shop = :shop", {"shop": SHOP}))
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
    assert reads.product_sales(store, SHOP) == sales
    assert len(store.database.query("SELECT * FROM order_lines WHERE shop = :shop", {"shop": SHOP})) == lines

    # Everyone else's rows, Bob's and the other shop's (same ids, same email), are byte-identical.
    for table, rows in others_before.items():
        after = [canonical(r) for r in store.database.query(f"SELECT * FROM {table}")]
        missing = [r for r in rows if canonical(r) not in after]
        if table == "webhook_inbox":  # only the redact delivery's own row moved on
            missing = [r for r in missing if r["id"] != redact_delivery]
        assert missing == [], table
    assert snapshot(store, OTHER_SHOP) == other_shop_before
    assert rows_about(store, BOB)["customers"]


def test_customer_redact_removes_the_jobs_that_name_her_and_keeps_everyone_elses(store):
    def dead_refresh(kind: str, ref) -> None:
        store.jobs.enqueue(SHOP, "profiles.refresh", f"{kind}:{ref}", {"kind": kind, "ref": str(ref)})
        store.database.execute("UPDATE jobs SET status = 'dead' WHERE dedupe_key = :dedupe_key",
                               {"dedupe_key": f"{kind}:{ref}"})

    for kind, ref in (("customer", ALICE.id), ("order", ALICE.guest_order), ("customer", BOB.id)):
        dead_refresh(kind, ref)
    deliver(store, "customers/redact", redact(ALICE))
    left = {row["dedupe_key"]
            for row in store.database.query("SELECT dedupe_key FROM jobs WHERE shop = :shop", {"shop": SHOP})}
    assert left == {f"customer:{BOB.id}"}


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
    store.database.execute("INSERT INTO probe_parent VALUES (:shop, 'p')", {"shop": SHOP})
    store.database.execute("INSERT INTO probe_child VALUES (:shop, 'p')", {"shop": SHOP})
    counts = store.privacy.erase_shop(SHOP)
    assert counts["probe_parent"] == counts["probe_child"] == 1
