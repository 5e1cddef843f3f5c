"""Profiles and segments kept current: store rows in, pure functions, store rows out.

The pure functions are ``profiles`` and ``segments``. Why a person is always
recomputed whole: identity stitching can merge two people at any moment (a
second device, a typed email, an order), and a merged history is simply the
union of both, so ``refresh_person`` reads the person's visitors, events and
orders again (work bounded by that one person's history, never by the shop's
size) and the same code serves the rebuild. A refreshed person is scored
against the shop's stored quintile cut points, which only ``rescore``
(periodic, and on rebuild) moves, so one order never re-ranks
everyone; a small shop's fixed thresholds are cheap enough to recompute live.

Orders become people here with identity stitching's rules (``identity``):
the visitors that used the order's cart token are observed with it, which joins
them to the order's customer; then the order's customer id and email are
attached — a customer id is the stronger key, two people are merged only when
their known fields agree, and nobody's identity is ever overwritten.
"""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal

from plugin.clock import now_ms
from plugin.store import Store

from . import identity
from . import profiles as pure_profiles
from . import segments as pure_segments
from .segments import Cuts

REBUILD_BATCH = 200  # people per write transaction: the lock is released between batches


# --------------------------------------------------------------------------- one person


def _history(store: Store, shop: str, person: dict) -> pure_profiles.History:
    rows = store.profiles
    visitors = rows.visitors(shop, person["person_id"])
    visitor_ids = [v["visitor_id"] for v in visitors]
    counts, sessions = rows.event_counts(shop, visitor_ids)
    recent = rows.recent_events(shop, visitor_ids, pure_profiles.RECENT_EVENTS)
    orders = rows.orders_of(shop, customer_id=person["customer_id"], email=person["email"],
                            cart_tokens=store.identities.cart_tokens(shop, visitor_ids))
    lines = rows.order_lines(shop, [o["order_id"] for o in orders])
    viewed = [e["data"].get("i") for e in recent if e["type"] in ("product_view", "add_to_cart")]
    products = rows.products(shop, [p for p in viewed if isinstance(p, str)]
                             + [line["product_id"] for line in lines if line["product_id"]])
    return pure_profiles.History(
        person=person, visitors=visitors, event_counts=counts, sessions=sessions, recent_events=recent,
        orders=orders, lines=lines, products=products,
        customer=rows.customer_place(shop, person["customer_id"]) if person["customer_id"] else None,
        subscribed=rows.subscribed(shop, person["email"]),
    )


def stored_cuts(store: Store, shop: str) -> Cuts | None:
    """The cut points of the shop's last rescore (None before the first)."""
    row = store.profiles.cuts(shop)
    return Cuts.from_dict(row) if row else None


def _scores(profile: dict, cuts: Cuts, now: int) -> dict:
    scored = pure_segments.assign(profile, cuts)
    return {"r_score": scored.r, "f_score": scored.f, "m_score": scored.m, "lifecycle": scored.lifecycle,
            "segments": scored.segments, "scored_at": now}


def _live_cuts(store: Store, shop: str, profile: dict, now: int) -> tuple[Cuts, bool]:
    """Cut points to score a refreshed person against, and whether the whole shop needs a rescore.

    Quintiles stay as last computed (only a rescore moves them). A small shop's
    fixed thresholds are recomputed on the spot from its few buyers (at most
    MIN_BUYERS_FOR_QUINTILES rows) but not stored: the stored cut points are
    the last rescore's, whose time says when the next one is due. A rescore
    runs at once for the shop's first profile, and when the buyers reach the
    quintile threshold.
    """
    stored = stored_cuts(store, shop)
    me = pure_segments.buyer_of(profile)
    if me is None or (stored is not None and stored.mode == pure_segments.QUINTILES):
        return stored or pure_segments.compute_cuts([], now), stored is None
    others = store.profiles.buyers(shop, exclude=profile["person_id"], limit=pure_segments.MIN_BUYERS_FOR_QUINTILES)
    buyers = [pure_segments.Buyer(r["last_order_at"], r["orders"], Decimal(r["monetary"])) for r in others] + [me]
    cuts = pure_segments.compute_cuts(buyers, now)
    return cuts, stored is None or cuts.mode == pure_segments.QUINTILES


