"""Scale benchmark: intake, worker processes and blocks behind a load balancer, on PostgreSQL and on SQLite.

Prints, in one run, for each engine:

1. **intake**: signed order webhooks at ``POST /webhooks`` against the bare
   route on the same server (``bench.server``), closed loop, interleaved
   rounds (``bench.webhooks``'s requests and method);
2. **workers**: orders/s turned from the inbox into orders by 1, 2 and 4
   ``storelift worker`` processes, and by one process with 4 runner threads
   (``--threads 4``). The inbox is filled first; the rate is
   read from the deliveries' own ``finished_at`` (first to last), so process
   start-up is not counted;
3. **blocks**: recommendation block p99, paced at 200 requests/s, through
   haproxy in front of two ``storelift serve`` processes, on a synthetic store
   (``bench.recommendations``'s catalog, history and requests).

PostgreSQL is a throwaway cluster with durable settings (fsync and
synchronous commit on), started from Debian's binaries (``bench/fleet.py``);
or ``--postgresql URL`` names a server whose superuser may create databases.
Run: ``python -m bench.scale`` (``--engines sqlite`` or ``postgresql`` for one).

Targets on the 2-core reference machine: PostgreSQL intake ≥ 0.7 × the bare
route; 2 workers ≥ 1.5 × one worker on PostgreSQL; ≥ 500 orders/s on each engine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .fleet import DURABLE_SETTINGS, Cluster, Fleet, ROOT, child_env
from .load import closed_loop, paced, start_server
from .server import BENCH_KEY, BENCH_SECRET
from .webhooks import SHOP, bare_requests, order_payload, webhook_requests

WORKER_RUNS = ((1, 1), (2, 1), (4, 1), (1, 4))  # (processes, runner threads in each)


def environment(url: str) -> dict[str, str]:
    """What ``storelift serve`` and ``storelift worker`` are given: the bench's keys and ``url``."""
    return {"STORELIFT_MODE": "test", "STORELIFT_API_KEY": BENCH_KEY, "STORELIFT_API_SECRET": BENCH_SECRET,
            "STORELIFT_APP_URL": "https://storelift.bench", "STORELIFT_DATABASE_URL": url,
            "STORELIFT_LOG_LEVEL": "WARNING", "STORELIFT_SHOP_URLS": f"{SHOP}=http://127.0.0.1:9"}


def installed_store(url: str):
    from plugin.store import Store

    store = Store(url)
    store.migrate()
    store.shops.save_install(SHOP, access_token="bench", scopes=(), api_version="2026-10",
                             token_expires_at=None, refresh_token=None, refresh_expires_at=None)
    return store


