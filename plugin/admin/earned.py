"""The admin's landing page, "What Storelift earned": each surface against its holdout, and the settings.

For each surface (the capture pop-up, each recommendation block type, each email flow, and the
whole app when the global holdout is on) it shows the people in each arm with the split check, the
conversion in each arm, the lift with its always-valid 95 % interval, the incremental orders and
revenue per currency, "not enough data yet" with a projection while the interval includes zero,
and a cumulative chart of the incremental orders with its band. The click-window ("attributed")
figures stay beside it, labelled as such. ``/admin/earned.csv`` exports the same rows; the
holdout settings are on the same page (``/admin/api/experiments/settings``).

In the demo (``mode = demo``) the page shows a month of simulated shoppers instead
(``plugin.experiments.simulated``), marked as simulated on the page and on every surface with the
true effect built in beside the estimate: the demo keeps no holdout, so its own clicks cannot fill it.

Authenticated like the rest of the embedded admin (``session_required``); the shop comes from the
session token.
"""

from __future__ import annotations

import csv
import io
import math

from flask import Blueprint, Response, abort, current_app, g, render_template, request

from ..capture.decision import CAPTURE_EXPERIMENT
from ..clock import DAY_MS, now_ms
from ..emails.settings import FLOW_NAMES
from ..emails.steps import flow_experiment
from ..experiments import simulated
from ..experiments.assignment import GLOBAL
from ..experiments.results import Result, history, result
from ..experiments.settings import EXPERIMENTS
from ..experiments.stats.horizon import days_until_significant
from ..experiments.stats.sequential import MIN_NONZERO_PER_ARM
from ..recommendations.serving.api import STRATEGIES
from ..recommendations.serving.holdout import CONTROL_BLOCK, block_experiment
from ..services import Services
from ..store import Period
from . import settings_api
from .earned_chart import chart
from .emails import ATTRIBUTION_DAYS, FLOW_LABELS
from .routes import session_required

bp = Blueprint("admin_earned", __name__, template_folder="templates")

LOOKS = 20  # points of the cumulative chart
CSV_COLUMNS = ("surface", "since", "holdout_percent", "control_people", "treated_people", "split_check",
               "control_conversion", "treated_conversion", "conversion_lift", "lift_low", "lift_high",
               "incremental_orders", "incremental_orders_low", "incremental_orders_high", "currency",
               "incremental_revenue", "incremental_revenue_low", "incremental_revenue_high")


def init_app(app, services: Services) -> None:
    """This page's routes, and its entry first in the admin's menu."""
    app.register_blueprint(bp)
    services.admin_menu.add("/admin", "What Storelift earned", order=0)


def surface_label(experiment: str) -> str:
    kind, _, name = experiment.partition(":")
    if kind == "blocks":
        return f"“{name.replace('_', ' ').capitalize()}” recommendation block"
    if kind == "emails":
        return f"{FLOW_LABELS.get(name, name)} emails"
    return {"capture": "Email capture pop-up", "global": "All of Storelift (global holdout)"}.get(experiment, experiment)


def holdout_choices(periods: list[Period]) -> list[dict]:
    """The surfaces the settings form offers an own holdout for: every surface Storelift runs (the pop-up,
    each block type but the best sellers a block's control falls back to, each email flow), met by
    anybody yet or not, then any other the report shows.

    Not the running periods alone: a surface's period begins with its first shopper, so those left out
    every surface nobody had met yet (in the demo, whose report is simulated, "Abandoned cart emails"),
    and a merchant could set a surface's holdout only after its measurement had begun."""
    names = [CAPTURE_EXPERIMENT, *(block_experiment(block) for block in STRATEGIES if block != CONTROL_BLOCK),
             *(flow_experiment(flow) for flow in FLOW_NAMES)]
    names += [p.experiment for p in periods if p.experiment not in names and p.experiment != GLOBAL]
    return [{"experiment": name, "label": surface_label(name)} for name in names]


def surfaces(services: Services, shop: str, periods: list[Period], now: int) -> list[dict]:
    """One entry per running experiment (``periods``, the whole app first): its latest comparison and its chart."""
    return [_surface(period.experiment, history(services.store, shop, period, now, LOOKS), now)
            for period in periods]


def simulated_surfaces(shop: str, now: int) -> list[dict]:
    """The demo's month of simulated shoppers, each surface with the true effect it was given."""
    return [{**_surface(found.surface.experiment, found.looks, now), "true_lift": simulated.true_lift(found.surface)}
            for found in simulated.month(shop, now, LOOKS)]


def _surface(experiment: str, looks: list[tuple[int, Result]], now: int) -> dict:
    latest = looks[-1][1]
    points = [(moment, r.conversion.incremental_total, r.conversion.incremental_interval.low,
               r.conversion.incremental_interval.high) for moment, r in looks if r.conversion is not None]
    return {"experiment": experiment, "label": surface_label(experiment), "result": latest, "chart": chart(points),
            "days_left": _days_left(latest, now)}


