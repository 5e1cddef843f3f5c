"""The webhook inbox as the job runner's first kind: one claimed delivery, parsed, checked, handled.

``plugin.jobs.Runner`` claims deliveries, runs ``deliver`` inside the
transaction that marks the delivery done (so its effects and the mark
commit together), and retries or dead-letters it with the same code as
every other job. What is particular to webhooks stays here: the body is
parsed once with the input caps, a topic with no handler or a shop that is
unknown (or uninstalled, except for the topics that matter after
uninstall) is skipped, and a body that is not JSON is dead-lettered at once.
"""

from __future__ import annotations

from typing import Callable, Mapping

from plugin.config import COMPLIANCE_TOPICS
from plugin.jobs import JobKinds, Reject, Skip
from plugin.safe_input import InputError, read_json
from plugin.store import Delivery, Store

from .handlers import HANDLERS
from .routes import MAX_BODY_BYTES

Handler = Callable[[Store, Delivery, dict], None]

# Topics that still matter after uninstall: the uninstall itself and the privacy duties.
AFTER_UNINSTALL = frozenset(COMPLIANCE_TOPICS) | {"app/uninstalled"}

# Platform payloads nest a handful of levels (order → line item → discount allocation → money set).
MAX_PAYLOAD_DEPTH = 64


def register(jobs: JobKinds, handlers: Mapping[str, Handler] = HANDLERS) -> None:
    """Make the inbox a kind of the app's job runner, handled by topic with ``handlers``."""

    def deliver(services, delivery: Delivery) -> None:
        try:
            payload = read_json(delivery.body, max_bytes=MAX_BODY_BYTES, max_depth=MAX_PAYLOAD_DEPTH)
        except InputError as exc:  # the same bytes fail the same way every time: no retries
            raise Reject(f"invalid JSON: {exc.reason}") from None
        if not isinstance(payload, dict):
            raise Reject("invalid JSON: payload is not a JSON object")
        handler = handlers.get(delivery.topic)
        if handler is None:
            raise Skip(f"no handler for topic {delivery.topic}")
        # A worker's group of deliveries (one transaction) reads each shop's row once; the topics
        # that may change or erase it (uninstall, privacy) make the next delivery read it again.
        remembered = services.store.database.memo()
        shop = remembered.get(("shop", delivery.shop)) or services.store.shops.get(delivery.shop)
        if shop is None:
            raise Skip("unknown shop")
        if not shop.installed and delivery.topic not in AFTER_UNINSTALL:
            raise Skip("shop uninstalled")
        remembered[("shop", delivery.shop)] = shop
        handler(services.store, delivery, payload)
        if delivery.topic in AFTER_UNINSTALL:
            del remembered[("shop", delivery.shop)]

    jobs.register_inbox(deliver)
