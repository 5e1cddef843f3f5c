"""The scale test's outside world: the platform's webhooks and the storefront's shoppers, over real HTTP.

What the platform does is what makes exactly-once hard, so this plays it
faithfully: every delivery is signed, paced, re-sent with backoff until it
gets a 2xx (a refused connection, a 502 from the balancer or a 500 during a
database restart all count as "not delivered"), sometimes sent twice though
it was acknowledged (the same ``X-Shopify-Webhook-Id`` and event id), and a
resource's newer state is sometimes sent before its older one. Only what was
acknowledged is promised, so the checks compare the database with
``Platform.acked``.

Shoppers go through the signed app-proxy path as the platform's proxy
forwards them: recommendation blocks, event batches, and sign-ups from many
addresses at once (each shopper's own ``X-Forwarded-For``).
"""

from __future__ import annotations

import heapq
import http.client
import json
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from tests.support.app import SECRET, SHOP
from tests.support.signing import BROWSER_UA, signed, webhook_signature

ORDER_BASE = 5_100_000_000_000
CUSTOMER_BASE = 6_100_000_000_000
LINE_BASE = 9_100_000_000_000
HOT = [str(7_000_000_000 + k) for k in range(10)]  # in every order: the best sellers
T0 = 1_790_000_000  # epoch seconds: the orders' creation


def only_product(n: int) -> str:
    """Bought in order ``n`` only, always with ``partner(n)``: "frequently bought together" names it
    once, and only once, a model has counted order ``n``."""
    return str(7_100_000_000 + n)


def partner(n: int) -> str:
    return str(7_200_000_000 + n)


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat()


@dataclass
class Delivery:
    topic: str
    webhook_id: str
    body: bytes
    kind: str  # order, customer, cart
    ref: str
    updated_ms: int
    attempts: int = 0
    acked: bool = False

    def headers(self) -> dict:
        return {"Content-Type": "application/json", "X-Shopify-Topic": self.topic,
                "X-Shopify-Hmac-Sha256": webhook_signature(self.body), "X-Shopify-Shop-Domain": SHOP,
                "X-Shopify-API-Version": "2026-10", "X-Shopify-Webhook-Id": self.webhook_id,
                "X-Shopify-Event-Id": "e-" + self.webhook_id, "X-Shopify-Triggered-At": iso(self.updated_ms / 1000)}


def order_body(n: int, version: int) -> bytes:
    customer = n % 400
    return json.dumps({
        "id": ORDER_BASE + n, "name": f"#{n}", "email": f"buyer{customer}@example.com", "currency": "USD",
        "customer": {"id": CUSTOMER_BASE + customer, "email": f"buyer{customer}@example.com"},
        "created_at": iso(T0 + n), "updated_at": iso(T0 + n + 60 * version),
        "financial_status": ["pending", "paid", "paid", "partially_refunded"][version], "total_price": "30.00",
        "line_items": [{"id": LINE_BASE + 3 * n + k, "product_id": int(product), "variant_id": int(product) * 10,
                        "quantity": 1, "price": "10.00", "title": f"Product {product}"}
                       for k, product in enumerate((only_product(n), partner(n), HOT[n % len(HOT)]))],
    }).encode()


