"""The objects a running Storelift shares: config, store, and every piece of per-process state.

Built once per process by ``Services.open`` (the app factory and the CLI's
store commands both use it) and attached to the Flask app, so parts never
construct their own and tests can swap any part. Per-process state (the
recommendation models, the admin menu, the job kinds, the settings cache) hangs off this
object rather than module globals: two apps in one process (tests, a demo
beside a test server) never share a registry by accident.

The doors reach it with ``Services.of(current_app)``: the one way in, and the
only place that knows the extension key. This module imports no Flask (it is
core), so the app is taken as any object with ``extensions``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

from .config import Config, load_config
from .emails.card_cache import CardCache
from .emails.smtp import Mailer
from .jobs import JobKinds
from .recommendations.serving.registry import Models
from .settings import SettingsCache
from .store import Store

EXTENSION = "storelift"


@dataclass(frozen=True)
class MenuPage:
    path: str
    label: str
    order: int


class AdminMenu:
    """The embedded admin's navigation: each admin page registers itself (``init_app``), in its order."""

    def __init__(self) -> None:
        self._pages: dict[str, MenuPage] = {}

    def add(self, path: str, label: str, order: int) -> None:
        if path in self._pages:
            raise ValueError(f"admin page {path} is registered twice")
        self._pages[path] = MenuPage(path, label, order)

    def pages(self) -> list[tuple[str, str]]:
        """(path, label) pairs in menu order, what the admin's navigation bar shows."""
        return [(page.path, page.label) for page in sorted(self._pages.values(), key=lambda p: p.order)]


@dataclass
class Services:
    config: Config
    store: Store
    # The time embedded-admin session tokens are checked against. Real time; a test
    # swaps it to age an open admin page past its token's one-minute lifetime.
    clock: Callable[[], float] = time.time
    # This process's recommendation models, one per shop (plugin.recommendations.serving.registry).
    models: Models = field(init=False)
    admin_menu: AdminMenu = field(default_factory=AdminMenu)
    # Every kind of background work, registered by the features (plugin/jobs).
    jobs: JobKinds = field(default_factory=JobKinds)

    # Each shop's settings as the storefront reads them, validated once per save (plugin.settings.cache).
    settings: SettingsCache = field(init=False)
    # Product cards drawn for emails' open-time slots, and their images (plugin.emails.opens).
    email_cards: CardCache = field(default_factory=CardCache)
    # Each worker thread's SMTP session, kept open between the emails it sends (plugin.emails.smtp).
    mailer: Mailer = field(default_factory=Mailer)

    def __post_init__(self) -> None:
        self.models = Models(self.store)
        self.settings = SettingsCache(self.store)

    @classmethod
    def open(cls, config: Config | None = None) -> "Services":
        """The store opened and migrated, with the process's state empty (config: the environment's)."""
        config = config or load_config()
        store = Store(config.database_url, config.db_pool_size)
        store.migrate()
        return cls(config=config, store=store)

    def attach(self, app: Any) -> None:
        app.extensions[EXTENSION] = self

    @staticmethod
    def of(app: Any) -> "Services":
        """The services attached to ``app`` (a door passes ``flask.current_app``)."""
        return app.extensions[EXTENSION]
