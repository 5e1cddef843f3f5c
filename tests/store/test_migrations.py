"""The migration history: one Alembic chain whose revision ids are the released names, never renamed or reordered.

Databases in the field were made by the sqlite-utils history that came before
it; ``data/main-0035.db`` is one, made by that old code read from git (see
``data/make_main_0035.py`` for how, and to rebuild it). The new history must
upgrade such a file in place and build the same schema from scratch.
PostgreSQL runs in ``test_migrations_postgresql.py``.
"""

from __future__ import annotations

import shutil
import threading
import warnings
from pathlib import Path

import pytest
import sqlalchemy as sa

from plugin.store import Store, engines, migrations

from ..support.database import database_url

RELEASED = [
    "0001_shops", "0002_webhook_inbox", "0003_commerce", "0004_privacy", "0005_sync_runs", "0006_source_sequence",
    "0010_storefront_identity", "0011_storefront_events", "0012_email_capture", "0020_profiles", "0021_profile_queue",
    "0030_recommendations", "0031_rec_settings", "0032_sync_progress", "0033_capture_redemptions", "0034_jobs",
    "0035_shop_settings", "0036_feed_positions", "0037_email_sends", "0038_shop_profile",
    "0039_experiments", "0040_block_control", "0041_feed_life",
]
FIXTURE = Path(__file__).parent / "data" / "main-0035.db"
SINCE_FIXTURE = RELEASED[RELEASED.index("0035_shop_settings") + 1:]  # the steps released after the old history
SHOP = "fixture.myshopify.com"  # the fixture's shop
BOOKKEEPING = {"alembic_version", "_sqlite_migrations"}


def test_the_alembic_chain_is_the_released_history():
    chain = [script.revision for script in reversed(list(migrations.script_directory().walk_revisions()))]
    assert chain == list(migrations.HISTORY_NAMES) == RELEASED[: len(chain)]


def test_a_new_database_applies_the_released_history_in_order(tmp_path):
    store = Store(str(tmp_path / "fresh.db"))
    try:
        applied = store.migrate()
        assert applied[: len(RELEASED)] == RELEASED
        assert store.migrate() == []  # nothing applies twice
        assert migrations.current(store.database.engine) == migrations.HISTORY_NAMES[-1]
    finally:
        store.close()


def test_a_database_stopped_before_a_step_gets_only_the_missing_steps(tmp_path):
    engine = engines.create(str(tmp_path / "old.db"))
    try:
        assert migrations.upgrade(engine, to="0032_sync_progress") == RELEASED[: RELEASED.index("0032_sync_progress") + 1]
        assert migrations.upgrade(engine)[:3] == ["0033_capture_redemptions", "0034_jobs", "0035_shop_settings"]
    finally:
        engine.dispose()


def test_surrogate_ids_are_rowid_aliases_on_sqlite(tmp_path):
    """Declared exactly INTEGER, so SQLite numbers them itself and keeps no second index."""
    engine = engines.create(str(tmp_path / "ids.db"))
    try:
        migrations.upgrade(engine)
        inspector = sa.inspect(engine)
        with_ids = [t for t in inspector.get_table_names() if any(c["name"] == "id" for c in inspector.get_columns(t))]
        assert {"webhook_inbox", "jobs", "storefront_events", "rec_changes", "privacy_requests"} <= set(with_ids)
        with engine.begin() as connection:
            for table in with_ids:
                info = {row[1]: row for row in connection.exec_driver_sql(f"PRAGMA table_info({table})")}
                assert (info["id"][2], info["id"][5]) == ("INTEGER", 1), table
            connection.exec_driver_sql(
                "INSERT INTO sync_runs (shop, started_at) VALUES ('a', 1), ('a', 2)")
            assert connection.exec_driver_sql("SELECT id, rowid FROM sync_runs ORDER BY id").all() == [(1, 1), (2, 2)]
    finally:
        engine.dispose()


