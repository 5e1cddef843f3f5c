"""Recommendation benchmark: a 50,000-product store with 1,000,000 order lines.

Phases, each in its own process so each peak memory (ru_maxrss) is its own:

1. **import**: the catalog (50,000 products with variants, 5 % sold out) written
   through the store, then the order history (1,000,000 lines) through
   ``plugin.imports.orders`` from a generated ``.csv.gz``, then every shopper's
   profile rebuilt, as ``storelift import orders`` does;
2. **rebuild**: ``plugin.recommendations.serving.api.rebuild`` from the tables (what
   ``storelift rebuild`` and a serving process's first block request do), then
   **incremental** updates: new orders written with their feed row
   (``on_order``, as the order webhook handler does) and applied by the
   serving side's ``refresh``, timed per order;
3. **serve**: ``GET /proxy/recommendations`` (signed, rendered HTML fragments,
   a mix of strategies over Zipf-popular products and known and new
   visitors) against Storelift under its production server (waitress, a
   separate process, on loopback), paced, next to a bare ``return "", 200``
   route on the same server; then once more at the highest rate while new
   orders arrive (``live_orders``), each applied by the server as it serves;
   the server's peak memory is read from /proc.

Synthetic data: Zipf-popular products in 60 categories, baskets of 1-12 lines
(mean about 3.3) drawn mostly from one category, 80,000 customers with repeat
purchases, two years of history. Run: ``python -m bench.recommendations``
(``--lines``/``--products`` for a smaller run; ``--keep FILE`` to import once for several runs).

The closed-loop lines also give the server's CPU per request and how busy it was (/proc): at
about 100 % the server is held by its interpreter lock, and the ratio is that of CPU per request.

Targets: block p99 ≤ 15 ms (paced at 100 and 200 requests/s), closed-loop block throughput
≥ 0.4 × the bare route's, incremental ≤ 5 ms per order, rebuild ≤ 60 s, peak memory ≤ 1 GB.
The machine's cores and load average are printed first: on a busy machine the latencies are
the machine's as much as Storelift's.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import gzip
import hashlib
import hmac
import http.client
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from .live_orders import OrderStream, write_order
from .load import closed_loop, paced, start_server
from .server import BENCH_SECRET

SHOP = "bench-shop.myshopify.com"
UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/124.0.0.0 Safari/537.36")
CATEGORIES = 60
CUSTOMERS = 80_000
KNOWN_VISITORS = 5_000
DAY = 86_400
END = 1_790_000_000  # epoch seconds: the history's last day
MIX = (("frequently_bought_together", 35), ("similar_items", 10), ("cart", 15), ("for_you", 15),
       ("buy_again", 5), ("best_sellers", 10), ("trending", 5), ("recently_viewed", 5))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Synthetic:
    """The store's shape, deterministic from the seed: popularity, categories, customers."""

    def __init__(self, products: int, seed: int = 7):
        self.rng = random.Random(seed)
        self.products = products
        self.ids = [str(8_000_000_000 + n) for n in range(products)]
        self.category = [n % CATEGORIES for n in range(products)]
        weights = [1.0 / (rank + 10) ** 1.05 for rank in range(products)]
        order = list(range(products))
        self.rng.shuffle(order)  # popularity is not the id order
        self.by_rank = order
        self.cum = list(_cumulative(weights))
        self.in_category: dict[int, tuple[list[int], list[float]]] = {}
        for c in range(CATEGORIES):
            members = [(rank, p) for rank, p in enumerate(order) if self.category[p] == c]
            self.in_category[c] = ([p for _, p in members], list(_cumulative(weights[r] for r, _ in members)))

    def popular(self) -> int:
        return self.by_rank[bisect.bisect(self.cum, self.rng.random() * self.cum[-1])]

    def popular_in(self, category: int) -> int:
        members, cum = self.in_category[category]
        return members[bisect.bisect(cum, self.rng.random() * cum[-1])]

    def basket(self) -> list[int]:
        size = min(12, 1 + int(self.rng.expovariate(1 / 2.3)))
        first = self.popular()
        items = {first}
        while len(items) < size:
            items.add(self.popular_in(self.category[first]) if self.rng.random() < 0.7 else self.popular())
        return list(items)


def _cumulative(weights):
    total = 0.0
    for w in weights:
        total += w
        yield total


