"""Schema steps for the platform's side: installs and OAuth states, the webhook inbox, pull runs.

Each function is one released step of ``HISTORY`` (in ``__init__``): never edited once released.
"""

from __future__ import annotations


def shops(db) -> None:
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


def webhook_inbox(db) -> None:
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


def sync_runs(db) -> None:
    db.execute(
        """
        CREATE TABLE sync_runs (
            id INTEGER PRIMARY KEY,
            shop TEXT NOT NULL,
            started_at BIGINT NOT NULL,
            finished_at BIGINT,
            products INTEGER,
            orders INTEGER,
            error TEXT
        )
        """
    )
    db.execute("CREATE INDEX sync_runs_shop ON sync_runs (shop, started_at)")


def sync_progress(db) -> None:
    """How many products and orders a running sync will pull, for the admin's progress line.

    ``products`` and ``orders`` (0005) count what has been written so far while the run is going.
    """
    db.execute("ALTER TABLE sync_runs ADD COLUMN products_total BIGINT")
    db.execute("ALTER TABLE sync_runs ADD COLUMN orders_total BIGINT")
