"""Holdout experiments' rows: each shop's salt, each surface's periods, and who was exposed to which arm.

Every write here is safe under READ COMMITTED with several processes at once: a
first exposure is an insert that does nothing on conflict, followed by a read of
whichever row won; a new period closes the open one and inserts its successor, and
the partial unique index on open periods lets only one such successor exist.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from ..clock import now_ms
from .connection import Database


@dataclass(frozen=True)
class Period:
    id: int
    shop: str
    experiment: str
    control_bps: int  # of 10,000 buckets, those in the control arm
    window_days: int
    started_at: int
    ended_at: int | None
    control: str = ""  # what the control sees, where the surface offers a choice ('' its default; 'empty')


def _period(row: dict | None) -> Period | None:
    return None if row is None else Period(**{name: row[name] for name in Period.__dataclass_fields__})


def _settings_of(period: Period) -> tuple[int, int, str]:
    return period.control_bps, period.window_days, period.control


OPEN_PERIOD = "SELECT * FROM experiment_periods WHERE shop = :shop AND experiment = :experiment AND ended_at IS NULL"


# An open period read from the database is reused this long by this process before it is read again:
# every storefront block and capture decision needs it, and it changes only when a setting changes.
PERIOD_REUSE_MS = 30_000


class Experiments:
    """Also remembers, per process, each shop's salt (it never changes once made) and each experiment's
    open period for ``PERIOD_REUSE_MS``: a new split or window is asked for by its own values, so it
    is never answered from memory; only a period ended by another process meanwhile can be reused,
    for at most that long."""

    def __init__(self, database: Database):
        self._d = database
        self._salts: dict[str, str] = {}
        self._periods: dict[tuple[str, str], tuple[Period, int]] = {}

    def salt(self, shop: str) -> str:
        """The shop's assignment salt, made on first use (the first writer's salt stands)."""
        if shop not in self._salts:
            self._salts[shop] = self._stored_salt(shop)
        return self._salts[shop]

    def _stored_salt(self, shop: str) -> str:
        row = self._d.one("SELECT salt FROM experiment_salts WHERE shop = :shop", {"shop": shop})
        if row is not None:
            return row["salt"]
        with self._d.write():
            self._d.execute("INSERT INTO experiment_salts (shop, salt, created_at) VALUES (:shop, :salt, :now)"
                            " ON CONFLICT (shop) DO NOTHING",
                            {"shop": shop, "salt": secrets.token_hex(16), "now": now_ms()})
        return self._d.one("SELECT salt FROM experiment_salts WHERE shop = :shop", {"shop": shop})["salt"]

    def open_period(self, shop: str, experiment: str) -> Period | None:
        return _period(self._d.one(OPEN_PERIOD, {"shop": shop, "experiment": experiment}))

    def period_for(self, shop: str, experiment: str, *, control_bps: int, window_days: int, now: int,
                   control: str = "") -> Period:
        """The experiment's open period with this split, window and control: the open one when it has them,
        else a new one (the old one ends now, so periods with different settings are never mixed)."""
        wanted = (control_bps, window_days, control)
        remembered, read_at = self._periods.get((shop, experiment), (None, 0))
        if remembered is not None and _settings_of(remembered) == wanted and now_ms() - read_at < PERIOD_REUSE_MS:
            return remembered
        current = self._period_for(shop, experiment, wanted, now)
        self._periods[(shop, experiment)] = (current, now_ms())
        return current

    def _period_for(self, shop: str, experiment: str, wanted: tuple[int, int, str], now: int) -> Period:
        params = {"shop": shop, "experiment": experiment}
        current = self.open_period(shop, experiment)
        if current is not None and _settings_of(current) == wanted:
            return current
        control_bps, window_days, control = wanted
        with self._d.write():
            if current is not None:
                self._d.execute("UPDATE experiment_periods SET ended_at = :now WHERE id = :id AND shop = :shop"
                                " AND ended_at IS NULL", {"now": now, "id": current.id, "shop": shop})
            self._d.execute(
                """INSERT INTO experiment_periods (shop, experiment, control_bps, window_days, control, started_at)
                   VALUES (:shop, :experiment, :control_bps, :window_days, :control, :now)
                   ON CONFLICT (shop, experiment) WHERE ended_at IS NULL DO NOTHING""",
                {**params, "control_bps": control_bps, "window_days": window_days, "control": control, "now": now})
        return _period(self._d.one(OPEN_PERIOD, params))

    def arm_of(self, shop: str, period_id: int, person_id: str) -> str | None:
        row = self._d.one("SELECT arm FROM experiment_exposures WHERE shop = :shop AND period_id = :period"
                          " AND person_id = :person", {"shop": shop, "period": period_id, "person": person_id})
        return row["arm"] if row else None

    def expose(self, shop: str, period_id: int, person_id: str, arm: str, now: int) -> str:
        """Record the person's first exposure in ``arm``; returns the arm that stands (an earlier
        exposure's, when there is one: a person keeps their arm).

        Not durable (``write(durable=False)``): it is written on a storefront request, and a crash
        that loses the last moment's exposures only has those people recorded at their next
        eligible view instead."""
        with self._d.write(durable=False):
            inserted = self._d.execute(
                """INSERT INTO experiment_exposures (shop, period_id, person_id, arm, first_exposed_at)
                   VALUES (:shop, :period, :person, :arm, :now)
                   ON CONFLICT (shop, period_id, person_id) DO NOTHING""",
                {"shop": shop, "period": period_id, "person": person_id, "arm": arm, "now": now}).rowcount
        return arm if inserted else self.arm_of(shop, period_id, person_id)

    def crossed(self, shop: str, period_id: int) -> int:
        """People merged in with an exposure to the other arm, kept in their first arm."""
        row = self._d.one("SELECT COALESCE(SUM(crossed), 0) AS n FROM experiment_exposures WHERE shop = :shop"
                          " AND period_id = :period", {"shop": shop, "period": period_id})
        return int(row["n"])  # PostgreSQL sums BIGINT as NUMERIC

    def open_periods(self, shop: str) -> list[Period]:
        rows = self._d.query("SELECT * FROM experiment_periods WHERE shop = :shop AND ended_at IS NULL"
                             " ORDER BY experiment", {"shop": shop})
        return [_period(row) for row in rows]

    def ended_periods(self, shop: str) -> list[Period]:
        """The periods a changed setting ended, the latest first: the dashboard's earlier figures."""
        rows = self._d.query("SELECT * FROM experiment_periods WHERE shop = :shop AND ended_at IS NOT NULL"
                             " ORDER BY ended_at DESC, experiment", {"shop": shop})
        return [_period(row) for row in rows]

    def period(self, shop: str, period_id: int) -> Period | None:
        return _period(self._d.one("SELECT * FROM experiment_periods WHERE shop = :shop AND id = :id",
                                   {"shop": shop, "id": period_id}))

    def exposed_orders(self, shop: str, period_id: int, *, before_ms: int, after_ms: int) -> list[dict]:
        """Each person exposed in the period (arm, first exposure) with every order of theirs not cancelled
        from ``before_ms`` before their first exposure to ``after_ms`` after it; a person without one
        comes once with the order columns empty.

        An order is theirs when it carries their customer id or email, or was made from a cart one of
        their browsers used: online, point-of-sale and imported orders alike.
        """
        return self._d.query(
            """
            WITH exposed AS (
                SELECT e.person_id, e.arm, e.first_exposed_at, p.customer_id, p.email
                FROM experiment_exposures e JOIN people p ON p.shop = e.shop AND p.person_id = e.person_id
                WHERE e.shop = :shop AND e.period_id = :period
            )
            SELECT x.person_id, x.arm, x.first_exposed_at, o.order_id, o.currency, o.total_price, o.created_at
            FROM exposed x
            LEFT JOIN orders o ON o.shop = :shop AND o.cancelled_at IS NULL
                AND o.created_at >= x.first_exposed_at - :before AND o.created_at < x.first_exposed_at + :after
                AND ((x.customer_id IS NOT NULL AND o.customer_id = x.customer_id)
                     OR (x.email IS NOT NULL AND LOWER(o.email) = x.email)
                     OR o.cart_token IN (SELECT vc.cart_token FROM visitor_carts vc
                                         JOIN visitors v ON v.shop = vc.shop AND v.visitor_id = vc.visitor_id
                                         WHERE v.shop = :shop AND v.person_id = x.person_id))
            ORDER BY x.person_id, o.created_at, o.order_id
            """,
            {"shop": shop, "period": period_id, "before": before_ms, "after": after_ms})


