"""Recommendation strategies: each turns the model (and a request's inputs) into a ranking.

A ranking is a list of (item, score), best first, ties broken by item id.
Strategies do not filter: they may return the current product, cart items or
things the shopper already owns, and ``filters`` removes what a block must not
show. They return more than a block shows so filtering rarely empties them;
the ladder in ``blocks`` covers the rest.

The defaults (``CartParams()``, ``ForYouParams()``, ``BuyAgainParams()``)
are the values chosen on the Online Retail validation split; see
docs/tuning-log.md for the protocol and the search (``plugin.evaluation``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .catalog import CatalogIndex, attribute_similarities
from .decay import decay_factor
from .interactions import DAY
from .model import InteractionModel, rank
from .scatter import marked, summed
from .session import recency_weights
from .similarity import Similarity, power

Ranking = Sequence[tuple[str, float]]  # a list, or for you's lazily named ``IndexRanking``

NEIGHBOURS = 50  # per query item; a cart or a history sums several such lists
PEERS = 100  # catalog peers per group "similar items" scores on attributes (the closest in price)
SIMILAR_ATTRIBUTE_WEIGHT = 0.5
# "Similar items" offers alternatives to the product on the page: a product of another category
# (product type) scores this much lower, so a plate bought with a coffee comes after the other
# coffees. Completing an order with it is "bought together"'s and the cart's job.
SIMILAR_OTHER_CATEGORY_FACTOR = 0.1


@dataclass(frozen=True)
class CartParams:
    """Frequently bought together for one item or a whole cart.

    Item kNN: ``score(j) = sum over cart items i of sim(i, j) ** sharpness``; a
    sharpness above 1 lets one strong link outweigh many weak ones, which is
    what a basket of twenty loosely related items needs. Completing a cart
    mixes it with basket neighbours (``baskets``): the ``basket_neighbours``
    stored baskets most similar to the cart (Jaccard, or cosine) vote with
    similarity ** ``basket_power``; both scores are scaled to a maximum of 1
    and weighted ``1 - basket_weight`` and ``basket_weight`` (0: item kNN
    alone, 1: basket neighbours alone). The votes include the cart's own
    items (every neighbour shares one), which usually set the basket side's
    maximum and which the block's filters then drop: the tuned weight was
    chosen with that scale, so it is kept rather than corrected here.

    With a catalog, a cart is completed with complements, not substitutes: a
    candidate of the same category (product type) as a cart item is scored
    ``same_category_factor`` times lower, unless it was strongly bought with
    that item (in at least ``strong_orders`` orders and ``strong_share`` of
    the item's orders); the best ``substitutes_kept`` of each such category
    keep their place. "Similar items" is the block for substitutes.

    With ``ease`` and a model that carries EASE^R weights (``ease``), EASE^R's
    positive completions of the cart's items within its bound rank first, as
    they did on validation (0.378 against 0.351 without them), and the
    scores above rank the rest after them.
    """

    similarity: Similarity = power(0.5, 0.4)
    neighbours: int = NEIGHBOURS
    sharpness: float = 3.0
    basket_weight: float = 0.3
    basket_neighbours: int = 100
    basket_power: float = 2.0
    basket_jaccard: bool = True
    same_category_factor: float = 0.1
    substitutes_kept: int = 1
    strong_orders: int = 3
    strong_share: float = 0.2
    ease: bool = True


@dataclass(frozen=True)
class ForYouParams:
    """Item-kNN over the shopper's decayed affinities, times a trending prior.

    ``score(j) = sum_i a_i * sim(i, j) ** sharpness * (trend(j) + prior_floor) ** prior_power``
    where ``a_i`` sums the shopper's orders of ``i`` decayed by
    ``affinity_half_life_days`` (None: no decay) and ``trend`` is the model's
    decayed popularity relative to the top item. The prior is multiplicative so
    it reorders only what the shopper's history made relevant, demoting items
    that stopped selling (out of season, discontinued).

    The current session (``session``) scores the same way, its items weighted
    by signal and by ``session_decay`` per step back from the newest; the two
    sums are each scaled to a maximum of 1 and mixed ``1 - session_weight`` to
    ``session_weight``, so a first-time visitor is served from the session
    alone and a known one from both.

    When the model carries RP3beta weights (``rp3``, customers as rows), the
    history's sum adds ``rp3_weight`` times their score of the same
    affinities, each part scaled to a maximum of 1 over the items outside the
    shopper's history (the ones the block shows). A quarter won on validation
    (docs/tuning-log.md); the session's items stay item kNN alone.
    """

    similarity: Similarity = power(0.5, 0.7)
    neighbours: int = NEIGHBOURS
    sharpness: float = 2.0
    affinity_half_life_days: float | None = 90.0
    prior_power: float = 1.0
    prior_floor: float = 0.01
    session_weight: float = 0.8
    session_decay: float = 0.6
    rp3_weight: float = 0.25


@dataclass(frozen=True)
class BuyAgainParams:
    """``score(i) = a_i * repeat_rate(i) ** repeat_power * (trend(i) + prior_floor) ** prior_power``.

    ``a_i`` counts the shopper's orders of ``i`` decayed by ``half_life_days``;
    the repeat rate (share of the item's buyers who rebought it) separates
    consumables from one-offs, and the trending prior drops what no longer sells.
    """

    half_life_days: float | None = None
    repeat_power: float = 0.5
    prior_power: float = 0.1
    prior_floor: float = 0.01


def frequently_bought_together(model: InteractionModel, item: str, params: CartParams = CartParams()) -> Ranking:
    """Items most often in the same order as ``item``, damped for sheer popularity."""
    return list(model.neighbours(item, params.similarity, params.neighbours))


def complete_the_cart(model: InteractionModel, cart: Iterable[str], params: CartParams = CartParams(),
                      catalog: CatalogIndex | None = None) -> Ranking:
    """EASE^R's completions when the model carries its weights and ``params.ease``, then item kNN
    summed over every cart item (each votes once) mixed with basket neighbours; with a catalog,
    substitutes of a cart item are demoted (``CartParams``)."""
    cart = list(dict.fromkeys(cart))
    ranking = _ease_first(model.ease.rank(dict.fromkeys(cart, 1.0)) if params.ease and model.ease else [],
                          _item_knn_and_baskets(model, cart, params))
    if catalog is not None and params.same_category_factor != 1.0:
        return _demote_substitutes(model, cart, ranking, catalog, params)
    return ranking


def _ease_first(ease: Ranking, fallback: Ranking) -> Ranking:
    """EASE^R's items first, then the other scores' for the rest: scaled into (1, 2] and (0, 1].

    The fallback fills what EASE^R leaves: a cart wholly outside its bound,
    items first sold after its fit, fewer than a block of positive scores."""
    if not ease:
        return fallback
    top, rest = ease[0][1], (fallback[0][1] if fallback else 1.0) or 1.0
    scored = {item: 1.0 + score / top for item, score in ease}
    return rank([*scored.items(), *((item, score / rest) for item, score in fallback if item not in scored)])


def _item_knn_and_baskets(model: InteractionModel, cart: list[str], params: CartParams) -> Ranking:
    item_knn: dict[str, float] = {}
    if params.basket_weight < 1.0:
        for item in cart:
            for other, score in model.neighbours(item, params.similarity, params.neighbours):
                item_knn[other] = item_knn.get(other, 0.0) + score**params.sharpness
    if params.basket_weight <= 0.0:
        scores = item_knn
    else:
        votes = model.basket_index.votes(cart, params.basket_neighbours, params.basket_power, params.basket_jaccard)
        scores = _mix(((item_knn, 1.0 - params.basket_weight), (votes, params.basket_weight)))
    return rank(scores.items())


def _demote_substitutes(model: InteractionModel, cart: list[str], ranking: Ranking,
                        catalog: CatalogIndex, params: CartParams) -> Ranking:
    """Scale down candidates sharing a cart item's category but not strongly bought with it, after
    the best ``substitutes_kept`` of each such category."""
    by_category: dict[str, list[str]] = {}
    for item in cart:
        product = catalog.get(item)
        if product is not None and product.category:
            by_category.setdefault(product.category, []).append(item)
    if not by_category:
        return ranking
    kept: dict[str, int] = {}
    demoted = []
    for candidate, score in ranking:
        product = catalog.get(candidate)
        peers = by_category.get(product.category) if product is not None and product.category else None
        if peers and candidate not in peers and not any(_strongly_together(model, p, candidate, params) for p in peers):
            if kept.get(product.category, 0) >= params.substitutes_kept:
                score *= params.same_category_factor
            kept[product.category] = kept.get(product.category, 0) + 1
        demoted.append((candidate, score))
    return rank(demoted)


def _strongly_together(model: InteractionModel, item: str, candidate: str, params: CartParams) -> bool:
    both, orders = model.together(item, candidate)
    return both >= params.strong_orders and both >= params.strong_share * orders


def _mix(parts: Iterable[tuple[dict[str, float], float]]) -> dict[str, float]:
    """The weighted sum of score dicts, each first scaled to a maximum of 1."""
    mixed: dict[str, float] = {}
    for scores, weight in parts:
        top = max(scores.values(), default=0.0) or 1.0
        for item, score in scores.items():
            mixed[item] = mixed.get(item, 0.0) + weight * score / top
    return mixed


def similar_items(
    model: InteractionModel,
    item: str,
    catalog: CatalogIndex | None = None,
    params: CartParams = CartParams(),
    attribute_weight: float = SIMILAR_ATTRIBUTE_WEIGHT,
    other_category_factor: float = SIMILAR_OTHER_CATEGORY_FACTOR,
) -> Ranking:
    """Co-purchase similarity (scaled to [0, 1]) plus weighted catalog-attribute similarity, times
    ``other_category_factor`` for a product of another category than ``item``'s.

    Without a catalog this is co-occurrence alone; for a product nobody bought
    yet it is attributes alone, which is what keeps new products reachable.
    """
    behaviour = dict(model.neighbours(item, params.similarity, params.neighbours))
    top = max(behaviour.values(), default=0.0) or 1.0
    scores = {other: score / top for other, score in behaviour.items()}
    product = catalog.get(item) if catalog is not None else None
    if product is not None:
        peers = [peer for peer in map(catalog.get, set(scores) | catalog.closest_peers(item, PEERS)) if peer is not None]
        category = product.category
        for peer, similarity in zip(peers, attribute_similarities(product, peers)):
            score = scores.get(peer.item, 0.0) + attribute_weight * similarity
            if category and peer.category and peer.category != category:
                score *= other_category_factor
            scores[peer.item] = score
    scores.pop(item, None)
    return rank(scores.items())


def affinities(
    model: InteractionModel, customer: str | None, now: float, half_life_days: float | None
) -> dict[str, float]:
    """The shopper's per-item order counts, each order decayed by its age at ``now``."""
    weights: dict[str, float] = {}
    for time, items in model.history(customer):
        weight = 1.0 if half_life_days is None else decay_factor(now - time, half_life_days * DAY)
        for item in items:
            weights[item] = weights.get(item, 0.0) + weight
    return weights


def _neighbour_sums(model: InteractionModel, weights: dict[str, float],
                    params: ForYouParams) -> tuple[np.ndarray, np.ndarray]:
    """``sum_i a_i * sim(i, j) ** sharpness`` for every neighbour ``j`` of the weighted items: (the
    candidates' indices, ascending; their sums).

    One numpy pass over the items' cached neighbour terms instead of a dict update per pair: a
    known shopper's history (28 items of 50 neighbours each on the 50,000-product benchmark
    store) cost about 2 ms that way. ``bincount`` adds each candidate's terms in the items'
    order, starting from 0.0, as the loop did, so the sums are the same floats.
    """
    indices, terms = [], []
    for item, weight in weights.items():
        found = model.neighbour_terms(item, params.similarity, params.neighbours, params.sharpness)
        if found is not None:
            indices.append(found[0])
            terms.append(weight * found[1])
    if not indices:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return summed(np.concatenate(indices), np.concatenate(terms), len(model))


def _mixed(parts: Sequence[tuple[np.ndarray, np.ndarray, float]], size: int,
           scale_without: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``_mix`` for (indices, scores, weight) parts, indices below ``size`` and distinct within a
    part: each scaled to a maximum of 1 (over the indices not in ``scale_without``: items the
    caller knows a block will drop must not set the scale), summed in order. In vectors of
    ``size`` slots rather than by sorting the union (``scatter``)."""
    mixed, present = np.zeros(size), np.zeros(size, dtype=bool)
    dropped = None if scale_without is None else marked(scale_without, size)
    for candidates, scores, weight in parts:
        scaled = scores if dropped is None else scores[~dropped[candidates]]
        top = (float(scaled.max()) if len(scaled) else 0.0) or 1.0
        mixed[candidates] += weight * scores / top
        present[candidates] = True
    union = np.flatnonzero(present)
    return union, mixed[union]


def _prior(model: InteractionModel, candidates: np.ndarray, params: ForYouParams) -> np.ndarray:
    """``(trend + prior_floor) ** prior_power`` per candidate; powers other than 1 by Python's ``**``."""
    lifted = model.trends_at(candidates) + params.prior_floor
    if params.prior_power == 1.0:
        return lifted
    return np.array([value**params.prior_power for value in lifted.tolist()])


def for_you(
    model: InteractionModel, customer: str | None, now: float, params: ForYouParams = ForYouParams(),
    session: Sequence[tuple[str, float]] = (),
) -> Ranking:
    """Personal ranking from the shopper's history and current session (``session.session_items``,
    newest first); empty for a shopper with neither. The session's own items are left out."""
    owned = affinities(model, customer, now, params.affinity_half_life_days)
    candidates, scores = _neighbour_sums(model, owned, params)
    if model.rp3 is not None and params.rp3_weight and owned:
        candidates, scores = _mixed(((candidates, scores, 1.0), (*model.matrix_terms(model.rp3, owned),
                                                                 params.rp3_weight)),
                                    len(model), scale_without=model.indices(owned))
    if session:
        current, current_scores = _neighbour_sums(model, recency_weights(session, params.session_decay), params)
        viewed = marked(model.indices(item for item, _ in session), len(model))
        kept, kept_now = ~viewed[candidates], ~viewed[current]
        candidates, scores = _mixed(((candidates[kept], scores[kept], 1.0 - params.session_weight),
                                     (current[kept_now], current_scores[kept_now], params.session_weight)),
                                    len(model))
    if params.prior_power:
        scores = scores * _prior(model, candidates, params)
    return model.ranking(candidates, scores)


def buy_again(
    model: InteractionModel, customer: str | None, now: float, params: BuyAgainParams = BuyAgainParams()
) -> Ranking:
    """The shopper's own purchases: often and recently bought, rebought by others, still selling."""
    scores = affinities(model, customer, now, params.half_life_days)
    if params.repeat_power or params.prior_power:
        for item in scores:
            scores[item] *= model.repeat_rate(item) ** params.repeat_power
            scores[item] *= (model.trend(item) + params.prior_floor) ** params.prior_power
    return rank(scores.items())


def trending(model: InteractionModel, limit: int = NEIGHBOURS) -> Ranking:
    """Decayed popularity (the model's ``trend_half_life_days``)."""
    return model.trending(limit)


def best_sellers(model: InteractionModel, limit: int = NEIGHBOURS) -> Ranking:
    return model.best_sellers(limit)


def new_arrivals(catalog: CatalogIndex | None, limit: int | None = None) -> Ranking:
    """Newest products first; every catalog product is ranked, so this rung cannot run dry."""
    if catalog is None:
        return []
    ranking = rank((p.item, p.created_at or 0.0) for p in catalog)
    return ranking if limit is None else ranking[:limit]


def recently_viewed(views: Sequence[tuple[str, float]], limit: int = NEIGHBOURS) -> Ranking:
    """Distinct viewed items, latest view first; ``views`` are (item, time)."""
    latest: dict[str, float] = {}
    for item, time in views:
        if time > latest.get(item, float("-inf")):
            latest[item] = time
    return rank(latest.items())[:limit]
