"""0021_profile_queue: the profile refresh queue.

The step is ``people.profile_queue`` in plugin/store/migrations/people.py; this file places it in Alembic's chain.
"""

from plugin.store.migrations import people
from plugin.store.migrations import forward_only as downgrade  # noqa: F401 (released steps never go back)

revision = "0021_profile_queue"
down_revision = "0020_profiles"


def upgrade() -> None:
    people.profile_queue()