def _refresh(store: Store, shop: str, person_id: str, now: int, cuts: Cuts | None = None) -> bool:
    """Recompute and save one profile: scored against ``cuts``, else against live cut points
    (running the shop's rescore when they say so). False when the person no longer exists."""
    person = store.identities.person(shop, person_id)
    if person is None:  # merged away: its profile went with it (ON DELETE CASCADE)
        return False
    profile = asdict(pure_profiles.build_profile(_history(store, shop, person)))
    needs_rescore = False
    if cuts is None:
        cuts, needs_rescore = _live_cuts(store, shop, profile, now)
    store.profiles.save(shop, {**profile, **_scores(profile, cuts, now), "updated_at": now})  # no-op if unchanged
    if needs_rescore:
        rescore(store, shop, now)
    return True


def refresh_person(store: Store, shop: str, person_id: str, now: int) -> dict | None:
    """Recompute one person's profile and segments; returns the stored profile (None: no such person)."""
    with store.database.write():
        if not _refresh(store, shop, person_id, now):
            return None
    return store.profiles.get(shop, person_id)


# --------------------------------------------------------------------------- orders and events


def person_for(store: Store, shop: str, now: int, *, customer_id: str | None, email: str | None) -> str | None:
    """The person an order's customer id / email names, created or completed when needed.

    Mirrors ``identity._attach`` for a signal that comes without a
    browser: the platform's customer record fills the missing half, an empty
    field is filled, a person already holding another value is never changed,
    and the email's person is merged into the customer's only when compatible.
    """
    ids = store.identities
    email = (email or "").strip().lower() or None
    if customer_id and not email:
        email = ids.customer_email(shop, customer_id)
    if email and not customer_id:
        customer_id = ids.customer_for_email(shop, email)
    if not customer_id and not email:
        return None
    by_email = ids.person_by_email(shop, email) if email else None
    if not customer_id:
        return by_email["person_id"] if by_email else ids.create_person(shop, now, email=email)
    owner = ids.person_by_customer(shop, customer_id)
    if owner is None:
        if by_email is not None and by_email["customer_id"] is None:
            ids.set_person(shop, by_email["person_id"], now, customer_id=customer_id)
            return by_email["person_id"]
        return ids.create_person(shop, now, customer_id=customer_id, email=email if by_email is None else None)
    if by_email is None:
        if email and owner["email"] is None:
            ids.set_person(shop, owner["person_id"], now, email=email)
    elif by_email["person_id"] != owner["person_id"] and identity.compatible(owner, by_email):
        ids.merge(shop, by_email["person_id"], owner["person_id"], now)
    return owner["person_id"]


def _attach_order(store: Store, shop: str, order: dict, now: int) -> str | None:
    """Join the order to people (cart token first, then customer id / email); returns its person."""
    seen_at = min(order["created_at"] or now, now)
    visitors = store.profiles.cart_visitors(shop, order["cart_token"]) if order["cart_token"] else []
    for visitor_id in visitors:
        identity.observe(store, shop, visitor_id, seen_at, cart_token=order["cart_token"])
    person_id = person_for(store, shop, now, customer_id=order["customer_id"], email=order["email"])
    if person_id is None and visitors:  # an order that names nobody belongs to whoever used the cart
        person_id = store.identities.visitor(shop, visitors[0])["person_id"]
    return person_id


def on_order(store: Store, shop: str, order_id: str, now: int) -> str | None:
    """After an order is stored (any channel: web, point of sale, import; any state, cancellations too):
    attach it to its person and refresh that person's profile. Returns the person id, or None for an
    order that names nobody and whose cart no known visitor used."""
    with store.database.write():
        order = store.profiles.order_identity(shop, order_id)
        if order is None:
            return None
        person_id = _attach_order(store, shop, order, now)
        if person_id is not None:
            refresh_person(store, shop, person_id, now)
    return person_id


REFRESH_KIND = "profiles.refresh"


