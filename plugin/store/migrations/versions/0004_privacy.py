"""0004_privacy: privacy requests and exports.

The step is ``privacy.privacy`` in plugin/store/migrations/privacy.py; this file places it in Alembic's chain.
"""

from plugin.store.migrations import privacy
from plugin.store.migrations import forward_only as downgrade  # noqa: F401 (released steps never go back)

revision = "0004_privacy"
down_revision = "0003_commerce"


def upgrade() -> None:
    privacy.privacy()