def write_history(data: Synthetic, lines: int, path: Path) -> int:
    """The order CSV ``storelift import orders`` reads; returns the number of orders."""
    rng = data.rng
    customers = [f"C{n:06d}" for n in range(CUSTOMERS)]
    activity = list(_cumulative(1.0 / (n + 5) for n in range(CUSTOMERS)))  # some customers buy often
    written = orders = 0
    with gzip.open(path, "wt", newline="", compresslevel=1) as handle:
        out = csv.writer(handle)
        out.writerow(["order_id", "customer_id", "created_at", "product_id", "quantity", "unit_price", "category"])
        while written < lines:
            orders += 1
            customer = customers[bisect.bisect(activity, rng.random() * activity[-1])]
            at = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(END - rng.random() * 730 * DAY))
            for p in data.basket()[: lines - written]:
                out.writerow([f"H{orders:08d}", customer, at, data.ids[p], 1 + (rng.random() < 0.2),
                              f"{5 + p % 90}.00", f"cat-{data.category[p]}"])
                written += 1
    return orders


def write_catalog(store, data: Synthetic) -> None:
    from plugin.store.commerce import Product, Variant

    rng = data.rng
    for start in range(0, data.products, 1000):
        with store.database.write():
            for p in range(start, min(start + 1000, data.products)):
                pid = data.ids[p]
                store.commerce.upsert_product(SHOP, Product(
                    product_id=pid, source_updated_at=1, title=f"Product {p} <{data.category[p]}>",
                    handle=f"product-{p}", vendor=f"vendor-{p % 200}", product_type=f"cat-{data.category[p]}",
                    tags=(f"tag-{p % 50}",), status="active", published_at=1,
                    image_src=f"https://cdn.example/{pid}.jpg", url=f"/products/product-{p}",
                    created_at=(END - rng.random() * 900 * DAY) * 1000,
                    variants=tuple(Variant(variant_id=f"{pid}{v}", price=f"{5 + p % 90 + v}.00",
                                           inventory_quantity=0 if rng.random() < 0.05 else 50) for v in range(2)),
                ))


# --------------------------------------------------------------------------- phases (child processes)


def phase_import(db: str, products: int, lines: int) -> dict:
    from plugin.clock import now_ms
    from plugin.imports.orders import import_orders
    from plugin.people.refresh import rebuild_profiles
    from plugin.store import Store

    data = Synthetic(products)
    store = Store(db)
    store.migrate()
    store.shops.save_install(SHOP, access_token="bench", scopes=(), api_version="2026-10",
                             token_expires_at=None, refresh_token=None, refresh_expires_at=None)
    started = time.perf_counter()
    write_catalog(store, data)
    catalog_s = time.perf_counter() - started
    csv_path = Path(tempfile.mkdtemp(prefix="bench-orders-")) / "orders.csv.gz"  # db may be a URL
    started = time.perf_counter()
    orders = write_history(data, lines, csv_path)
    generate_s = time.perf_counter() - started
    started = time.perf_counter()
    report = import_orders(store, SHOP, csv_path)
    shutil.rmtree(csv_path.parent, ignore_errors=True)
    import_s = time.perf_counter() - started
    started = time.perf_counter()
    people = rebuild_profiles(store, SHOP, now_ms())  # what `storelift import orders` does next
    profiles_s = time.perf_counter() - started
    _known_visitors(store)
    store.close()
    return {"catalog_s": catalog_s, "generate_s": generate_s, "import_s": import_s, "orders": orders,
            "profiles_s": profiles_s, "people": people,
            "lines": report.lines, "rows": report.rows, "errors": len(report.errors), "peak_mb": peak_mb()}


def _known_visitors(store) -> None:
    """Visitors whose person is a customer with a history, so "for you" personalises."""
    from plugin.people import identity

    now = int(time.time() * 1000)
    for n in range(KNOWN_VISITORS):
        identity.observe(store, SHOP, visitor(n), now, customer_id=f"C{n:06d}")


def visitor(n: int) -> str:
    return f"bench-visitor-{n:08d}"