def queue_refresh(store: Store, shop: str, kind: str, ref: str) -> None:
    """Ask for a refresh of the person behind an order, a customer or a visitor (``kind``).

    Handlers and storefront requests only queue (one cheap insert, deduplicated
    while queued), so neither the runner handling a delivery nor a shopper's request pays
    for a profile rebuild; the job runner applies it moments later, after the
    platform's data in the inbox (derived data waits for the data).
    """
    store.jobs.enqueue(shop, REFRESH_KIND, f"{kind}:{ref}", {"kind": kind, "ref": ref})


def _refresh_job(services, job) -> None:
    """One queued refresh, applied in the transaction that marks its job done."""
    store, kind, ref, now = services.store, job.payload["kind"], job.payload["ref"], now_ms()
    if kind == "order":
        on_order(store, job.shop, ref, now)
    elif kind == "visitor":
        on_events(store, job.shop, ref, now)
    else:
        on_customer(store, job.shop, ref, now)


def _rescore_due_shops(services, now: int) -> None:
    """Periodic upkeep: segment cut points move with time (at risk, lapsed)."""
    for shop in services.store.shops.installed():
        rescore_if_due(services.store, shop.shop, now)


def register_jobs(jobs) -> None:
    jobs.register(REFRESH_KIND, _refresh_job, transactional=True)
    jobs.register_periodic("segments.rescore", _rescore_due_shops)


def on_events(store: Store, shop: str, visitor_id: str, now: int) -> str | None:
    """After a visitor's events (or identify / subscribe) are stored: refresh that visitor's person."""
    with store.database.write():
        visitor = store.identities.visitor(shop, visitor_id)
        if visitor is None:
            return None
        refresh_person(store, shop, visitor["person_id"], now)
    return visitor["person_id"]


def on_customer(store: Store, shop: str, customer_id: str, now: int) -> str | None:
    """After a customer record changes (country, city): refresh the person holding that customer id."""
    with store.database.write():
        person = store.identities.person_by_customer(shop, customer_id)
        if person is not None:
            refresh_person(store, shop, person["person_id"], now)
    return person["person_id"] if person else None


# --------------------------------------------------------------------------- the whole shop


def rescore(store: Store, shop: str, now: int) -> Cuts:
    """Recompute the shop's cut points from every buyer, then every profile's scores and segments.

    Reads only the profiles table (no events, no orders): O(profiles) in one pass.
    """
    with store.database.write():
        rows = store.profiles.scoring_rows(shop)
        cuts = pure_segments.compute_cuts([b for b in map(pure_segments.buyer_of, rows) if b], now)
        store.profiles.save_cuts(shop, cuts.as_dict())
        store.profiles.save_scores(shop, [{"person_id": r["person_id"], **_scores(r, cuts, now)} for r in rows])
    return cuts


def rescore_if_due(store: Store, shop: str, now: int) -> bool:
    """Rescore when the cut points are older than RESCORE_EVERY_MS (time alone moves buyers to
    at risk and lapsed). Cheap when not due: one row read. True when it rescored."""
    if not pure_segments.rescore_due(stored_cuts(store, shop), now):
        return False
    rescore(store, shop, now)
    return True


def rebuild_profiles(store: Store, shop: str, now: int) -> int:
    """Every order attached to its person, every person's profile recomputed, then a rescore.

    For imports and repairs (orders that arrived without ``on_order``). Runs in
    batches so the write lock is released now and then. Returns the profile count.
    """
    rows = store.profiles
    carted = rows.carted_orders(shop)
    for start in range(0, len(carted), REBUILD_BATCH):
        with store.database.write():
            for order in carted[start:start + REBUILD_BATCH]:
                _attach_order(store, shop, rows.order_identity(shop, order["order_id"]), now)
    identities = rows.order_identities(shop)
    for start in range(0, len(identities), REBUILD_BATCH):
        with store.database.write():
            for found in identities[start:start + REBUILD_BATCH]:
                person_for(store, shop, now, customer_id=found["customer_id"], email=found["email"])
    provisional = pure_segments.compute_cuts([], now)  # every score is redone by the rescore below
    people = rows.person_ids(shop)
    for start in range(0, len(people), REBUILD_BATCH):
        with store.database.write():
            for person_id in people[start:start + REBUILD_BATCH]:
                _refresh(store, shop, person_id, now, provisional)
    rescore(store, shop, now)
    return len(people)
