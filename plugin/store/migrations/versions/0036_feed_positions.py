"""0036_feed_positions: the recommendation feed is read in commit order on every engine.

The step is ``recommendations.feed_positions`` in plugin/store/migrations/recommendations.py; this file places it in
Alembic's chain.
"""

from plugin.store.migrations import recommendations
from plugin.store.migrations import forward_only as downgrade  # noqa: F401 (released steps never go back)

revision = "0036_feed_positions"
down_revision = "0035_shop_settings"


def upgrade() -> None:
    recommendations.feed_positions()
