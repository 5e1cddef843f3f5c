"""The shopper's current session as weighted items, so "for you" reacts from the next page view.

The loader reports product views, add-to-carts, collection views and searches
(``widgets/src/loader.js``). A first-time visitor has no purchase history, so
without these "for you" could only fall back to trending; with them, the
items the shopper is looking at right now seed the same item-neighbour
scoring a purchase history does (``strategies.for_you``), as session-based
kNN does (Ludewig & Jannach, "Evaluation of session-based recommendation
algorithms", UMUAI 28(4-5), 2018, where recency-weighted session kNN was
among the strongest methods).

Each signal becomes items with a base weight: an add to cart counts more
than a view (it names its product only through its page, so it takes the
product viewed on that page), and a collection view or a search that names a
category stands for that category's best-selling products, at a lower
weight. ``strategies.for_you`` then weighs them by recency within the session.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .catalog import CatalogIndex
from .model import InteractionModel

Signal = tuple[str, str, str]  # (type, subject, page path), newest first: ``Events.session_signals``
SessionItems = tuple[tuple[str, float], ...]  # (item, base weight), newest first

WEIGHTS = {"add_to_cart": 2.0, "product_view": 1.0, "collection_view": 0.5, "search": 0.5}
MAX_ITEMS = 20  # distinct session items kept (the newest): bounds a block's extra work
CATEGORY_SCAN = 200  # members of a named category whose popularity is compared
CATEGORY_ITEMS = 3  # ... of which the best sellers stand for a collection view or a search


def session_items(signals: Iterable[Signal], model: InteractionModel,
                  catalog: CatalogIndex | None) -> SessionItems:
    """The session's distinct items, newest first, each with its strongest signal's weight."""
    signals = list(signals)
    viewed_on = {path: subject for kind, subject, path in signals if kind == "product_view" and subject}
    weights: dict[str, float] = {}
    for kind, subject, path in signals:
        weight = WEIGHTS.get(kind)
        if weight is None:
            continue
        if kind == "add_to_cart":
            items = [viewed_on[path]] if path in viewed_on else []
        elif kind == "product_view":
            items = [subject] if subject else []
        else:
            items = _category_best_sellers(subject, model, catalog)
        for item in items:
            if weight > weights.get(item, 0.0):
                weights[item] = weight
        if len(weights) >= MAX_ITEMS:
            break
    return tuple(weights.items())


def _category_best_sellers(text: str, model: InteractionModel, catalog: CatalogIndex | None) -> list[str]:
    """The most trending products of the category a handle or search names (the phrase, else a word)."""
    if catalog is None or not text:
        return []
    for name in [text, *text.split()]:
        members = catalog.category_members(name, CATEGORY_SCAN)
        if members:
            ranked = sorted(zip(model.trends(members), members), key=lambda pair: (-pair[0], pair[1]))
            return [item for _, item in ranked[:CATEGORY_ITEMS]]
    return []


def recency_weights(session: Sequence[tuple[str, float]], decay: float) -> dict[str, float]:
    """Each session item's base weight times ``decay`` per step back from the newest."""
    return {item: weight * decay**step for step, (item, weight) in enumerate(session)}
