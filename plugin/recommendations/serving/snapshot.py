"""One shop's model as a serving process holds it: the serving model, and the snapshot built from the tables.

``build`` reads the shop's catalog and every counted order line into a fresh
``Snapshot``; ``feed.tail`` then keeps it current. The snapshot remembers how
far into the change feed it has read and which generation it was built for,
so the registry knows when it must be rebuilt instead.
"""

from __future__ import annotations

import copy
import gc
import time
from dataclasses import dataclass, field, replace

import numpy as np

from ...store import Store
from ..engine import ease, rp3beta
from ..engine.model import InteractionModel
from ..engine.strategies import CartParams
from .catalog import LiveCatalog
from .forks import RETIRED_REBUILD, Layered, LayeredRows, ServingBaskets, SharedLRU
from .rows import Display, orders_from_rows, products_from_rows

SETTLE_ORDERS = 5_000  # above this a built model is frozen out of the garbage collector's sight
SETTLE_EVERY = 10_000  # products, then orders, a build makes between two settles of what it has made so far
NEWEST = 1000  # products the new-arrivals rung ranks (see LiveCatalog)
HISTORY_LIMIT = 20  # a shopper's latest orders the personal strategies read (see ServingModel)


class ServingModel(InteractionModel):
    """The engine's model, with its two whole-catalog rankings memoised between orders.

    ``trending`` and ``best_sellers`` scan every item (tens of milliseconds at
    50,000 products) and are the cold-start rungs of nearly every block; their
    answers change only when an order is added (``version``), and trending's
    scores are relative, so they do not depend on the clock. An order only
    raises the counts of its own items, so ``add_order`` carries each memoised
    ranking over by re-ranking its items and the order's (``_carry_memo``),
    and "for you"'s dense trend counts by writing the order's items' counts
    into a copy (``_carry_dense``): no request after an order pays for a scan.

    ``history`` is the shopper's latest ``HISTORY_LIMIT`` orders: a wholesale
    account with thousands of orders would otherwise cost "for you" hundreds
    of milliseconds per request, and with a 90-day affinity half-life older
    orders weigh little: on the Online Retail protocol the cap moved HR@10 by
    at most 0.001 (for you 0.384 either way, buy again 0.739 → 0.738).
    ``purchased`` (the already-bought filter) still sees every order. Offline
    evaluation uses the plain model.

    Once published it is read by many threads at once and never written
    again: new orders go to a ``fork`` (see ``forks``), whose ``add_order``
    copies each co-count row the order changes before changing it.
    """

    def __init__(self, params=None):
        super().__init__(params)
        self._memo: dict[tuple[str, int], list] = {}
        self._memo_version = -1
        self._dense: np.ndarray | None = None  # ``dense_trends`` at ``_dense_version``, carried like the memo
        self._dense_version = -1
        self.basket_index = ServingBaskets(self.params.basket_per_item)
        self._neighbours = SharedLRU()
        self._order_count = 0  # its own: the ids of counted orders are shared with forks
        self._own_interning = True  # owns ``_ids`` and ``_items`` (see ``fork``)

    def fork(self) -> "ServingModel":
        """A model equal to this one that ``add_order`` may grow while this one is being read."""
        unknown = set(vars(self)) - _FORKABLE
        if unknown:
            raise TypeError(f"the serving model cannot fork {sorted(unknown)}: say in forks.py how they are copied")
        twin = copy.copy(self)
        for name in _PER_ITEM_COUNTS:
            setattr(twin, name, getattr(self, name)[:])  # an array's own copy
        twin._pairs = LayeredRows.over(self._pairs)
        twin._own_interning = False  # ``_ids`` and ``_items`` shared until an order brings a new item
        twin._trend = copy.copy(self._trend)
        twin._trend.grown = dict(self._trend.grown)
        twin._candidates = Layered.over(self._candidates)
        twin._memo = dict(twin._memo)  # copied with its version; request threads only add to a current memo
        twin._histories = Layered.over(self._histories)
        twin._bought = Layered.over(self._bought)
        twin.basket_index = self.basket_index.fork()
        return twin

    def add_order(self, order) -> bool:
        pairs = self._pairs
        if isinstance(pairs, LayeredRows) and order.order_id not in self._seen:  # a fork: copy what it will change
            if not self._own_interning and any(item not in self._ids for item in order.items):
                self._ids, self._items, self._own_interning = dict(self._ids), list(self._items), True
            ids = self._ids
            for item in order.items:
                index = ids.get(item)
                if index is not None:
                    pairs.own(index)
        memo_current, dense_current = self._memo_version == self.version, self._dense_version == self.version
        origin = self._trend.origin
        added = super().add_order(order)
        self._order_count += added
        if added:
            rebased = self._trend.origin != origin
            if memo_current:
                self._carry_memo(order.items, rebased)
            if dense_current:
                self._carry_dense(order.items, rebased)
        return added

    def _carry_memo(self, items: tuple[str, ...], rebased: bool) -> None:
        """The memo as it would be recomputed after an order of ``items``: counts only grow, so a
        ranking's new top is among its old top and the order's items. A moved trend origin
        rescales every decayed count, and rounding may reorder near ties: trending is dropped."""
        ids, carried = self._ids, {}
        sold = [ids[item] for item in items]
        for (name, limit), ranking in self._memo.items():
            if name == "trending" and rebased:
                continue
            among = {ids[item] for item, _ in ranking}.union(sold)
            rank = InteractionModel.trending if name == "trending" else InteractionModel.best_sellers
            carried[(name, limit)] = rank(self, limit, among)
        self._memo, self._memo_version = carried, self.version

    def _carry_dense(self, items: tuple[str, ...], rebased: bool) -> None:
        """``dense_trends`` after an order of ``items``: theirs written into a copy (a few hundred
        KB), which the parent model never sees. A moved origin changed every count: recomputed."""
        if rebased:
            self._dense, self._dense_version = None, -1
            return
        dense, grown, ids = np.zeros(len(self._items)), self._trend.grown, self._ids
        dense[:len(self._dense)] = self._dense
        for index in map(ids.__getitem__, items):
            dense[index] = grown[index]
        self._dense, self._dense_version = dense, self.version

    def dense_trends(self) -> np.ndarray:
        if self._dense_version != self.version:  # read the version first: it is written last
            self._dense, self._dense_version = self._dense_trends(), self.version
        return self._dense

    @property
    def order_count(self) -> int:
        return self._order_count

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


