"""Holdout tests' shared setup: a 50 % holdout, a salt that puts a chosen person key in a chosen arm, and
the exposures recorded so far."""

from __future__ import annotations

from plugin.experiments.assignment import CONTROL, bucket
from plugin.experiments.settings import EXPERIMENTS

from .app import SHOP

HALF = 5000


def salt_putting(store, experiment: str, key: str, arm: str) -> None:
    """Give the shop a salt under which ``key`` lands in ``arm`` of a 50 % holdout."""
    for n in range(1000):
        salt = f"test-salt-{n}"
        if (bucket(salt, experiment, key) < HALF) == (arm == CONTROL):
            store.database.execute("INSERT INTO experiment_salts (shop, salt, created_at) VALUES (:shop, :salt, 0)",
                                   {"shop": SHOP, "salt": salt})
            return
    raise AssertionError("no salt found")


def half_holdout(store) -> None:
    EXPERIMENTS.save(store, SHOP, {**EXPERIMENTS.defaults(), "holdout_percent": 50})


def arm_counts(store, period_id: int) -> dict[str, int]:
    """People exposed per arm in a period, read from the table itself."""
    rows = store.database.query("SELECT arm, COUNT(*) AS n FROM experiment_exposures WHERE shop = :shop"
                                " AND period_id = :period GROUP BY arm", {"shop": SHOP, "period": period_id})
    return {row["arm"]: row["n"] for row in rows}


def exposures(store, experiment: str) -> dict[str, int]:
    """People exposed per arm in the experiment's open period ({} before it has one)."""
    period = store.experiments.open_period(SHOP, experiment)
    return arm_counts(store, period.id) if period else {}
