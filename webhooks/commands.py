"""``storelift worker`` and ``storelift webhooks list|replay|stats``: the inbox's worker process and
the merchant's view of deliveries, registered by the webhooks door's part."""

from __future__ import annotations

import sys

from plugin.services import Services

from . import worker


def _worker(args) -> int:
    """A webhook worker process; run as many as you like beside ``serve``."""
    print("storelift worker draining the webhook inbox (Ctrl-C to stop)", flush=True)
    worker.run_process(Services.open().store)
    return 0


def _webhooks_list(args) -> int:
    rows = Services.open().store.inbox.list(status=args.status, shop=args.shop, limit=args.limit)
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
    inbox = Services.open().store.inbox
    if args.id is not None and inbox.get(args.id) is None:
        print(f"storelift: no delivery with id {args.id}", file=sys.stderr)
        return 2
    count = inbox.replay(args.id, all_dead=args.dead)
    print(f"queued {count} delivery(ies) again")
    return 0


def _webhooks_stats(args) -> int:
    stats = Services.open().store.inbox.stats(args.shop)
    if not stats:
        print("no deliveries")
    for topic, counts in sorted(stats.items()):
        print(f"{topic:<28} " + "  ".join(f"{status}={n}" for status, n in sorted(counts.items())))
    return 0


def register(commands) -> None:
    worker_ = commands.add_parser("worker", help="run a webhook worker process")
    worker_.set_defaults(func=_worker)

    webhooks = commands.add_parser("webhooks", help="inspect and replay webhook deliveries")
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
