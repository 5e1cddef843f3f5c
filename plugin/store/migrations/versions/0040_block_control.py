"""0040_block_control: what a recommendation block's control arm sees, kept with each experiment period.

The step is ``experiments.block_control`` in plugin/store/migrations/experiments.py; this file places it in Alembic's chain.
"""

from plugin.store.migrations import experiments
from plugin.store.migrations import forward_only as downgrade  # noqa: F401 (released steps never go back)

revision = "0040_block_control"
down_revision = "0039_experiments"


def upgrade() -> None:
    experiments.block_control()
