"""Task (d), for you in session: what a returning customer buys next, given the start of their visit.

The first half of each returning test customer's first order after the split
(its known items in line order) is the session, newest last; the rest of the
order, less what the customer bought in training, is the target. The
customer's training history is known, as in task (a). Every method skips the
items it may not show (bought before, or in the session) and is padded with
the same trending order, so HR@10 compares rankings. Ours is "for you" with
the session; the baselines are "for you" without it (history alone) and
"complete the cart" on the session without the history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..recommendations.engine import strategies as s
from ..recommendations.engine.blocks import fill
from ..recommendations.engine.interactions import Order
from ..recommendations.engine.model import InteractionModel
from .metrics import Scores

K = 10

SessionRanker = Callable[[InteractionModel, str, tuple[str, ...], float], s.Ranking]
Query = tuple[str, tuple[str, ...], frozenset[str], set[str]]  # customer, session, bought, target


def session_queries(firsts: Iterable[tuple[Order, set[str]]], model: InteractionModel) -> list[Query]:
    """(customer, session items oldest first, items bought in training, target) per returning customer;
    ``firsts`` is ``evaluation.first_orders``."""
    queries = []
    for order, bought in firsts:
        items = [item for item in order.items if item in model]
        half = len(items) // 2
        session, rest = tuple(items[:half]), items[half:]
        target = {item for item in rest if item not in bought}
        if session and target:
            queries.append((order.customer, session, frozenset(bought), target))
    return queries


def score_session(model: InteractionModel, now: float, queries: list[Query], ranker: SessionRanker) -> dict[str, float]:
    scores = Scores(K)
    for customer, session, bought, target in queries:
        hidden = bought | set(session)
        rungs = [lambda: ranker(model, customer, session, now), lambda: s.trending(model, K + len(hidden))]
        scores.add(fill(rungs, K, lambda item: item not in hidden), target)
    return scores.summary(len(model))


def with_session(params: s.ForYouParams = s.ForYouParams()) -> SessionRanker:
    """Ours: the session's items newest first (the order's later lines are the later views)."""
    return lambda m, c, session, now: s.for_you(m, c, now, params, tuple((i, 1.0) for i in reversed(session)))


def without_session(m: InteractionModel, customer: str, session: tuple[str, ...], now: float) -> s.Ranking:
    return s.for_you(m, customer, now)


def cart_without_history(m: InteractionModel, customer: str, session: tuple[str, ...], now: float) -> s.Ranking:
    return s.complete_the_cart(m, session)