def _periods(store, shop: str) -> list[Period]:
    """The running experiments' periods, the whole app first."""
    return sorted(store.experiments.open_periods(shop), key=lambda p: (p.experiment != "global", p.experiment))


def _days_left(found: Result, now: int) -> float | None:
    """While the interval includes zero: about how many more days at the current rate of new people."""
    compared = found.conversion
    if compared is None or compared.significant or found.period.ended_at is not None:
        return None
    days = max((now - found.period.started_at) / DAY_MS, 1.0)
    people = found.control_people + found.treated_people
    return days_until_significant(compared.lift, compared.term_variance, people, people / days)


@bp.get("/admin")
@session_required
def page():
    services = Services.of(current_app)
    settings, version = EXPERIMENTS.read(services.store, g.shop)
    demo, now = services.config.mode == "demo", now_ms()
    chosen, periods = _chosen(services.store, g.shop), _periods(services.store, g.shop)
    if chosen is not None:  # one earlier period, as it ended
        shown = [_surface(chosen.experiment, history(services.store, g.shop, chosen, _closed_at(chosen, now), LOOKS),
                          now)]
    else:
        shown = simulated_surfaces(g.shop, now) if demo else surfaces(services, g.shop, periods, now)
    earlier = [{"period": period, "label": surface_label(period.experiment)}
               for period in services.store.experiments.ended_periods(g.shop)]
    return render_template("admin/earned.html", shop=g.shop, surfaces=shown, choices=holdout_choices(periods),
                           earlier=earlier, chosen=chosen, simulated=demo and chosen is None, simulated_month=simulated,
                           settings=settings, version=version,
                           attributed=services.store.emails.attributed(g.shop, ATTRIBUTION_DAYS * DAY_MS),
                           attribution_days=ATTRIBUTION_DAYS, flow_labels=FLOW_LABELS, isfinite=math.isfinite,
                           min_buyers=MIN_NONZERO_PER_ARM)


def _chosen(store, shop: str) -> Period | None:
    """The earlier period asked for (``?period=ID``), or None for the running ones; 404 for one not of this shop."""
    asked = request.args.get("period")
    if asked is None:
        return None
    found = store.experiments.period(shop, int(asked)) if asked.isdigit() and len(asked) < 19 else None
    if found is None:
        abort(404, description="no such experiment period")
    return found


def _closed_at(period: Period, now: int) -> int:
    """When a period's figures stop changing: the last person exposed has had their whole window."""
    return now if period.ended_at is None else min(now, period.ended_at + period.window_days * DAY_MS)


@bp.get("/admin/earned.csv")
@session_required
def export():
    services = Services.of(current_app)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    chosen = _chosen(services.store, g.shop)
    if chosen is not None:
        latest = [(chosen.experiment, result(services.store, g.shop, chosen))]
        name = f"storelift-earned-period-{chosen.id}.csv"
    elif services.config.mode == "demo":  # the figures the demo's page shows: simulated, and named so
        latest = [(found.surface.experiment, found.looks[-1][1]) for found in simulated.month(g.shop, now_ms(), LOOKS)]
        name = "storelift-earned-simulated.csv"
    else:  # the latest figures only: no chart's history to compute
        latest = [(period.experiment, result(services.store, g.shop, period)) for period in _periods(services.store,
                                                                                                      g.shop)]
        name = "storelift-earned.csv"
    for experiment, found in latest:
        writer.writerows(csv_rows(experiment, found))
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def csv_rows(experiment: str, found: Result) -> list[list]:
    """One row per currency (one with no currency when nobody bought), the conversion columns repeated."""
    period, compared = found.period, found.conversion
    head = [experiment, period.started_at, period.control_bps / 100, found.control_people, found.treated_people]
    if compared is None:
        return [head + [""] * (len(CSV_COLUMNS) - len(head))]
    head += ["mismatch" if compared.sample_ratio.mismatch else "ok", compared.control_mean, compared.treated_mean,
             compared.lift, compared.interval.low, compared.interval.high, compared.incremental_total,
             compared.incremental_interval.low, compared.incremental_interval.high]
    revenue = [[currency, r.incremental_total, r.incremental_interval.low, r.incremental_interval.high]
               for currency, r in found.revenue.items()]
    return [head + tail for tail in revenue] or [head + ["", "", "", ""]]


@bp.get("/admin/api/experiments/settings")
@session_required
def get_settings():
    return settings_api.saved(EXPERIMENTS)


@bp.put("/admin/api/experiments/settings")
@session_required
def put_settings():
    return settings_api.save(EXPERIMENTS)
