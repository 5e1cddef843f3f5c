"""0002_webhook_inbox: the durable webhook inbox.

The step is ``platform.webhook_inbox`` in plugin/store/migrations/platform.py; this file places it in Alembic's chain.
"""

from plugin.store.migrations import platform
from plugin.store.migrations import forward_only as downgrade  # noqa: F401 (released steps never go back)

revision = "0002_webhook_inbox"
down_revision = "0001_shops"


def upgrade() -> None:
    platform.webhook_inbox()
