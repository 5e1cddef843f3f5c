"""After PostgreSQL drops its connections (a restart), reads and acknowledged intake carry on without an error."""

from __future__ import annotations

import psycopg

from ..support.app import SHOP
from ..support.database import only_on

pytestmark = only_on("postgresql", "SQLite has no server to lose the connection to")


def drop_every_connection_but_ours(store) -> int:
    """What a server restart does to a process's pooled connections."""
    url = store.database.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as admin:
        return admin.execute("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity"
                             " WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()[0]


def accept(store, key: str):
    return store.inbox.accept(shop=SHOP, topic="orders/create", dedupe_key=key, webhook_id=key, event_id=None,
                              api_version="2026-10", triggered_at=None, body=b"{}")


def test_a_read_after_the_server_dropped_the_pool_reconnects(store):
    assert store.database.scalar("SELECT 1") == 1
    assert drop_every_connection_but_ours(store) >= 1
    assert store.database.scalar("SELECT 2") == 2


def test_a_delivery_accepted_after_the_server_dropped_the_pool_is_stored_once(store):
    first = accept(store, "before")
    assert drop_every_connection_but_ours(store) >= 1
    second = accept(store, "after")
    assert second is not None and second != first
    assert accept(store, "after") is None  # and still deduplicated


def test_a_read_on_a_held_connection_the_server_dropped_reconnects(store):
    store.database.hold_reads()  # as a storefront request does (widgets.door)
    try:
        assert store.database.scalar("SELECT 1") == 1
        assert drop_every_connection_but_ours(store) >= 1
        assert store.database.scalar("SELECT 2") == 2
        assert store.database.scalar("SELECT 3") == 3
    finally:
        store.database.release_reads()
