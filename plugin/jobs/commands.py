"""``storelift jobs list|replay|stats`` and its alias ``storelift webhooks …`` (the inbox kind preset).

The webhook inbox is the runner's first kind, kept in its own table for the intake's speed, so the
inbox commands read ``store.inbox`` and the others ``store.jobs``; both answer in the same shape.
"""

from __future__ import annotations

import sys

from ..services import Services
from .kinds import INBOX_KIND


def _is_inbox(args) -> bool:
    return args.kind == INBOX_KIND


def _jobs_list(args) -> int:
    store = Services.open().store
    if _is_inbox(args):
        rows = [dict(row, kind=row["topic"]) for row in store.inbox.list(status=args.status, shop=args.shop,
                                                                         limit=args.limit)]
    else:
        rows = store.jobs.list(status=args.status, shop=args.shop, kind=args.kind, limit=args.limit)
    if not rows:
        print("no deliveries" if _is_inbox(args) else "no jobs")
    for row in rows:
        error = f"  {row['last_error']}" if row["last_error"] else ""
        print(f"{row['id']:>8}  {row['status']:<10} {row['attempts']:>2}  {row['shop']:<32} {row['kind']:<24}{error}")
    return 0


def _jobs_replay(args) -> int:
    inbox = _is_inbox(args)
    noun = "delivery" if inbox else "job"
    if args.dead == (args.id is not None):
        print(f"storelift: give a {noun} ID or --dead (not both)", file=sys.stderr)
        return 2
    store = Services.open().store
    queue = store.inbox if inbox else store.jobs
    if args.id is not None and queue.get(args.id) is None:
        print(f"storelift: no {noun} with id {args.id}", file=sys.stderr)
        return 2
    count = queue.replay(args.id, all_dead=args.dead)
    print(f"queued {count} {'delivery(ies)' if inbox else 'job(s)'} again")
    return 0


def _jobs_stats(args) -> int:
    store = Services.open().store
    stats = store.inbox.stats(args.shop) if _is_inbox(args) else store.jobs.stats(args.shop)
    if not stats:
        print("no deliveries" if _is_inbox(args) else "no jobs")
    for kind, counts in sorted(stats.items()):
        print(f"{kind:<28} " + "  ".join(f"{status}={n}" for status, n in sorted(counts.items())))
    return 0


def _add_queue_commands(commands, name: str, help_: str, *, inbox: bool) -> None:
    """``storelift jobs …``, and ``storelift webhooks …``: the same commands with the inbox kind preset."""
    noun = "delivery" if inbox else "job"
    parser = commands.add_parser(name, help=help_)
    if inbox:
        parser.set_defaults(kind=INBOX_KIND)
    actions = parser.add_subparsers(dest=f"{name}_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help=f"recent {noun} rows, newest first")
    listing.add_argument("--status", choices=("failed", "dead", "pending", "processing", "done", "skipped"))
    listing.add_argument("--shop")
    listing.add_argument("--limit", type=int, default=50)
    replay = actions.add_parser("replay", help=f"run a {noun} (or every dead one) again")
    replay.add_argument("id", nargs="?", type=int)
    replay.add_argument("--dead", action="store_true", help=f"replay every dead-lettered {noun}")
    stats = actions.add_parser("stats", help=f"{noun} counts per {'topic' if inbox else 'kind'} and status")
    stats.add_argument("--shop")
    for action, func in ((listing, _jobs_list), (replay, _jobs_replay), (stats, _jobs_stats)):
        action.set_defaults(func=func)
        if not inbox:
            action.add_argument("--kind", help=f"only this kind ({INBOX_KIND}: the webhook inbox)")


def register(commands) -> None:
    _add_queue_commands(commands, "jobs", "inspect and replay background jobs and webhook deliveries", inbox=False)
    _add_queue_commands(commands, "webhooks", "inspect and replay webhook deliveries (jobs … --kind webhook)",
                        inbox=True)
