"""The registry of job kinds: what each kind of background work runs, and how it is retried.

It lives on the app's services (``services.jobs``), and each feature
registers its own kinds with one plain call, ``services.jobs.register(kind,
handler)``, so a feature's ``init_app`` can do it and the runner never
imports a feature. Two more hooks complete the picture:

- ``register_inbox``: the webhook door hands over its delivery handler. The
  inbox is the runner's first kind ("webhook"): its rows live in their own
  table (a delivery is deduplicated forever, a job only while live) but are
  claimed, retried and dead-lettered by the same code (``store/leases.py``,
  ``runner.Runner.attempt``).
- ``register_periodic``: upkeep the worker runs every ``PERIOD_S``
  (segment re-scoring, queueing the customer syncs that came due).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

INBOX_KIND = "webhook"

# handler(services, job): job is a store.Job, or a store.Delivery for the inbox kind.
Handler = Callable[[Any, Any], None]
Periodic = Callable[[Any, int], None]


@dataclass(frozen=True)
class Kind:
    name: str
    handler: Handler
    # Attempts before the job is dead-lettered (1: fail once and keep it for replay).
    max_attempts: int = 8
    # True: the handler's writes commit in the transaction that marks the job done (pure database
    # work). False for work that talks to the platform: no write transaction is held over the network.
    transactional: bool = False


class JobKinds:
    def __init__(self) -> None:
        self._kinds: dict[str, Kind] = {}
        self._periodic: dict[str, Periodic] = {}
        self.inbox: Handler | None = None

    def register(self, kind: str, handler: Handler, *, max_attempts: int = 8, transactional: bool = False) -> None:
        if kind in self._kinds or kind == INBOX_KIND:
            raise ValueError(f"job kind {kind!r} is registered twice")
        self._kinds[kind] = Kind(kind, handler, max_attempts, transactional)

    def register_inbox(self, handler: Handler) -> None:
        """The webhook door's handler for one claimed delivery (runs in the delivery's done transaction)."""
        self.inbox = handler

    def register_periodic(self, name: str, step: Periodic) -> None:
        if name in self._periodic:
            raise ValueError(f"periodic step {name!r} is registered twice")
        self._periodic[name] = step

    def get(self, kind: str) -> Kind | None:
        return self._kinds.get(kind)

    def names(self) -> list[str]:
        """Every registered kind, the inbox's included."""
        return sorted(self._kinds) + ([INBOX_KIND] if self.inbox else [])

    def periodic(self) -> dict[str, Periodic]:
        return dict(self._periodic)

    def by_attempts(self) -> dict[int, tuple[str, ...]]:
        """Job kinds grouped by their attempts cap (one claim per group applies its dead-letter rule)."""
        groups: dict[int, list[str]] = {}
        for kind in self._kinds.values():
            groups.setdefault(kind.max_attempts, []).append(kind.name)
        return {cap: tuple(sorted(names)) for cap, names in groups.items()}


class Skip(Exception):
    """Nothing to do for this item (unknown shop or topic, uninstalled shop): finished as ``skipped``."""


class Reject(Exception):
    """This item can never succeed (malformed input): dead-lettered at once, no retries."""
