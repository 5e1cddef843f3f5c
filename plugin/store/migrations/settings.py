"""Schema steps of the per-shop settings mechanism (plugin/settings)."""

from __future__ import annotations


def shop_settings(db) -> None:
    """Every feature's per-shop settings in one table: a validated JSON object per (shop, feature).

    Replaces ``capture_settings`` (0012) and ``rec_settings`` (0031), whose rows
    move over with their versions (a subscriber's ``settings_version`` still
    names the capture settings it saw). ``version`` counts saves; ``updated_at``
    tells a row re-created after a shop/redact from the one it replaced, whose
    version may have been the same (``plugin.settings`` caches by both). Nothing
    personal: ``shop/redact`` empties it like every table with a ``shop`` column.
    """
    db.execute(
        """
        CREATE TABLE shop_settings (
            shop TEXT NOT NULL,
            feature TEXT NOT NULL,
            settings TEXT NOT NULL,
            version BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (shop, feature)
        )
        """
    )
    for feature, table in (("capture", "capture_settings"), ("recommendations", "rec_settings")):
        db.execute(
            f"INSERT INTO shop_settings (shop, feature, settings, version, updated_at)"
            f" SELECT shop, '{feature}', settings, version, updated_at FROM {table}"
        )
        db.execute(f"DROP TABLE {table}")
