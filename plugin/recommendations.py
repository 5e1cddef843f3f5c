"""Recommendation blocks: each shop's model in memory, kept current from the store, served with product data.

How the model is kept, and why:

* **In memory, per process, built lazily.** The engine (``plugin.personalization``)
  is pure Python over dicts: a block is answered in about a millisecond from
  memory and would take far longer from SQL. A process builds a shop's model
  on the shop's first block request from the tables themselves (every
  non-cancelled order line in time order, every available product), so a
  model is never more wrong than the tables.
* **Kept current by tailing a change feed.** Webhooks are processed by worker
  processes, not by the process serving the storefront. The order and product
  handlers call ``on_order`` / ``on_product``, which append one row to
  ``rec_changes`` in the handler's own transaction (so a change is in the feed
  exactly when it is in the tables). Before answering, a serving process reads
  the rows after its cursor (one indexed query, usually empty) and applies
  them: a new order is one ``add_order`` (bounded work: the model's pair cap),
  a product is one product re-read. An order processed anywhere is visible on
  the next request everywhere, with no shared memory and no message bus.
* **Rebuilt when increments cannot be exact.** Counts cannot be subtracted, so
  an order cancelled after it was counted marks the model stale; so does a
  moved generation (``invalidate``: ``storelift rebuild``, a bulk import, a
  customer redaction). A small shop rebuilds on the spot; a large one rebuilds
  in a background thread (cancellations at most every ``REBUILD_DEBOUNCE_S``)
  while the old model keeps serving. Order edits that change lines count from
  the next rebuild.
* **``storelift rebuild`` persists a generation, not a model.** It recomputes
  in its own process (timed, so an operator sees what a rebuild costs) and bumps
  ``rec_state.generation``, which makes every serving process rebuild. Models
  are not saved: rebuilding from the tables takes seconds, is always right, and
  a saved copy would be one more thing to keep in step.
* **Bounded memory.** A shop's model not used for ``IDLE_EVICT_S`` is dropped
  (and rebuilt on its next use), so feed rows older than ``FEED_KEEP_MS`` can
  be pruned: no live model can still need them.

Shoppers are keys of the model's histories: the platform customer id, else
``email:<address>`` for guest orders. A block request names a visitor (whose
person, through identity stitching, may carry both) and maybe the signed
logged-in customer; the first of those keys the model has a history for is used.

Every served block gets a ``rec_id``, derived from what it showed, to whom and
on which day, so the same answer keeps the same id (and HTTP ETag) and
impressions, clicks and attributed orders can name the block.
"""

from __future__ import annotations

import base64
import bisect
import gc
import hashlib
import json
import logging
import queue
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from .personalization.blocks import LADDERS, BlockSettings, Request, recommend
from .personalization.catalog import CatalogIndex
from .personalization.strategies import CartParams
from .personalization.filters import Context, is_eligible
from .personalization.interactions import Order, OrderLine, Product
from .personalization.model import InteractionModel
from .personalization.rules import is_excluded
from .store import Store, now_ms

log = logging.getLogger("storelift.recommendations")

STRATEGIES = tuple(LADDERS)
# Blocks whose ladder never reads the shopper (only the already-bought filter does): see ``_ranked``.
SHOPPER_FREE = frozenset({"frequently_bought_together", "similar_items", "trending", "best_sellers", "new_arrivals"})
DAY_MS = 86_400_000
FEED_KEEP_MS = DAY_MS  # feed rows kept; a model idle for IDLE_EVICT_S is rebuilt anyway
PRUNE_EVERY = 1024  # feed ids: every so many appends, the appender prunes old rows
IDLE_EVICT_S = 3600.0
SWEEP_EVERY_S = 60.0
INLINE_REBUILD_ORDERS = 5_000  # below this a rebuild runs in the request (tens of ms)
SETTLE_ORDERS = 5_000  # above this a built model is frozen out of the garbage collector's sight
REBUILD_DEBOUNCE_S = 600.0  # background rebuilds for cancellations, at most this often
RETRY_S = 30.0  # after a failed background build
TAIL_BATCH = 1000
RESULT_CACHE = 4096  # answers kept per shop until the model or catalog changes
RESULT_TTL_S = 60.0  # strategies decay with time: a cached answer is recomputed after this
MAX_LIMIT = 24
NEWEST = 1000  # products the new-arrivals rung ranks (see LiveCatalog)
HISTORY_LIMIT = 20  # a shopper's latest orders the personal strategies read (see ServingModel)


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
class Display:
    title: str
    url: str
    image: str | None
    price: str | None  # decimal string in the shop's currency
    variant_id: str | None  # the only variant (add to cart from the card); None with several


