"""Segments: RFM scores per shop, one lifecycle stage per person, and attribute tags.

Pure functions (no SQL, no Flask). Every shopper gets exactly one lifecycle
stage, so the admin's counts add up to the number of profiles:

non-buyers (no order that was not cancelled), first match wins:
  ``engaged_non_buyer``  ≥ ENGAGED_MIN_PRODUCT_VIEWS product views, or an add to cart, or subscribed;
  ``returning_visitor``  two or more visits (sessions);
  ``new_visitor``        everyone else (one visit, or none recorded yet).
buyers, by their R/F/M scores (1 worst … 5 best), first match wins:
  ``vip``                R ≥ 3 and F = 5 and M = 5 (top fifth by both frequency and spend, not slipping);
  ``lapsed``             R = 1;
  ``at_risk``            R = 2;
  ``repeat_buyer``       two or more orders;
  ``first_time_buyer``   one order.

Tags added next to the stage: ``device:mobile|desktop|tablet`` per device
seen, ``country:XX``, ``subscriber``, ``offer_responder`` (opened or submitted
an offer, or subscribed) and ``offer_ignorer`` (≥ OFFER_IGNORED_AFTER
impressions and no response).

Scores. A score is ``1 + (how many of the four cut points the value exceeds)``,
with every value oriented so that bigger is better (recency is the time of the
last order, not its age). A value equal to a cut point gets the lower score, and
equal values always get equal scores, so ties never split. With at least
MIN_BUYERS_FOR_QUINTILES buyers the cut points are the shop's quintiles
(nearest-rank 20/40/60/80th percentiles over buyers). Below that, quintiles of a
handful of people would call someone "lapsed" a week after their order, so
fixed thresholds apply: R from the age of the last order (5: under 30 days,
4: under 60, 3: under 90, 2: under 180, 1: 180 days or more), F from the order
count (1, 2, 3, 4–5, 6+), M from spend as a multiple of the shop's average order
value (5: over 4×, 4: over 2×, 3: over 1×, 2: over ½×, 1: the rest).

Quintile cut points are recomputed by a rescore (periodically and on rebuild),
never per order: a new order re-scores its person against the stored ones. A
small shop's fixed thresholds are recomputed on the spot from its few buyers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Mapping

from ..clock import DAY_MS

MIN_BUYERS_FOR_QUINTILES = 50
FIXED_RECENCY_DAYS = (180, 90, 60, 30)  # cut points as ages: older than each is a lower score
FIXED_FREQUENCY = (1, 2, 3, 5)
FIXED_MONETARY_AOV = (Decimal("0.5"), Decimal("1"), Decimal("2"), Decimal("4"))  # × the shop's average order
RESCORE_EVERY_MS = DAY_MS  # time alone moves buyers to at risk / lapsed: re-score at least daily
ENGAGED_MIN_PRODUCT_VIEWS = 3
OFFER_IGNORED_AFTER = 3  # impressions

VIP_MIN = {"r": 3, "f": 5, "m": 5}  # on Online Retail: 12 % of buyers (F ≥ 4, M ≥ 4 would be 26 %)
NON_BUYER_STAGES = ("new_visitor", "returning_visitor", "engaged_non_buyer")
BUYER_STAGES = ("first_time_buyer", "repeat_buyer", "vip", "at_risk", "lapsed")
LIFECYCLE = NON_BUYER_STAGES + BUYER_STAGES
FIXED, QUINTILES = "fixed", "quintiles"


@dataclass(frozen=True)
class Buyer:
    """What the cut points are computed from: one buyer's last order time, order count and spend."""

    last_order_at: int
    orders: int
    monetary: Decimal


@dataclass(frozen=True)
class Cuts:
    """A shop's four cut points per dimension, ascending, as of ``computed_at``."""

    mode: str
    buyers: int
    recency: tuple[int, ...]  # last-order times (epoch ms)
    frequency: tuple[int, ...]
    monetary: tuple[Decimal, ...]
    computed_at: int

    def as_dict(self) -> dict:
        """JSON-ready (money as decimal strings)."""
        return {"mode": self.mode, "buyers": self.buyers, "recency": list(self.recency),
                "frequency": list(self.frequency), "monetary": [str(m) for m in self.monetary],
                "computed_at": self.computed_at}

    @classmethod
    def from_dict(cls, data: Mapping) -> Cuts:
        return cls(mode=data["mode"], buyers=int(data["buyers"]), recency=tuple(int(v) for v in data["recency"]),
                   frequency=tuple(int(v) for v in data["frequency"]),
                   monetary=tuple(Decimal(str(v)) for v in data["monetary"]), computed_at=int(data["computed_at"]))


@dataclass(frozen=True)
class Scored:
    r: int | None
    f: int | None
    m: int | None
    lifecycle: str
    segments: frozenset[str]


def quintile_cuts(values: list) -> tuple:
    """Nearest-rank 20th, 40th, 60th and 80th percentiles: the ⌈k·n/5⌉-th smallest value, k = 1…4."""
    ordered = sorted(values)
    n = len(ordered)
    return tuple(ordered[math.ceil(k * n / 5) - 1] for k in (1, 2, 3, 4))


