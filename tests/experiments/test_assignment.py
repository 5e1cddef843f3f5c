"""Holdout assignment: a deterministic bucket per person, kept across devices and merges, a new period
when the split changes, and the global holdout in front of every surface."""

from __future__ import annotations

import threading

import pytest

from plugin.experiments.assignment import BUCKETS, CONTROL, GLOBAL, TREATED, bucket, exposed_arm, person_key
from plugin.experiments.settings import EXPERIMENTS
from plugin.people import identity
from plugin.store import Period

from ..support.app import SHOP
from ..support.holdouts import arm_counts

NOW = 1_780_000_000_000


def settings(**changes) -> dict:
    return {**EXPERIMENTS.defaults(), **changes}


def visitor(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def person_of(store, n: int, **signals) -> str:
    return identity.observe(store, SHOP, visitor(n), NOW, **signals)["person_id"]


def first_in(store, arm: str, control_bps: int, start: int = 0) -> int:
    """The first visitor number from ``start`` whose own visitor key lands in ``arm``."""
    salt = store.experiments.salt(SHOP)
    for n in range(start, start + 1000):
        in_control = bucket(salt, "capture", f"visitor:{visitor(n)}") < control_bps
        if in_control == (arm == CONTROL):
            return n
    raise AssertionError("no visitor found")


def test_buckets_are_stable_and_a_tenth_of_people_land_in_a_10_percent_holdout():
    assert bucket("salt", "capture", "customer:1") == bucket("salt", "capture", "customer:1")
    assert bucket("salt", "capture", "customer:1") != bucket("other", "capture", "customer:1")
    drawn = [bucket("salt", "capture", f"visitor:{n}") for n in range(20_000)]
    assert all(0 <= b < BUCKETS for b in drawn)
    share = sum(b < BUCKETS // 10 for b in drawn) / len(drawn)
    assert 0.09 < share < 0.11  # 20,000 draws: the standard error is 0.2 percentage points


def test_the_person_key_is_the_customer_when_known_else_the_first_visitor(store):
    anonymous = person_of(store, 1)
    assert person_key(store, SHOP, anonymous) == f"visitor:{visitor(1)}"
    known = person_of(store, 2, customer_id="501")
    assert person_key(store, SHOP, known) == "customer:501"


def test_a_person_is_exposed_once_and_keeps_the_arm_drawn(store):
    n = first_in(store, CONTROL, 5000)
    person = person_of(store, n)
    assert exposed_arm(store, SHOP, "capture", person, NOW, settings(holdout_percent=50)) == CONTROL
    assert exposed_arm(store, SHOP, "capture", person, NOW + 1, settings(holdout_percent=50)) == CONTROL
    period = store.experiments.open_period(SHOP, "capture")
    assert arm_counts(store, period.id) == {CONTROL: 1}


def test_a_changed_split_starts_a_new_period_and_never_mixes_the_old_one(store):
    person = person_of(store, 1)
    exposed_arm(store, SHOP, "capture", person, NOW, settings(holdout_percent=10))
    exposed_arm(store, SHOP, "capture", person, NOW + 1, settings(holdout_percent=10))
    exposed_arm(store, SHOP, "capture", person, NOW + 2, settings(holdout_percent=20))
    first, second = [Period(**row) for row in store.database.query(
        "SELECT * FROM experiment_periods WHERE experiment = 'capture' ORDER BY started_at, id")]
    assert (first.control_bps, first.ended_at, second.control_bps, second.ended_at) == (1000, NOW + 2, 2000, None)
    assert sum(arm_counts(store, first.id).values()) == 1
    assert sum(arm_counts(store, second.id).values()) == 1


def test_a_second_device_joined_by_email_keeps_the_first_device_s_arm_and_the_crossing_is_counted(store):
    laptop = first_in(store, CONTROL, 5000)
    phone = first_in(store, TREATED, 5000)
    half = settings(holdout_percent=50)
    first = person_of(store, laptop, email="ada@example.com")
    assert exposed_arm(store, SHOP, "capture", first, NOW, half) == CONTROL
    second = person_of(store, phone)
    assert exposed_arm(store, SHOP, "capture", second, NOW + 1, half) == TREATED
    joined = person_of(store, phone, email="ada@example.com")  # the phone's shopper types the same address
    assert joined == first
    assert exposed_arm(store, SHOP, "capture", joined, NOW + 2, half) == CONTROL  # the first exposure's arm
    period = store.experiments.open_period(SHOP, "capture")
    assert arm_counts(store, period.id) == {CONTROL: 1}
    assert store.experiments.crossed(SHOP, period.id) == 1


def test_when_the_merged_in_exposure_came_first_its_arm_stands(store):
    laptop = first_in(store, CONTROL, 5000)
    phone = first_in(store, TREATED, 5000)
    half = settings(holdout_percent=50)
    early = person_of(store, phone)
    assert exposed_arm(store, SHOP, "capture", early, NOW, half) == TREATED
    known = person_of(store, laptop, email="ada@example.com")
    assert exposed_arm(store, SHOP, "capture", known, NOW + 1, half) == CONTROL
    joined = person_of(store, phone, email="ada@example.com")
    assert exposed_arm(store, SHOP, "capture", joined, NOW + 2, half) == TREATED


def test_in_the_global_holdout_s_control_no_surface_is_given_or_recorded(store):
    salt = store.experiments.salt(SHOP)
    in_global = [n for n in range(200) if bucket(salt, GLOBAL, f"visitor:{visitor(n)}") < 5000]
    outside = [n for n in range(200) if n not in in_global]
    everywhere = settings(global_holdout=True, global_percent=50, holdout_percent=0)
    held = person_of(store, in_global[0])
    assert exposed_arm(store, SHOP, "capture", held, NOW, everywhere) == CONTROL
    assert store.experiments.open_period(SHOP, "capture") is None  # no capture exposure recorded
    given = person_of(store, outside[0])
    assert exposed_arm(store, SHOP, "capture", given, NOW, everywhere) == TREATED
    capture = store.experiments.open_period(SHOP, "capture")
    assert arm_counts(store, capture.id) == {TREATED: 1}
    assert arm_counts(store, store.experiments.open_period(SHOP, GLOBAL).id) == {CONTROL: 1,
                                                                                                   TREATED: 1}


@pytest.mark.parametrize("holdout", [0, 50])
def test_concurrent_first_exposures_of_one_person_record_one_row_and_agree(store, holdout):
    person = person_of(store, 7)
    store.experiments.salt(SHOP)
    answers: list[str] = []

    def expose():
        answers.append(exposed_arm(store, SHOP, "capture", person, NOW, settings(holdout_percent=holdout)))

    threads = [threading.Thread(target=expose) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    period = store.experiments.open_period(SHOP, "capture")
    assert len(set(answers)) == 1 and sum(arm_counts(store, period.id).values()) == 1


def test_a_surface_may_keep_a_holdout_of_its_own(store):
    person = person_of(store, 1)
    own = settings(holdout_percent=10, surface_percent={"capture": 0})
    assert exposed_arm(store, SHOP, "capture", person, NOW, own) == TREATED  # no holdout for the pop-up
    exposed_arm(store, SHOP, "blocks:for_you", person, NOW, own)
    assert store.experiments.open_period(SHOP, "capture").control_bps == 0
    assert store.experiments.open_period(SHOP, "blocks:for_you").control_bps == 1000


def test_a_first_exposure_answers_the_arm_it_records_and_a_later_one_the_arm_already_recorded(store):
    period = store.experiments.period_for(SHOP, "capture", control_bps=1000, window_days=30, now=NOW)
    person_id = person_of(store, 7)
    assert store.experiments.expose(SHOP, period.id, person_id, TREATED, NOW) == TREATED
    assert store.experiments.expose(SHOP, period.id, person_id, CONTROL, NOW + 1) == TREATED
    assert store.experiments.arm_of(SHOP, period.id, person_id) == TREATED