def test_the_jobs_step_moves_queued_profile_refreshes_into_jobs(tmp_path):
    engine = engines.create(str(tmp_path / "queue.db"))
    try:
        migrations.upgrade(engine, to="0033_capture_redemptions")
        with engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO profile_queue VALUES ('s', 'order', '5001', 1234)")
        assert migrations.upgrade(engine, to="0034_jobs") == ["0034_jobs"]
        with engine.connect() as connection:
            jobs = connection.exec_driver_sql("SELECT kind, shop, dedupe_key, payload, status, next_attempt_at FROM jobs")
            assert jobs.all() == [("profiles.refresh", "s", "order:5001", '{"kind": "order", "ref": "5001"}', "pending", 1234)]
        assert "profile_queue" not in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def _legacy(tmp_path, names: list[str], *, to: str) -> sa.Engine:
    """A database at ``to`` whose only record is sqlite-utils' (the schemas match: see the schema test)."""
    engine = engines.create(str(tmp_path / "legacy.db"))
    migrations.upgrade(engine, to=to)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE alembic_version")
        connection.exec_driver_sql("CREATE TABLE _sqlite_migrations (id INTEGER PRIMARY KEY, migration_set TEXT,"
                                   " name TEXT, applied_at TEXT)")
        for name in names:
            connection.execute(sa.text("INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                                       " VALUES ('storelift', :name, '2025-01-01')"), {"name": name})
    return engine


def test_a_sqlite_utils_database_stopped_early_gets_the_rest(tmp_path):
    engine = _legacy(tmp_path, RELEASED[:14], to="0032_sync_progress")
    try:
        assert migrations.upgrade(engine)[:3] == ["0033_capture_redemptions", "0034_jobs", "0035_shop_settings"]
        assert "_sqlite_migrations" not in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_a_sqlite_utils_history_that_is_not_ours_is_refused_and_left_alone(tmp_path):
    engine = _legacy(tmp_path, ["0001_shops", "0003_commerce"], to="0003_commerce")
    try:
        with pytest.raises(migrations.MigrationError, match="not the start"):
            migrations.upgrade(engine)
        tables = sa.inspect(engine).get_table_names()
        assert "_sqlite_migrations" in tables and "alembic_version" not in tables and "privacy_requests" not in tables
    finally:
        engine.dispose()


def test_a_database_made_by_the_sqlite_utils_history_upgrades_in_place_with_its_rows(tmp_path):
    path = tmp_path / "main-0035.db"
    shutil.copy(FIXTURE, path)
    engine = engines.create(str(path))
    try:
        assert migrations.upgrade(engine) == SINCE_FIXTURE  # the old history's steps were there already
        assert migrations.current(engine) == migrations.HISTORY_NAMES[-1]
        assert "_sqlite_migrations" not in sa.inspect(engine).get_table_names()
        with engine.connect() as connection:
            def one(sql):
                return connection.exec_driver_sql(sql).one()
            assert one("SELECT access_token, api_version FROM shops") == ("shpat_fixture", "2024-10")
            assert one("SELECT total_price, discount_codes FROM orders") == ("42.50", '["WELCOME-AAAA"]')
            assert one("SELECT quantity, price FROM order_lines") == (2, "21.25")
            assert connection.exec_driver_sql("SELECT dedupe_key, status, body FROM webhook_inbox ORDER BY id").all() == [
                ("wh-1", "done", b'{"id": 5001}'), ("wh-2", "pending", b'{"id": 8001}')]
            assert one("SELECT kind, dedupe_key, status FROM jobs") == ("profiles.refresh", "order:5001", "pending")
            assert connection.exec_driver_sql("SELECT code, state FROM capture_codes ORDER BY code").all() == [
                ("WELCOME-AAAA", "assigned"), ("WELCOME-BBBB", "free")]
            assert one("SELECT email, code, sync_state FROM subscribers") == ("ana@example.com", "WELCOME-AAAA", "pending")
            assert one("SELECT feature, version FROM shop_settings") == ("capture", 3)
            assert one("SELECT lifecycle FROM profiles") == ("new",)
    finally:
        engine.dispose()


def test_a_store_works_on_an_upgraded_database(tmp_path):
    path = tmp_path / "main-0035.db"
    shutil.copy(FIXTURE, path)
    store = Store(str(path))
    try:
        assert store.migrate() == SINCE_FIXTURE
        assert store.shops.get(SHOP).access_token == "shpat_fixture"
        new = store.inbox.accept(shop=SHOP, topic="orders/create", dedupe_key="wh-3", webhook_id="wh-3", event_id=None,
                                 api_version="2024-10", triggered_at=None, body=b"{}")
        assert new == 3  # numbering carries on after the fixture's two deliveries
        assert store.inbox.accept(shop=SHOP, topic="orders/create", dedupe_key="wh-1", webhook_id="wh-1", event_id=None,
                                  api_version="2024-10", triggered_at=None, body=b"{}") is None  # deduplicated forever
        assert [d.id for d in store.inbox.claim("w1", lease_ms=60_000, limit=5)] == [2, 3]
        store.jobs.enqueue(SHOP, "profiles.refresh", "order:5001", {"kind": "order", "ref": "5001"})  # live: no new row
        store.jobs.enqueue(SHOP, "profiles.refresh", "order:5002", {"kind": "order", "ref": "5002"})
        assert [(j["dedupe_key"], j["status"]) for j in store.jobs.list(shop=SHOP)] in (
            [("order:5001", "pending"), ("order:5002", "pending")], [("order:5002", "pending"), ("order:5001", "pending")])
    finally:
        store.close()


def _schema(engine: sa.Engine) -> dict:
    """Every table's columns, keys, constraints and indexes, as ``sqlalchemy.inspect`` reports them.

    Types compare by affinity: ``BIGINT`` and ``INTEGER`` are the same integer
    storage on SQLite (the new history declares 64-bit ``BIGINT`` everywhere
    but the rowid-alias ids). Primary-key columns count as NOT NULL: the new
    history says so (PostgreSQL requires it); SQLite's old single-column
    ``TEXT PRIMARY KEY`` merely failed to say it.
    """
    inspector = sa.inspect(engine)
    with engine.connect() as connection:
        expression_indexes = dict(connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql LIKE '%lower(%'").all())
    found = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sa.exc.SAWarning)  # "skipped expression-based index": compared by SQL below
        for table in sorted(set(inspector.get_table_names()) - BOOKKEEPING):
            pk = inspector.get_pk_constraint(table)["constrained_columns"]
            found[table] = {
                "columns": [(c["name"], "INTEGER" if str(c["type"]) in ("INTEGER", "BIGINT") else str(c["type"]),
                             c["nullable"] and c["name"] not in pk, c["default"]) for c in inspector.get_columns(table)],
                "primary_key": pk,
                "unique": sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)),
                "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]),
                                   str(i.get("dialect_options", {}).get("sqlite_where")))
                                  for i in inspector.get_indexes(table)),
                "foreign_keys": [(fk["constrained_columns"], fk["referred_table"], fk["referred_columns"],
                                  fk["options"].get("ondelete")) for fk in inspector.get_foreign_keys(table)],
            }
    found["expression indexes"] = {name: " ".join(sql.split()) for name, sql in expression_indexes.items()}
    return found