def merge_exposures(database: Database, shop: str, loser: str, winner: str) -> None:
    """Fold ``loser``'s exposures into ``winner``'s (call in the merge's transaction).

    In a period both were exposed in, the earlier exposure's arm and time stand, and a
    disagreement is counted in ``crossed``; the loser's other exposures become the winner's.
    Every SET expression reads the row as it was before this statement, on both engines.
    """
    params = {"shop": shop, "loser": loser, "winner": winner}
    theirs = ("SELECT {column} FROM experiment_exposures l WHERE l.shop = :shop AND l.person_id = :loser"
              " AND l.period_id = experiment_exposures.period_id")
    earlier = theirs + " AND l.first_exposed_at < experiment_exposures.first_exposed_at"
    database.execute(
        f"""UPDATE experiment_exposures SET
               crossed = crossed + CASE WHEN EXISTS ({theirs.format(column="1")} AND l.arm <> experiment_exposures.arm)
                                        THEN 1 ELSE 0 END,
               arm = COALESCE(({earlier.format(column="l.arm")}), arm),
               first_exposed_at = COALESCE(({earlier.format(column="l.first_exposed_at")}), first_exposed_at)
            WHERE shop = :shop AND person_id = :winner AND EXISTS ({theirs.format(column="1")})""", params)
    database.execute(
        """DELETE FROM experiment_exposures WHERE shop = :shop AND person_id = :loser
            AND EXISTS (SELECT 1 FROM experiment_exposures w WHERE w.shop = :shop AND w.person_id = :winner
                        AND w.period_id = experiment_exposures.period_id)""", params)
    database.execute("UPDATE experiment_exposures SET person_id = :winner WHERE shop = :shop AND person_id = :loser",
                     params)
