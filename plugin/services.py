"""The objects a running Storelift shares between its edges: config, store, and the settings cache.

Built once by the app factory (or the CLI) and handed to blueprints through
``app.extensions["storelift"]``, so edges never construct their own and
tests can swap any part.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from .config import Config
from .settings import SettingsCache
from .store import Store


@dataclass
class Services:
    config: Config
    store: Store
    # The time embedded-admin session tokens are checked against. Real time; a test
    # swaps it to age an open admin page past its token's one-minute lifetime.
    clock: Callable[[], float] = time.time
    # Each shop's settings as the storefront reads them, validated once per save (plugin.settings.cache).
    settings: SettingsCache = field(init=False)

    def __post_init__(self) -> None:
        self.settings = SettingsCache(self.store)
