"""Schema steps of the per-shop settings mechanism (plugin/settings).

Each function is the body of one released revision (``versions/``, named in
``HISTORY_NAMES``): never edited once released.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from .columns import BIGINT, TEXT, col, key


def shop_settings() -> None:
    """Every feature's per-shop settings in one table: a validated JSON object per (shop, feature).

    Replaces ``capture_settings`` (0012) and ``rec_settings`` (0031), whose rows
    move over with their versions (a subscriber's ``settings_version`` still
    names the capture settings it saw). ``version`` counts saves; ``updated_at``
    tells a row re-created after a shop/redact from the one it replaced, whose
    version may have been the same (``plugin.settings`` caches by both). Nothing
    personal: ``shop/redact`` empties it like every table with a ``shop`` column.
    """
    op.create_table(
        "shop_settings",
        key("shop"),
        key("feature"),
        col("settings", TEXT, nullable=False),
        col("version", BIGINT, nullable=False),
        col("updated_at", BIGINT, nullable=False),
        sa.PrimaryKeyConstraint("shop", "feature"),
    )
    bind = op.get_bind()
    for feature, table in (("capture", "capture_settings"), ("recommendations", "rec_settings")):
        bind.execute(
            sa.text(f"INSERT INTO shop_settings (shop, feature, settings, version, updated_at)"
                    f" SELECT shop, CAST(:feature AS TEXT), settings, version, updated_at FROM {table}"),
            {"feature": feature},
        )
        op.drop_table(table)
