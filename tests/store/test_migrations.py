"""The migration history: databases record the names they applied, so names and order never change."""

from __future__ import annotations

from plugin.store import Store
from plugin.store.migrations import migrations

RELEASED = [
    "0001_shops", "0002_webhook_inbox", "0003_commerce", "0004_privacy", "0005_sync_runs", "0006_source_sequence",
    "0010_storefront_identity", "0011_storefront_events", "0012_email_capture", "0020_profiles", "0021_profile_queue",
    "0030_recommendations", "0031_rec_settings", "0032_sync_progress", "0033_capture_redemptions", "0034_jobs",
    "0035_shop_settings",
]


def test_a_new_database_applies_the_released_history_in_order(tmp_path):
    store = Store(str(tmp_path / "fresh.db"))
    try:
        applied = store.migrate()
        assert applied[: len(RELEASED)] == RELEASED
        assert store.migrate() == []  # nothing applies twice
    finally:
        store.close()


def test_a_database_from_before_a_step_gets_only_the_missing_steps(tmp_path):
    store = Store(str(tmp_path / "old.db"))
    try:
        migrations.apply(store.database.db, stop_before="0033_capture_redemptions")
        assert store.migrate()[0] == "0033_capture_redemptions"
    finally:
        store.close()