def phase_rebuild(db: str, products: int, updates: int) -> dict:
    from plugin.recommendations.serving import api as recommendations
    from plugin.recommendations.serving.registry import Models
    from plugin.store import Store

    store = Store(db)
    store.migrate()  # a store kept by an earlier version (``--keep``) gets the schema this code reads
    models = Models(store)
    report = recommendations.rebuild(models, SHOP)
    rebuild_peak = peak_mb()
    data = Synthetic(products, seed=99)
    now_ms = int(time.time() * 1000)
    feed, apply = [], []
    for n in range(updates):
        started = time.perf_counter()
        write_order(store, SHOP, data, f"N{n:08d}", f"C{n % CUSTOMERS:06d}", now_ms)
        written = time.perf_counter()
        recommendations.refresh(models, SHOP)  # the serving process applies it on its next request
        done = time.perf_counter()
        feed.append((written - started) * 1000)
        apply.append((done - written) * 1000)
    store.close()
    feed.sort()
    apply.sort()
    return {"rebuild_s": report.seconds, "orders": report.orders, "items": report.items, "pairs": report.pairs,
            "products": report.products, "rebuild_peak_mb": rebuild_peak, "updates": updates,
            "feed_ms": sum(feed) / len(feed), "apply_ms": sum(apply) / len(apply),
            "apply_p99_ms": apply[int(0.99 * (len(apply) - 1))], "feed_p99_ms": feed[int(0.99 * (len(feed) - 1))]}


# --------------------------------------------------------------------------- serving


