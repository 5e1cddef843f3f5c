"""0020_profiles: profiles and RFM cut points.

The step is ``people.profiles`` in plugin/store/migrations/people.py; this file places it in Alembic's chain.
"""

from plugin.store.migrations import people
from plugin.store.migrations import forward_only as downgrade  # noqa: F401 (released steps never go back)

revision = "0020_profiles"
down_revision = "0012_email_capture"


def upgrade() -> None:
    people.profiles()