def shop_average_order(buyers: list[Buyer]) -> Decimal:
    orders = sum(b.orders for b in buyers)
    return sum((b.monetary for b in buyers), Decimal(0)) / orders if orders else Decimal(0)


def compute_cuts(buyers: list[Buyer], now: int) -> Cuts:
    """Quintiles when the shop has enough buyers, else the fixed thresholds (module docstring)."""
    if len(buyers) >= MIN_BUYERS_FOR_QUINTILES:
        return Cuts(QUINTILES, len(buyers), quintile_cuts([b.last_order_at for b in buyers]),
                    quintile_cuts([b.orders for b in buyers]), quintile_cuts([b.monetary for b in buyers]), now)
    aov = shop_average_order(buyers)
    return Cuts(FIXED, len(buyers), tuple(now - days * DAY_MS for days in FIXED_RECENCY_DAYS), FIXED_FREQUENCY,
                tuple(aov * k for k in FIXED_MONETARY_AOV), now)


def score(value, cuts: tuple) -> int:
    """1 + how many cut points ``value`` strictly exceeds: a value on a cut point gets the lower score."""
    return 1 + sum(1 for cut in cuts if value > cut)


def facts(profile: Mapping) -> dict:
    """The fields segments read, from a profile (``asdict``) or a stored profile row alike."""
    return {
        "orders": int(profile["orders"] or 0),
        "last_order_at": profile["last_order_at"],
        "monetary": Decimal(str(profile["monetary"] or "0")),
        "visits": int(profile["visits"] or 0),
        "product_views": int(profile["product_views"] or 0),
        "add_to_carts": int(profile["add_to_carts"] or 0),
        "devices": tuple(profile["devices"] or ()),
        "country": profile["country"],
        "offers_seen": int(profile["offers_seen"] or 0),
        "offers_opened": int(profile["offers_opened"] or 0),
        "offers_submitted": int(profile["offers_submitted"] or 0),
        "subscribed": bool(profile["subscribed"]),
    }


def buyer_of(profile: Mapping) -> Buyer | None:
    f = facts(profile)
    if f["orders"] < 1 or f["last_order_at"] is None:
        return None
    return Buyer(f["last_order_at"], f["orders"], f["monetary"])


def lifecycle(f: Mapping, r: int | None, fs: int | None, m: int | None) -> str:
    if f["orders"] < 1:
        if f["product_views"] >= ENGAGED_MIN_PRODUCT_VIEWS or f["add_to_carts"] > 0 or f["subscribed"]:
            return "engaged_non_buyer"
        return "returning_visitor" if f["visits"] >= 2 else "new_visitor"
    if r is None:  # orders without a date cannot be ranked by recency
        return "repeat_buyer" if f["orders"] >= 2 else "first_time_buyer"
    if r >= VIP_MIN["r"] and fs >= VIP_MIN["f"] and m >= VIP_MIN["m"]:
        return "vip"
    if r == 1:
        return "lapsed"
    if r == 2:
        return "at_risk"
    return "repeat_buyer" if f["orders"] >= 2 else "first_time_buyer"


def assign(profile: Mapping, cuts: Cuts) -> Scored:
    """The person's scores, lifecycle stage and tags against the shop's cut points."""
    f = facts(profile)
    r = fs = m = None
    if f["orders"] >= 1 and f["last_order_at"] is not None:
        r, fs, m = score(f["last_order_at"], cuts.recency), score(f["orders"], cuts.frequency), score(
            f["monetary"], cuts.monetary)
    stage = lifecycle(f, r, fs, m)
    tags = {stage, *(f"device:{d}" for d in f["devices"])}
    if f["country"]:
        tags.add(f"country:{f['country']}")
    responded = f["offers_opened"] + f["offers_submitted"] > 0 or f["subscribed"]
    if f["subscribed"]:
        tags.add("subscriber")
    if responded:
        tags.add("offer_responder")
    elif f["offers_seen"] >= OFFER_IGNORED_AFTER:
        tags.add("offer_ignorer")
    return Scored(r, fs, m, stage, frozenset(tags))


def rescore_due(cuts: Cuts | None, now: int) -> bool:
    return cuts is None or now - cuts.computed_at >= RESCORE_EVERY_MS


def summarize(groups: list[tuple[list[str], int]]) -> dict:
    """Admin counts from (segment set, how many profiles) groups: every lifecycle stage (zeros
    included, in LIFECYCLE order), devices, countries (most first) and offer engagement."""
    stages = dict.fromkeys(LIFECYCLE, 0)
    devices: dict[str, int] = {}
    countries: dict[str, int] = {}
    offers = dict.fromkeys(("subscriber", "offer_responder", "offer_ignorer"), 0)
    for names, n in groups:
        for name in names:
            if name in stages:
                stages[name] += n
            elif name in offers:
                offers[name] += n
            elif name.startswith("device:"):
                devices[name[7:]] = devices.get(name[7:], 0) + n
            elif name.startswith("country:"):
                countries[name[8:]] = countries.get(name[8:], 0) + n
    return {"total": sum(n for _, n in groups), "lifecycle": stages,
            "devices": dict(sorted(devices.items(), key=lambda kv: (-kv[1], kv[0]))),
            "countries": dict(sorted(countries.items(), key=lambda kv: (-kv[1], kv[0]))), "offers": offers}
