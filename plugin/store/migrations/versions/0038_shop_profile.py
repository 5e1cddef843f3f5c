"""0038_shop_profile: the shop's own name, time zone and currency, as the platform gives them.

The step is ``platform.shop_profile`` in plugin/store/migrations/platform.py; this file places it in Alembic's chain.
"""

from plugin.store.migrations import platform
from plugin.store.migrations import forward_only as downgrade  # noqa: F401 (released steps never go back)

revision = "0038_shop_profile"
down_revision = "0037_email_sends"


def upgrade() -> None:
    platform.shop_profile()
