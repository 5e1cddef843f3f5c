"""One experiment period's outcomes per person, and what they say: what the surface added over its holdout.

Each person exposed in the period counts once, in the arm they were exposed to, with the orders
they placed (not cancelled) in the period's window after their first exposure: every order, not
only those a click window would credit, from every channel that names them (``exposed_orders``).
Conversion is whether they ordered; revenue is compared per currency, never summed across
currencies. Their orders in the year before exposure are CUPED's covariate: their order count for
conversion, their spend in that currency for revenue. Revenue per person is capped at the 99th
percentile of buyers (``stats.winsorize``) so one huge order does not decide the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np

from plugin.clock import DAY_MS
from plugin.store import Period, Store

from .assignment import BUCKETS, TREATED
from .stats import winsorize
from .stats.compare import Comparison, compare

PRE_PERIOD_MS = 365 * DAY_MS


@dataclass(frozen=True)
class Outcomes:
    """Per person, in one order: whether they got the surface, orders in the window and before it,
    and revenue in the window and before it by currency."""

    treated: np.ndarray
    orders: np.ndarray
    pre_orders: np.ndarray
    revenue: dict[str, np.ndarray]
    pre_revenue: dict[str, np.ndarray]


@dataclass(frozen=True)
class Result:
    period: Period
    control_people: int
    treated_people: int
    crossed: int  # people merged in who had been exposed to the other arm (kept in their first)
    conversion: Comparison | None  # None while an arm is empty (nobody yet, or a 0 % holdout)
    revenue: dict[str, Comparison]  # per currency


def outcomes(store: Store, shop: str, period: Period) -> Outcomes:
    """Everyone exposed in the period so far, with what they ordered."""
    return _aggregate(_rows(store, shop, period), None)


def result(store: Store, shop: str, period: Period) -> Result:
    return result_of(period, outcomes(store, shop, period), store.experiments.crossed(shop, period.id))


def history(store: Store, shop: str, period: Period, now: int, points: int = 30) -> list[tuple[int, Result]]:
    """The comparison as it stood at ``points`` moments from the period's start to ``now``: what the
    dashboard's cumulative chart draws. The interval is always valid, so every one of these looks
    was as safe to act on as the last. The rows are read once and cut at each moment."""
    rows, crossed = _rows(store, shop, period), store.experiments.crossed(shop, period.id)
    start = period.started_at
    moments = [start + (now - start) * (n + 1) // points for n in range(points)] if now > start else [now]
    return [(moment, result_of(period, _aggregate(rows, moment), crossed)) for moment in moments]


def _rows(store: Store, shop: str, period: Period) -> list[dict]:
    return store.experiments.exposed_orders(shop, period.id, before_ms=PRE_PERIOD_MS,
                                            after_ms=period.window_days * DAY_MS)


def _aggregate(rows: list[dict], until: int | None) -> Outcomes:
    if until is not None:
        rows = [r for r in rows if r["first_exposed_at"] < until]
    people: dict[str, int] = {}
    treated: list[bool] = []
    for row in rows:
        if row["person_id"] not in people:
            people[row["person_id"]] = len(people)
            treated.append(row["arm"] == TREATED)
    orders, pre_orders = np.zeros(len(people)), np.zeros(len(people))
    revenue: dict[str, np.ndarray] = {}
    pre_revenue: dict[str, np.ndarray] = {}
    for row in rows:
        if row["order_id"] is None or (until is not None and row["created_at"] >= until):
            continue
        index, currency = people[row["person_id"]], row["currency"] or "unknown"
        # The platform dates orders to the second: an order in the second of the first exposure came after it.
        after = row["created_at"] >= row["first_exposed_at"] - row["first_exposed_at"] % 1000
        (orders if after else pre_orders)[index] += 1
        for book in (revenue, pre_revenue):
            book.setdefault(currency, np.zeros(len(people)))
        (revenue if after else pre_revenue)[currency][index] += float(_amount(row["total_price"]))
    return Outcomes(np.array(treated, dtype=bool), orders, pre_orders, revenue, pre_revenue)


def result_of(period: Period, data: Outcomes, crossed: int) -> Result:
    """What ``data`` says about the period: the comparison the dashboard shows (also of simulated shoppers)."""
    control_people, treated_people = int((~data.treated).sum()), int(data.treated.sum())
    if period.control_bps in (0, BUCKETS) or not control_people or not treated_people:
        return Result(period, control_people, treated_people, crossed, None, {})
    share = 1 - period.control_bps / BUCKETS

    def compared(values: np.ndarray, pre: np.ndarray, cap: float | None) -> Comparison:
        return compare(values[~data.treated], values[data.treated], treated_share=share,
                       pre_control=pre[~data.treated], pre_treated=pre[data.treated], cap_percentile=cap)

    conversion = compared((data.orders > 0).astype(float), data.pre_orders, None)
    revenue = {currency: compared(values, data.pre_revenue[currency], winsorize.CAP_PERCENTILE)
               for currency, values in sorted(data.revenue.items()) if values.any()}
    return Result(period, control_people, treated_people, crossed, conversion, revenue)


def _amount(text: str | None) -> Decimal:
    try:
        return Decimal(text or "0")
    except InvalidOperation:
        return Decimal(0)