def test_the_new_history_builds_the_schema_the_sqlite_utils_history_built(tmp_path):
    shutil.copy(FIXTURE, tmp_path / "old.db")
    old = engines.create(str(tmp_path / "old.db"))  # untouched: as the old code left it
    new = engines.create(str(tmp_path / "new.db"))
    try:
        migrations.upgrade(new, to="0035_shop_settings")
        old_schema, new_schema = _schema(old), _schema(new)
        assert sorted(old_schema) == sorted(new_schema)
        for table in old_schema:
            assert new_schema[table] == old_schema[table], table
        assert len(old_schema["expression indexes"]) == 2
    finally:
        old.dispose()
        new.dispose()


def test_processes_starting_at_once_migrate_once(tmp_path):
    """Each thread has its own engine, as each process would: one migrates, the others find nothing to do
    (the run's engine: SQLite's write lock, or PostgreSQL's advisory lock)."""
    target = database_url(tmp_path, "race", empty=True)
    results, errors = [], []
    barrier = threading.Barrier(3)

    def start():
        engine = engines.create(target)
        try:
            barrier.wait()
            results.append(migrations.upgrade(engine))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=start, daemon=True) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an upgrade is stuck waiting on another"
    assert errors == []
    assert sorted(results, key=len) == [[], [], list(migrations.HISTORY_NAMES)]
