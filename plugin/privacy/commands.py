"""``storelift privacy requests|export``: the data requests a shop received, and one export as JSON."""

from __future__ import annotations

import json
import sys

from ..clock import format_ms
from ..services import Services


def _when(epoch_ms: int | None) -> str:
    return "-" if epoch_ms is None else format_ms(epoch_ms)


def _privacy_requests(args) -> int:
    rows = Services.open().store.privacy.list_requests(args.shop)
    if not rows:
        print("no privacy requests")
    for row in rows:
        print(f"{row['id']:>6}  {row['kind']:<24} customer {row['customer_id'] or '-':<22} "
              f"requested {_when(row['requested_at'])}  completed {_when(row['completed_at'])}")
    return 0


def _privacy_export(args) -> int:
    export = Services.open().store.privacy.get_export(args.shop, args.id)
    if export is None:
        print(f"storelift: no data-request export {args.id} for {args.shop}", file=sys.stderr)
        return 2
    print(json.dumps(export, indent=2, sort_keys=True))
    return 0


def register(commands) -> None:
    privacy = commands.add_parser("privacy", help="customer data requests received from the platform")
    privacy_cmds = privacy.add_subparsers(dest="privacy_command", required=True, metavar="ACTION")
    requests_ = privacy_cmds.add_parser("requests", help="data requests and redactions for a shop")
    requests_.add_argument("--shop", required=True)
    requests_.set_defaults(func=_privacy_requests)
    export = privacy_cmds.add_parser("export", help="print one data-request export as JSON")
    export.add_argument("id", type=int)
    export.add_argument("--shop", required=True)
    export.set_defaults(func=_privacy_export)
