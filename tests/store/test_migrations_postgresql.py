"""The migration history on PostgreSQL 15: run when STORELIFT_TEST_DATABASE_URL is a postgresql:// URL.

Each test gets a database of its own, created on that server and dropped
afterwards, so the server's own databases are never touched (the role needs
CREATEDB).
"""

from __future__ import annotations

import os
import threading
import uuid

import pytest
import sqlalchemy as sa

from plugin.store import engines, migrations

URL = os.environ.get("STORELIFT_TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not URL.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")),
                                reason="STORELIFT_TEST_DATABASE_URL is not a postgresql:// URL")


@pytest.fixture
def url():
    name = f"storelift_migrations_{uuid.uuid4().hex[:12]}"
    server = sa.create_engine(engines.normalize(URL), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.engine.make_url(engines.normalize(URL)).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.dispose()


@pytest.fixture
def engine(url):
    engine = engines.create(url)
    yield engine
    engine.dispose()


def test_the_history_applies_in_order_and_once(engine):
    assert migrations.upgrade(engine, to="0032_sync_progress") == list(migrations.HISTORY_NAMES[:14])
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO profile_queue VALUES ('s', 'order', '5001', 1234)")
        connection.exec_driver_sql("INSERT INTO capture_settings VALUES ('s', '{}', 3, 99)")
    assert migrations.upgrade(engine)[:3] == ["0033_capture_redemptions", "0034_jobs", "0035_shop_settings"]
    assert migrations.upgrade(engine) == []
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT kind, dedupe_key, next_attempt_at FROM jobs").all() == [
            ("profiles.refresh", "order:5001", 1234)]
        assert connection.exec_driver_sql("SELECT feature, version FROM shop_settings").all() == [("capture", 3)]


def test_ids_are_64_bit_sequences_and_bodies_bytea(engine):
    migrations.upgrade(engine)
    inspector = sa.inspect(engine)
    columns = {c["name"]: c for c in inspector.get_columns("webhook_inbox")}
    assert str(columns["id"]["type"]) == "BIGINT" and "nextval" in columns["id"]["default"]
    assert str(columns["body"]["type"]) == "BYTEA"
    assert str(columns["received_at"]["type"]) == str(columns["attempts"]["type"]) == "BIGINT"
    integers = {str(c["type"]) for t in inspector.get_table_names() for c in inspector.get_columns(t)
                if "INT" in str(c["type"])}
    assert integers == {"BIGINT"}
    live = {i["name"]: i for i in inspector.get_indexes("jobs")}["jobs_live"]
    assert live["unique"] and "pending" in live["dialect_options"]["postgresql_where"]
    (fk,) = inspector.get_foreign_keys("profiles")
    assert (fk["referred_table"], fk["options"].get("ondelete")) == ("people", "CASCADE")
    with engine.begin() as connection:
        new_id = connection.exec_driver_sql(
            "INSERT INTO sync_runs (shop, started_at) VALUES ('a', 1) RETURNING id").scalar()
        assert new_id == 1


def test_processes_starting_at_once_migrate_once(url):
    results, errors = [], []
    barrier = threading.Barrier(3)

    def start():
        engine = engines.create(url)
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
