"""Shopper profiles: one person's storefront events and orders folded into attributes.

Pure functions over plain rows (no SQL, no Flask). A profile is always
recomputed from the person's whole history (``History``), never patched: after
an identity merge the history simply contains both devices, and the incremental
path (one person, after an order or an event batch) and the rebuild (every
person of a shop) run the same function, so they cannot disagree.

Affinities decay exponentially: an interaction ``AFFINITY_HALF_LIFE_DAYS`` old
counts half as much as one made now, because tastes drift and last month's
browsing says more than last year's. They are stored as of ``affinity_at``
(the person's last activity, so a profile depends on its history alone, never
on when it was computed); decay multiplies every weight by the same factor, so
the ranking never changes with the clock and ``affinities_at`` rescales them
to any later time.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ..clock import DAY_MS

AFFINITY_HALF_LIFE_DAYS = 30
AFFINITY_HALF_LIFE_MS = AFFINITY_HALF_LIFE_DAYS * DAY_MS
# How much one interaction says about taste: buying says more than carting, carting more than looking.
WEIGHTS = {"product_view": 1.0, "add_to_cart": 3.0, "purchase": 5.0}
AFFINITY_KINDS = ("category", "vendor", "tag")
MAX_AFFINITIES = 20  # per kind: the tail weighs nothing and would grow the row without bound
RECENT_EVENTS = 1000  # events read for affinities, devices and place; counts use every event
NO_CURRENCY = "XXX"  # ISO 4217 "no currency": orders that never said theirs, when the person has no other
DEVICES = {"m": "mobile", "mobile": "mobile", "d": "desktop", "desktop": "desktop", "t": "tablet", "tablet": "tablet"}
DEVICE_KEYS = ("d", "device")  # event data keys that may name the device
COUNTRY_KEYS = ("country", "cc")
OFFER_EVENTS = {"widget_impression": "offers_seen", "widget_open": "offers_opened", "widget_submit": "offers_submitted"}
VIEW_EVENTS = {"page_view": "page_views", "product_view": "product_views", "collection_view": "collection_views",
               "search": "searches", "add_to_cart": "add_to_carts"}


@dataclass(frozen=True)
class History:
    """Everything known about one person, as plain rows read by the store.

    ``event_counts``: type → {"n", "first", "last"} over all of the person's
    events; ``recent_events``: the newest RECENT_EVENTS, newest first, as {type,
    occurred_at, data (dict)}; ``orders``: the person's orders (cancelled ones included, they
    are skipped here); ``lines``: their lines; ``products``: product_id →
    {product_type, vendor, tags (list)}; ``customer``: the platform's customer row.
    """

    person: dict
    visitors: list[dict] = field(default_factory=list)
    event_counts: dict = field(default_factory=dict)
    sessions: int = 0
    recent_events: list[dict] = field(default_factory=list)
    orders: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    products: dict = field(default_factory=dict)
    customer: dict | None = None
    subscribed: bool = False


@dataclass(frozen=True)
class Profile:
    person_id: str
    customer_id: str | None
    email: str | None
    first_seen: int | None
    last_seen: int | None
    visits: int
    page_views: int
    product_views: int
    collection_views: int
    searches: int
    add_to_carts: int
    orders: int
    revenue: dict  # currency → decimal string, cancelled orders excluded
    currency: str | None  # the person's main currency, in which ``monetary`` and ``aov`` are
    monetary: str
    aov: str | None
    first_order_at: int | None
    last_order_at: int | None
    devices: tuple[str, ...]
    country: str | None
    city: str | None
    affinities: dict  # kind → {value: weight as of affinity_at, the person's last activity}
    affinity_at: int
    offers_seen: int
    offers_opened: int
    offers_submitted: int
    subscribed: bool


def decay(age_ms: float, half_life_ms: float = AFFINITY_HALF_LIFE_MS) -> float:
    """Weight of something ``age_ms`` old: 1 when fresh, ½ after one half-life (never above 1)."""
    return 2.0 ** (-max(age_ms, 0) / half_life_ms)


def affinities_at(affinities: dict, affinity_at: int, now: int) -> dict:
    """Stored affinities as they weigh at ``now`` (one factor for all: the order never changes)."""
    factor = decay(now - affinity_at)
    return {kind: {k: w * factor for k, w in weights.items()} for kind, weights in affinities.items()}


def _top(weights: Counter) -> dict:
    ranked = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_AFFINITIES]
    return {key: round(weight, 6) for key, weight in ranked if weight > 0}


def affinities(interactions: list[tuple[str, int, dict]], now: int) -> dict:
    """Decayed category / vendor / tag weights from (kind, time, product attributes) interactions."""
    sums = {kind: Counter() for kind in AFFINITY_KINDS}
    for kind, at, product in interactions:
        weight = WEIGHTS[kind] * decay(now - at)
        if product.get("product_type"):
            sums["category"][product["product_type"]] += weight
        if product.get("vendor"):
            sums["vendor"][product["vendor"]] += weight
        for tag in product.get("tags") or ():
            sums["tag"][tag] += weight
    return {kind: _top(sums[kind]) for kind in AFFINITY_KINDS}


def _interactions(history: History, live_orders: set[str]) -> list[tuple[str, int, dict]]:
    found = []
    for event in history.recent_events:
        product_id = (event.get("data") or {}).get("i")
        if event["type"] in ("product_view", "add_to_cart") and isinstance(product_id, str):
            product = history.products.get(product_id)
            if product:
                found.append((event["type"], event["occurred_at"], product))
    order_times = {o["order_id"]: o["created_at"] or 0 for o in history.orders}
    for line in history.lines:
        if line["order_id"] not in live_orders:
            continue
        product = dict(history.products.get(line.get("product_id")) or {})
        if not product.get("vendor"):
            product["vendor"] = line.get("vendor")
        found.append(("purchase", order_times[line["order_id"]], product))
    return found


def _money(live: list[dict]) -> tuple[dict, str | None, Decimal, int]:
    """Revenue per currency, the main currency (most orders), spend and order count in it.

    Orders without a currency (imports) count in the main one; the platform
    states orders in the shop's currency, so one shop normally has one.
    """
    counts = Counter(o["currency"] for o in live if o["currency"])
    main = min(counts, key=lambda c: (-counts[c], c)) if counts else (NO_CURRENCY if live else None)
    revenue: dict[str, Decimal] = {}
    in_main = 0
    for order in live:
        currency = order["currency"] or main
        revenue[currency] = revenue.get(currency, Decimal(0)) + Decimal(order["total_price"] or "0")
        in_main += currency == main
    return {c: str(v) for c, v in sorted(revenue.items())}, main, revenue.get(main, Decimal(0)), in_main


def _devices(history: History) -> tuple[str, ...]:
    seen = set()
    for event in history.recent_events:
        data = event.get("data") or {}
        for key in DEVICE_KEYS:
            device = DEVICES.get(str(data.get(key, "")).lower())
            if device:
                seen.add(device)
    return tuple(sorted(seen))


def _place(history: History) -> tuple[str | None, str | None]:
    """Country (ISO code, upper case) and city: the customer record first, else the newest event that says."""
    customer = history.customer or {}
    country = (customer.get("country_code") or "").upper() or None
    city = customer.get("city") or None
    for event in history.recent_events:  # newest first
        data = event.get("data") or {}
        if country is None:
            found = next((data[k] for k in COUNTRY_KEYS if isinstance(data.get(k), str)), "")
            if len(found) == 2 and found.isalpha():
                country = found.upper()
        if city is None and isinstance(data.get("city"), str) and data["city"].strip():
            city = data["city"].strip()
    return country, city


def build_profile(history: History) -> Profile:
    """The person's profile: a function of their history alone, so rebuilding it changes nothing.

    Affinity weights are dated at the person's last activity (``affinity_at``),
    not at the wall clock; ``affinities_at`` ages them to any later moment.
    """
    person = history.person
    counts = {name: 0 for name in (*VIEW_EVENTS.values(), *OFFER_EVENTS.values())}
    times: list[int] = []
    for kind, stats in history.event_counts.items():
        name = VIEW_EVENTS.get(kind) or OFFER_EVENTS.get(kind)
        if name:
            counts[name] += stats["n"]
        times += [stats["first"], stats["last"]]
    for visitor in history.visitors:
        times += [visitor["first_seen"], visitor["last_seen"]]
    live = [o for o in history.orders if o["cancelled_at"] is None]
    order_times = [o["created_at"] for o in live if o["created_at"] is not None]
    times += order_times
    revenue, currency, monetary, orders_in_main = _money(live)
    aov = str((monetary / orders_in_main).quantize(Decimal("0.01"), ROUND_HALF_UP)) if live else None
    country, city = _place(history)
    last_seen = max(times) if times else None
    affinity_at = last_seen or 0
    return Profile(
        person_id=person["person_id"], customer_id=person.get("customer_id"), email=person.get("email"),
        first_seen=min(times) if times else None, last_seen=last_seen,
        visits=history.sessions, orders=len(live), revenue=revenue, currency=currency, monetary=str(monetary),
        aov=aov, first_order_at=min(order_times) if order_times else None,
        last_order_at=max(order_times) if order_times else None, devices=_devices(history), country=country,
        city=city, affinities=affinities(_interactions(history, {o["order_id"] for o in live}), affinity_at),
        affinity_at=affinity_at, subscribed=history.subscribed, **counts,
    )
