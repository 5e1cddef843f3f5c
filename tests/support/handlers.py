"""Shared by the webhook-handler and privacy tests: real fixture payloads, deliveries, snapshots.

Handlers are run the way the worker runs them, inside an open write
transaction, so the repositories' nested ``write()`` becomes a savepoint.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from plugin.clock import now_ms
from plugin.store import Delivery, Store, catalog
from webhooks.handlers import HANDLERS

from .database import database_url
from .paths import SHARED

FIXTURES = SHARED / "fixtures" / "platform"
SHOP = "alpha-store.myshopify.com"
OTHER_SHOP = "beta-store.myshopify.com"
BIG = 2**53 + 1  # the first integer a float cannot hold: ids from here on expose any float on the way
EASTERN = timezone(timedelta(hours=-5))


def fixture(name: str, folder: str = "admin_rest"):
    """A fixture file's resource as a webhook sends it: bare, not wrapped in {"order": {...}}."""
    data = json.loads((FIXTURES / folder / name).read_text())
    if folder == "admin_rest":
        (data,) = data.values()
    return data


def iso(ms: int) -> str:
    """Epoch ms as the platform writes times: ISO-8601 with an offset."""
    return datetime.fromtimestamp(ms / 1000, EASTERN).isoformat()


def delivery(topic: str, *, shop: str = SHOP, triggered_at: int | None = None, delivery_id: int = 1) -> Delivery:
    return Delivery(
        id=delivery_id, shop=shop, topic=topic, webhook_id=None, event_id=None, api_version="2026-10",
        triggered_at=triggered_at, received_at=now_ms(), body=b"", status="processing", attempts=1,
        last_error=None,
    )


def run(store: Store, topic: str, payload: dict, *, shop: str = SHOP, triggered_at: int | None = None) -> None:
    """Run a topic's handler as the worker does: inside an open write transaction."""
    with store.database.write():
        HANDLERS[topic](store, delivery(topic, shop=shop, triggered_at=triggered_at), json.loads(json.dumps(payload)))


def new_store(tmp_path) -> Store:
    store = Store(database_url(tmp_path, "t"))
    store.migrate()
    return store


def tables(store: Store) -> list[str]:
    return sorted(table.name for table in catalog.tables(store.database.engine))


def columns(store: Store, table: str) -> list[str]:
    """The table's columns, or none when it does not exist (one table's catalog, not the whole schema's)."""
    inspector = sa.inspect(store.database.engine)
    return [c["name"] for c in inspector.get_columns(table)] if inspector.has_table(table) else []


def snapshot(store: Store, shop: str | None = None) -> dict[str, list[tuple]]:
    """Every row of every table (of one shop, when given) as raw tuples, bytes included, sorted."""
    result = {}
    for table in sorted(catalog.tables(store.database.engine), key=lambda t: t.name):
        if shop is not None and "shop" not in table.columns:
            continue
        where, params = ("WHERE shop = :shop", {"shop": shop}) if shop else ("", {})
        sql = f"SELECT * FROM {table.name} {where}"
        result[table.name] = sorted(store.database.rows(sql, params), key=repr)
    return result
