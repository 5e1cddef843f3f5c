"""0001_shops: installs and OAuth states.

The step is ``platform.shops`` in plugin/store/migrations/platform.py; this file places it in Alembic's chain.
"""

from plugin.store.migrations import platform
from plugin.store.migrations import forward_only as downgrade  # noqa: F401 (released steps never go back)

revision = "0001_shops"
down_revision = None


def upgrade() -> None:
    platform.shops()