@dataclass(frozen=True)
class RebuildReport:
    shop: str
    orders: int
    products: int
    items: int
    pairs: int
    baskets: int  # held by the basket-neighbour index
    seconds: float


# --------------------------------------------------------------------------- the catalog


class LiveCatalog(CatalogIndex):
    """The engine's ``CatalogIndex`` with a bounded new-arrivals view, for a catalog kept current from the feed.

    Iteration feeds only the new-arrivals rung, which sorts whatever it is
    given: with ``newest`` set, it yields just the ``newest`` most recently
    created products that are published and in stock (kept sorted as products
    change), so the last rung of every block costs the same at 50,000
    products as at 500. ``recommend_for`` tops up the rare block that the
    ladder left short (see ``_top_up``), so no block goes empty because of it.
    """

    def __init__(self, products: Iterable[Product] = (), newest: int | None = None):
        self._newest: list[tuple[float, str]] = []  # (-created_at, item) of shown-able products, sorted
        self.limit = newest
        super().__init__(products)

    @staticmethod
    def _age_key(product: Product) -> tuple[float, str]:
        return (-(product.created_at or 0.0), product.item)

    def put(self, product: Product) -> None:
        super().put(product)
        if product.published and product.in_stock:
            bisect.insort(self._newest, self._age_key(product))

    def remove(self, item: str) -> None:
        old = self.products.get(item)
        if old is None:
            return
        super().remove(item)
        key = self._age_key(old)
        at = bisect.bisect_left(self._newest, key)
        if at < len(self._newest) and self._newest[at] == key:
            del self._newest[at]

    def __iter__(self) -> Iterator[Product]:
        if self.limit is None:
            return super().__iter__()
        return iter([self.products[item] for _, item in self._newest[: self.limit]])

    def newest_first(self) -> Iterator[Product]:
        """Every product, newest first (the full scan behind ``_top_up``)."""
        return iter(sorted(self.products.values(), key=self._age_key))


def safe_link(url: str | None) -> str | None:
    """A URL a storefront may link or load: a site path or http(s); never ``javascript:`` & co."""
    if not url:
        return None
    url = url.strip()
    if url.startswith("/") and not url.startswith("//"):
        return url
    if url.lower().startswith(("https://", "http://")):
        return url
    return None


def _decimal(text: str | None) -> Decimal | None:
    try:
        value = Decimal(text) if text is not None else None
    except InvalidOperation:
        return None
    return value if value is not None and value.is_finite() else None


def product_from_rows(rows: list[tuple]) -> tuple[Product, Display]:
    """One product's ``catalog`` rows (one per variant) → the engine's record and what a block shows.

    In stock: any variant not tracked or with stock, or no variants at all
    (products known only from imported orders). Price: the cheapest in-stock
    variant, else the cheapest. A product without a link (nothing to click)
    is treated as unpublished.
    """
    product_id, title, handle, url, image, vendor, category, tags, created_at = rows[0][:9]
    variants = [(row[9], row[10]) for row in rows if row[9] is not None or row[10] is not None]
    variant_ids = [row[11] for row in rows if row[11] is not None]
    in_stock = not variants or any(quantity is None or quantity > 0 for _, quantity in variants)
    prices = [(p, text) for text, quantity in variants if (p := _decimal(text)) is not None
              and (quantity is None or quantity > 0 or not in_stock)]
    price = min(prices)[1] if prices else None
    link = safe_link(url) or (f"/products/{handle}" if handle else None)
    product = Product(
        item=product_id, category=category or None, vendor=vendor or None,
        tags=frozenset(json.loads(tags or "[]")), price=float(min(prices)[0]) if prices else None,
        published=link is not None, in_stock=in_stock,
        created_at=created_at / 1000.0 if created_at is not None else None,
    )
    return product, Display(title=title or "", url=link or "", image=safe_link(image), price=price,
                            variant_id=variant_ids[0] if len(variant_ids) == 1 else None)


