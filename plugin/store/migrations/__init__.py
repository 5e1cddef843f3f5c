"""Versioned schema changes: one ordered history, written by feature area, never edited once released.

Portable SQL on purpose (PostgreSQL 15 runs it too): BIGINT epoch-ms times,
TEXT for JSON and for platform ids that exceed 2^53 in JavaScript, decimal
strings for money, and every tenant-owned table keyed by ``shop`` first.

Each database records the names it has applied, so the names and their order
below never change; a schema change is a new step at the end of ``HISTORY``,
written in its feature's module.
"""

from __future__ import annotations

from sqlite_utils import Migrations

from . import capture, commerce, jobs, people, platform, privacy, recommendations, settings

HISTORY = (
    ("0001_shops", platform.shops),
    ("0002_webhook_inbox", platform.webhook_inbox),
    ("0003_commerce", commerce.commerce),
    ("0004_privacy", privacy.privacy),
    ("0005_sync_runs", platform.sync_runs),
    ("0006_source_sequence", commerce.source_sequence),
    ("0010_storefront_identity", people.storefront_identity),
    ("0011_storefront_events", people.storefront_events),
    ("0012_email_capture", capture.email_capture),
    ("0020_profiles", people.profiles),
    ("0021_profile_queue", people.profile_queue),
    ("0030_recommendations", recommendations.recommendations),
    ("0031_rec_settings", recommendations.rec_settings),
    ("0032_sync_progress", platform.sync_progress),
    ("0033_capture_redemptions", capture.capture_redemptions),
    ("0034_jobs", jobs.jobs),
    ("0035_shop_settings", settings.shop_settings),
)

migrations = Migrations("storelift")
for name, step in HISTORY:
    migrations(name=name)(step)
