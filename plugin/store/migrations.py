"""Versioned schema changes, applied in order and never edited once released.

Portable SQL on purpose (PostgreSQL 15 runs it too): BIGINT epoch-ms times,
TEXT for JSON and for platform ids that exceed 2^53 in JavaScript, decimal
strings for money, and every tenant-owned table keyed by ``shop`` first.
"""

from __future__ import annotations

from sqlite_utils import Migrations

migrations = Migrations("storelift")


@migrations(name="0001_shops")
def _shops(db) -> None:
    db.execute(
        """
        CREATE TABLE shops (
            shop TEXT PRIMARY KEY,
            access_token TEXT,
            token_expires_at BIGINT,
            refresh_token TEXT,
            refresh_expires_at BIGINT,
            scopes TEXT NOT NULL DEFAULT '',
            api_version TEXT NOT NULL,
            installed_at BIGINT,
            uninstalled_at BIGINT,
            updated_at BIGINT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE oauth_states (
            state TEXT PRIMARY KEY,
            shop TEXT NOT NULL,
            expires_at BIGINT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX oauth_states_expiry ON oauth_states (expires_at)")


@migrations(name="0002_webhook_inbox")
def _webhook_inbox(db) -> None:
    db.execute(
        """
        CREATE TABLE webhook_inbox (
            id INTEGER PRIMARY KEY,
            shop TEXT NOT NULL,
            topic TEXT NOT NULL,
            dedupe_key TEXT NOT NULL,
            webhook_id TEXT,
            event_id TEXT,
            api_version TEXT,
            triggered_at BIGINT,
            received_at BIGINT NOT NULL,
            body BLOB NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at BIGINT NOT NULL,
            lease_until BIGINT,
            locked_by TEXT,
            last_error TEXT,
            finished_at BIGINT,
            UNIQUE (shop, topic, dedupe_key)
        )
        """
    )
    db.execute("CREATE INDEX webhook_inbox_due ON webhook_inbox (status, next_attempt_at)")