def _grouped(rows: Iterable[tuple]) -> Iterator[list[tuple]]:
    """Consecutive rows sharing their first column."""
    batch: list[tuple] = []
    for row in rows:
        if batch and row[0] != batch[0][0]:
            yield batch
            batch = []
        batch.append(row)
    if batch:
        yield batch


def shopper_key(customer_id: str | None, email: str | None) -> str | None:
    """Whose history an order joins: the customer id, else the (lowercased) email."""
    if customer_id:
        return customer_id
    return "email:" + email.strip().lower() if email and email.strip() else None


def _line(product_id: str, quantity, price) -> OrderLine:
    value = _decimal(price)
    return OrderLine(item=product_id, quantity=float(quantity or 1), price=float(value) if value is not None else None)


def orders_from_rows(rows: Iterable[tuple]) -> Iterator[Order]:
    """``order_lines``/``orders_of`` rows → the engine's orders (times in epoch seconds)."""
    for batch in _grouped(rows):
        order_id, customer_id, email, at = batch[0][:4]
        lines = tuple(_line(row[4], row[5], row[6]) for row in batch if row[4] is not None)
        yield Order(order_id=order_id, customer=shopper_key(customer_id, email),
                    time=(at or 0) / 1000.0, lines=lines)


# --------------------------------------------------------------------------- one shop's state


class ServingModel(InteractionModel):
    """The engine's model, with its two whole-catalog rankings memoised between orders.

    ``trending`` and ``best_sellers`` scan every item (tens of milliseconds at
    50,000 products) and are the cold-start rungs of nearly every block; their
    answers change only when an order is added (``version``), and trending's
    scores are relative, so they do not depend on the clock.

    ``history`` is the shopper's latest ``HISTORY_LIMIT`` orders: a wholesale
    account with thousands of orders would otherwise cost "for you" hundreds
    of milliseconds per request, and with a 90-day affinity half-life older
    orders weigh little: on the Online Retail protocol the cap moved HR@10 by
    at most 0.001 (for you 0.384 either way, buy again 0.739 → 0.738).
    ``purchased`` (the already-bought filter) still sees every order. Offline
    evaluation uses the plain model.
    """

    def __init__(self, params=None):
        super().__init__(params)
        self._memo: dict[tuple[str, int], list] = {}
        self._memo_version = -1

    def _memoised(self, name: str, limit: int, compute) -> list[tuple[str, float]]:
        if self._memo_version != self.version:
            self._memo, self._memo_version = {}, self.version
        found = self._memo.get((name, limit))
        if found is None:
            found = self._memo[(name, limit)] = compute(limit)
        return list(found)

    def trending(self, limit: int) -> list[tuple[str, float]]:
        return self._memoised("trending", limit, super().trending)

    def history(self, customer: str | None) -> list[tuple[float, tuple[str, ...]]]:
        return super().history(customer)[-HISTORY_LIMIT:]

    def best_sellers(self, limit: int) -> list[tuple[str, float]]:
        return self._memoised("best_sellers", limit, super().best_sellers)


def warm(model: InteractionModel) -> None:
    """Work out every item's neighbour candidates now, not in the first requests.

    A popular item's candidates are the top of tens of thousands of partners:
    milliseconds each, and "for you" reads a dozen items at once. The model
    keeps them until the item sells again, so after a build every read is warm
    (a few seconds more at 50,000 products, about 40 MB).
    """
    similarity = CartParams().similarity
    for item in model.items:
        model.neighbours(item, similarity, 1)


