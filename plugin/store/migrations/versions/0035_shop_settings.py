"""0035_shop_settings: one settings table for every feature.

The step is ``settings.shop_settings`` in plugin/store/migrations/settings.py; this file places it in Alembic's chain.
"""

from plugin.store.migrations import settings
from plugin.store.migrations import forward_only as downgrade  # noqa: F401 (released steps never go back)

revision = "0035_shop_settings"
down_revision = "0034_jobs"


def upgrade() -> None:
    settings.shop_settings()
