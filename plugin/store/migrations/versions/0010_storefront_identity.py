"""0010_storefront_identity: people, visitors and their carts.

The step is ``people.storefront_identity`` in plugin/store/migrations/people.py; this file places it in Alembic's chain.
"""

from plugin.store.migrations import people
from plugin.store.migrations import forward_only as downgrade  # noqa: F401 (released steps never go back)

revision = "0010_storefront_identity"
down_revision = "0006_source_sequence"


def upgrade() -> None:
    people.storefront_identity()