def settle() -> None:
    """Exclude a freshly built model from the cyclic garbage collector.

    A large shop's model is millions of dicts and tuples that live as long as
    the process; a full collection walking them pauses every thread for
    100+ ms, which was the whole p99 of block requests. ``gc.freeze`` moves
    what exists now out of the collector's sight (reference counting still
    frees a replaced model: it holds no cycles).
    """
    gc.collect()
    gc.freeze()


@dataclass
class Snapshot:
    """One process's model of one shop, and how far into the change feed it has read."""

    model: InteractionModel
    catalog: LiveCatalog
    display: dict[str, Display]
    currency: str | None
    counted: set[str]
    cursor: int
    generation: int
    pruned_through: int
    cancelled: set[str] = field(default_factory=set)  # counted, then cancelled: needs a rebuild
    provisional: bool = False  # catalog only, while the real model builds in the background
    version: int = 0
    last_used: float = field(default_factory=time.monotonic)
    cache: OrderedDict = field(default_factory=OrderedDict)

    @property
    def stale(self) -> bool:
        return bool(self.cancelled)

    def changed(self) -> None:
        self.version += 1
        self.cache.clear()


def build(store: Store, shop: str, orders: bool = True) -> Snapshot:
    """A shop's model from the tables. The feed cursor and generation are read first, so
    whatever is written meanwhile is replayed from the feed (adding an order twice is a no-op).

    ``orders=False`` gives the provisional snapshot a large shop serves while its
    model builds in the background: the catalog and an empty model, so blocks
    answer from the cold-start ladder (new arrivals) instead of keeping the
    first shoppers waiting.
    """
    rows = store.recommendations
    cursor = rows.last_change(shop)
    generation, pruned = rows.state(shop)
    catalog, display = LiveCatalog(newest=NEWEST), {}
    for batch in _grouped(rows.catalog(shop)):
        product, shown = product_from_rows(batch)
        catalog.put(product)
        display[product.item] = shown
    model = ServingModel()
    counted: set[str] = set()
    if orders:
        for order in orders_from_rows(rows.order_lines(shop)):
            model.add_order(order)
            counted.add(order.order_id)
        warm(model)
        if model.order_count > SETTLE_ORDERS:
            settle()
    return Snapshot(model=model, catalog=catalog, display=display, currency=rows.currency(shop),
                    counted=counted, cursor=cursor, generation=generation, pruned_through=pruned,
                    provisional=not orders)


def _apply_orders(store: Store, shop: str, snap: Snapshot, order_ids: list[str]) -> None:
    rows = store.recommendations.orders_of(shop, order_ids)
    cancelled = {row[0] for row in rows if row[7] is not None}
    for order in orders_from_rows(rows):
        if order.order_id in cancelled:
            if order.order_id in snap.counted:
                snap.cancelled.add(order.order_id)
        elif order.order_id not in snap.counted:
            snap.model.add_order(order)
            snap.counted.add(order.order_id)


def _apply_products(store: Store, shop: str, snap: Snapshot, product_ids: list[str]) -> None:
    found = set()
    for batch in _grouped(store.recommendations.catalog_of(shop, product_ids)):
        product, shown = product_from_rows(batch)
        snap.catalog.put(product)
        snap.display[product.item] = shown
        found.add(product.item)
    for product_id in set(product_ids) - found:  # deleted, archived, unpublished
        snap.catalog.remove(product_id)
        snap.display.pop(product_id, None)


