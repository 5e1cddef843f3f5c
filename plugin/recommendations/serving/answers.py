"""A block's items from a snapshot: the engine's ladder, topped up, through the snapshot's answer cache.

Answers are cached per request shape and settings until the model or catalog
changes (``Snapshot.changed``) or ``RESULT_TTL_S`` passes, and blocks whose
ranking does not depend on the shopper share one answer across shoppers.
"""

from __future__ import annotations

from dataclasses import replace

from ..engine.blocks import BlockSettings, Request, recommend
from ..engine.filters import Context, is_eligible
from ..engine.rules import is_excluded
from .snapshot import Snapshot

# Blocks whose ladder never reads the shopper (only the already-bought filter does): see ``ranked``.
SHOPPER_FREE = frozenset({"frequently_bought_together", "similar_items", "trending", "best_sellers", "new_arrivals"})
RESULT_CACHE = 4096  # answers kept per shop until the model or catalog changes
RESULT_TTL_S = 60.0  # strategies decay with time: a cached answer is recomputed after this


def _top_up(items: list[str], snap: Snapshot, request: Request, settings: BlockSettings) -> list[str]:
    """Fill a block the ladder left short from the whole catalog, newest first, under the same filters.

    Only reached when the ladder's rungs together had fewer than ``k``
    eligible products (a tiny catalog, a narrow price band, a shopper who
    bought most of the newest products), because the new-arrivals rung ranks
    the ``snapshot.NEWEST`` products only.
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


def own_answer(snap: Snapshot, request: Request, settings: BlockSettings) -> list[str]:
    """This one request's items, computed afresh: the engine's ladder, topped up from the catalog.

    What ``ranked`` must equal for every shopper, however it shares and caches answers.
    """
    return _top_up(recommend(snap.model, request, snap.catalog, settings), snap, request, settings)


def _computed(snap: Snapshot, request: Request, settings: BlockSettings) -> list[str]:
    """The block's ``own_answer``, through the snapshot's result cache.

    Answers are cached per request shape and settings (``BlockSettings.key``) until the model or catalog
    changes, or ``RESULT_TTL_S`` passes (strategies decay with time).
    """
    key = (request.block, request.customer, request.product, request.cart, request.views, request.session,
           request.k, settings.key)
    hit = snap.cache.get(key)
    if hit is not None and request.now - hit[0] < RESULT_TTL_S:
        snap.cache.move_to_end(key)
        return list(hit[1])
    items = own_answer(snap, request, settings)
    snap.cache[key] = (request.now, tuple(items))  # a tuple of strings: out of the collector's sight once seen
    if len(snap.cache) > RESULT_CACHE:
        snap.cache.popitem(last=False)
    return items


def ranked(snap: Snapshot, request: Request, settings: BlockSettings) -> list[str]:
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