# How ``ServingModel.fork`` treats each part of the model: shared (immutable values such as the read-only
# EASE^R weights, which only a rebuild replaces, or written only in ways
# older readers cannot see: see ``forks``), copied per item, or replaced by the lines of ``fork``. The
# neighbour cache is shared too: each entry carries the version it was computed at, and a model trusts
# only its own version's or an older one's that its items' change versions clear (``InteractionModel._cached``).
_PER_ITEM_COUNTS = ("_baskets", "_orders", "_changed", "_buyers", "_repeat_buyers")
_FORKABLE = frozenset({"params", "version", "_seen", *_PER_ITEM_COUNTS, "_pairs", "_ids", "_items", "_own_interning",
                       "_trend", "_candidates", "_neighbours", "_memo", "_memo_version", "_dense", "_dense_version",
                       "_histories", "_bought", "basket_index", "_order_count", "ease", "rp3"})


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


def settle(full: bool = True) -> None:
    """Exclude a freshly built model from the cyclic garbage collector.

    A large shop's model is millions of dicts and tuples that live as long as
    the process; a full collection walking them pauses every thread for
    100+ ms, which was the whole p99 of block requests. ``gc.freeze`` moves
    what exists now out of the collector's sight (reference counting still
    frees a replaced model: it holds no cycles).

    A build settles what it has made every ``SETTLE_EVERY`` products and
    orders too, after collecting the young generations only (``full=False``).
    Otherwise the collector's own full collections walk the growing catalog
    and model while it builds: on the 50,000-product benchmark store, nine of
    them in one build, each pausing every request thread for 70 to 500 ms.
    """
    gc.collect(2 if full else 1)
    gc.freeze()


def _settle_every(made: int) -> None:
    """``settle`` what a build has made so far, every ``SETTLE_EVERY`` products or orders."""
    if made % SETTLE_EVERY == 0:
        settle(full=False)


