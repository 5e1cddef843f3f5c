"""``storelift import orders``: order history from CSV files, then profiles and models brought up to date."""

from __future__ import annotations

import csv
import sys

from ..people.refresh import rebuild_profiles
from ..recommendations.serving.api import invalidate
from ..services import Services
from ..clock import now_ms
from ..store import Store
from .orders import ImportError_, import_orders


def _after_import(store: Store, shop: str) -> int:
    """Imported buyers get profiles and segments; serving processes rebuild their models with the history."""
    people = rebuild_profiles(store, shop, now_ms())
    invalidate(store, shop)
    return people


def _import_orders(args) -> int:
    from tqdm import tqdm

    store = Services.open().store
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


def register(commands) -> None:
    imports = commands.add_parser("import", help="import order history or point-of-sale sales from CSV")
    import_cmds = imports.add_subparsers(dest="import_command", required=True, metavar="WHAT")
    orders = import_cmds.add_parser("orders", help="orders from a .csv / .csv.gz file (or a folder of them)")
    orders.add_argument("file")
    orders.add_argument("--shop", required=True)
    orders.add_argument("--columns", help="map headers: order_id=InvoiceNo,… or the preset online-retail")
    orders.add_argument("--errors", help="write every rejected row to this CSV file")
    orders.add_argument("--show-errors", type=int, default=20, help="rejected rows to print (default 20)")
    orders.add_argument("--quiet", action="store_true", help="no progress bar")
    orders.set_defaults(func=_import_orders)
