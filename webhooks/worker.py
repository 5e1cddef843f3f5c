"""Drains the webhook inbox: claim with a lease, handle in one transaction, retry, dead-letter.

Runs as a thread inside ``storelift serve``/``demo`` when configured, or as
any number of ``storelift worker`` processes: claims are atomic and each
delivery's effects commit together with its ``done`` mark, so several
workers never apply one delivery twice, and a worker killed mid-handler
leaves the delivery to be claimed again when its lease runs out.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import Callable, Mapping

from plugin import clock
from plugin.clock import now_ms
from plugin.config import COMPLIANCE_TOPICS
from plugin.people import refresh
from plugin.safe_input import InputError, read_json
from plugin.store import Delivery, LeaseLost, Store

from .handlers import HANDLERS
from .routes import MAX_BODY_BYTES

log = logging.getLogger("storelift.worker")

Handler = Callable[[Store, Delivery, dict], None]

# Topics that still matter after uninstall: the uninstall itself and the privacy duties.
AFTER_UNINSTALL = frozenset(COMPLIANCE_TOPICS) | {"app/uninstalled"}


# How often a worker re-scores segments that are due (rescore_if_due decides per shop).
MAINTENANCE_INTERVAL_S = 15 * 60
# Platform payloads nest a handful of levels (order → line item → discount allocation → money set).
MAX_PAYLOAD_DEPTH = 64


def backoff_ms(attempt: int) -> int:
    """Exponential backoff between handler attempts: 5 s, 10 s, 20 s … capped at one hour."""
    return clock.backoff_ms(attempt, 5_000, clock.HOUR_MS)


class Worker:
    def __init__(
        self,
        store: Store,
        handlers: Mapping[str, Handler] = HANDLERS,
        *,
        name: str | None = None,
        lease_ms: int = 60_000,
        max_attempts: int = 8,
        batch: int = 50,
        idle_sleep: float = 0.2,
    ):
        self.store = store
        self.handlers = handlers
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        self.lease_ms = lease_ms
        self.max_attempts = max_attempts
        self.batch = batch
        self.idle_sleep = idle_sleep

    def run_once(self) -> int:
        """Process one batch of due deliveries, or when there are none, of queued profile
        refreshes (derived data waits for the platform's data); returns how many."""
        done = self.run_deliveries_once()
        return done or refresh.refresh_queued(self.store, now_ms(), limit=self.batch)

    def run_deliveries_once(self) -> int:
        """Process one batch of due deliveries; returns how many were claimed."""
        deliveries = self.store.inbox.claim(self.name, lease_ms=self.lease_ms, limit=self.batch,
                                            max_attempts=self.max_attempts)
        for delivery in deliveries:
            self.process(delivery)
        return len(deliveries)

    def run_until_idle(self) -> int:
        """Drain the inbox, then the profile refreshes it queued; returns the deliveries processed."""
        total = 0
        while (n := self.run_deliveries_once()):
            total += n
        while refresh.refresh_queued(self.store, now_ms(), limit=self.batch):
            pass
        return total

    def maintain(self) -> None:
        """Periodic per-shop upkeep: segment cut points move with time (at risk, lapsed)."""
        now = now_ms()
        for shop in self.store.shops.installed():
            refresh.rescore_if_due(self.store, shop.shop, now)

    def run_forever(self, stop: threading.Event) -> None:
        log.info("worker %s started", self.name)
        next_upkeep = 0.0
        while not stop.is_set():
            try:
                if time.monotonic() >= next_upkeep:
                    self.maintain()
                    next_upkeep = time.monotonic() + MAINTENANCE_INTERVAL_S
                if not self.run_once():
                    stop.wait(self.idle_sleep)
            except Exception:  # a broken database must not kill the thread silently
                log.exception("worker loop error")
                stop.wait(1.0)
        log.info("worker %s stopped", self.name)

    def process(self, delivery: Delivery) -> None:
        """Finish one claimed delivery: done, skipped, dead, or failed and due again after a backoff.

        Whatever goes wrong with this delivery (a handler raising anything, even
        ``RecursionError``) is recorded on it, never raised: the rest of the
        batch still runs, and the attempts cap turns a poison pill into dead-letter.
        """
        try:
            self._handle(delivery)
        except LeaseLost:
            log.warning("delivery %s was taken over by another worker", delivery.id)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            retry_at = None if delivery.attempts >= self.max_attempts else now_ms() + backoff_ms(delivery.attempts)
            log.warning("delivery %s (%s) failed, attempt %s: %s", delivery.id, delivery.topic, delivery.attempts, error)
            self.store.inbox.fail(delivery.id, self.name, error, retry_at=retry_at)

    def _handle(self, delivery: Delivery) -> None:
        inbox = self.store.inbox
        try:
            payload = read_json(delivery.body, max_bytes=MAX_BODY_BYTES, max_depth=MAX_PAYLOAD_DEPTH)
        except InputError as exc:  # the same bytes fail the same way every time: no retries
            inbox.fail(delivery.id, self.name, f"invalid JSON: {exc.reason}", retry_at=None)
            return
        if not isinstance(payload, dict):
            inbox.fail(delivery.id, self.name, "invalid JSON: payload is not a JSON object", retry_at=None)
            return
        handler = self.handlers.get(delivery.topic)
        if handler is None:
            inbox.skip(delivery.id, self.name, f"no handler for topic {delivery.topic}")
            return
        shop = self.store.shops.get(delivery.shop)
        if shop is None:
            inbox.skip(delivery.id, self.name, "unknown shop")
            return
        if not shop.installed and delivery.topic not in AFTER_UNINSTALL:
            inbox.skip(delivery.id, self.name, "shop uninstalled")
            return
        with inbox.finishing(delivery.id, self.name):
            handler(self.store, delivery, payload)


def start_in_thread(store: Store) -> tuple[threading.Thread, threading.Event]:
    """The in-process worker for ``serve``/``demo`` (STORELIFT_RUN_WORKER=1)."""
    stop = threading.Event()
    thread = threading.Thread(target=Worker(store).run_forever, args=(stop,), name="storelift-worker", daemon=True)
    thread.start()
    return thread, stop


def run_process(store: Store, stop: threading.Event | None = None) -> None:
    """``storelift worker``: run until SIGTERM/SIGINT."""
    import signal

    stop = stop or threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    Worker(store).run_forever(stop)
    time.sleep(0)
