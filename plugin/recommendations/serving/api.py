"""The recommendation blocks' public API: feed changes in, rebuild, and serve a shop's block.

Webhook handlers call ``on_order`` / ``on_product`` (and ``invalidate`` after
bulk writes), the storefront door calls ``recommend_for``, the CLI ``rebuild``. Those that
serve or rebuild take this process's ``Models`` (held by ``Services.models``).

Shoppers are keys of the model's histories: the platform customer id, else
``email:<address>`` for guest orders. A block request names a visitor (whose
person, through identity stitching, may carry both) and maybe the signed
logged-in customer; the first of those keys the model has a history for is used. Blocks
whose ladder has "for you" also read the visitor's current session (one indexed query), so
what the shopper looks at now counts from the next page view.

Every served block gets a ``rec_id``, derived from what it showed, to whom and
on which day, so the same answer keeps the same id (and HTTP ETag) and
impressions, clicks and attributed orders can name the block.
"""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass

from ...clock import now_ms
from ...store import Store
from ..engine.blocks import LADDERS, BlockSettings, Request
from ..engine.session import session_items
from .registry import Models
from .answers import ranked
from .feed import FEED_KEEP_MS, record
from .rows import shopper_key
from .snapshot import build

STRATEGIES = tuple(LADDERS)
MAX_LIMIT = 24
SESSION_IDLE_MS = 30 * 60 * 1000  # the loader starts a new session after 30 minutes idle (widgets/src/loader.js)
SESSION_SIGNALS = 40  # newest signals read per block: enough for ``session.MAX_ITEMS`` distinct items


class UnknownBlock(ValueError):
    """The request names a strategy the engine does not have."""


@dataclass(frozen=True)
class ShopperRequest:
    """A block request as the storefront makes it. ``customer_id`` must be the platform-signed
    logged-in customer, never a value the browser chose (it unlocks purchase history)."""

    block: str
    product_id: str | None = None
    cart: tuple[str, ...] = ()
    visitor_id: str | None = None
    customer_id: str | None = None
    limit: int = 8
    currency: str | None = None
    now: float | None = None  # epoch seconds; default: now
    exclude: tuple[str, ...] = ()  # shown by another block on the page: never again in this one


@dataclass(frozen=True)
class Served:
    """One served block: its items with product data, and the id its impressions and clicks carry."""

    strategy: str
    rec_id: str
    items: list[dict]
    currency: str | None


@dataclass(frozen=True)
class RebuildReport:
    shop: str
    orders: int
    products: int
    items: int
    pairs: int
    baskets: int  # held by the basket-neighbour index
    seconds: float


def on_order(store: Store, shop: str, order_id: str, now: int | None = None) -> None:
    """An order was written (created, paid, updated, cancelled): every serving process applies it.

    Call it in the handler's transaction, after the order is stored. Cheap:
    one insert (and, every ``feed.PRUNE_EVERY`` appends, one prune); the same state
    delivered again adds nothing.
    """
    record(store, shop, "order", order_id, now)


def on_product(store: Store, shop: str, product_id: str, now: int | None = None) -> None:
    """A product was created, updated or deleted: processes re-read it (stock, price, status)."""
    record(store, shop, "product", product_id, now)


def invalidate(store: Store, shop: str, now: int | None = None) -> int:
    """Make every process rebuild the shop's model (after bulk writes that bypass the feed:
    an order import, a sync, a customer redaction). Returns the new generation."""
    now = now_ms() if now is None else now
    return store.recommendations.bump_generation(shop, now, prune_before=now - FEED_KEEP_MS)


def rebuild(models: Models, shop: str) -> RebuildReport:
    """Recompute the shop's model from scratch here, and make every other process do the same."""
    started = time.perf_counter()
    invalidate(models.store, shop)
    snap = build(models.store, shop)
    models.install(shop, snap)
    model = snap.model
    return RebuildReport(shop=shop, orders=model.order_count, products=len(snap.catalog), items=len(model),
                         pairs=model.pair_total(), baskets=len(model.basket_index),
                         seconds=time.perf_counter() - started)


