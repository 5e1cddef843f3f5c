"""Privacy requests: export all we hold about a customer, erase a customer, erase a shop.

``PII_TABLES`` is the one list of where personal data lives, and both the
export and the erasure iterate it, so they cannot drift apart. A migration
that adds a table holding personal data adds its entry here in the same
change; ``tests/privacy/test_topics.py`` fails while a table with an email or
customer column is missing. An entry says how the subject's rows are found:

- ``customer_id`` / ``email`` / ``order_id``: a column compared with the
  request's customer id, email (case-insensitively) or order ids;
- ``links``: rows hanging off another entry's matched rows (carts found
  through the cart tokens of the customer's orders and checkouts);
- ``scan``: text or blob columns searched for the email, the ids or the
  linked tokens, for archives of raw payloads (the webhook inbox) that have
  no such columns;

and what erasure does with them: ``delete`` the rows, ``anonymize`` them
(set the ``anonymize`` columns to the given values and keep the rest, so
anonymous order lines still count in aggregates), or ``keep`` rows that hold
nothing personal once their parent is anonymized (they are still exported).

Shop erasure needs no registry: every table with a ``shop`` column is
emptied of that shop, found through the schema.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from graphlib import TopologicalSorter

from ..clock import now_ms
from . import catalog
from .connection import Database
from .sql import in_list

INBOX = "webhook_inbox"
REDACTED_BODY = b'{"redacted":true}'
EXPORT_FORMAT = "storelift.customer-export/1"


@dataclass(frozen=True)
class Link:
    """This table's ``column`` holds a value of ``source_column`` in the subject's rows of ``table``."""

    column: str
    table: str
    source_column: str


@dataclass(frozen=True)
class PiiTable:
    customer_id: str | None = None
    email: str | None = None
    order_id: str | None = None
    links: tuple[Link, ...] = ()
    scan: tuple[str, ...] = ()
    key: str | None = None  # with ``scan``: the column that names a matched row
    action: str = "delete"  # delete | anonymize | keep
    anonymize: dict = field(default_factory=dict)
    export: bool = True


PII_TABLES: dict[str, PiiTable] = {
    "customers": PiiTable(customer_id="customer_id", email="email"),
    "orders": PiiTable(
        customer_id="customer_id", email="email", order_id="order_id", action="anonymize",
        anonymize={column: None for column in ("email", "customer_id", "cart_token", "checkout_token",
                                               "checkout_id", "landing_site", "referring_site")},
    ),
    "order_lines": PiiTable(links=(Link("order_id", "orders", "order_id"),), action="keep"),
    "checkouts": PiiTable(customer_id="customer_id", email="email"),
    "checkout_lines": PiiTable(links=(Link("checkout_token", "checkouts", "checkout_token"),)),
    "carts": PiiTable(links=(Link("cart_token", "orders", "cart_token"),
                             Link("cart_token", "checkouts", "cart_token"))),
    "cart_lines": PiiTable(links=(Link("cart_token", "carts", "cart_token"),)),
    # The request log keeps ids and hashes only; earlier exports of the customer are dropped.
    # Not exported: the export would otherwise contain the previous exports.
    "privacy_requests": PiiTable(customer_id="customer_id", email="email", action="anonymize",
                                 anonymize={"email": None, "export": None}, export=False),
    # Raw webhook bodies carry the customer as the platform sent it. A still-pending delivery about
    # them is blanked too: it fails and dead-letters instead of bringing the data back.
    INBOX: PiiTable(scan=("body",), key="id", action="anonymize", anonymize={"body": REDACTED_BODY}),
    # The storefront: a person (email / customer id) owns visitor ids, which own events and cart tokens.
    "people": PiiTable(customer_id="customer_id", email="email"),
    "visitors": PiiTable(links=(Link("person_id", "people", "person_id"),)),
    "visitor_carts": PiiTable(links=(Link("visitor_id", "visitors", "visitor_id"),
                                     Link("cart_token", "orders", "cart_token"),
                                     Link("cart_token", "checkouts", "cart_token"))),
    "storefront_events": PiiTable(links=(Link("visitor_id", "visitors", "visitor_id"),)),
    # What a visitor saw and clicked in recommendation blocks goes with their visitor id.
    "rec_impressions": PiiTable(links=(Link("visitor_id", "visitors", "visitor_id"),)),
    "rec_clicks": PiiTable(links=(Link("visitor_id", "visitors", "visitor_id"),)),
    # The recommendation change feed names orders by id (and products, which are no one's).
    "rec_changes": PiiTable(links=(Link("ref", "orders", "order_id"),)),
    # The consent record goes with the person; the code it was given stays assigned (never handed out again).
    "subscribers": PiiTable(customer_id="customer_id", email="email"),
    # Background work names people by id (a profile refresh's "customer:<id>", "order:<id>", …): a job
    # about them goes, queued or dead-lettered, so no id of theirs outlives the erasure there.
    "jobs": PiiTable(scan=("dedupe_key", "payload"), key="id", export=False),
    # Triggered emails planned or sent to them (their open-time slots and clicks go with each send:
    # ON DELETE CASCADE), and their address on the do-not-mail list. With their consent gone
    # (subscriber, customer) nothing can mail them again.
    "email_sends": PiiTable(email="email", links=(Link("person_id", "people", "person_id"),)),
    "email_suppressions": PiiTable(email="email"),
    # Which arm of each holdout experiment they were shown, and when: it goes with the person.
    "experiment_exposures": PiiTable(links=(Link("person_id", "people", "person_id"),)),
    # A profile is about its person (and dies with it: ON DELETE CASCADE); it also carries their ids.
    "profiles": PiiTable(customer_id="customer_id", email="email", links=(Link("person_id", "people", "person_id"),)),
}


@dataclass(frozen=True)
class Subject:
    """Whose data a request is about: matched by customer id OR email OR any of the order ids.

    ``linked`` holds the keys that tie other rows to the subject (the cart
    and checkout tokens of their orders, …), read before anything is erased
    so that scanned archives can still be searched for them afterwards.
    """

    shop: str
    customer_id: str | None
    email: str | None
    order_ids: tuple[str, ...] = ()
    linked: tuple[str, ...] = ()

    def key(self) -> str:
        """A stable name for the subject that holds no personal data."""
        return f"customer:{self.customer_id}" if self.customer_id else f"email:{email_sha256(self.email)}"

    def pattern(self) -> re.Pattern | None:
        """What a scanned payload must contain: the email, or an id or token as a whole word."""
        parts = [re.escape(self.email)] if self.email else []
        words = sorted({w for w in (self.customer_id, *self.order_ids, *self.linked) if w})
        if words:
            parts.append(r"(?<![0-9A-Za-z])(?:" + "|".join(map(re.escape, words)) + r")(?![0-9A-Za-z])")
        return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def email_sha256(email: str | None) -> str | None:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest() if email else None


def _erase_order() -> list[str]:
    """Registered tables, each before the tables it links to: a linked table must still find its
    rows through the source's columns, so the source is anonymized or deleted after it."""
    graph = {name: set() for name in PII_TABLES}
    for name, entry in PII_TABLES.items():
        for link in entry.links:
            graph[link.table].add(name)
    return list(TopologicalSorter(graph).static_order())


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _exported(row: dict) -> dict:
    return {column: _text(value) if isinstance(value, bytes) else value for column, value in row.items()}