def plan(orders: int, customers: int, carts: int, seed: int = 11) -> list[Delivery]:
    """Every delivery the platform will make, in sending order: 1-3 states per resource, some newer first."""
    rng = random.Random(seed)
    out: list[Delivery] = []
    for n in range(orders):
        states = [Delivery("orders/create" if v == 0 else "orders/updated", f"o{n}v{v}", order_body(n, v),
                           "order", str(ORDER_BASE + n), (T0 + n + 60 * v) * 1000) for v in range(rng.choice((1, 2, 3)))]
        if len(states) > 1 and rng.random() < 0.25:
            states.reverse()  # the update overtakes the create
        out += states
    for c in range(customers):
        for v in range(2):
            body = json.dumps({"id": CUSTOMER_BASE + c, "email": f"buyer{c}@example.com", "first_name": f"B{v}",
                               "created_at": iso(T0), "updated_at": iso(T0 + 100 * v), "orders_count": v}).encode()
            out.append(Delivery(f"customers/{'update' if v else 'create'}", f"c{c}v{v}", body, "customer",
                                str(CUSTOMER_BASE + c), (T0 + 100 * v) * 1000))
    for c in range(carts):
        for v in range(2):
            body = json.dumps({"id": f"cart{c}", "token": f"cart{c}", "created_at": iso(T0),
                               "updated_at": iso(T0 + 10 * v), "line_items": [
                                   {"id": c, "product_id": int(HOT[c % 10]), "variant_id": int(HOT[c % 10]) * 10,
                                    "quantity": 1 + v, "price": "10.00"}]}).encode()
            out.append(Delivery(f"carts/{'update' if v else 'create'}", f"k{c}v{v}", body, "cart", f"cart{c}",
                                (T0 + 10 * v) * 1000))
    rng.shuffle(out)  # resources interleave; a resource's own states may now come in any order
    return out


def _send(conns: dict, port: int, method: str, path: str, body: bytes, headers: dict) -> tuple[int, bytes]:
    """One request on this thread's keep-alive connection; (0, b"") when the connection failed."""
    conn = conns.get("c") or http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    conns["c"] = conn
    try:
        conn.request(method, path, body=body, headers=headers)
        answer = conn.getresponse()
        data = answer.read()
        if answer.getheader("Connection", "").lower() == "close":
            conn.close()
            conns.pop("c", None)
        return answer.status, data
    except (OSError, http.client.HTTPException):
        conn.close()
        conns.pop("c", None)
        return 0, b""


@dataclass
class Platform:
    """Sends ``deliveries`` at ``rate`` per second, re-sends each until acknowledged, duplicates some."""

    port: int
    deliveries: list[Delivery]
    rate: float
    duplicates: float = 0.1
    threads: int = 8
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    duplicates_sent: int = 0
    resends: int = 0

    def __post_init__(self):
        self._lock = threading.Lock()
        self._queue: list[tuple[float, int, int]] = []  # (due, seq, index)
        self._seq = 0
        self._stop = threading.Event()
        self._pending = len(self.deliveries)
        self._rng = random.Random(3)
        begin = time.monotonic() + 0.2
        for i in range(len(self.deliveries)):
            self._push(begin + i / self.rate, i)

    def _push(self, due: float, index: int) -> None:
        self._seq += 1
        heapq.heappush(self._queue, (due, self._seq, index))

    def _next(self) -> int | None:
        while not self._stop.is_set():
            with self._lock:
                if not self._queue:
                    if self._pending == 0:
                        return None
                    wait = 0.05
                else:
                    due, _, index = self._queue[0]
                    wait = due - time.monotonic()
                    if wait <= 0:
                        heapq.heappop(self._queue)
                        return index
            time.sleep(min(max(wait, 0.001), 0.05))
        return None

    def _run(self) -> None:
        conns: dict = {}
        while (index := self._next()) is not None:
            delivery = self.deliveries[index]
            started = time.perf_counter()
            status, _ = _send(conns, self.port, "POST", "/webhooks", delivery.body, delivery.headers())
            elapsed = (time.perf_counter() - started) * 1000
            with self._lock:
                self.statuses[status] = self.statuses.get(status, 0) + 1
                delivery.attempts += 1
                if 200 <= status < 300:
                    self.latencies_ms.append(elapsed)
                    if not delivery.acked:
                        delivery.acked = True
                        self._pending -= 1
                        if self._rng.random() < self.duplicates:  # the platform's own retry after a lost ack
                            self.duplicates_sent += 1
                            self._push(time.monotonic() + self._rng.uniform(0.5, 5), index)
                else:  # not delivered: the platform retries with backoff
                    self.resends += 1
                    self._push(time.monotonic() + min(5.0, 0.25 * 2 ** min(delivery.attempts, 5)), index)

    def start(self) -> "Platform":
        self._workers = [threading.Thread(target=self._run, daemon=True) for _ in range(self.threads)]
        for worker in self._workers:
            worker.start()
        return self

    def finish(self, timeout: float) -> bool:
        """Wait until every delivery is acknowledged (re-sends included); False at ``timeout``."""
        deadline = time.monotonic() + timeout
        for worker in self._workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        self._stop.set()
        return all(d.acked for d in self.deliveries)

    @property
    def acked(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.acked]


