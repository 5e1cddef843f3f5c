"""0039_experiments: holdout experiments' salts, periods and exposures.

The step is ``experiments.experiments`` in plugin/store/migrations/experiments.py; this file places it in Alembic's chain.
"""

from plugin.store.migrations import experiments
from plugin.store.migrations import forward_only as downgrade  # noqa: F401 (released steps never go back)

revision = "0039_experiments"
down_revision = "0038_shop_profile"


def upgrade() -> None:
    experiments.experiments()
