"""0037_email_sends: triggered emails' sends and suppressed addresses.

The step is ``emails.email_sends`` in plugin/store/migrations/emails.py; this file places it in Alembic's chain.
"""

from plugin.store.migrations import emails
from plugin.store.migrations import forward_only as downgrade  # noqa: F401 (released steps never go back)

revision = "0037_email_sends"
down_revision = "0036_feed_positions"


def upgrade() -> None:
    emails.email_sends()
