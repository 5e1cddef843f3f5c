"""``storelift sync SHOP``: pull a shop's catalog and recent orders by hand (``pull.sync_shop``)."""

from __future__ import annotations

import sys

from ..services import Services
from .errors import PlatformError
from .pull import sync_shop
from .tokens import ShopNotInstalled


def _sync(args) -> int:
    services = Services.open()
    try:
        result = sync_shop(services.config, services.store, args.shop)
    except ShopNotInstalled:
        print(f"storelift: {args.shop} has not installed Storelift (or has uninstalled it)", file=sys.stderr)
        return 2
    except PlatformError as exc:
        print(f"storelift: the store did not answer: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"synced {args.shop}: {result.products} products, {result.orders} orders")
    return 0


def register(commands) -> None:
    sync = commands.add_parser("sync", help="pull products and the last 60 days of orders from a shop")
    sync.add_argument("shop")
    sync.set_defaults(func=_sync)
