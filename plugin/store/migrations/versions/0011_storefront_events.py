"""0011_storefront_events: storefront events.

The step is ``people.storefront_events`` in plugin/store/migrations/people.py; this file places it in Alembic's chain.
"""

from plugin.store.migrations import people
from plugin.store.migrations import forward_only as downgrade  # noqa: F401 (released steps never go back)

revision = "0011_storefront_events"
down_revision = "0010_storefront_identity"


def upgrade() -> None:
    people.storefront_events()