def tail(store: Store, shop: str, snap: Snapshot) -> int:
    """Apply the feed rows after the snapshot's cursor; returns how many were read."""
    read = 0
    while True:
        changes = store.recommendations.changes_since(shop, snap.cursor, TAIL_BATCH)
        if not changes:
            return read
        orders = [ref for _, kind, ref in changes if kind == "order"]
        products = list(dict.fromkeys(ref for _, kind, ref in changes if kind == "product"))
        if orders:
            _apply_orders(store, shop, snap, orders)
        if products:
            _apply_products(store, shop, snap, products)
        snap.cursor = changes[-1][0]
        snap.changed()
        read += len(changes)
        if len(changes) < TAIL_BATCH:
            return read


# --------------------------------------------------------------------------- per-process registry


class _Slot:
    def __init__(self) -> None:
        self.lock = threading.RLock()  # guards the snapshot: the model is not safe to read while it grows
        self.snapshot: Snapshot | None = None
        self.building = False
        self.last_rebuild = 0.0


class _Registry:
    """Every shop's slot for one store (one database), and the background rebuilder."""

    def __init__(self) -> None:
        self.slots: dict[str, _Slot] = {}
        self.lock = threading.Lock()
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.worker: threading.Thread | None = None
        self.swept = time.monotonic()

    def slot(self, shop: str) -> _Slot:
        with self.lock:
            slot = self.slots.get(shop)
            if slot is None:
                slot = self.slots[shop] = _Slot()
            now = time.monotonic()
            if now - self.swept > SWEEP_EVERY_S:
                self.swept = now
                for other in self.slots.values():
                    snap = other.snapshot
                    if other is not slot and snap is not None and now - snap.last_used > IDLE_EVICT_S:
                        other.snapshot = None  # memory back; rebuilt on next use
            return slot


_registries: "weakref.WeakKeyDictionary[Store, _Registry]" = weakref.WeakKeyDictionary()
_registries_lock = threading.Lock()


def _registry(store: Store) -> _Registry:
    with _registries_lock:
        found = _registries.get(store)
        if found is None:
            found = _registries[store] = _Registry()
        return found


def _rebuild_in_background(store: Store, shop: str, slot: _Slot) -> None:
    """Queue a rebuild on the process's one rebuilder thread (one connection, one build at a time)."""
    if slot.building:
        return
    slot.building = True
    registry = _registry(store)
    registry.jobs.put((weakref.ref(store), shop, slot))
    with registry.lock:
        if registry.worker is None or not registry.worker.is_alive():
            registry.worker = threading.Thread(target=_rebuilder, args=(registry.jobs,), daemon=True,
                                               name="storelift-recs-rebuild")
            registry.worker.start()


def _rebuilder(jobs: queue.SimpleQueue) -> None:
    while True:
        ref, shop, slot = jobs.get()
        store = ref()
        if store is None:
            slot.building = False
            continue
        try:
            fresh = build(store, shop)
            with slot.lock:
                tail(store, shop, fresh)
                slot.snapshot = fresh
                slot.last_rebuild = time.monotonic()
        except Exception:  # a failed rebuild leaves the old model serving; retried after RETRY_S
            log.exception("background rebuild of %s failed", shop)
            slot.last_rebuild = time.monotonic()
        finally:
            slot.building = False
        del store


def _needs_rebuild(store: Store, shop: str, snap: Snapshot) -> bool:
    generation, pruned = store.recommendations.state(shop)
    return generation != snap.generation or pruned > snap.cursor


@contextmanager
def _current(store: Store, shop: str) -> Iterator[Snapshot]:
    """The shop's up-to-date snapshot, held under its lock for the duration of the block."""
    slot = _registry(store).slot(shop)
    with slot.lock:
        snap = slot.snapshot
        if snap is None or time.monotonic() - snap.last_used > IDLE_EVICT_S:
            if store.recommendations.order_count(shop) <= INLINE_REBUILD_ORDERS:
                snap = slot.snapshot = build(store, shop)  # first use: the caller waits (tens of ms)
                slot.last_rebuild = time.monotonic()
            else:  # seconds of work: serve the catalog meanwhile
                snap = slot.snapshot = build(store, shop, orders=False)
                _rebuild_in_background(store, shop, slot)
        elif snap.provisional:
            tail(store, shop, snap)
            if not slot.building and time.monotonic() - slot.last_rebuild > RETRY_S:  # the build failed
                _rebuild_in_background(store, shop, slot)
        else:
            moved = _needs_rebuild(store, shop, snap)
            tail(store, shop, snap)
            if moved or snap.stale:
                small = snap.model.order_count <= INLINE_REBUILD_ORDERS
                if small:
                    snap = slot.snapshot = build(store, shop)
                    slot.last_rebuild = time.monotonic()
                elif moved or time.monotonic() - slot.last_rebuild > REBUILD_DEBOUNCE_S:
                    _rebuild_in_background(store, shop, slot)
        snap.last_used = time.monotonic()
        yield snap


