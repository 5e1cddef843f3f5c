"""Signed webhook delivery from a background thread, with the platform's retry rules.

An event is turned into a body once, when it happens (retries and duplicates
carry those exact bytes and the original triggered-at). Each subscription
gets its own delivery (its own ``X-Shopify-Webhook-Id``); all deliveries of
one event share ``X-Shopify-Event-Id``. A non-2xx answer, a redirect or a
timeout is a failed attempt; after the last retry the delivery fails and the
API-created subscription is removed (platform.md §2.4). One delivery thread
sends in due order, so storefront requests never wait on the app.
"""

from __future__ import annotations

import heapq
import itertools
import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

import requests

from .clock import Clock
from .payloads import resource_payload
from .settings import AppRegistration, Settings
from .signing import webhook_hmac
from .state import Store

COMPLIANCE_TOPICS = ("customers/data_request", "customers/redact", "shop/redact")


@dataclass
class Event:
    id: int
    topic: str
    triggered_at: float


@dataclass
class Delivery:
    id: int
    webhook_id: str
    event: Event
    app: str
    subscription_id: int | None  # None for compliance (app-config) deliveries
    callback_url: str
    api_version: str
    body: bytes
    status: str = "queued"  # queued | held | delivering | delivered | failed
    attempts: list[dict] = field(default_factory=list)
    next_attempt_at: float | None = None

    def summary(self) -> dict:
        return {
            "id": self.id, "webhook_id": self.webhook_id, "event_id": self.event.id, "topic": self.event.topic,
            "app": self.app, "callback_url": self.callback_url, "api_version": self.api_version,
            "subscription_id": self.subscription_id, "status": self.status, "attempts": len(self.attempts),
            "response_codes": [a["status"] for a in self.attempts],
            "response_code": self.attempts[-1]["status"] if self.attempts else None,
            "errors": [a["error"] for a in self.attempts if a["error"]],
            "triggered_at": triggered_at_header(self.event.triggered_at),
            "next_attempt_at": self.next_attempt_at,
        }


