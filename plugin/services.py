"""The objects a running Storelift shares between its edges: config, store, clock and job kinds.

Built once by the app factory (or the CLI) and handed to blueprints through
``app.extensions["storelift"]``, so edges never construct their own and
tests can swap any part.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from .config import Config
from .jobs import JobKinds
from .store import Store


@dataclass
class Services:
    config: Config
    store: Store
    # The time embedded-admin session tokens are checked against. Real time; a test
    # swaps it to age an open admin page past its token's one-minute lifetime.
    clock: Callable[[], float] = time.time
    # Every kind of background work, registered by the features (plugin/jobs).
    jobs: JobKinds = field(default_factory=JobKinds)