class Privacy:
    def __init__(self, database: Database):
        self._d = database

    def _subject(self, shop: str, customer_id: str | None, email: str | None, order_ids) -> Subject:
        """The request's subject, with the keys that link further rows to it read from the registry."""
        subject = Subject(shop, customer_id, email.strip() if email else None, tuple(order_ids))
        linked: set[str] = set()
        for entry in PII_TABLES.values():
            for link in entry.links:
                where, params = self._match(link.table, subject)
                rows = self._d.rows(
                    f"SELECT DISTINCT {link.source_column} FROM {link.table} WHERE shop = :shop AND {where}",
                    {**params, "shop": shop},
                )
                linked.update(str(row[0]) for row in rows if row[0] is not None)
        return replace(subject, linked=tuple(sorted(linked)))

    def _match(self, table: str, subject: Subject) -> tuple[str, dict]:
        """A SQL condition (to AND with ``shop = :shop``) selecting the subject's rows of a registered table.

        Its parameters are named after what they hold (``:shop``, ``:customer_id``,
        ``:email``, ``:order_N``, ``:<table>_key_N``): the same subject gives the
        same value under the same name at every depth, so nested links merge
        their parameters into one dict without clashing.
        """
        entry = PII_TABLES[table]
        conditions: list[str] = []
        params: dict = {}
        if entry.customer_id and subject.customer_id:
            conditions.append(f"{entry.customer_id} = :customer_id")
            params["customer_id"] = subject.customer_id
        if entry.email and subject.email:
            # case-fold: lower() folds ASCII only on SQLite, every letter on PostgreSQL
            conditions.append(f"lower({entry.email}) = lower(:email)")
            params["email"] = subject.email
        if entry.order_id and subject.order_ids:
            ids_sql, ids = in_list("order", subject.order_ids)
            conditions.append(f"{entry.order_id} IN ({ids_sql})")
            params.update(ids)
        for link in entry.links:
            inner, inner_params = self._match(link.table, subject)
            conditions.append(
                f"{link.column} IN (SELECT {link.source_column} FROM {link.table} WHERE shop = :shop AND {inner})"
            )
            params.update(inner_params, shop=subject.shop)
        if entry.scan:
            keys_sql, keys = in_list(f"{table}_key", self._scanned_keys(table, subject))
            conditions.append(f"{entry.key} IN ({keys_sql})" if keys else "1 = 0")
            params.update(keys)
        return ("(" + " OR ".join(conditions) + ")" if conditions else "1 = 0"), params

    def _scanned_keys(self, table: str, subject: Subject) -> list:
        """Keys of the shop's rows whose scanned columns mention the subject (searched here, not in
        SQL, so that blobs, case and whole-number boundaries behave the same on every database)."""
        entry = PII_TABLES[table]
        pattern = subject.pattern()
        if pattern is None:
            return []
        rows = self._d.stream(
            f"SELECT {entry.key}, {', '.join(entry.scan)} FROM {table} WHERE shop = :shop", {"shop": subject.shop}
        )
        return [row[0] for row in rows if any(v is not None and pattern.search(_text(v)) for v in row[1:])]

    def export_customer(self, shop: str, customer_id: str | None, email: str | None,
                        order_ids: tuple[str, ...] = ()) -> dict:
        """Everything held about the customer, table by table, every column as stored."""
        subject = self._subject(shop, customer_id, email, order_ids)
        tables = {}
        for table, entry in PII_TABLES.items():
            if not entry.export:
                continue
            where, params = self._match(table, subject)
            rows = self._d.query(f"SELECT * FROM {table} WHERE shop = :shop AND {where}", {**params, "shop": shop})
            tables[table] = [_exported(row) for row in rows]
        return {
            "format": EXPORT_FORMAT,
            "shop": shop,
            "customer": {"id": customer_id, "email": email},
            "orders_requested": list(order_ids),
            "generated_at": now_ms(),
            "tables": tables,
        }

    def answer_data_request(self, shop: str, *, request_id: str | None, customer_id: str | None,
                            email: str | None, order_ids: tuple[str, ...], requested_at: int) -> int:
        """Build the export and keep it for the merchant; returns the request's id.

        A replayed request keeps its first answer.
        """
        key = request_id or Subject(shop, customer_id, email).key()
        export = self.export_customer(shop, customer_id, email, tuple(order_ids))
        with self._d.write() as db:
            db.execute(
                """
                INSERT INTO privacy_requests (shop, kind, request_key, customer_id, email, email_sha256,
                    order_ids, requested_at, export, completed_at)
                VALUES (:shop, 'data_request', :request_key, :customer_id, :email, :email_sha256, :order_ids,
                    :requested_at, :export, :completed_at)
                ON CONFLICT (shop, kind, request_key) DO NOTHING
                """,
                {"shop": shop, "request_key": key, "customer_id": customer_id, "email": email,
                 "email_sha256": email_sha256(email), "order_ids": json.dumps(list(order_ids)),
                 "requested_at": requested_at, "export": json.dumps(export), "completed_at": now_ms()},
            )
            return db.execute(
                "SELECT id FROM privacy_requests"
                " WHERE shop = :shop AND kind = 'data_request' AND request_key = :request_key",
                {"shop": shop, "request_key": key},
            ).fetchone()[0]

    def names_orders(self, shop: str, customer_id: str | None, email: str | None,
                     order_ids: tuple[str, ...] = ()) -> bool:
        """Whether an order that ``erase_customer`` would anonymise still names a shopper.

        The same orders the erasure matches (customer id, email, or the
        request's order ids), restricted to those still carrying a customer
        id or email: after the erasure none does, so a replay finds none.
        """
        subject = Subject(shop, customer_id, email.strip() if email else None, tuple(order_ids))
        where, params = self._match("orders", subject)
        row = self._d.one(
            f"SELECT 1 AS found FROM orders WHERE shop = :shop AND {where} "
            "AND (customer_id IS NOT NULL OR email IS NOT NULL) LIMIT 1",
            {**params, "shop": shop})
        return row is not None

    def erase_customer(self, shop: str, *, customer_id: str | None, email: str | None,
                       order_ids: tuple[str, ...] = (), requested_at: int) -> dict[str, int]:
        """Erase the customer from every registered table, then log the request with ids and hashes only.

        Returns the rows deleted or anonymized per table.
        """
        counts: dict[str, int] = {}
        with self._d.write() as db:
            subject = self._subject(shop, customer_id, email, order_ids)
            for table in _erase_order():
                entry = PII_TABLES[table]
                if entry.action == "keep":
                    continue
                where, params = self._match(table, subject)
                if entry.action == "delete":
                    sql, values = f"DELETE FROM {table} WHERE shop = :shop AND {where}", {}
                else:
                    assignments = ", ".join(f"{c} = :anonymized_{c}" for c in entry.anonymize)
                    sql = f"UPDATE {table} SET {assignments} WHERE shop = :shop AND {where}"
                    values = {f"anonymized_{c}": value for c, value in entry.anonymize.items()}
                counts[table] = db.execute(sql, {**values, **params, "shop": shop}).rowcount
            db.execute(
                """
                INSERT INTO privacy_requests (shop, kind, request_key, customer_id, email, email_sha256,
                    order_ids, requested_at, export, completed_at)
                VALUES (:shop, 'customer_redact', :request_key, :customer_id, NULL, :email_sha256, :order_ids,
                    :requested_at, NULL, :completed_at)
                ON CONFLICT (shop, kind, request_key) DO NOTHING
                """,
                {"shop": shop, "request_key": subject.key(), "customer_id": customer_id,
                 "email_sha256": email_sha256(email), "order_ids": json.dumps(list(subject.order_ids)),
                 "requested_at": requested_at, "completed_at": now_ms()},
            )
        return counts

    def erase_shop(self, shop: str, *, keep_delivery: int | None = None) -> dict[str, int]:
        """Delete every row of the shop from every table that has a ``shop`` column.

        The tables come from the schema, so tables added later are covered
        without registering anywhere. ``keep_delivery`` is the inbox row of
        the shop/redact delivery being handled: the worker marks it done in
        this same transaction afterwards, so deleting it would fail that mark
        and roll the erasure back. It holds only the shop's id and domain.
        Children are deleted before the parents their foreign keys name
        (``catalog``: the schema as either engine reports it).
        """
        tables = [t.name for t in reversed(catalog.tables(self._d.engine)) if "shop" in t.columns]
        counts: dict[str, int] = {}
        with self._d.write() as db:
            for table in tables:
                if table == INBOX and keep_delivery is not None:
                    cursor = db.execute(f"DELETE FROM {table} WHERE shop = :shop AND id <> :keep_delivery",
                                        {"shop": shop, "keep_delivery": keep_delivery})
                else:
                    cursor = db.execute(f"DELETE FROM {table} WHERE shop = :shop", {"shop": shop})
                counts[table] = cursor.rowcount
        return counts


    def list_requests(self, shop: str) -> list[dict]:
        """The shop's privacy requests, newest first, without the export bodies."""
        return self._d.query(
            """
            SELECT id, kind, customer_id, email, order_ids, requested_at, completed_at,
                   CASE WHEN export IS NOT NULL THEN 1 ELSE 0 END AS has_export
            FROM privacy_requests WHERE shop = :shop ORDER BY id DESC
            """,
            {"shop": shop},
        )

    def get_export(self, shop: str, request_id: int) -> dict | None:
        row = self._d.one(
            "SELECT export FROM privacy_requests WHERE shop = :shop AND id = :id AND export IS NOT NULL",
            {"shop": shop, "id": request_id},
        )
        return json.loads(row["export"]) if row else None