# --------------------------------------------------------------------------- the public API


def on_order(store: Store, shop: str, order_id: str, now: int | None = None) -> None:
    """An order was written (created, paid, updated, cancelled): every serving process applies it.

    Call it in the handler's transaction, after the order is stored. Cheap:
    one insert (and, every ``PRUNE_EVERY`` appends, one prune); the same state
    delivered again adds nothing.
    """
    _record(store, shop, "order", order_id, now)


def on_product(store: Store, shop: str, product_id: str, now: int | None = None) -> None:
    """A product was created, updated or deleted: processes re-read it (stock, price, status)."""
    _record(store, shop, "product", product_id, now)


def _record(store: Store, shop: str, kind: str, ref: str, now: int | None) -> None:
    now = now_ms() if now is None else now
    change = store.recommendations.record_change(shop, kind, ref, now)
    if change is not None and change % PRUNE_EVERY == 0:
        store.recommendations.prune_changes(shop, now - FEED_KEEP_MS, now)


def invalidate(store: Store, shop: str, now: int | None = None) -> int:
    """Make every process rebuild the shop's model (after bulk writes that bypass the feed:
    an order import, a sync, a customer redaction). Returns the new generation."""
    now = now_ms() if now is None else now
    return store.recommendations.bump_generation(shop, now, prune_before=now - FEED_KEEP_MS)


def rebuild(store: Store, shop: str) -> RebuildReport:
    """Recompute the shop's model from scratch here, and make every other process do the same."""
    started = time.perf_counter()
    invalidate(store, shop)
    snap = build(store, shop)
    slot = _registry(store).slot(shop)
    with slot.lock:
        slot.snapshot = snap
        slot.last_rebuild = time.monotonic()
    model = snap.model
    return RebuildReport(shop=shop, orders=model.order_count, products=len(snap.catalog), items=len(model),
                         pairs=model.pair_total(), baskets=len(model.basket_index),
                         seconds=time.perf_counter() - started)


def refresh(store: Store, shop: str) -> int:
    """Bring this process's model of the shop up to date now; returns the model's order count."""
    with _current(store, shop) as snap:
        return snap.model.order_count


def _customer_keys(store: Store, shop: str, request: ShopperRequest) -> tuple[list[str], dict | None]:
    person = store.recommendations.shopper(shop, request.visitor_id) if request.visitor_id else None
    keys = [request.customer_id]
    if person is not None:
        keys += [person["customer_id"], shopper_key(None, person["email"])]
    return [k for k in dict.fromkeys(keys) if k], person


def _rec_id(shop: str, who: str, request: ShopperRequest, items: list[str], now: float) -> str:
    day = int(now // 86400)
    text = "\x1f".join([shop, who, request.block, request.product_id or "", ",".join(request.cart),
                        ",".join(items), str(day)])
    return base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()[:12]).decode()


