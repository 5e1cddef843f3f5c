"""Webhook intake and worker benchmark.

Fires signed, realistic order payloads from this process at Storelift under
its production server (a separate process, on loopback), next to a bare
``return "", 200`` route on the same server, then times the worker turning
the accepted deliveries into orders. Run: ``python -m bench.webhooks``.

Targets on the 2-core reference machine: intake ≥ 70 % of the bare route's
throughput, p99 acknowledgement ≤ 50 ms at 200 deliveries/s, worker ≥ 500
orders/s on SQLite.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import itertools
import json
import tempfile
import time
from pathlib import Path

from plugin.app import build_services
from plugin.jobs import Runner

from .load import closed_loop, paced, start_server
from .server import BENCH_SECRET

SHOP = "bench-shop.myshopify.com"
FIXTURE = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "platform" / "admin_rest" / "order.json"


def _sample_order() -> dict:
    return json.loads(FIXTURE.read_text())["order"] if FIXTURE.exists() else {}


def order_payload(n: int, sample: dict | None = None) -> bytes:
    """The platform's sample order with fresh ids, three lines and a customer: about 5 KB."""
    order = dict(sample or _sample_order())
    order.update(
        id=6_000_000_000_000_000 + n, name=f"#{1000 + n}", order_number=1000 + n,
        email=f"shopper{n % 5000}@example.com", created_at="2026-11-20T10:00:00-05:00",
        updated_at="2026-11-20T10:00:00-05:00", financial_status="paid", currency="USD",
        cart_token=f"{n:032x}", checkout_token=f"{n + 1:032x}", cancelled_at=None,
    )
    order["customer"] = {**order.get("customer", {}), "id": 7_000_000_000_000_000 + n % 5000,
                         "email": f"shopper{n % 5000}@example.com"}
    order["line_items"] = [
        {"id": 8_000_000_000_000_000 + n * 10 + k, "product_id": 9_000_000_000_000_000 + (n * 7 + k) % 500,
         "variant_id": 9_100_000_000_000_000 + (n * 7 + k) % 500, "quantity": 1 + k, "price": f"{10 + k}.00",
         "title": f"Product {k}", "sku": f"SKU-{k}", "vendor": "Bench"}
        for k in range(3)
    ]
    return json.dumps(order).encode()


def webhook_requests(start: int = 0):
    def generate():
        sample = _sample_order()
        for n in itertools.count(start):
            body = order_payload(n, sample)
            signature = base64.b64encode(hmac.new(BENCH_SECRET.encode(), body, hashlib.sha256).digest()).decode()
            yield ("POST", "/webhooks", body, {
                "Content-Type": "application/json", "X-Shopify-Topic": "orders/create",
                "X-Shopify-Hmac-Sha256": signature, "X-Shopify-Shop-Domain": SHOP,
                "X-Shopify-API-Version": "2026-10", "X-Shopify-Webhook-Id": f"w-{n}",
                "X-Shopify-Event-Id": f"e-{n}", "X-Shopify-Triggered-At": "2026-11-20T15:00:00Z",
            })
    return generate


def bare_requests():
    body = order_payload(0)

    def generate():
        while True:
            yield ("POST", "/bare", body, {"Content-Type": "application/json"})
    return generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000, help="per throughput run")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved bare/intake rounds (median shown)")
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.db")
        services = build_services({"mode": "test", "database_url": db, "api_secrets": (BENCH_SECRET,)})
        store = services.store
        store.shops.save_install(SHOP, access_token="bench", scopes=(), api_version="2026-10",
                                 token_expires_at=None, refresh_token=None, refresh_expires_at=None)
        server, port = start_server("bench.server", db)
        try:
            closed_loop(port, bare_requests(), 300)  # warm both paths
            closed_loop(port, webhook_requests(10_000_000), 300)
            # Interleaved rounds, so a noisy neighbour on the machine hits both sides alike.
            rounds = []
            for r in range(args.rounds):
                rounds.append((closed_loop(port, bare_requests(), args.requests),
                               closed_loop(port, webhook_requests(r * args.requests), args.requests)))
            bare, intake = sorted(rounds, key=lambda pair: pair[1].per_second / pair[0].per_second)[len(rounds) // 2]
            bare_paced = paced(port, bare_requests(), args.rate, args.seconds)
            intake_paced = paced(port, webhook_requests(args.rounds * args.requests), args.rate, args.seconds)
        finally:
            server.terminate()
            server.wait()

        pending = sum(n for by_status in store.inbox.stats().values()
                      for status, n in by_status.items() if status in ("pending", "processing"))
        worker = Runner(services, batch=100)
        start = time.perf_counter()
        processed = 0
        while (n := worker.run_deliveries_once()):
            processed += n
        worker_seconds = time.perf_counter() - start
        start = time.perf_counter()
        refreshed = 0
        while (n := worker.run_jobs_once()):  # the profile refreshes the orders queued
            refreshed += n
        profile_seconds = time.perf_counter() - start
        orders = store.database.one("SELECT COUNT(*) AS n FROM orders")["n"]
        store.close()

    ratio = intake.per_second / bare.per_second
    ratios = ", ".join(f"{i.per_second:.0f}/{b.per_second:.0f} = {i.per_second / b.per_second:.0%}" for b, i in rounds)
    print(f"webhook intake vs bare route, same waitress server, {args.requests} requests, 4 client threads;"
          f" median of {args.rounds} interleaved rounds ({ratios})")
    print(f"  bare route      {bare.per_second:8.0f} req/s   p50 {bare.p50:6.2f} ms  p99 {bare.p99:6.2f} ms")
    print(f"  POST /webhooks  {intake.per_second:8.0f} req/s   p50 {intake.p50:6.2f} ms  p99 {intake.p99:6.2f} ms"
          f"   errors {intake.errors}")
    print(f"  intake / bare   {ratio:8.1%}   (target ≥ 70 %)")
    print(f"paced at {args.rate:.0f}/s for {args.seconds:.0f} s (latency from each request's due time)")
    print(f"  bare route      p50 {bare_paced.p50:6.2f} ms  p99 {bare_paced.p99:6.2f} ms")
    print(f"  POST /webhooks  p50 {intake_paced.p50:6.2f} ms  p99 {intake_paced.p99:6.2f} ms   (target p99 ≤ 50 ms)"
          f"   errors {intake_paced.errors}")
    print(f"worker: {processed} deliveries ({pending} pending) → {orders} orders in {worker_seconds:.2f} s"
          f" = {processed / worker_seconds:.0f} orders/s   (target ≥ 500)")
    print(f"profiles: {refreshed} queued refreshes applied in {profile_seconds:.2f} s"
          f" = {refreshed / profile_seconds:.0f} /s (after the deliveries, off the webhook path)")


if __name__ == "__main__":
    main()