def triggered_at_header(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class WebhookDispatcher:
    """Queue + delivery thread. Lock order: ``store.lock`` before ``self._cond``, never the reverse."""

    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock
        self._cond = threading.Condition()
        self._queue: list[tuple[float, int, int]] = []  # (due, sequence, delivery id)
        self._seq = itertools.count()
        self._delivery_ids = itertools.count(1)
        self.deliveries: dict[int, Delivery] = {}
        self._held: list[int] = []
        self._holding = False
        self._busy = 0
        self._stopped = False
        self._session = requests.Session()
        self._session.trust_env = False  # never route loopback deliveries through a proxy
        self._thread = threading.Thread(target=self._run, name="devstore-webhooks", daemon=True)
        store.on_event(self._on_store_event)
        clock.on_advance(self._wake)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout=self.settings.webhook_timeout + 2)
        self._session.close()

    # --- producing -------------------------------------------------------------------------
    def _on_store_event(self, topic: str, app: str | None, record: object) -> None:
        """Called under the store lock for every change: one event, one delivery per subscription."""
        self.publish(topic, record, app=app)

    def publish(self, topic: str, record: object, *, app: str | None = None, copies: int = 1) -> list[Delivery]:
        """Deliver ``topic`` about ``record`` to every matching subscription (``copies`` times each)."""
        with self.store.lock:
            targets = [s for s in self.store.subscriptions.values()
                       if s.topic == topic and (app is None or s.app == app)]
            if not targets:
                return []
            event = self._new_event(topic)
            payload = resource_payload(self.store, topic, record)
            made = []
            for sub in targets:
                body = _encode(payload, sub.include_fields)
                for _ in range(copies):
                    made.append(self._enqueue(event, sub.app, sub.id, sub.callback_url, sub.api_version, body))
            return made

    def publish_compliance(self, app: AppRegistration, topic: str, payload: dict, copies: int = 1) -> list[Delivery]:
        """Privacy topics go to the app-config compliance URL, never to API subscriptions."""
        if topic not in COMPLIANCE_TOPICS:
            raise ValueError(topic)
        with self.store.lock:
            event = self._new_event(topic)
            body = _encode(payload, [])
            return [self._enqueue(event, app.handle, None, app.compliance_webhook_url, self.settings.webhook_api_version,
                                  body) for _ in range(copies)]

    def _new_event(self, topic: str) -> Event:
        return Event(id=self.store.ids.next("Event"), topic=topic, triggered_at=self.clock.now())

    def _enqueue(self, event: Event, app: str, sub_id: int | None, url: str, version: str, body: bytes) -> Delivery:
        with self._cond:
            delivery = Delivery(id=next(self._delivery_ids), webhook_id=str(uuid.uuid4()), event=event, app=app,
                                subscription_id=sub_id, callback_url=url, api_version=version, body=body)
            self.deliveries[delivery.id] = delivery
            if self._holding:
                delivery.status = "held"
                self._held.append(delivery.id)
            else:
                self._schedule(delivery, self.clock.now())
            return delivery

    def _schedule(self, delivery: Delivery, due: float) -> None:
        delivery.status, delivery.next_attempt_at = "queued", due
        heapq.heappush(self._queue, (due, next(self._seq), delivery.id))
        self._cond.notify_all()

    # --- test controls -----------------------------------------------------------------------
    def hold(self) -> None:
        with self._cond:
            self._holding = True

    def release(self, order: str = "fifo") -> int:
        """Stop holding; queue held deliveries oldest-first, or newest-first for ``reverse``."""
        with self._cond:
            self._holding = False
            held, self._held = self._held, []
            if order == "reverse":
                held.reverse()
            now = self.clock.now()
            for delivery_id in held:
                self._schedule(self.deliveries[delivery_id], now)
            return len(held)

    def redeliver(self, delivery_id: int) -> Delivery:
        """A new delivery of the same event and bytes: new webhook id, same event id and triggered-at."""
        with self.store.lock:
            old = self.deliveries[delivery_id]
            return self._enqueue(old.event, old.app, old.subscription_id, old.callback_url, old.api_version,
                                 old.body)

    def pending(self) -> int:
        with self._cond:
            return len(self._queue) + self._busy

    def drain(self, timeout: float) -> bool:
        """Wait until nothing is queued or being sent (held deliveries don't count)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._queue and not self._busy, timeout=timeout)

    def _wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    # --- delivering ----------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                if self._stopped:
                    return
                if not self._queue:
                    self._cond.wait(timeout=1.0)
                    continue
                due, _, delivery_id = self._queue[0]
                wait = due - self.clock.now()
                if wait > 0:
                    self._cond.wait(timeout=min(wait, 1.0))
                    continue
                heapq.heappop(self._queue)
                delivery = self.deliveries[delivery_id]
                delivery.status = "delivering"
                self._busy += 1
            try:
                self._attempt(delivery)
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()

    def _attempt(self, delivery: Delivery) -> None:
        app = self.store.app(delivery.app)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Shopify-Captain-Hook",
            "X-Shopify-Topic": delivery.event.topic,
            "X-Shopify-Hmac-Sha256": webhook_hmac(delivery.body, app.api_secret),
            "X-Shopify-Shop-Domain": self.settings.shop_domain,
            "X-Shopify-API-Version": delivery.api_version,
            "X-Shopify-Webhook-Id": delivery.webhook_id,
            "X-Shopify-Event-Id": str(delivery.event.id),
            "X-Shopify-Triggered-At": triggered_at_header(delivery.event.triggered_at),
        }
        status, error = None, None
        try:
            response = self._session.post(delivery.callback_url, data=delivery.body, headers=headers,
                                          timeout=self.settings.webhook_timeout, allow_redirects=False)
            status = response.status_code
            response.close()
        except requests.RequestException as exc:
            error = type(exc).__name__
        ok = status is not None and 200 <= status < 300
        with self.store.lock:
            delivery.attempts.append({"at": self.clock.now(), "status": status, "error": error})
            sub = self.store.subscriptions.get(delivery.subscription_id or 0)
            retries_done = len(delivery.attempts) - 1
            if ok:
                if sub is not None:
                    sub.exhausted_failures = 0
                with self._cond:
                    delivery.status, delivery.next_attempt_at = "delivered", None
            elif retries_done < len(self.settings.webhook_retry_delays):
                with self._cond:
                    self._schedule(delivery, self.clock.now() + self.settings.webhook_retry_delays[retries_done])
            else:
                with self._cond:
                    delivery.status, delivery.next_attempt_at = "failed", None
                if sub is not None:
                    sub.exhausted_failures += 1
                    if sub.exhausted_failures >= self.settings.max_failures_before_removal:
                        del self.store.subscriptions[sub.id]


def _encode(payload: dict, include_fields: list[str]) -> bytes:
    if include_fields:
        payload = {k: v for k, v in payload.items() if k in include_fields}
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
