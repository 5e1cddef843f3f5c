"""Schema steps for recommendation blocks: the change feed, impressions and clicks, and per-shop settings.

Each function is one released step of ``HISTORY`` (in ``__init__``): never edited once released.
"""

from __future__ import annotations


def recommendations(db) -> None:
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
    db.execute(
        """
        CREATE TABLE rec_changes (
            id INTEGER PRIMARY KEY,
            shop TEXT NOT NULL,
            kind TEXT NOT NULL,
            ref TEXT NOT NULL,
            version TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            UNIQUE (shop, kind, ref, version)
        )
        """
    )
    db.execute("CREATE INDEX rec_changes_shop ON rec_changes (shop, id)")
    db.execute("CREATE INDEX rec_changes_age ON rec_changes (shop, created_at)")
    db.execute(
        """
        CREATE TABLE rec_state (
            shop TEXT PRIMARY KEY,
            generation BIGINT NOT NULL,
            pruned_through BIGINT NOT NULL DEFAULT 0,
            updated_at BIGINT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE rec_impressions (
            id INTEGER PRIMARY KEY,
            shop TEXT NOT NULL,
            rec_id TEXT NOT NULL,
            visitor_id TEXT NOT NULL,
            strategy TEXT NOT NULL,
            items TEXT NOT NULL,
            seen_at BIGINT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX rec_impressions_rec ON rec_impressions (shop, rec_id)")
    db.execute("CREATE INDEX rec_impressions_time ON rec_impressions (shop, seen_at)")
    db.execute("CREATE INDEX rec_impressions_visitor ON rec_impressions (shop, visitor_id)")
    db.execute(
        """
        CREATE TABLE rec_clicks (
            id INTEGER PRIMARY KEY,
            shop TEXT NOT NULL,
            rec_id TEXT NOT NULL,
            visitor_id TEXT NOT NULL,
            strategy TEXT NOT NULL,
            product_id TEXT NOT NULL,
            position INTEGER,
            clicked_at BIGINT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX rec_clicks_product ON rec_clicks (shop, product_id, clicked_at)")
    db.execute("CREATE INDEX rec_clicks_rec ON rec_clicks (shop, rec_id)")
    db.execute("CREATE INDEX rec_clicks_visitor ON rec_clicks (shop, visitor_id)")


def rec_settings(db) -> None:
    """The merchant's recommendation-block settings: one validated JSON object per shop.

    ``version`` counts saves (serving processes cache the converted settings
    per version); ``updated_at`` tells a re-created row (after a shop/redact
    and a reinstall) from the one it replaced, whose version may have been the same.
    Nothing personal: pins, boosts and exclusions name products, categories,
    vendors and tags. ``shop/redact`` empties it like every table with a ``shop`` column.
    """
    db.execute(
        """
        CREATE TABLE rec_settings (
            shop TEXT PRIMARY KEY,
            settings TEXT NOT NULL,
            version BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """
    )