@dataclass
class Snapshot:
    """One process's model of one shop, and how far into the change feed it has read.

    Published snapshots are never changed: any number of requests read one
    at once, without a lock. ``feed.tail`` applies new rows to a ``draft``,
    which owns a fork of whatever the rows change and shares the rest, and
    the registry publishes it with one assignment. ``counted`` is shared
    along that line (it only grows, and only the one writer reads it), so a
    draft abandoned half-applied leaves its parent ``broken``: rebuilt next.
    """

    model: ServingModel
    catalog: LiveCatalog
    display: dict[str, Display]
    currency: str | None
    counted: set[str]
    cursor: tuple[int, int]  # the feed's (position, id) read through
    generation: int
    pruned_through: int
    life: int  # the database server's life it was built in (``Recommendations.feed_life``)
    cancelled: set[str] = field(default_factory=set)  # counted, then cancelled: needs a rebuild
    provisional: bool = False  # catalog only, while the real model builds in the background
    broken: bool = False  # an apply failed half-way: needs a rebuild
    last_used: float = field(default_factory=time.monotonic)
    cache: SharedLRU = field(default_factory=SharedLRU)  # answers (see ``answers``), for this snapshot only
    forked: set[str] = field(default_factory=set, repr=False)  # the parts this draft owns

    @property
    def stale(self) -> bool:
        return bool(self.cancelled) or self.broken or self.model.basket_index.retired > RETIRED_REBUILD

    def draft(self) -> "Snapshot":
        """A copy to apply feed rows to, sharing the model and catalog until ``own_model``/``own_catalog``."""
        return replace(self, cancelled=set(self.cancelled), last_used=time.monotonic(), cache=SharedLRU(),
                       forked=set())

    def own_model(self) -> ServingModel:
        """The draft's model, forked from its parent's on first use."""
        if "model" not in self.forked:
            self.forked.add("model")
            self.model = self.model.fork()
        return self.model

    def own_catalog(self) -> tuple[LiveCatalog, dict[str, Display]]:
        """The draft's catalog and display data, copied from its parent's on first use."""
        if "catalog" not in self.forked:
            self.forked.add("catalog")
            self.catalog, self.display = self.catalog.fork(), dict(self.display)
        return self.catalog, self.display


def build(store: Store, shop: str, orders: bool = True, ease_items: int = ease.CART_EASE.max_items) -> Snapshot:
    """A shop's model from the tables. The server's life, the feed cursor and the generation are
    read first, so whatever is written meanwhile is replayed from the feed (adding an order twice
    is a no-op), and a crash meanwhile makes the next read rebuild.

    ``orders=False`` gives the provisional snapshot a large shop serves while its
    model builds in the background: the catalog and an empty model, so blocks
    answer from the cold-start ladder (new arrivals) instead of keeping the
    first shoppers waiting.

    The build also fits the EASE^R weights the cart block ranks with
    (``engine.ease``, on the 4,000 most-ordered items: 64 MB held, about
    twice that and a few seconds while fitting; on ``bench.recommendations``'
    50,000-product store the rebuild went from 23.6 s and a 540 MB peak to
    28.8 s and 684 MB). Forks share them and only the next build refits
    them, so orders applied meanwhile count in the cart block's fallback
    scores only. A build that runs inside a block request passes a smaller
    ``ease_items`` (``registry.INLINE_EASE_ITEMS``), because the fit grows
    with the cube of the items. It also fits RP3beta over every customer's
    purchases (``engine.rp3beta``, which "for you" mixes in), shared and
    refitted the same way: on that store about 12 s more, 45 s and 774 MB.
    """
    rows = store.recommendations
    life = rows.feed_life()
    cursor = rows.last_change(shop)
    generation, pruned = rows.state(shop)
    catalog, display = LiveCatalog(newest=NEWEST), {}
    for n, (product, shown) in enumerate(products_from_rows(rows.catalog(shop)), 1):
        catalog.put(product)
        display[product.item] = shown
        _settle_every(n)
    model = ServingModel()
    counted: set[str] = set()
    if orders:
        baskets = []
        for n, order in enumerate(orders_from_rows(rows.order_lines(shop)), 1):
            model.add_order(order)
            counted.add(order.order_id)
            baskets.append(order.items)
            _settle_every(n)
        model.ease = ease.fit(baskets, replace(ease.CART_EASE, max_items=ease_items))
        del baskets
        model.rp3 = rp3beta.fit_shoppers(model)
        warm(model)
        if model.order_count > SETTLE_ORDERS:
            settle()
    return Snapshot(model=model, catalog=catalog, display=display, currency=rows.currency(shop),
                    counted=counted, cursor=cursor, generation=generation, pruned_through=pruned, life=life,
                    provisional=not orders)
