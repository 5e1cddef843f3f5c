"""One recommendation block: its strategy, the fallback ladder, filters and merchant rules.

A block is never empty while the catalog has an eligible product: its own
strategy is tried first, then the block's fallbacks, then best sellers, then
new arrivals, which rank every catalog product. Each rung is computed only if
the rungs above left the block short, and an item appears once, at its
highest rung. Merchant rules apply to every rung; pins go first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from . import strategies as s
from .catalog import CatalogIndex
from .filters import Context, FilterPolicy, is_eligible
from .model import InteractionModel
from .rules import MerchantRules, apply_rules, is_excluded

Rung = Callable[[], list[tuple[str, float]]]

# block -> its own strategy and fallbacks, before best sellers and new arrivals
LADDERS: dict[str, tuple[str, ...]] = {
    "for_you": ("for_you", "trending"),
    "frequently_bought_together": ("frequently_bought_together", "similar_items", "trending"),
    "similar_items": ("similar_items", "frequently_bought_together", "trending"),
    "cart": ("cart", "for_you", "trending"),
    "buy_again": ("buy_again", "for_you", "trending"),
    "recently_viewed": ("recently_viewed", "for_you", "trending"),
    "trending": ("trending",),
    "best_sellers": (),
    "new_arrivals": (),
}
FINAL_RUNGS = ("best_sellers", "new_arrivals")


@dataclass(frozen=True)
class Request:
    """What the storefront asks for. ``views`` are (item, time), ``now`` epoch seconds; ``session``
    is the current session's (item, weight), newest first (``session.session_items``)."""

    block: str
    now: float
    customer: str | None = None
    product: str | None = None
    cart: tuple[str, ...] = ()
    views: tuple[tuple[str, float], ...] = ()
    session: tuple[tuple[str, float], ...] = ()
    k: int = 10


@dataclass(frozen=True)
class BlockSettings:
    """A shop's settings for its blocks; the strategy defaults are the tuned ones."""

    policy: FilterPolicy = FilterPolicy()
    rules: MerchantRules = field(default_factory=MerchantRules)
    for_you: s.ForYouParams = s.ForYouParams()
    cart: s.CartParams = s.CartParams()
    buy_again: s.BuyAgainParams = s.BuyAgainParams()

    @cached_property
    def key(self) -> str:
        """A text naming these settings, for answer caches; worked out once per object.

        Merchant rules hold a dict, so settings cannot be hashed, and the
        ``repr`` of a shop with hundreds of rules costs over 0.1 ms: a cache
        looking it up per request would pay that every time.
        """
        return repr(self)


def fill(rungs: Sequence[Rung], k: int, keep: Callable[[str], bool], pins: Sequence[str] = ()) -> list[str]:
    """Up to ``k`` distinct kept items: pins first, then each rung in turn until full."""
    chosen: list[str] = []
    seen: set[str] = set()

    def take(item: str) -> None:
        if item not in seen:
            seen.add(item)
            if keep(item):
                chosen.append(item)

    for item in pins:
        take(item)
    for rung in rungs:
        if len(chosen) >= k:
            break
        for item, _ in rung():
            take(item)
            if len(chosen) >= k:
                break
    return chosen[:k]


Strategy = Callable[[InteractionModel, Request, "CatalogIndex | None", BlockSettings], list[tuple[str, float]]]
STRATEGIES: dict[str, Strategy] = {
    "for_you": lambda m, r, c, st: s.for_you(m, r.customer, r.now, st.for_you, r.session),
    "frequently_bought_together": lambda m, r, c, st: (
        s.frequently_bought_together(m, r.product, st.cart) if r.product else []
    ),
    "similar_items": lambda m, r, c, st: s.similar_items(m, r.product, c, st.cart) if r.product else [],
    "cart": lambda m, r, c, st: s.complete_the_cart(m, r.cart, st.cart, c),
    "buy_again": lambda m, r, c, st: s.buy_again(m, r.customer, r.now, st.buy_again),
    "recently_viewed": lambda m, r, c, st: s.recently_viewed(r.views),
    "trending": lambda m, r, c, st: s.trending(m),
    "best_sellers": lambda m, r, c, st: s.best_sellers(m),
    "new_arrivals": lambda m, r, c, st: s.new_arrivals(c),
}


def recommend(
    model: InteractionModel,
    request: Request,
    catalog: CatalogIndex | None = None,
    settings: BlockSettings = BlockSettings(),
) -> list[str]:
    """The block's items, best first; with a catalog, fewer than ``k`` only if fewer are eligible."""
    if request.block not in LADDERS:
        raise ValueError(f"unknown block {request.block!r}")
    policy = settings.policy
    if request.block == "buy_again":
        policy = replace(policy, allow_repeats=True)
    purchased = model.purchased(request.customer)
    context = Context(current=request.product, cart=frozenset(request.cart), purchased=purchased)
    names = LADDERS[request.block] + FINAL_RUNGS
    rules = settings.rules
    rungs = [
        (lambda name=name: apply_rules(STRATEGIES[name](model, request, catalog, settings), rules, catalog))
        for name in names
    ]

    def keep(item: str) -> bool:
        return not is_excluded(item, rules, catalog) and is_eligible(item, catalog, policy, context)

    return fill(rungs, request.k, keep, rules.pins)
