"""0032_sync_progress: totals for a running sync.

The step is ``platform.sync_progress`` in plugin/store/migrations/platform.py; this file places it in Alembic's chain.
"""

from plugin.store.migrations import platform
from plugin.store.migrations import forward_only as downgrade  # noqa: F401 (released steps never go back)

revision = "0032_sync_progress"
down_revision = "0031_rec_settings"


def upgrade() -> None:
    platform.sync_progress()
