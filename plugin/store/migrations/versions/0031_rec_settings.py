"""0031_rec_settings: recommendation-block settings.

The step is ``recommendations.rec_settings`` in plugin/store/migrations/recommendations.py; this file places it in Alembic's chain.
"""

from plugin.store.migrations import recommendations
from plugin.store.migrations import forward_only as downgrade  # noqa: F401 (released steps never go back)

revision = "0031_rec_settings"
down_revision = "0030_recommendations"


def upgrade() -> None:
    recommendations.rec_settings()
