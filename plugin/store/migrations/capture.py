"""Schema steps for email capture: settings, subscribers, the code pool and codes redeemed.

Each function is one released step of ``HISTORY`` (in ``__init__``): never edited once released.
"""

from __future__ import annotations


def email_capture(db) -> None:
    """Widget settings per shop, discount campaigns and their code pool, and subscribers.

    ``capture_codes.state`` is free → assigned (or retired when its campaign is
    replaced). A subscriber row is the consent record (time, text shown, page,
    visitor) and the queue of its sync to the store as a customer.
    """
    db.execute(
        """
        CREATE TABLE capture_settings (
            shop TEXT PRIMARY KEY,
            settings TEXT NOT NULL,
            version INTEGER NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE capture_campaigns (
            id INTEGER PRIMARY KEY,
            shop TEXT NOT NULL,
            discount_key TEXT NOT NULL,
            discount_id TEXT,
            title TEXT NOT NULL,
            starts_at BIGINT NOT NULL,
            ends_at BIGINT,
            created_at BIGINT NOT NULL,
            retired_at BIGINT
        )
        """
    )
    db.execute("CREATE INDEX capture_campaigns_shop ON capture_campaigns (shop, retired_at)")
    db.execute(
        """
        CREATE TABLE capture_codes (
            shop TEXT NOT NULL,
            code TEXT NOT NULL,
            campaign_id INTEGER NOT NULL,
            state TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            assigned_at BIGINT,
            PRIMARY KEY (shop, code)
        )
        """
    )
    db.execute("CREATE INDEX capture_codes_free ON capture_codes (shop, campaign_id, state)")
    db.execute(
        """
        CREATE TABLE subscribers (
            shop TEXT NOT NULL,
            email TEXT NOT NULL,
            code TEXT,
            campaign_id INTEGER,
            code_ends_at BIGINT,
            visitor_id TEXT,
            consent_at BIGINT NOT NULL,
            consent_text TEXT NOT NULL,
            consent_page TEXT NOT NULL,
            settings_version INTEGER NOT NULL,
            customer_id TEXT,
            sync_state TEXT NOT NULL,
            sync_attempts INTEGER NOT NULL DEFAULT 0,
            sync_next_at BIGINT NOT NULL,
            sync_error TEXT,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (shop, email)
        )
        """
    )
    db.execute("CREATE INDEX subscribers_sync ON subscribers (sync_state, sync_next_at)")
    db.execute("CREATE INDEX subscribers_pending_code ON subscribers (shop, code)")
    db.execute("CREATE INDEX subscribers_created ON subscribers (shop, created_at)")


def capture_redemptions(db) -> None:
    """When a pool code was used at checkout (from the orders carrying it), so it is never shown again."""
    db.execute("ALTER TABLE capture_codes ADD COLUMN redeemed_at BIGINT")
    db.execute("ALTER TABLE capture_codes ADD COLUMN redeemed_order_id TEXT")
