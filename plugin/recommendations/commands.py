"""``storelift rebuild``: recompute shops' recommendation models from the tables, and report them."""

from __future__ import annotations

import sys

from ..services import Services
from .serving.api import rebuild


def _rebuild(args) -> int:
    services = Services.open()
    store = services.store
    if args.shop and store.shops.get(args.shop) is None:
        print(f"storelift: {args.shop} is not a shop Storelift knows", file=sys.stderr)
        return 2
    shops = [args.shop] if args.shop else [shop.shop for shop in store.shops.installed()]
    if not shops:
        print("no installed shops")
    for shop in shops:
        report = rebuild(services.models, shop)
        print(f"{shop}: {report.orders} orders, {report.items} products sold, {report.pairs} pairs, "
              f"{report.baskets} recent baskets, {report.products} products available; {report.seconds:.1f} s")
    return 0


def register(commands) -> None:
    rebuild_ = commands.add_parser("rebuild", help="recompute the recommendation model from scratch")
    rebuild_.add_argument("--shop", help="one shop (default: every installed shop)")
    rebuild_.set_defaults(func=_rebuild)
