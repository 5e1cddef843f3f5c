"""The ``storelift`` command: thin wrappers over the library (serve, demo, migrate).

Each command builds what it needs through the same factories the tests use,
prints a clear message for bad input and exits non-zero, and never prints a
secret or token.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import logging
import sys

from .config import ConfigError, load_config
from .store import Store


def server_options(threads: int, proxy_hops: int = 1) -> dict:
    """waitress settings for running behind the platform's proxies and a load balancer.

    The app proxy and webhooks arrive through one proxy hop: trusting its
    X-Forwarded-For gives per-shopper IPs to the storefront rate limits
    (otherwise every shopper would share one bucket). Behind a load balancer
    of your own there is one more hop (``--proxy-hops 2``); trusting more hops
    than there are would let a shopper choose the address they are limited by.
    Sign-up bursts need more than waitress's default 100 connections.
    """
    return {
        "threads": threads,
        "ident": "storelift",
        "trusted_proxy": "*",
        "trusted_proxy_headers": {"x-forwarded-for"},
        "trusted_proxy_count": proxy_hops,
        "connection_limit": 1000,
        "clear_untrusted_proxy_headers": True,
    }


def _serve(args) -> int:
    """Run the app under waitress, a pure-Python production WSGI server.

    waitress rather than gunicorn: it serves many requests on threads in one
    process, which suits SQLite's one-writer model and the thread-local
    connections, runs the same way on every OS, and needs no fork hooks for
    the optional in-process webhook worker.
    """
    import waitress

    app = importlib.import_module("plugin.app").create_app()
    print(f"Storelift serving on http://{args.host}:{args.port}", flush=True)
    waitress.serve(app, host=args.host, port=args.port, **server_options(args.threads, args.proxy_hops))
    return 0


def _migrate(args) -> int:
    config = load_config()
    store = Store(config.db_path)
    applied = store.migrate()
    store.close()
    print(f"applied {len(applied)} migration(s)" + (": " + ", ".join(applied) if applied else ""))
    return 0


def _store() -> Store:
    store = Store(load_config().db_path)
    store.migrate()
    return store


def _worker(args) -> int:
    """A webhook worker process; run as many as you like beside ``serve``."""
    worker = importlib.import_module("webhooks.worker")
    print("storelift worker draining the webhook inbox (Ctrl-C to stop)", flush=True)
    worker.run_process(_store())
    return 0


def _webhooks_list(args) -> int:
    rows = _store().inbox.list(status=args.status, shop=args.shop, limit=args.limit)
    if not rows:
        print("no deliveries")
    for row in rows:
        error = f"  {row['last_error']}" if row["last_error"] else ""
        print(f"{row['id']:>8}  {row['status']:<10} {row['attempts']:>2}  {row['shop']:<32} {row['topic']:<24}{error}")
    return 0


def _webhooks_replay(args) -> int:
    if args.dead == (args.id is not None):
        print("storelift: give a delivery ID or --dead (not both)", file=sys.stderr)
        return 2
    inbox = _store().inbox
    if args.id is not None and inbox.get(args.id) is None:
        print(f"storelift: no delivery with id {args.id}", file=sys.stderr)
        return 2
    count = inbox.replay(args.id, all_dead=args.dead)
    print(f"queued {count} delivery(ies) again")
    return 0


def _webhooks_stats(args) -> int:
    stats = _store().inbox.stats(args.shop)
    if not stats:
        print("no deliveries")
    for topic, counts in sorted(stats.items()):
        print(f"{topic:<28} " + "  ".join(f"{status}={n}" for status, n in sorted(counts.items())))
    return 0


def _sync(args) -> int:
    from .platform.errors import PlatformError
    from .platform.pull import sync_shop
    from .platform.tokens import ShopNotInstalled

    config = load_config()
    try:
        result = sync_shop(config, _store(), args.shop)
    except ShopNotInstalled:
        print(f"storelift: {args.shop} has not installed Storelift (or has uninstalled it)", file=sys.stderr)
        return 2
    except PlatformError as exc:
        print(f"storelift: the store did not answer: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"synced {args.shop}: {result.products} products, {result.orders} orders")
    return 0


def _when(epoch_ms: int | None) -> str:
    from .clock import format_ms

    return "-" if epoch_ms is None else format_ms(epoch_ms)


def _privacy_requests(args) -> int:
    rows = _store().privacy.list_requests(args.shop)
    if not rows:
        print("no privacy requests")
    for row in rows:
        print(f"{row['id']:>6}  {row['kind']:<24} customer {row['customer_id'] or '-':<22} "
              f"requested {_when(row['requested_at'])}  completed {_when(row['completed_at'])}")
    return 0


def _privacy_export(args) -> int:
    import json

    export = _store().privacy.get_export(args.shop, args.id)
    if export is None:
        print(f"storelift: no data-request export {args.id} for {args.shop}", file=sys.stderr)
        return 2
    print(json.dumps(export, indent=2, sort_keys=True))
    return 0


def _after_import(store: Store, shop: str) -> int:
    """Imported buyers get profiles and segments; serving processes rebuild their models with the history."""
    from .people.refresh import rebuild_profiles
    from .recommendations.serving.api import invalidate
    from .clock import now_ms

    people = rebuild_profiles(store, shop, now_ms())
    invalidate(store, shop)
    return people


def _import_orders(args) -> int:
    from tqdm import tqdm

    from .imports.orders import ImportError_, import_orders

    store = _store()
    if store.shops.get(args.shop) is None:
        print(f"storelift: {args.shop} is not a shop Storelift knows (install it first)", file=sys.stderr)
        return 2
    before = store.recommendations.order_count(args.shop)
    with tqdm(unit=" rows", desc="importing", disable=args.quiet, file=sys.stderr) as bar:
        try:
            report = import_orders(store, args.shop, args.file, columns=args.columns, progress=bar.update,
                                   total=lambda rows: setattr(bar, "total", rows))
        except (ImportError_, OSError) as exc:
            print(f"storelift: {exc}", file=sys.stderr)
            if store.recommendations.order_count(args.shop) != before:  # a file failed after others were written
                people = _after_import(store, args.shop)
                print(f"storelift: the orders written before the failure stay; {people} shopper profiles rebuilt",
                      file=sys.stderr)
            return 2
    people = _after_import(store, args.shop)
    print(f"imported {report.orders} orders ({report.lines} lines) from {report.rows} rows; "
          f"{report.new_products} products known only from these orders; {len(report.errors)} rows rejected; "
          f"{people} shopper profiles rebuilt")
    for where, why in report.errors[: args.show_errors]:
        print(f"  {where}: {why}")
    if len(report.errors) > args.show_errors:
        print(f"  … {len(report.errors) - args.show_errors} more" +
              ("" if args.errors else " (write them all with --errors FILE)"))
    if args.errors:
        with open(args.errors, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["line", "error"])
            writer.writerows(report.errors)
    return 0


def _evaluate(args) -> int:
    """The engine's offline scores next to popularity baselines (plugin.evaluation.evaluation)."""
    import time
    from pathlib import Path

    from .evaluation.evaluation import evaluate, format_table

    path = Path(args.file)
    if not path.exists():
        print(f"storelift: {path}: no such file or directory", file=sys.stderr)
        return 2
    if path.is_dir() and not any(p.name.endswith((".csv", ".csv.gz")) for p in path.iterdir()):
        print(f"storelift: {path}: no .csv or .csv.gz files in this folder", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        results = evaluate(path)
    except (OSError, ValueError, KeyError, csv.Error) as exc:  # unreadable, not gzip, bad dates, wrong columns
        print(f"storelift: cannot evaluate {path}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    if not results:
        print(f"storelift: {path}: no orders to evaluate", file=sys.stderr)
        return 2
    print(format_table(results))
    print(f"\n{time.perf_counter() - started:.1f} s")
    return 0


def _rebuild(args) -> int:
    from .recommendations.serving.api import rebuild

    store = _store()
    if args.shop and store.shops.get(args.shop) is None:
        print(f"storelift: {args.shop} is not a shop Storelift knows", file=sys.stderr)
        return 2
    shops = [args.shop] if args.shop else [shop.shop for shop in store.shops.installed()]
    if not shops:
        print("no installed shops")
    for shop in shops:
        report = rebuild(store, shop)
        print(f"{shop}: {report.orders} orders, {report.items} products sold, {report.pairs} pairs, "
              f"{report.baskets} recent baskets, {report.products} products available; {report.seconds:.1f} s")
    return 0


def _demo(args) -> int:
    return importlib.import_module("plugin.demo").run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="storelift", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the app under a production WSGI server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--threads", type=int, default=8)
    serve.add_argument("--proxy-hops", type=int, default=1, choices=range(1, 6), metavar="N",
                       help="proxies in front of Storelift whose X-Forwarded-For is trusted, 1 to 5 (default 1: "
                            "the platform's; waitress would read 0 as 'trust the shopper's own header')")
    serve.set_defaults(func=_serve)

    sync = sub.add_parser("sync", help="pull products and the last 60 days of orders from a shop")
    sync.add_argument("shop")
    sync.set_defaults(func=_sync)

    privacy = sub.add_parser("privacy", help="customer data requests received from the platform")
    privacy_cmds = privacy.add_subparsers(dest="privacy_command", required=True, metavar="ACTION")
    requests_ = privacy_cmds.add_parser("requests", help="data requests and redactions for a shop")
    requests_.add_argument("--shop", required=True)
    requests_.set_defaults(func=_privacy_requests)
    export = privacy_cmds.add_parser("export", help="print one data-request export as JSON")
    export.add_argument("id", type=int)
    export.add_argument("--shop", required=True)
    export.set_defaults(func=_privacy_export)

    imports = sub.add_parser("import", help="import order history or point-of-sale sales from CSV")
    import_cmds = imports.add_subparsers(dest="import_command", required=True, metavar="WHAT")
    orders = import_cmds.add_parser("orders", help="orders from a .csv / .csv.gz file (or a folder of them)")
    orders.add_argument("file")
    orders.add_argument("--shop", required=True)
    orders.add_argument("--columns", help="map headers: order_id=InvoiceNo,… or the preset online-retail")
    orders.add_argument("--errors", help="write every rejected row to this CSV file")
    orders.add_argument("--show-errors", type=int, default=20, help="rejected rows to print (default 20)")
    orders.add_argument("--quiet", action="store_true", help="no progress bar")
    orders.set_defaults(func=_import_orders)

    evaluate = sub.add_parser("evaluate", help="offline scores of the recommendation strategies on a transaction file")
    evaluate.add_argument("file", help="Online Retail .csv/.csv.gz (or a folder of daily files), or one basket per line")
    evaluate.set_defaults(func=_evaluate)

    rebuild = sub.add_parser("rebuild", help="recompute the recommendation model from scratch")
    rebuild.add_argument("--shop", help="one shop (default: every installed shop)")
    rebuild.set_defaults(func=_rebuild)

    demo = sub.add_parser("demo", help="start a simulated store and Storelift, installed, on loopback")
    demo.add_argument("--port", type=int, default=8000, help="Storelift's port")
    demo.add_argument("--store-port", type=int, default=8001, help="the simulated store's port")
    demo.add_argument("--db", default="storelift-demo.db", help="demo database file (recreated)")
    demo.add_argument("--no-wait", action="store_true", help="install, print the URLs and exit")
    demo.add_argument("--verbose", action="store_true", help="show every log line (requests, throttle waits)")
    demo.set_defaults(func=_demo)

    migrate = sub.add_parser("migrate", help="apply pending database migrations")
    migrate.set_defaults(func=_migrate)

    worker = sub.add_parser("worker", help="run a webhook worker process")
    worker.set_defaults(func=_worker)

    webhooks = sub.add_parser("webhooks", help="inspect and replay webhook deliveries")
    hooks = webhooks.add_subparsers(dest="webhooks_command", required=True, metavar="ACTION")
    listing = hooks.add_parser("list", help="recent deliveries, newest first")
    listing.add_argument("--status", choices=("failed", "dead", "pending", "processing", "done", "skipped"))
    listing.add_argument("--shop")
    listing.add_argument("--limit", type=int, default=50)
    listing.set_defaults(func=_webhooks_list)
    replay = hooks.add_parser("replay", help="process a delivery (or every dead one) again")
    replay.add_argument("id", nargs="?", type=int)
    replay.add_argument("--dead", action="store_true", help="replay every dead-lettered delivery")
    replay.set_defaults(func=_webhooks_replay)
    stats = hooks.add_parser("stats", help="deliveries per topic and status")
    stats.add_argument("--shop")
    stats.set_defaults(func=_webhooks_stats)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"storelift: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
