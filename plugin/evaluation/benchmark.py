"""Scale check against the production target: ``python -m plugin.evaluation.benchmark``.

Target: 50,000 products and 1,000,000 order lines rebuilt in <= 60 s and
<= 1 GB peak memory, and <= 5 ms to add one order. The data is synthetic,
shaped like Online Retail (about 21 distinct lines per order, a long tail of
wholesale baskets up to 500 lines, Zipf-like popularity) with some locality:
each order draws from one to three of 500 categories, so pairs repeat the
way real baskets do. Peak memory is the process's maximum resident set, so it
includes the interpreter and the generated orders themselves.
"""

from __future__ import annotations

import argparse
import itertools
import random
import resource
import sys
import time
from collections.abc import Sequence

from ..recommendations.engine import strategies as s
from ..recommendations.engine.interactions import DAY, Order, OrderLine
from ..recommendations.engine.model import InteractionModel


def synthetic_orders(products: int, lines: int, seed: int = 1) -> list[Order]:
    rng = random.Random(seed)
    categories = 500
    members = [list(range(c, products, categories)) for c in range(categories)]
    weights = [list(itertools.accumulate(1.0 / (rank + 1) ** 0.8 for rank in range(len(m)))) for m in members]
    category_weights = list(itertools.accumulate(1.0 / (c + 1) ** 0.5 for c in range(categories)))
    customers = max(1, lines // 90)  # ~4 orders per customer, as in Online Retail
    orders, total, n = [], 0, 0
    while total < lines:
        size = min(500, int(rng.expovariate(1 / 20)) + 1)
        chosen = rng.choices(range(categories), cum_weights=category_weights, k=rng.randint(1, 3))
        items: dict[str, None] = {}
        for _ in range(size * 2):
            c = rng.choice(chosen)
            items[f"p{rng.choices(members[c], cum_weights=weights[c])[0]}"] = None
            if len(items) == size:
                break
        order_lines = tuple(OrderLine(item) for item in items)
        customer = f"c{rng.randrange(customers)}"
        orders.append(Order(f"o{n}", customer, n * 365 * DAY / (lines / 21), order_lines))
        total += len(order_lines)
        n += 1
    return orders


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def run(products: int, lines: int) -> dict[str, float]:
    started = time.perf_counter()
    orders = synthetic_orders(products, lines)
    generated, rss_orders = time.perf_counter(), peak_rss_mb()
    held_out = orders[-1000:]
    model = InteractionModel.from_orders(orders[:-1000])
    rebuilt = time.perf_counter()
    latencies = []
    for order in held_out:
        t = time.perf_counter()
        model.add_order(order)
        latencies.append(time.perf_counter() - t)
    latencies.sort()
    now = held_out[-1].time
    reads = []
    for order in held_out[:200]:
        t = time.perf_counter()
        s.for_you(model, order.customer, now)
        s.complete_the_cart(model, order.items[:5])
        reads.append(time.perf_counter() - t)
    reads.sort()
    return {
        "orders": len(orders),
        "lines": sum(len(o.lines) for o in orders),
        "products seen": len(model),
        "stored pair entries": model.pair_total(),
        "generate s": generated - started,
        "rebuild s": rebuilt - generated,
        "add order mean ms": 1000 * sum(latencies) / len(latencies),
        "add order p99 ms": 1000 * latencies[int(0.99 * len(latencies))],
        "add order max ms": 1000 * latencies[-1],
        "for you + cart read p50 ms (cold cache)": 1000 * reads[len(reads) // 2],
        "peak RSS MB after generating the orders": rss_orders,
        "peak RSS MB": peak_rss_mb(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=50_000)
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    for name, value in run(args.products, args.lines).items():
        print(f"{name:>42}: {value:,.2f}" if isinstance(value, float) else f"{name:>42}: {value:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