def _top_up(items: list[str], snap: Snapshot, request: Request, settings: BlockSettings) -> list[str]:
    """Fill a block the ladder left short from the whole catalog, newest first, under the same filters.

    Only reached when the ladder's rungs together had fewer than ``k``
    eligible products (a tiny catalog, a narrow price band, a shopper who
    bought most of the newest products), because the new-arrivals rung ranks
    the ``NEWEST`` products only.
    """
    if len(items) >= request.k:
        return items
    policy = settings.policy
    if request.block == "buy_again":
        policy = replace(policy, allow_repeats=True)
    context = Context(current=request.product, cart=frozenset(request.cart),
                      purchased=snap.model.purchased(request.customer))
    chosen = list(items)
    seen = set(items)
    for product in snap.catalog.newest_first():
        item = product.item
        if item in seen or is_excluded(item, settings.rules, snap.catalog):
            continue
        if is_eligible(item, snap.catalog, policy, context):
            chosen.append(item)
            if len(chosen) >= request.k:
                break
    return chosen


def _computed(snap: Snapshot, request: Request, settings: BlockSettings) -> list[str]:
    """The block's items from the engine (plus ``_top_up``), through the snapshot's result cache.

    Answers are cached per request shape and settings (``BlockSettings.key``) until the model or catalog
    changes, or ``RESULT_TTL_S`` passes (strategies decay with time).
    """
    key = (request.block, request.customer, request.product, request.cart, request.views, request.k,
           settings.key)
    hit = snap.cache.get(key)
    if hit is not None and request.now - hit[0] < RESULT_TTL_S:
        snap.cache.move_to_end(key)
        return hit[1]
    items = _top_up(recommend(snap.model, request, snap.catalog, settings), snap, request, settings)
    snap.cache[key] = (request.now, items)
    if len(snap.cache) > RESULT_CACHE:
        snap.cache.popitem(last=False)
    return items


def _ranked(snap: Snapshot, request: Request, settings: BlockSettings) -> list[str]:
    """The block's items. Blocks whose ranking does not depend on the shopper share one answer.

    In the ladders of ``SHOPPER_FREE`` blocks the shopper only matters through
    the already-bought filter, so a shopper's answer is the anonymous answer
    for ``2k`` items with their ineligible items removed, whenever that leaves
    ``k`` (or the anonymous answer ran out of products, so nothing was cut):
    exactly what the engine would return, from a cache every shopper shares.
    """
    if request.block not in SHOPPER_FREE:
        return _computed(snap, request, settings)
    wide = _computed(snap, replace(request, customer=None, k=2 * request.k), settings)
    if request.customer is None:
        return wide[: request.k]
    policy = settings.policy
    context = Context(current=request.product, cart=frozenset(request.cart),
                      purchased=snap.model.purchased(request.customer))
    kept = [item for item in wide if is_eligible(item, snap.catalog, policy, context)]
    if len(kept) >= request.k or len(wide) < 2 * request.k:
        return kept[: request.k]
    return _computed(snap, request, settings)


def recommend_for(store: Store, shop: str, request: ShopperRequest,
                  settings: BlockSettings = BlockSettings()) -> Served:
    """The block's items with product data, best first, never empty while an eligible product exists."""
    if request.block not in LADDERS:
        raise UnknownBlock(request.block)
    now = time.time() if request.now is None else request.now
    k = max(1, min(MAX_LIMIT, request.limit))
    excluded = frozenset(request.exclude)
    keys, person = _customer_keys(store, shop, request)
    views: tuple[tuple[str, float], ...] = ()
    if request.block == "recently_viewed" and person is not None:
        views = tuple((item, at / 1000.0) for item, at in
                      store.recommendations.product_views(shop, person["person_id"]))
    with _current(store, shop) as snap:
        customer = next((key for key in keys if snap.model.history(key)), keys[0] if keys else None)
        engine_request = Request(block=request.block, now=now, customer=customer, product=request.product_id,
                                 cart=request.cart, views=views, k=k + len(excluded))
        items = [item for item in _ranked(snap, engine_request, settings) if item not in excluded][:k]
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


def attributed_orders(store: Store, shop: str, since: int, until: int, window_ms: int = DAY_MS) -> list[dict]:
    """Order lines attributed to the block (``rec_id``) whose click preceded them (see the store query)."""
    return store.recommendations.attributed(shop, since, until, window_ms)
