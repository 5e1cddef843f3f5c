"""Which arm of a surface's experiment a person is in: the same on every device, and for good.

The arm is a deterministic hash of the shop's salt, the experiment's name and the person key into
10,000 buckets, as Optimizely and LaunchDarkly bucket users
(https://docs.developers.optimizely.com/feature-experimentation/docs/how-bucketing-works); the
lowest ``control_bps`` buckets are the control. The person key is the stitched person's platform
customer id when known, else their first visitor id, so a shopper who logs in on a second device
is bucketed as on the first. A person's first exposure in a period is recorded with its arm, and
that arm stands from then on: when stitching later merges two people exposed to different arms,
the first exposure wins and the crossing is counted (``store.experiments.crossed``).

With the global holdout on, the people in its control get no surface at all and are not recorded
in the surfaces' experiments: their orders measure the whole app (the ``global`` experiment).
"""

from __future__ import annotations

import hashlib

from plugin.store import Period, Store

from .settings import EXPERIMENTS

BUCKETS = 10_000
CONTROL, TREATED = "control", "treated"
GLOBAL = "global"
BLOCKS = "blocks:"  # a recommendation block type's experiment is "blocks:<strategy>"
EMPTY = "empty"


def bucket(salt: str, experiment: str, person_key: str) -> int:
    """The person's bucket in ``experiment``, 0 to 9,999: SHA-256, so every bucket is as likely."""
    digest = hashlib.sha256(f"{salt}\x1f{experiment}\x1f{person_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def person_key(store: Store, shop: str, person_id: str) -> str:
    """The platform customer id when the person is known to the platform, else their first visitor id."""
    person = store.identities.person(shop, person_id)
    if person is not None and person["customer_id"]:
        return f"customer:{person['customer_id']}"
    visitors = store.identities.visitor_ids(shop, person_id)
    return f"visitor:{visitors[0]}" if visitors else f"person:{person_id}"


def period(store: Store, shop: str, experiment: str, settings: dict, now: int) -> Period:
    """The experiment's current period under ``settings`` (a changed split, window or block control starts
    a new one)."""
    percent = (settings["global_percent"] if experiment == GLOBAL
               else settings["surface_percent"].get(experiment, settings["holdout_percent"]))
    return store.experiments.period_for(shop, experiment, control_bps=percent * BUCKETS // 100,
                                        window_days=settings["window_days"], now=now,
                                        control=control_of(experiment, settings))


def control_of(experiment: str, settings: dict) -> str:
    """What the experiment's control sees, where its surface offers a choice: ``'empty'`` for a block
    whose control keeps an empty slot; ``''`` for every surface's default."""
    if experiment.startswith(BLOCKS) and settings["block_control"] == EMPTY:
        return EMPTY
    return ""


def exposed_arm(store: Store, shop: str, experiment: str, person_id: str, now: int,
                settings: dict | None = None) -> str:
    """The person's arm in ``experiment``, recorded as their exposure the first time they are eligible.

    Call when the person would get the surface; the answer says whether they do (``TREATED``). In
    the global holdout's control the answer is ``CONTROL`` and nothing is recorded for the surface.
    """
    settings = settings or EXPERIMENTS.read(store, shop)[0]
    if settings["global_holdout"] and _arm(store, shop, GLOBAL, person_id, settings, now) == CONTROL:
        return CONTROL
    return _arm(store, shop, experiment, person_id, settings, now)


def unrecorded_arm(store: Store, shop: str, experiment: str, visitor_id: str, now: int,
                   settings: dict | None = None) -> str:
    """The arm of a visitor Storelift has not stored (their first page, before the loader's first event
    batch; or no consent to store): the one their visitor id draws, which is their person key once they
    are stored, so their first recorded exposure agrees. Nothing is written about them."""
    settings = settings or EXPERIMENTS.read(store, shop)[0]
    key = f"visitor:{visitor_id}"
    if settings["global_holdout"] and _drawn(store, shop, GLOBAL, key, period(store, shop, GLOBAL, settings, now)) \
            == CONTROL:
        return CONTROL
    return _drawn(store, shop, experiment, key, period(store, shop, experiment, settings, now))


def _arm(store: Store, shop: str, experiment: str, person_id: str, settings: dict, now: int) -> str:
    current = period(store, shop, experiment, settings, now)
    known = store.experiments.arm_of(shop, current.id, person_id)
    if known is not None:
        return known
    arm = _drawn(store, shop, experiment, person_key(store, shop, person_id), current)
    return store.experiments.expose(shop, current.id, person_id, arm, now)


def _drawn(store: Store, shop: str, experiment: str, key: str, current: Period) -> str:
    return CONTROL if bucket(store.experiments.salt(shop), experiment, key) < current.control_bps else TREATED
