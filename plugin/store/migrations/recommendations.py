"""Schema steps for recommendation blocks: the change feed, impressions and clicks, and per-shop settings.

Each function is the body of one released revision (``versions/``, named in
``HISTORY_NAMES``): never edited once released.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from .columns import BIGINT, ID, TEXT, col, id_key, key


def recommendations() -> None:
    """What the recommendation blocks need beyond the commerce tables.

    ``rec_changes`` is the change feed serving processes tail to keep their
    in-memory models current: one row per new state (``version``) of an order
    or product written by a webhook handler (any process), read with a
    per-process ``id`` cursor. The same state delivered twice adds nothing.
    ``rec_state`` holds each shop's model generation: bumping it (``storelift
    rebuild``, a bulk import, a redaction) makes every process rebuild.
    ``rec_impressions`` and ``rec_clicks`` are what shoppers saw and clicked,
    each tied to the block that showed it (``rec_id``), so orders can be
    attributed to blocks.
    """
    op.create_table(
        "rec_changes",
        id_key(),
        key("shop"),
        col("kind", TEXT, nullable=False),
        col("ref", TEXT, nullable=False),
        col("version", TEXT, nullable=False),
        col("created_at", BIGINT, nullable=False),
        sa.UniqueConstraint("shop", "kind", "ref", "version"),
    )
    op.create_index("rec_changes_shop", "rec_changes", ["shop", "id"])
    op.create_index("rec_changes_age", "rec_changes", ["shop", "created_at"])
    op.create_table(
        "rec_state",
        sa.Column("shop", TEXT(), primary_key=True),
        col("generation", BIGINT, nullable=False),
        col("pruned_through", BIGINT, nullable=False, default=0),
        col("updated_at", BIGINT, nullable=False),
    )
    op.create_table(
        "rec_impressions",
        id_key(),
        key("shop"),
        col("rec_id", TEXT, nullable=False),
        col("visitor_id", TEXT, nullable=False),
        col("strategy", TEXT, nullable=False),
        col("items", TEXT, nullable=False),
        col("seen_at", BIGINT, nullable=False),
    )
    op.create_index("rec_impressions_rec", "rec_impressions", ["shop", "rec_id"])
    op.create_index("rec_impressions_time", "rec_impressions", ["shop", "seen_at"])
    op.create_index("rec_impressions_visitor", "rec_impressions", ["shop", "visitor_id"])
    op.create_table(
        "rec_clicks",
        id_key(),
        key("shop"),
        col("rec_id", TEXT, nullable=False),
        col("visitor_id", TEXT, nullable=False),
        col("strategy", TEXT, nullable=False),
        col("product_id", TEXT, nullable=False),
        col("position", BIGINT),
        col("clicked_at", BIGINT, nullable=False),
    )
    op.create_index("rec_clicks_product", "rec_clicks", ["shop", "product_id", "clicked_at"])
    op.create_index("rec_clicks_rec", "rec_clicks", ["shop", "rec_id"])
    op.create_index("rec_clicks_visitor", "rec_clicks", ["shop", "visitor_id"])


def rec_settings() -> None:
    """The merchant's recommendation-block settings: one validated JSON object per shop.

    ``version`` counts saves (serving processes cache the converted settings
    per version); ``updated_at`` tells a re-created row (after a shop/redact
    and a reinstall) from the one it replaced, whose version may have been the same.
    Nothing personal: pins, boosts and exclusions name products, categories,
    vendors and tags. (Moves into ``shop_settings`` in 0035.)
    """
    op.create_table(
        "rec_settings",
        sa.Column("shop", TEXT(), primary_key=True),
        col("settings", TEXT, nullable=False),
        col("version", BIGINT, nullable=False),
        col("updated_at", BIGINT, nullable=False),
    )


def feed_positions() -> None:
    """Feed rows get a ``position`` (their transaction's id on PostgreSQL; the next number on SQLite),
    and readers follow ``(position, id)`` instead of ``id`` (see ``plugin/store/recommendations.py``).

    Existing rows come from SQLite, where commit order is id order, so their
    position is their id; ``pruned_through`` already names ids, the same numbers.
    Batch mode rebuilds the table on SQLite to make the new column NOT NULL.
    """
    op.add_column("rec_changes", col("position", BIGINT))
    op.execute("UPDATE rec_changes SET position = id")
    with op.batch_alter_table("rec_changes") as batch:
        batch.alter_column("position", existing_type=BIGINT(), nullable=False)
        batch.drop_index("rec_changes_shop")
        batch.create_index("rec_changes_feed", ["shop", "position", "id"])


def feed_life() -> None:
    """``rec_feed_life``: one row, a token for the database server's current life (see
    ``plugin/store/recommendations.py``). Unlogged on PostgreSQL, so that every crash recovery
    empties it and every serving process rebuilds: a crash may have taken back feed rows they
    read. Not a shop's row: a server's life is every shop's."""
    op.create_table(
        "rec_feed_life",
        sa.Column("id", ID, primary_key=True, autoincrement=False),
        col("token", BIGINT, nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE rec_feed_life SET UNLOGGED")
