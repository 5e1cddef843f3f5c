"""Schema steps for the platform's side: installs and OAuth states, the webhook inbox, pull runs.

Each function is the body of one released revision (``versions/``, named in
``HISTORY_NAMES``): never edited once released.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from .columns import BIGINT, BLOB, TEXT, col, id_key, key


def shops() -> None:
    op.create_table(
        "shops",
        sa.Column("shop", TEXT(), primary_key=True),
        col("access_token", TEXT),
        col("token_expires_at", BIGINT),
        col("refresh_token", TEXT),
        col("refresh_expires_at", BIGINT),
        col("scopes", TEXT, nullable=False, default=""),
        col("api_version", TEXT, nullable=False),
        col("installed_at", BIGINT),
        col("uninstalled_at", BIGINT),
        col("updated_at", BIGINT, nullable=False),
    )
    op.create_table(
        "oauth_states",
        sa.Column("state", TEXT(), primary_key=True),
        col("shop", TEXT, nullable=False),
        col("expires_at", BIGINT, nullable=False),
    )
    op.create_index("oauth_states_expiry", "oauth_states", ["expires_at"])


def webhook_inbox() -> None:
    """The durable inbox; ``(shop, topic, dedupe_key)`` deduplicates deliveries forever.

    The unique constraint stays unnamed, as in the sqlite-utils history, so a
    database created here and one upgraded from that history have the same
    schema (a future batch ALTER finds the same constraint on both).
    """
    op.create_table(
        "webhook_inbox",
        id_key(),
        key("shop"),
        col("topic", TEXT, nullable=False),
        col("dedupe_key", TEXT, nullable=False),
        col("webhook_id", TEXT),
        col("event_id", TEXT),
        col("api_version", TEXT),
        col("triggered_at", BIGINT),
        col("received_at", BIGINT, nullable=False),
        col("body", BLOB, nullable=False),
        col("status", TEXT, nullable=False),
        col("attempts", BIGINT, nullable=False, default=0),
        col("next_attempt_at", BIGINT, nullable=False),
        col("lease_until", BIGINT),
        col("locked_by", TEXT),
        col("last_error", TEXT),
        col("finished_at", BIGINT),
        sa.UniqueConstraint("shop", "topic", "dedupe_key"),
    )
    op.create_index("webhook_inbox_due", "webhook_inbox", ["status", "next_attempt_at"])


def sync_runs() -> None:
    op.create_table(
        "sync_runs",
        id_key(),
        key("shop"),
        col("started_at", BIGINT, nullable=False),
        col("finished_at", BIGINT),
        col("products", BIGINT),
        col("orders", BIGINT),
        col("error", TEXT),
    )
    op.create_index("sync_runs_shop", "sync_runs", ["shop", "started_at"])


def sync_progress() -> None:
    """How many products and orders a running sync will pull, for the admin's progress line.

    ``products`` and ``orders`` (0005) count what has been written so far while the run is going.
    """
    op.add_column("sync_runs", col("products_total", BIGINT))
    op.add_column("sync_runs", col("orders_total", BIGINT))


def shop_profile() -> None:
    """What the platform says about the shop itself, read at each sync: its name (the ``{shop}`` of
    emails and their pages), its time zone (quiet hours when the merchant names none) and its currency."""
    op.add_column("shops", col("name", TEXT))
    op.add_column("shops", col("iana_timezone", TEXT))
    op.add_column("shops", col("currency", TEXT))
