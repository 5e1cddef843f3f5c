"""Schema steps for email capture: settings, subscribers, the code pool and codes redeemed.

Each function is the body of one released revision (``versions/``, named in
``HISTORY_NAMES``): never edited once released.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from .columns import BIGINT, TEXT, col, id_key, key


def email_capture() -> None:
    """Widget settings per shop, discount campaigns and their code pool, and subscribers.

    ``capture_codes.state`` is free → assigned (or retired when its campaign is
    replaced). A subscriber row is the consent record (time, text shown, page,
    visitor) and the queue of its sync to the store as a customer.
    (``capture_settings`` moves into ``shop_settings`` in 0035.)
    """
    op.create_table(
        "capture_settings",
        sa.Column("shop", TEXT(), primary_key=True),
        col("settings", TEXT, nullable=False),
        col("version", BIGINT, nullable=False),
        col("updated_at", BIGINT, nullable=False),
    )
    op.create_table(
        "capture_campaigns",
        id_key(),
        key("shop"),
        col("discount_key", TEXT, nullable=False),
        col("discount_id", TEXT),
        col("title", TEXT, nullable=False),
        col("starts_at", BIGINT, nullable=False),
        col("ends_at", BIGINT),
        col("created_at", BIGINT, nullable=False),
        col("retired_at", BIGINT),
    )
    op.create_index("capture_campaigns_shop", "capture_campaigns", ["shop", "retired_at"])
    op.create_table(
        "capture_codes",
        key("shop"),
        key("code"),
        col("campaign_id", BIGINT, nullable=False),
        col("state", TEXT, nullable=False),
        col("created_at", BIGINT, nullable=False),
        col("assigned_at", BIGINT),
        sa.PrimaryKeyConstraint("shop", "code"),
    )
    op.create_index("capture_codes_free", "capture_codes", ["shop", "campaign_id", "state"])
    op.create_table(
        "subscribers",
        key("shop"),
        key("email"),
        col("code", TEXT),
        col("campaign_id", BIGINT),
        col("code_ends_at", BIGINT),
        col("visitor_id", TEXT),
        col("consent_at", BIGINT, nullable=False),
        col("consent_text", TEXT, nullable=False),
        col("consent_page", TEXT, nullable=False),
        col("settings_version", BIGINT, nullable=False),
        col("customer_id", TEXT),
        col("sync_state", TEXT, nullable=False),
        col("sync_attempts", BIGINT, nullable=False, default=0),
        col("sync_next_at", BIGINT, nullable=False),
        col("sync_error", TEXT),
        col("created_at", BIGINT, nullable=False),
        sa.PrimaryKeyConstraint("shop", "email"),
    )
    op.create_index("subscribers_sync", "subscribers", ["sync_state", "sync_next_at"])
    op.create_index("subscribers_pending_code", "subscribers", ["shop", "code"])
    op.create_index("subscribers_created", "subscribers", ["shop", "created_at"])


def capture_redemptions() -> None:
    """When a pool code was used at checkout (from the orders carrying it), so it is never shown again."""
    op.add_column("capture_codes", col("redeemed_at", BIGINT))
    op.add_column("capture_codes", col("redeemed_order_id", TEXT))
