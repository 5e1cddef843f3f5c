"""0005_sync_runs: pull runs.

The step is ``platform.sync_runs`` in plugin/store/migrations/platform.py; this file places it in Alembic's chain.
"""

from plugin.store.migrations import platform
from plugin.store.migrations import forward_only as downgrade  # noqa: F401 (released steps never go back)

revision = "0005_sync_runs"
down_revision = "0004_privacy"


def upgrade() -> None:
    platform.sync_runs()
