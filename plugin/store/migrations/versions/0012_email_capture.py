"""0012_email_capture: capture settings, campaigns, codes, subscribers.

The step is ``capture.email_capture`` in plugin/store/migrations/capture.py; this file places it in Alembic's chain.
"""

from plugin.store.migrations import capture
from plugin.store.migrations import forward_only as downgrade  # noqa: F401 (released steps never go back)

revision = "0012_email_capture"
down_revision = "0011_storefront_events"


def upgrade() -> None:
    capture.email_capture()
