"""A month of simulated shoppers for the demo's "What Storelift earned" page, clearly marked as simulated.

The demo keeps no holdout (its newcomer is one shopper, who must see every surface), so its own
clicks can never fill the page. Instead the page shows what a month of a real store would look
like: simulated shoppers arrive every day at each surface, are assigned by the same hash real
shoppers are (``assignment.bucket``, into a 10 % holdout), see the surface or not, and buy as
``shoppers``' model has them, with a true effect per surface that the page states beside its
estimate. Their outcomes go through the same comparison as real ones (``results.result_of``): the
same interval, CUPED, revenue cap and split check. Nothing is written to the database.

The true effects are chosen to show each kind of answer a merchant meets: a clear win, a small
effect the interval has not separated from zero yet (with its projection), and a flow that adds
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from plugin.clock import DAY_MS
from plugin.store import Period

from . import shoppers
from .assignment import BUCKETS, bucket
from .results import Outcomes, Result, result_of

DAYS = 30
HOLDOUT_BPS = 1_000  # 10 %, the default holdout
WINDOW_DAYS = 7
SALT = "simulated-shoppers"
SEED = 2026
CURRENCY = "USD"


@dataclass(frozen=True)
class SimulatedSurface:
    experiment: str
    people_per_day: int
    lift: float  # the true relative effect on a person's chance to buy in the window
    rate_scale: float = 1.0  # how much likelier to buy than the average visitor its audience is


SURFACES = (
    SimulatedSurface("capture", people_per_day=4_000, lift=0.20),
    SimulatedSurface("blocks:for_you", people_per_day=3_000, lift=0.12),
    SimulatedSurface("emails:cart", people_per_day=1_500, lift=0.40, rate_scale=2.0),
    SimulatedSurface("emails:welcome", people_per_day=1_000, lift=0.0, rate_scale=2.0),
)


@dataclass(frozen=True)
class SimulatedExperiment:
    surface: SimulatedSurface
    looks: list[tuple[int, Result]]  # the comparison as it stood at each look, the last one now


def month(shop: str, now: int, looks: int) -> list[SimulatedExperiment]:
    """Every simulated surface's experiment over the month up to ``now`` (the same all day long)."""
    day = now // DAY_MS
    return _month(shop, day, looks)


@lru_cache(maxsize=4)
def _month(shop: str, day: int, looks: int) -> list[SimulatedExperiment]:
    """Computed once a day per process: a second of numpy, and the figures do not change meanwhile."""
    now = (day + 1) * DAY_MS
    start = now - DAYS * DAY_MS
    rng = np.random.default_rng(SEED)
    found = []
    for surface in SURFACES:
        period = Period(id=0, shop=shop, experiment=surface.experiment, control_bps=HOLDOUT_BPS,
                        window_days=WINDOW_DAYS, started_at=start, ended_at=None)
        outcomes = _shoppers(rng, surface, start)
        moments = [start + (now - start) * (n + 1) // looks for n in range(looks)]
        found.append(SimulatedExperiment(surface, [(m, result_of(period, outcomes(m), 0)) for m in moments]))
    return found


def _shoppers(rng: np.random.Generator, surface: SimulatedSurface, start: int):
    """The surface's shoppers over the month; returns their outcomes as they stand at a moment."""
    people = DAYS * surface.people_per_day
    arrived = np.sort(start + rng.integers(0, DAYS * DAY_MS, people))
    treated = np.array([bucket(SALT, surface.experiment, f"visitor:simulated-{n}") >= HOLDOUT_BPS
                        for n in range(people)])
    drawn = shoppers.draw(rng, treated, surface.lift, surface.rate_scale)
    ordered = np.where(drawn.buys_with_lift, arrived + rng.integers(0, WINDOW_DAYS * DAY_MS, people), np.inf)

    def at(moment: int) -> Outcomes:
        here = arrived < moment
        bought = (ordered < moment)[here]
        return Outcomes(treated[here], bought.astype(float), drawn.pre_orders[here],
                        {CURRENCY: np.where(bought, drawn.order[here], 0.0)}, {CURRENCY: drawn.pre[here]})

    return at


def true_lift(surface: SimulatedSurface) -> float:
    """The conversion lift (a share of people) that the simulation built in, to set beside the estimate."""
    return shoppers.conversion_lift(surface.lift, surface.rate_scale)
