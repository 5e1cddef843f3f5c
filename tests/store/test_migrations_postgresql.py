"""The migration history on PostgreSQL 15 (the suite's ``--database=postgresql`` run), each test on an empty database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from plugin.store import engines, migrations

from ..support.database import database_url, only_on

pytestmark = only_on("postgresql", "PostgreSQL's types, sequences and advisory lock")


@pytest.fixture
def url(tmp_path):
    return database_url(tmp_path, "migrations", empty=True)


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