def intake(url: str, requests: int, rounds: int) -> dict:
    """Median-ratio round of bare route vs ``POST /webhooks`` on one server process."""
    installed_store(url).close()
    server, port = start_server("bench.server", url)
    try:
        closed_loop(port, bare_requests(), 300)
        closed_loop(port, webhook_requests(10_000_000), 300)
        pairs = [(closed_loop(port, bare_requests(), requests),
                  closed_loop(port, webhook_requests(r * requests), requests)) for r in range(rounds)]
    finally:
        server.terminate()
        server.wait()
    bare, hooks = sorted(pairs, key=lambda pair: pair[1].per_second / pair[0].per_second)[len(pairs) // 2]
    return {"bare": bare.per_second, "intake": hooks.per_second, "p99": hooks.p99, "errors": hooks.errors}


def workers(url: str, count: int, deliveries: int, folder: Path, timeout: float = 600, runners: int = 1) -> float:
    """Orders/s of ``count`` worker processes (``runners`` threads each) draining ``deliveries`` queued order
    webhooks."""
    store = installed_store(url)
    try:
        for n in range(deliveries):
            store.inbox.accept(shop=SHOP, topic="orders/create", dedupe_key=f"e-{n}", webhook_id=f"w-{n}",
                               event_id=f"e-{n}", api_version="2026-10", triggered_at=None, body=order_payload(n))
        left = "SELECT COUNT(*) AS n FROM webhook_inbox WHERE status IN ('pending', 'processing')"
        with Fleet(folder, environment(url), web=0, workers=count, balancer=False, runners=runners) as fleet:
            deadline = time.monotonic() + timeout
            while store.database.query(left)[0]["n"]:
                fleet.check_alive()
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{count} workers did not drain {deliveries} deliveries in {timeout:.0f} s")
                time.sleep(0.2)
        span = store.database.query("SELECT COUNT(*) AS n, MIN(finished_at) AS first, MAX(finished_at) AS last"
                                    " FROM webhook_inbox WHERE status = 'done'")[0]
        orders = store.database.query("SELECT COUNT(*) AS n FROM orders")[0]["n"]
    finally:
        store.close()
    if orders != deliveries:
        raise RuntimeError(f"{deliveries} deliveries made {orders} orders")
    return span["n"] / max(0.001, (span["last"] - span["first"]) / 1000)


def blocks(url: str, folder: Path, products: int, lines: int, rate: float, seconds: float) -> dict:
    """Block latency paced at ``rate`` through haproxy in front of two web processes."""
    from .recommendations import block_requests

    # The synthetic store is written by bench.recommendations' own import phase, in a child process.
    subprocess.run([sys.executable, "-m", "bench.recommendations", "--phase", "import", "--db", url,
                    "--products", str(products), "--lines", str(lines)], check=True, cwd=ROOT,
                   env=child_env({}), stdout=subprocess.DEVNULL)
    with Fleet(folder, environment(url), web=2, workers=0) as fleet:
        closed_loop(fleet.port, block_requests(products, seed=2), 600)  # both processes build their models
        result = paced(fleet.port, block_requests(products, seed=4), rate, seconds)
    return {"p50": result.p50, "p99": result.p99, "errors": result.errors, "requests": result.requests}


def run_engine(name: str, new_url, args, folder: Path) -> dict:
    print(f"[{name}] intake …", file=sys.stderr, flush=True)
    found = {"intake": intake(new_url("intake"), args.requests, args.rounds), "workers": {}}
    for count, runners in WORKER_RUNS:
        print(f"[{name}] {count} worker(s) × {runners} runner(s) …", file=sys.stderr, flush=True)
        found["workers"][(count, runners)] = workers(new_url(f"workers{count}x{runners}"), count, args.deliveries,
                                                     folder / f"w{count}x{runners}", runners=runners)
    print(f"[{name}] blocks …", file=sys.stderr, flush=True)
    found["blocks"] = blocks(new_url("blocks"), folder / "blocks", args.products, args.lines, args.rate, args.seconds)
    return found


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(results: dict, args) -> None:
    for name, r in results.items():
        i, w, b = r["intake"], r["workers"], r["blocks"]
        ratio = i["intake"] / i["bare"]
        print(f"{name}")
        print(f"  intake    bare {i['bare']:7.0f} req/s   POST /webhooks {i['intake']:7.0f} req/s"
              f" (p99 {i['p99']:.1f} ms, errors {i['errors']})   intake/bare {ratio:5.2f}"
              + (f"   (target ≥ 0.70: {verdict(ratio >= 0.7)})" if name == "postgresql" else ""))
        one = w[(1, 1)]
        for (count, runners), rate in w.items():
            line = (f"  workers   {count} process{'es' if count > 1 else '  '} × {runners} runner{'s' if runners > 1 else ' '}"
                    f" {rate:7.0f} orders/s")
            if (count, runners) == (1, 1):
                line += f"   (target ≥ 500: {verdict(rate >= 500)})"
            else:
                line += f"   × {rate / one:4.2f} one worker"
                if (count, runners) == (2, 1) and name == "postgresql":
                    line += f"   (target ≥ 1.50: {verdict(rate / one >= 1.5)})"
            print(line)
        print(f"  blocks    paced {args.rate:.0f}/s for {args.seconds:.0f} s through haproxy, 2 web processes:"
              f" p50 {b['p50']:.2f} ms  p99 {b['p99']:.2f} ms  ({b['requests']} answered, errors {b['errors']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="+", choices=("postgresql", "sqlite"), default=["postgresql", "sqlite"])
    parser.add_argument("--postgresql", metavar="URL", help="a server to use instead of a throwaway cluster")
    parser.add_argument("--requests", type=int, default=2000, help="per intake round")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved bare/intake rounds (median shown)")
    parser.add_argument("--deliveries", type=int, default=3000, help="queued for each worker run")
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for engine in args.engines:
            if engine == "sqlite":
                results["sqlite"] = run_engine("sqlite", lambda name: f"sqlite:///{folder / name}.db", args,
                                               folder / "sqlite")
                continue
            cluster = None if args.postgresql else Cluster(DURABLE_SETTINGS)
            try:
                if cluster is not None:
                    new_url = cluster.create_database
                else:
                    new_url = lambda name: _create_on(args.postgresql, name)  # noqa: E731
                results["postgresql"] = run_engine("postgresql", lambda name: new_url(f"bench_{name}"), args,
                                                   folder / "postgresql")
            finally:
                if cluster is not None:
                    cluster.remove()
    report(results, args)
    if args.json:
        print(json.dumps({name: {**r, "workers": {f"{c}x{t}": v for (c, t), v in r["workers"].items()}}
                          for name, r in results.items()}))


def _create_on(admin_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return admin_url.rsplit("/", 1)[0] + "/" + name


if __name__ == "__main__":
    main()
