"""0030_recommendations: change feed, impressions, clicks.

The step is ``recommendations.recommendations`` in plugin/store/migrations/recommendations.py; this file places it in Alembic's chain.
"""

from plugin.store.migrations import recommendations
from plugin.store.migrations import forward_only as downgrade  # noqa: F401 (released steps never go back)

revision = "0030_recommendations"
down_revision = "0021_profile_queue"


def upgrade() -> None:
    recommendations.recommendations()
