"""0041_feed_life: the recommendation feed knows when a crash of the database server took rows back.

The step is ``recommendations.feed_life`` in plugin/store/migrations/recommendations.py; this file places it in
Alembic's chain.
"""

from plugin.store.migrations import recommendations
from plugin.store.migrations import forward_only as downgrade  # noqa: F401 (released steps never go back)

revision = "0041_feed_life"
down_revision = "0040_block_control"


def upgrade() -> None:
    recommendations.feed_life()
