"""The store: the only place in Storelift that knows tables and SQL.

``Store`` bundles one ``Database`` (an SQLAlchemy engine for a SQLite file or a
PostgreSQL server) with a repository object per area, so callers write
``store.shops.get(shop)`` and never see SQL.
"""

from __future__ import annotations

from .capture import Capture
from .commerce import Commerce
from .connection import Database
from .emails import Emails, Send
from .events import Event, Events
from .experiments import Experiments, Period
from .identities import Identities
from .inbox import Delivery, Inbox
from .jobs import Job, Jobs
from .leases import LeaseLost
from . import migrations
from .privacy import Privacy
from .profiles import Profiles
from .rec_attribution import RecAttribution
from .rec_catalog import RecCatalog
from .recommendations import Recommendations
from .settings import ShopSettings
from .shops import OAuthStates, Shop, Shops

__all__ = ["Store", "Shop", "Delivery", "Event", "Job", "LeaseLost", "Period", "Send"]


class Store:
    def __init__(self, target: str, pool_size: int = 5):
        """``target``: a database URL (``sqlite:///…`` or ``postgresql://…``) or a SQLite file path;
        ``pool_size``: PostgreSQL connections this process keeps open."""
        self.database = Database(target, pool_size)
        self.shops = Shops(self.database)
        self.oauth_states = OAuthStates(self.database)
        self.inbox = Inbox(self.database)
        self.jobs = Jobs(self.database)
        self.commerce = Commerce(self.database)
        self.privacy = Privacy(self.database)
        self.identities = Identities(self.database)
        self.events = Events(self.database)
        self.capture = Capture(self.database)
        self.profiles = Profiles(self.database)
        self.recommendations = Recommendations(self.database)
        self.rec_catalog = RecCatalog(self.database)
        self.rec_attribution = RecAttribution(self.database)
        self.settings = ShopSettings(self.database)
        self.emails = Emails(self.database)
        self.experiments = Experiments(self.database)

    def migrate(self) -> list[str]:
        """Apply pending migrations (the Alembic history in ``migrations``); returns the names applied."""
        return migrations.upgrade(self.database.engine)

    def close(self) -> None:
        self.database.close()