class Shoppers:
    """Storefront traffic through the signed app proxy: blocks, events and sign-ups, paced, from many addresses."""

    def __init__(self, port: int, *, rate: float, orders: int, signups: int, threads: int = 8, seed: int = 5):
        self.port, self.rate, self.orders, self.threads = port, rate, orders, threads
        self.rng = random.Random(seed)
        self.signups = list(range(signups))
        self.codes: list[tuple[str, str]] = []  # (email, code) as answered
        self.statuses: dict[str, dict[int, int]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._n = 0

    def _proxy(self, path: str, params: dict | None = None) -> str:
        return signed(path, SHOP, SECRET, params)

    def _headers(self, n: int, **extra) -> dict:
        # The shopper's address as the platform's proxy forwards it: sign-up limits are per address.
        return {"User-Agent": BROWSER_UA, "X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
                **extra}

    def _request(self, n: int) -> tuple[str, str, str, bytes, dict]:
        visitor = f"visitor-{n % 5000:06d}"
        roll = n % 10
        if roll < 5:
            product = only_product(self.rng.randrange(self.orders))
            block = ("frequently_bought_together", "best_sellers", "similar_items")[n % 3]
            return "block", "GET", self._proxy("/proxy/recommendations", {
                "block": block, "product_id": product, "visitor_id": visitor, "limit": "6"}), b"", {
                "Accept": "application/json"}
        if roll < 9:
            batch = {"v": visitor, "s": f"session-{n % 9000:06d}", "p": "/products/x", "c": True,
                     "e": [["page_view"], ["product_view", {"i": HOT[n % 10]}]]}
            return "events", "POST", self._proxy("/proxy/events"), json.dumps(batch).encode(), {
                "Content-Type": "text/plain"}
        return "config", "GET", self._proxy("/proxy/config", {"v": visitor, "d": "d"}), b"", {}

    def _browse(self) -> None:
        conns: dict = {}
        begin = time.monotonic()
        while not self._stop.is_set():
            with self._lock:
                n = self._n
                self._n += 1
            delay = begin + n / self.rate - time.monotonic()
            if delay > 0:
                self._stop.wait(delay)
            what, method, path, body, headers = self._request(n)
            status, _ = _send(conns, self.port, method, path, body, self._headers(n, **headers))
            self._count(what, status)

    def _sign_up(self) -> None:
        conns: dict = {}
        while not self._stop.is_set():
            with self._lock:
                if not self.signups:
                    return
                n = self.signups.pop()
            # Every fifth address signs up again from another browser: it must not get a code.
            email = f"fan{n - n % 5 if n % 5 == 4 else n}@example.com"
            body = json.dumps({"e": email, "v": f"fan-visitor-{n:06d}", "p": "/"}).encode()
            status, data = _send(conns, self.port, "POST", self._proxy("/proxy/subscribe"), body,
                                 self._headers(100_000 + n, **{"Content-Type": "application/json"}))
            self._count("subscribe", status)
            if status == 200:
                code = json.loads(data).get("code")
                if code:
                    with self._lock:
                        self.codes.append((email, code))
            self._stop.wait(self.rng.uniform(0.2, 1.5))  # about 7 sign-ups/s from 6 browsers at once

    def _count(self, what: str, status: int) -> None:
        with self._lock:
            by_status = self.statuses.setdefault(what, {})
            by_status[status] = by_status.get(status, 0) + 1

    def start(self) -> "Shoppers":
        self._workers = [threading.Thread(target=self._browse, daemon=True) for _ in range(self.threads)]
        self._workers += [threading.Thread(target=self._sign_up, daemon=True) for _ in range(6)]
        for worker in self._workers:
            worker.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(20)