def refresh(models: Models, shop: str) -> int:
    """Bring this process's model of the shop up to date now; returns the model's order count."""
    return models.current(shop).model.order_count


UNREAD = object()  # ``recommend_for``'s person when the caller has not read it


def _customer_keys(store: Store, shop: str, request: ShopperRequest, person) -> tuple[list[str], dict | None]:
    if person is UNREAD:
        person = store.recommendations.shopper(shop, request.visitor_id) if request.visitor_id else None
    keys = [request.customer_id]
    if person is not None:
        keys += [person["customer_id"], shopper_key(None, person["email"])]
    return [k for k in dict.fromkeys(keys) if k], person


def page_session(store: Store, shop: str, requests: list[ShopperRequest], now: float) -> list:
    """This browser's signals of the current session, read once for all of a page's slots, and only when
    one of them can use it (a block whose ladder has "for you").

    One bounded, indexed read (``Events.session_signals``); the window is the
    loader's session, which ends after ``SESSION_IDLE_MS`` without a page.
    Measured on SQLite (2,000 products, 6,000 orders, 25 views): the read
    adds about 0.15 ms and scoring a 20-item session about 0.5 ms to an
    uncached block's p50, inside the 2 ms the session may cost.
    """
    visitor = requests[0].visitor_id if requests else None
    if visitor is None or not any("for_you" in LADDERS[r.block] for r in requests):
        return []
    return store.events.session_signals(shop, visitor, int(now * 1000) - SESSION_IDLE_MS, SESSION_SIGNALS)


def _rec_id(shop: str, who: str, request: ShopperRequest, items: list[str], now: float) -> str:
    day = int(now // 86400)
    text = "\x1f".join([shop, who, request.block, request.product_id or "", ",".join(request.cart),
                        ",".join(items), str(day)])
    return base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()[:12]).decode()


def recommend_for(models: Models, shop: str, request: ShopperRequest,
                  settings: BlockSettings = BlockSettings(), *, person=UNREAD, signals=UNREAD) -> Served:
    """The block's items with product data, best first, never empty while an eligible product exists.

    ``person`` (``store.recommendations.shopper``) and ``signals`` (``page_session``) are the visitor's
    when the caller has read them already, as the storefront does once for all of a page's slots;
    otherwise they are read here."""
    store = models.store
    if request.block not in LADDERS:
        raise UnknownBlock(request.block)
    now = time.time() if request.now is None else request.now
    k = max(1, min(MAX_LIMIT, request.limit))
    excluded = frozenset(request.exclude)
    keys, person = _customer_keys(store, shop, request, person)
    views: tuple[tuple[str, float], ...] = ()
    if request.block == "recently_viewed" and person is not None:
        views = tuple((item, at / 1000.0) for item, at in
                      store.recommendations.product_views(shop, person["person_id"]))
    if signals is UNREAD:
        signals = page_session(store, shop, [request], now)
    if "for_you" not in LADDERS[request.block]:
        signals = []
    snap = models.current(shop)  # published: nothing changes it while this request reads it
    customer = next((key for key in keys if snap.model.history(key)), keys[0] if keys else None)
    session = session_items(signals, snap.model, snap.catalog) if signals else ()
    engine_request = Request(block=request.block, now=now, customer=customer, product=request.product_id,
                             cart=request.cart, views=views, session=session, k=k + len(excluded))
    items = [item for item in ranked(snap, engine_request, settings) if item not in excluded][:k]
    shown = []
    for item in items:
        display = snap.display.get(item)
        if display is not None:
            shown.append({"product_id": item, "title": display.title, "price": display.price,
                          "url": display.url, "image": display.image, "variant_id": display.variant_id})
    currency = request.currency or snap.currency
    who = request.visitor_id or customer or "anonymous"
    rec_id = _rec_id(shop, who, request, [i["product_id"] for i in shown], now)
    return Served(strategy=request.block, rec_id=rec_id, items=shown, currency=currency)
