"""Where a block's server CPU goes, stage by stage, against the bare route on the same server.

``bench.recommendations`` gives one ratio, the block mix's closed-loop throughput against a bare
``return "", 200`` route (target ≥ 0.4 ×). In the closed loop the server is held by its interpreter
lock, so that ratio is the ratio of CPU per request, and 0.4 × means a block may cost at most 2.5
times the bare route's CPU. This benchmark shows how much of that allowance each stage of a block
uses before any recommendation is chosen, with the stand-in routes of ``bench.floor_server``:

- the door (signature, installed shop);
- then the page's reads (settings, the visitor's person and session, the holdout arm, the published model);
- then a stored answer sent with its ETag (choosing and rendering free);
- then the real route for best sellers (a cached list: no ranking, eight cards rendered);
- then the real route for the benchmark's mix.

It needs the store ``bench.recommendations --keep FILE`` imported: ``python -m bench.block_floor FILE``.
Rounds alternate the routes, and each line is the median of the rounds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
from pathlib import Path

from . import recommendations as bench
from .load import closed_loop, start_server

STAGES = ("door", "page", "stored")
TARGET = 0.4


def stage_requests(route: str):
    """Best-sellers requests, half from known visitors, each signed for ``route`` (a stage or the real route)."""
    def generate():
        n = 0
        while True:
            visitor = bench.visitor(n % bench.KNOWN_VISITORS) if n % 2 else f"bench-new-{n:012d}"
            path = bench.signed_path({"block": "best_sellers", "limit": 8, "title": "You may also like",
                                      "visitor_id": visitor})
            if route in STAGES:
                path = path.replace("/proxy/recommendations?", f"/proxy/floor/{route}?")
            yield ("GET", path, b"", {"User-Agent": bench.UA, "Accept": "text/html"})
            n += 1
    return generate


def measure(db: str, products: int, rounds: int, requests: int) -> dict[str, list]:
    server, port = start_server("bench.floor_server", db, timeout_s=300)  # it builds the model first
    try:
        closed_loop(port, bench.bare_requests(), 300)
        closed_loop(port, bench.block_requests(products, seed=2), 1500)
        runs: dict[str, list] = {name: [] for name in ("bare", *STAGES, "best sellers", "mix")}
        for n in range(rounds):
            for name in runs:
                source = (bench.bare_requests() if name == "bare"
                          else bench.block_requests(products, seed=20 + n) if name == "mix"
                          else stage_requests("recommendations" if name == "best sellers" else name))
                runs[name].append(closed_loop(port, source, requests, server=server.pid))
    finally:
        server.terminate()
        server.wait()
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kept", help="the store bench.recommendations --keep FILE imported")
    parser.add_argument("--products", type=int, default=50_000, help="the kept store's products")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--requests", type=int, default=2000, help="per route and round")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.db")
        shutil.copyfile(args.kept, db)
        load_before = os.getloadavg()
        runs = measure(db, args.products, args.rounds, args.requests)
    loads = " → ".join(", ".join(f"{x:.2f}" for x in load) for load in (load_before, os.getloadavg()))
    print(f"machine: {os.cpu_count()} cores, load average (1, 5, 15 min) before → after: {loads}")
    print(f"closed loop, 4 client threads, {args.requests} requests per route and round, median of {args.rounds}")
    cpu = {name: statistics.median(run.server_ms_per_request for run in v) for name, v in runs.items()}
    rate = {name: statistics.median(run.per_second for run in v) for name, v in runs.items()}
    for name in runs:
        print(f"  {name:13s} {rate[name]:7.0f} req/s   server CPU {cpu[name]:6.3f} ms/request"
              f" = {cpu[name] / cpu['bare']:4.2f} x bare   throughput {rate[name] / rate['bare']:4.2f} x bare")
    allowed = cpu["bare"] / TARGET
    print(f"a block may cost {allowed:.3f} ms of server CPU for {TARGET} x the bare route's throughput;"
          f" the door and the page's reads take {cpu['page']:.3f} ms of it, leaving {allowed - cpu['page']:.3f} ms"
          f" to choose and render, where best sellers (a cached list) take {cpu['best sellers'] - cpu['page']:.3f}"
          f" and the mix {cpu['mix'] - cpu['page']:.3f}")


if __name__ == "__main__":
    main()
