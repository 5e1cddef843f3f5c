"""0033_capture_redemptions: codes redeemed at checkout.

The step is ``capture.capture_redemptions`` in plugin/store/migrations/capture.py; this file places it in Alembic's chain.
"""

from plugin.store.migrations import capture
from plugin.store.migrations import forward_only as downgrade  # noqa: F401 (released steps never go back)

revision = "0033_capture_redemptions"
down_revision = "0032_sync_progress"


def upgrade() -> None:
    capture.capture_redemptions()
