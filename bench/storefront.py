"""Storefront benchmark: the loader's and widget's weight, and the decision endpoint's latency.

Prints the gzipped bytes of ``widgets/static/loader.js`` and ``capture.js``, then
fires signed ``GET /proxy/config`` requests (what every storefront page view
asks, as the platform's app proxy forwards them) at Storelift under its
production server (waitress, a separate process, on loopback), paced at 200
requests/s, next to a bare ``return "", 200`` route on the same server. The
store holds a few thousand known visitors, people and subscribers so the
decision reads real rows. Run: ``python -m bench.storefront``.

Targets: loader ≤ 1 KB gz, capture widget ≤ 8 KB gz, decision p99 ≤ 20 ms at 200/s.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import hmac
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from plugin.capture.settings import CAPTURE, discount_key
from plugin.capture.signup import subscribe
from plugin.clock import now_ms
from plugin.people import identity
from plugin.store import Event, Store

from .load import closed_loop, paced, start_server
from .server import BENCH_SECRET

SHOP = "bench-shop.myshopify.com"
STATIC = Path(__file__).resolve().parent.parent / "widgets" / "static"
UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/124.0.0.0 Safari/537.36")
VISITORS = 3000


def gz(name: str) -> int:
    return len(gzip.compress((STATIC / name).read_bytes(), compresslevel=9, mtime=0))


def visitor(n: int) -> str:
    return f"bench-visitor-{n:08d}"


def signed_path(params: dict) -> str:
    """The query the platform's proxy sends: shop, customer, prefix, timestamp and the hex signature."""
    pairs = list(params.items()) + [("shop", SHOP), ("logged_in_customer_id", ""),
                                    ("path_prefix", "/apps/storelift"), ("timestamp", str(int(time.time())))]
    message = "".join(sorted(f"{k}={v}" for k, v in pairs))
    pairs.append(("signature", hmac.new(BENCH_SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()))
    return "/proxy/config?" + urlencode(pairs)


def config_requests():
    def generate():
        n = 0
        while True:
            # Two thirds known visitors (some identified, some subscribed), one third new ones.
            who = visitor(n % VISITORS) if n % 3 else f"bench-new-{n:010d}"
            yield ("GET", signed_path({"v": who, "d": "m" if n % 4 == 0 else "d"}), b"", {"User-Agent": UA})
            n += 1
    return generate


def bare_requests():
    def generate():
        while True:
            yield ("GET", "/bare", b"", {"User-Agent": UA})
    return generate


def seed(store: Store) -> None:
    store.shops.save_install(SHOP, access_token="bench", scopes=(), api_version="2026-10",
                             token_expires_at=None, refresh_token=None, refresh_expires_at=None)
    settings, _ = CAPTURE.save(store, SHOP, {})
    # A full pool, so no refill is kicked during the run (the bench has no platform to call).
    campaign = store.capture.add_campaign(SHOP, discount_key=discount_key(settings), discount_id="gid://x/1",
                                          title="bench", starts_at=now_ms(), ends_at=now_ms() + 30 * 86_400_000)
    store.capture.add_codes(SHOP, campaign, [f"BENCH-{n:06d}" for n in range(500)])
    now = now_ms()
    for n in range(VISITORS):
        email = f"shopper{n}@example.com" if n % 5 == 0 else None
        identity.observe(store, SHOP, visitor(n), now - 86_400_000, email=email)
        with store.database.write():
            store.events.add(SHOP, visitor(n), "bench-session", [Event("page_view", now, "/", {})], now)
        if n % 10 == 0:
            subscribe(store, SHOP, email=f"shopper{n}@example.com", visitor_id=visitor(n), page="/")
            store.capture.sync_done(SHOP, f"shopper{n}@example.com", str(n))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--requests", type=int, default=2000, help="per throughput run")
    args = parser.parse_args()

    loader, widget = gz("loader.js"), gz("capture.js")
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.db")
        store = Store(db)
        store.migrate()
        seed(store)
        store.close()
        server, port = start_server("bench.server", db)
        try:
            closed_loop(port, bare_requests(), 300)  # warm both paths
            closed_loop(port, config_requests(), 300)
            bare = closed_loop(port, bare_requests(), args.requests)
            decision = closed_loop(port, config_requests(), args.requests)
            bare_paced = paced(port, bare_requests(), args.rate, args.seconds)
            decision_paced = paced(port, config_requests(), args.rate, args.seconds)
        finally:
            server.terminate()
            server.wait()

    print("storefront files, gzipped (level 9)")
    print(f"  loader.js   {loader:6d} bytes   (target ≤ 1024)")
    print(f"  capture.js  {widget:6d} bytes   (target ≤ 8192)")
    print(f"GET /proxy/config vs bare route, same waitress server, {args.requests} requests, 4 client threads")
    print(f"  bare route         {bare.per_second:8.0f} req/s   p50 {bare.p50:6.2f} ms  p99 {bare.p99:6.2f} ms")
    print(f"  GET /proxy/config  {decision.per_second:8.0f} req/s   p50 {decision.p50:6.2f} ms  p99 {decision.p99:6.2f} ms"
          f"   errors {decision.errors}")
    print(f"paced at {args.rate:.0f}/s for {args.seconds:.0f} s (latency from each request's due time)")
    print(f"  bare route         p50 {bare_paced.p50:6.2f} ms  p99 {bare_paced.p99:6.2f} ms")
    print(f"  GET /proxy/config  p50 {decision_paced.p50:6.2f} ms  p99 {decision_paced.p99:6.2f} ms"
          f"   (target p99 ≤ 20 ms)   errors {decision_paced.errors}")


if __name__ == "__main__":
    main()
