"""0006_source_sequence: a tie-breaker for whole-second updated_at.

The step is ``commerce.source_sequence`` in plugin/store/migrations/commerce.py; this file places it in Alembic's chain.
"""

from plugin.store.migrations import commerce
from plugin.store.migrations import forward_only as downgrade  # noqa: F401 (released steps never go back)

revision = "0006_source_sequence"
down_revision = "0005_sync_runs"


def upgrade() -> None:
    commerce.source_sequence()
