"""Simulated shoppers: who buys in an experiment's window, for how much, and what they spent before.

One population model behind both the holdout benchmark (``bench/holdout_sim.py``: are the intervals
honest when a merchant looks every day?) and the demo's simulated dashboard (``simulated.py``).

The figures: 3 % buy in the window. 2 % of people are a store's regulars, who buy with probability
0.70 and made on average 4 orders in the pre-period; everyone else buys with probability 0.0163 and
made 0.05 orders. Each person has a usual basket, lognormal with mean 60 and sigma 1 on the log
scale (a heavy tail: the top 1 % of buyers spend 10 times the median), and each order is that basket
times a lognormal jitter (sigma 0.3). Pre-period spend is orders times basket times jitter; it
correlates with revenue in the window at about 0.45 and with conversion at about 0.28, which is what
CUPED works on. The surface multiplies a treated person's buying probability by ``1 + lift``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BASE_RATE = 0.03
REGULARS = 0.02
REGULAR_RATE = 0.70
OTHER_RATE = (BASE_RATE - REGULARS * REGULAR_RATE) / (1 - REGULARS)
REGULAR_PRE_ORDERS = 4.0
OTHER_PRE_ORDERS = 0.05
BASKET_MEAN = 60.0
BASKET_SIGMA = 1.0
ORDER_JITTER = 0.3


@dataclass(frozen=True)
class Shoppers:
    """Per person (arrays of the drawn shape)."""

    buys: np.ndarray  # would buy without the surface
    buys_with_lift: np.ndarray  # buys as their arm has it: the same draw, the treated with the lift
    order: np.ndarray  # what their order in the window comes to (whether or not they buy)
    pre_orders: np.ndarray  # orders before the window
    pre: np.ndarray  # spend before the window


def draw(rng: np.random.Generator, treated: np.ndarray, lift: float, rate_scale: float = 1.0) -> Shoppers:
    """People of ``treated``'s shape; ``rate_scale`` scales everyone's buying probability (people who
    left a cart are likelier buyers than the average visitor)."""
    shape = treated.shape
    regular = rng.random(shape) < REGULARS
    rate = np.minimum(np.where(regular, REGULAR_RATE, OTHER_RATE) * rate_scale, 1.0)
    chance = rng.random(shape)
    buys = chance < rate
    buys_with_lift = chance < rate * np.where(treated, 1 + lift, 1.0)
    del chance
    basket = np.exp(np.log(BASKET_MEAN) - BASKET_SIGMA**2 / 2 + BASKET_SIGMA * rng.standard_normal(shape))
    jitter = np.exp(-(ORDER_JITTER**2) / 2 + ORDER_JITTER * rng.standard_normal(shape))
    pre_orders = rng.poisson(np.where(regular, REGULAR_PRE_ORDERS, OTHER_PRE_ORDERS))
    pre = pre_orders * basket * jitter
    order = basket * np.exp(-(ORDER_JITTER**2) / 2 + ORDER_JITTER * rng.standard_normal(shape))
    return Shoppers(buys, buys_with_lift, order, pre_orders.astype(float), pre)


def conversion_lift(lift: float, rate_scale: float = 1.0) -> float:
    """The true difference in conversion (a share of people) that ``draw`` builds in: each kind of
    shopper's buying probability, capped at 1, with and without the lift."""

    def gained(rate: float) -> float:
        return min(rate * rate_scale * (1 + lift), 1.0) - min(rate * rate_scale, 1.0)

    return REGULARS * gained(REGULAR_RATE) + (1 - REGULARS) * gained(OTHER_RATE)
