"""0003_commerce: orders, carts, checkouts, customers and the catalog.

The step is ``commerce.commerce`` in plugin/store/migrations/commerce.py; this file places it in Alembic's chain.
"""

from plugin.store.migrations import commerce
from plugin.store.migrations import forward_only as downgrade  # noqa: F401 (released steps never go back)

revision = "0003_commerce"
down_revision = "0002_webhook_inbox"


def upgrade() -> None:
    commerce.commerce()