def signed_path(params: dict) -> str:
    pairs = list(params.items()) + [("shop", SHOP), ("logged_in_customer_id", ""),
                                    ("path_prefix", "/apps/storelift"), ("timestamp", str(int(time.time())))]
    message = "".join(sorted(f"{k}={v}" for k, v in pairs))
    pairs.append(("signature", hmac.new(BENCH_SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()))
    return "/proxy/recommendations?" + urlencode(pairs)


def block_requests(products: int, seed: int = 5):
    def generate():
        data = Synthetic(products, seed=seed)
        rng = data.rng
        names = [name for name, weight in MIX for _ in range(weight)]
        n = 0
        while True:
            block = names[n % len(names)]
            params = {"block": block, "limit": 8, "title": "You may also like"}
            if block in ("frequently_bought_together", "similar_items"):
                params["product_id"] = data.ids[data.popular()]
            if block == "cart":
                params["cart"] = ",".join(data.ids[p] for p in data.basket()[:3])
            known = rng.random() < 0.5
            params["visitor_id"] = visitor(rng.randrange(KNOWN_VISITORS)) if known else f"bench-new-{n:012d}"
            yield ("GET", signed_path(params), b"", {"User-Agent": UA, "Accept": "text/html"})
            n += 1
    return generate


def bare_requests():
    def generate():
        while True:
            yield ("GET", "/bare", b"", {"User-Agent": UA})
    return generate


def server_peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def best_sellers(port: int) -> list[str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", signed_path({"block": "best_sellers", "limit": 8}),
                 headers={"User-Agent": UA, "Accept": "application/json"})
    return [item["product_id"] for item in json.loads(conn.getresponse().read())["items"]]


def serve(db: str, products: int, rates: list[float], seconds: float, requests: int, orders: float) -> dict:
    server, port = start_server("bench.server", db)
    try:
        # The first request answers from the catalog while the model builds in the background.
        started = time.perf_counter()
        provisional = best_sellers(port)
        first_s = time.perf_counter() - started
        while best_sellers(port) == provisional:
            time.sleep(0.1)
        model_s = time.perf_counter() - started
        closed_loop(port, bare_requests(), 300)
        closed_loop(port, block_requests(products, seed=2), 500)
        bare = closed_loop(port, bare_requests(), requests, server=server.pid)
        blocks = closed_loop(port, block_requests(products, seed=3), requests, server=server.pid)
        runs = [(rate, paced(port, bare_requests(), rate, seconds),
                 paced(port, block_requests(products, seed=4 + n), rate, seconds)) for n, rate in enumerate(rates)]
        with OrderStream(db, SHOP, Synthetic(products, seed=98), orders, CUSTOMERS) as stream:
            selling = paced(port, block_requests(products, seed=4 + len(rates)), rates[-1], seconds)
        peak = server_peak_mb(server.pid)
    finally:
        server.terminate()
        server.wait()
    return {"first_s": first_s, "model_s": model_s, "bare": bare, "blocks": blocks,
            "paced": runs, "selling": selling, "orders_written": stream.written, "server_peak_mb": peak}


def child(phase: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.recommendations", "--phase", phase, *args],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=50_000)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--updates", type=int, default=1000, help="incremental orders timed")
    parser.add_argument("--rate", type=float, nargs="+", default=[100.0, 200.0],
                        help="paced block requests per second (one paced run each)")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--orders", type=float, default=1.0,
                        help="new orders per second during a last paced run at the highest rate")
    parser.add_argument("--requests", type=int, default=2000, help="per throughput run")
    parser.add_argument("--keep", metavar="FILE",
                        help="keep the imported store in FILE (SQLite) and reuse it in later runs of the same size:"
                             " each run works on a copy, so a before/after comparison runs back to back without"
                             " importing twice")
    parser.add_argument("--phase", choices=("import", "rebuild"), help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase == "import":
        print(json.dumps(phase_import(args.db, args.products, args.lines)))
        return
    if args.phase == "rebuild":
        print(json.dumps(phase_rebuild(args.db, args.products, args.updates)))
        return

    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.db")
        sizes = ["--products", str(args.products), "--lines", str(args.lines), "--db", db]
        kept = Path(args.keep) if args.keep else None
        if kept is not None and kept.exists():
            shutil.copyfile(kept, db)
            imported = json.loads(kept.with_name(kept.name + ".json").read_text())
        else:
            imported = child("import", *sizes)
            if kept is not None:
                shutil.copyfile(db, kept)
                kept.with_name(kept.name + ".json").write_text(json.dumps(imported))
        rebuilt = child("rebuild", *sizes, "--updates", str(args.updates))
        load_before = os.getloadavg()
        served = serve(db, args.products, args.rate, args.seconds, args.requests, args.orders)

    i, r, s = imported, rebuilt, served
    loads = " → ".join(", ".join(f"{x:.2f}" for x in load) for load in (load_before, os.getloadavg()))
    print(f"machine: {os.cpu_count()} cores, load average (1, 5, 15 min) before serving → after: {loads}")
    print(f"synthetic store: {args.products:,} products, {i['lines']:,} order lines in {i['orders']:,} orders "
          f"({i['errors']} rows rejected)")
    print(f"import     catalog {i['catalog_s']:6.1f} s   orders (plugin.imports.orders, {i['rows']:,} CSV rows) "
          f"{i['import_s']:6.1f} s = {i['rows'] / i['import_s']:,.0f} rows/s, then {i['people']:,} profiles "
          f"{i['profiles_s']:6.1f} s   peak {i['peak_mb']:6.0f} MB   (target ≤ 1024 MB)")
    print(f"rebuild    {r['rebuild_s']:6.1f} s   ({r['orders']:,} orders, {r['items']:,} products sold, "
          f"{r['pairs']:,} pairs, {r['products']:,} available)   peak {r['rebuild_peak_mb']:6.0f} MB"
          f"   (targets ≤ 60 s, ≤ 1024 MB)")
    print(f"incremental, {r['updates']} orders: write + feed row {r['feed_ms']:5.2f} ms (p99 {r['feed_p99_ms']:5.2f}),"
          f" applied by the serving side {r['apply_ms']:5.2f} ms (p99 {r['apply_p99_ms']:5.2f})"
          f"   total {r['feed_ms'] + r['apply_ms']:5.2f} ms per order   (target ≤ 5 ms)")
    print(f"server: first block request {s['first_s']:5.2f} s (catalog only, the model builds in the background),"
          f" model serving after {s['model_s']:5.1f} s; peak memory {s['server_peak_mb']:6.0f} MB"
          f"   (target ≤ 1024 MB)")
    b, k = s["bare"], s["blocks"]
    print(f"GET /proxy/recommendations (HTML fragment, strategy mix) vs bare route, same waitress server, "
          f"{args.requests} requests, 4 client threads")
    for name, run in (("bare route", b), ("block", k)):
        print(f"  {name:14s} {run.per_second:8.0f} req/s   p50 {run.p50:6.2f} ms  p99 {run.p99:6.2f} ms   server CPU"
              f" {run.server_ms_per_request:5.2f} ms/request, busy {run.server_busy:4.0%}   errors {run.errors}")
    print(f"  block / bare   {k.per_second / b.per_second:8.2f} x   (target ≥ 0.4 x)")
    for rate, bp, kp in s["paced"]:
        print(f"paced at {rate:.0f}/s for {args.seconds:.0f} s (latency from each request's due time)")
        print(f"  bare route     p50 {bp.p50:6.2f} ms  p99 {bp.p99:6.2f} ms")
        print(f"  block          p50 {kp.p50:6.2f} ms  p99 {kp.p99:6.2f} ms   (target p99 ≤ 15 ms)   errors {kp.errors}")
    live = s["selling"]
    print(f"paced at {args.rate[-1]:.0f}/s for {args.seconds:.0f} s while {s['orders_written']} new orders arrive "
          f"({args.orders:g}/s, each applied by the server before its next block)")
    print(f"  block          p50 {live.p50:6.2f} ms  p99 {live.p99:6.2f} ms   errors {live.errors}")


if __name__ == "__main__":
    main()
