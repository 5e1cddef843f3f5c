"""The objects a running Storelift shares between its edges: config and store.

Built once by the app factory (or the CLI) and handed to blueprints through
``app.extensions["storelift"]``, so edges never construct their own and
tests can swap any part.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import Config
from .store import Store


@dataclass
class Services:
    config: Config
    store: Store
