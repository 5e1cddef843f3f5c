"""Always-on holdouts, simulated: are the dashboard's intervals honest when a merchant looks every day?

Shoppers arrive for 90 days, the same number each day, and each is assigned to the surface or to
the holdout by a coin with the configured split (10 % control, the default, and 50 %). Every look
re-runs the statistics of ``plugin.experiments.stats`` on everyone who has arrived so far, as the
dashboard will, from running totals per day (numpy cumulative sums, no loop over people).

The shoppers are ``plugin.experiments.shoppers``' model, the one the demo's simulated dashboard
uses: 3 % buy in the window, 2 % of people are regulars, baskets are heavy-tailed, and pre-period
spend correlates with what they buy (its docstring has the figures; the correlations are measured
in every run and printed, as the square root of CUPED's variance reduction). The treatment
multiplies every person's buying probability by 1.10: a +10 % relative lift in conversion and in
revenue per person. The same draws give the A/A runs (no lift), so the two are compared on the
same shoppers.

Figures, with their targets: the share of 200 A/A experiments ever declared significant over 90
daily looks (<= 5 %); with the lift, the share of runs whose interval covers the truth at every
look (>= 93 %), and when the interval first lies above zero against the expected sample size
(the n at which sigma * boundary(n) equals the true lift, ``horizon.people_needed`` with the true
variance p1 (1 - p1) / p + p0 (1 - p0) / (1 - p)); CUPED's variance reduction; revenue with and
without the cap. An ordinary 95 % interval peeked at daily is shown for contrast.

Run: ``python -m bench.holdout_sim`` (one to two minutes on two cores).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy import stats

from plugin.experiments import shoppers
from plugin.experiments.shoppers import BASE_RATE, BASKET_MEAN, BASKET_SIGMA
from plugin.experiments.stats import cuped, winsorize
from plugin.experiments.stats.horizon import people_needed
from plugin.experiments.stats.moments import FIELDS, Moments
from plugin.experiments.stats.sequential import ALPHA, Effect, effect

LIFT = 0.10
TRUE_CONVERSION_LIFT = BASE_RATE * LIFT
TRUE_REVENUE_LIFT = BASE_RATE * LIFT * BASKET_MEAN  # basket and jitter have mean 60 and 1, apart from buying

VARIANTS = ("conversion", "conversion + CUPED", "revenue", "revenue + CUPED", "revenue capped",
            "revenue capped + CUPED")


@dataclass(frozen=True)
class Setup:
    control_share: float
    runs: int = 200
    days: int = 90
    people_per_day: int = 7_000
    seed: int = 20240
    runs_per_batch: int = 5

    @property
    def treated_share(self) -> float:
        return 1 - self.control_share


@dataclass(frozen=True)
class Detection:
    detected: float  # share of runs whose interval lay above zero by the last day
    median_day: float  # over all runs, a run never detected counting as later than any day: inf if most never were
    median_people: float


@dataclass(frozen=True)
class Figures:
    setup: Setup
    false_positives: dict[str, float]  # variant -> share of A/A runs ever significant
    coverage: dict[str, float]  # variant -> share of lift runs covering the true lift at every look
    detection: dict[str, Detection]  # variant -> when the lift runs' interval first lies above zero
    variance_reduction: dict[str, float]  # "conversion", "revenue", "revenue capped": median at the last look
    expected_people: float  # conversion: where sigma * boundary(n) meets the true lift
    fixed_horizon_people: float  # conversion: one look, 80 % power at 5 %, for reference


@dataclass(frozen=True)
class _Arms:
    """Running totals per run and day, (runs, days) arrays, for the two arms of one metric."""

    control: Moments
    treated: Moments


def _people(rng: np.random.Generator, runs: int, setup: Setup):
    """One batch of runs: who is treated, who buys (without and with the lift), order values, pre-period spend."""
    treated = rng.random((runs, setup.days * setup.people_per_day)) >= setup.control_share
    drawn = shoppers.draw(rng, treated, LIFT)
    return treated, drawn.buys, drawn.buys_with_lift, drawn.order, drawn.pre


def _daily_totals(key: np.ndarray, weights: np.ndarray | None, shape: tuple[int, int]) -> np.ndarray:
    """Sums per (run, day, arm), accumulated over days: what everyone so far adds up to at each look."""
    sums = np.bincount(key, weights=weights, minlength=shape[0] * shape[1] * 2).reshape(shape[0], shape[1], 2)
    return np.cumsum(sums, axis=1)


def _arms(people, buyers, y, yy, x, xx, xy) -> _Arms:
    def side(i: int) -> Moments:
        return Moments(*(total[..., i] for total in (people, buyers, y, yy, x, xx, xy)))

    return _Arms(side(0), side(1))


def _capped_revenue(setup: Setup, treated, bought, order, pre, totals) -> _Arms:
    """Revenue capped at each look by ``winsorize.cap`` of everyone so far, as the dashboard would."""
    people, buyers, x, xx = totals
    runs, days = treated.shape[0], setup.days
    y, yy, xy = (np.zeros((runs, days, 2)) for _ in range(3))
    for run in range(runs):
        where = np.flatnonzero(bought[run])  # buyers in arrival order; everyone else adds nothing
        value, spent, arm = order[run, where], pre[run, where], treated[run, where]
        ends = np.searchsorted(where // setup.people_per_day, np.arange(days), side="right")
        caps = np.array([winsorize.cap(value[:end]) for end in ends])
        so_far = np.arange(where.size)[None, :] < ends[:, None]
        capped = np.where(so_far, winsorize.capped(value[None, :], caps[:, None]), 0.0)
        for side, members in enumerate((~arm, arm)):
            member = members.astype(float)
            y[run, :, side] = capped @ member
            yy[run, :, side] = (capped * capped) @ member
            xy[run, :, side] = capped @ (member * spent)
    return _arms(people, buyers, y, yy, x, xx, xy)


def _batch(rng: np.random.Generator, runs: int, setup: Setup) -> dict[str, tuple[_Arms, _Arms]]:
    """(A/A, lift) running totals for every variant's outcome, for one batch of runs."""
    treated, buys, buys_with_lift, order, pre = _people(rng, runs, setup)
    day = np.arange(treated.shape[1]) // setup.people_per_day
    key = ((np.arange(runs)[:, None] * setup.days + day[None, :]) * 2 + treated).ravel()
    shape = (runs, setup.days)
    people = _daily_totals(key, None, shape)
    x, xx = _daily_totals(key, pre.ravel(), shape), _daily_totals(key, (pre * pre).ravel(), shape)
    found = {}
    for name, bought in (("A/A", buys), ("lift", buys_with_lift)):
        conversion = bought.ravel().astype(float)
        revenue = np.where(bought, order, 0.0).ravel()
        y, xy = _daily_totals(key, conversion, shape), _daily_totals(key, conversion * pre.ravel(), shape)
        found[("conversion", name)] = _arms(people, y, y, y, x, xx, xy)
        found[("revenue", name)] = _arms(
            people,
            y,
            _daily_totals(key, revenue, shape),
            _daily_totals(key, revenue * revenue, shape),
            x, xx,
            _daily_totals(key, revenue * pre.ravel(), shape),
        )
        found[("revenue capped", name)] = _capped_revenue(setup, treated, bought, order, pre, (people, y, x, xx))
    return {metric: (found[(metric, "A/A")], found[(metric, "lift")]) for metric in
            ("conversion", "revenue", "revenue capped")}


def _stack(parts: list[_Arms]) -> _Arms:
    def join(side: str) -> Moments:
        return Moments(*(np.concatenate([getattr(getattr(p, side), f) for p in parts]) for f in FIELDS))

    return _Arms(join("control"), join("treated"))


def _intervals(arms: _Arms, setup: Setup, with_cuped: bool) -> Effect:
    """The library's interval at every look of every run, with or without CUPED."""
    if not with_cuped:
        return effect(arms.control.arm, arms.treated.arm, setup.treated_share)
    fitted = cuped.fit(arms.control + arms.treated)
    return effect(cuped.adjust(arms.control, fitted), cuped.adjust(arms.treated, fitted), setup.treated_share)


def _detection(found: Effect, setup: Setup) -> Detection:
    above = found.low > 0
    detected = above.any(axis=1)
    first_day = np.where(detected, above.argmax(axis=1) + 1, np.inf)
    median_day = float(np.quantile(first_day, 0.5, method="inverted_cdf"))
    return Detection(float(detected.mean()), median_day, median_day * setup.people_per_day)


def simulate(setup: Setup) -> Figures:
    rng = np.random.default_rng(setup.seed)
    batches = []
    for start in range(0, setup.runs, setup.runs_per_batch):
        batches.append(_batch(rng, min(setup.runs_per_batch, setup.runs - start), setup))
    false_positives, coverage, detection, reduction = {}, {}, {}, {}
    for metric in ("conversion", "revenue", "revenue capped"):
        null, lift = (_stack([batch[metric][i] for batch in batches]) for i in (0, 1))
        truth = TRUE_CONVERSION_LIFT if metric == "conversion" else TRUE_REVENUE_LIFT
        for with_cuped in (False, True):
            variant = metric + (" + CUPED" if with_cuped else "")
            aa, found = _intervals(null, setup, with_cuped), _intervals(lift, setup, with_cuped)
            false_positives[variant] = float(((aa.low > 0) | (aa.high < 0)).any(axis=1).mean())
            coverage[variant] = float(((found.low <= truth) & (truth <= found.high)).all(axis=1).mean())
            detection[variant] = _detection(found, setup)
        reduction[metric] = float(np.median(cuped.fit(lift.control + lift.treated).variance_reduction[:, -1]))
        if metric == "conversion":
            false_positives["conversion, fixed 95 % interval"] = _peeking(null, setup)
    p, p0 = setup.treated_share, BASE_RATE
    p1 = p0 * (1 + LIFT)
    variance = p1 * (1 - p1) / p + p0 * (1 - p0) / (1 - p)
    z = stats.norm.ppf(1 - ALPHA / 2) + stats.norm.ppf(0.8)
    return Figures(
        setup=setup,
        false_positives=false_positives,
        coverage=coverage,
        detection=detection,
        variance_reduction=reduction,
        expected_people=people_needed(TRUE_CONVERSION_LIFT, variance),
        fixed_horizon_people=z**2 * variance / TRUE_CONVERSION_LIFT**2,
    )


def _peeking(null: _Arms, setup: Setup) -> float:
    """The contrast: an ordinary 95 % interval (estimate +/- 1.96 standard errors) looked at every day
    from the same first look (100 buyers per arm) on."""
    found = effect(null.control.arm, null.treated.arm, setup.treated_share)
    half = stats.norm.ppf(1 - ALPHA / 2) * np.sqrt(found.term_variance / found.people)
    shown = np.isfinite(found.low)
    return float((shown & (np.abs(found.estimate) > half)).any(axis=1).mean())


WIDTH = 19  # one column per split


def _percent(share: float) -> str:
    return f"{100 * share:5.1f} %"


def report(all_figures: list[Figures], seconds: float) -> str:
    first = all_figures[0].setup
    columns = "".join(f"{f'{100 * f.setup.control_share:.0f} % control':>{WIDTH}}" for f in all_figures)
    lines = [
        (f"Holdout simulation: {first.runs} runs x {first.days} daily looks x {first.people_per_day:,} people/day, "
         f"{100 * BASE_RATE:.0f} % conversion, baskets lognormal (mean {BASKET_MEAN:.0f}, sigma {BASKET_SIGMA}), "
         f"true lift +{100 * LIFT:.0f} % (conversion {TRUE_CONVERSION_LIFT:.4f}, "
         f"revenue/person {TRUE_REVENUE_LIFT:.3f})"),
        "",
        f"{'A/A: share ever significant':44}{columns}   target",
    ]
    for name in (*VARIANTS, "conversion, fixed 95 % interval"):
        target = "<= 5 %" if "fixed" not in name else "(peeking, for contrast)"
        lines.append(f"  {name:42}" + "".join(f"{_percent(f.false_positives[name]):>{WIDTH}}" for f in all_figures)
                     + f"   {target}")
    lines.append(f"{'+10 % lift: covers the truth at every look':44}{columns}")
    for name in VARIANTS:
        lines.append(f"  {name:42}" + "".join(f"{_percent(f.coverage[name]):>{WIDTH}}" for f in all_figures)
                     + "   >= 93 %")
    lines.append(f"{'+10 % lift: interval first above zero':44}{columns}")
    for name in VARIANTS:
        cells = []
        for f in all_figures:
            d = f.detection[name]
            day = f"day {d.median_day:.0f}" if np.isfinite(d.median_day) else f"> day {f.setup.days}"
            cells.append(f"{_percent(d.detected)}, {day}")
        lines.append(f"  {name:42}" + "".join(f"{c:>{WIDTH}}" for c in cells) + "   detected by the end; median day")
    lines.append(f"  {'conversion: people at the median day':42}"
                 + "".join(f"{f.detection['conversion'].median_people:>{WIDTH},.0f}" for f in all_figures))
    lines.append(f"  {'conversion: expected people (CS meets lift)':42}"
                 + "".join(f"{f.expected_people:>{WIDTH},.0f}" for f in all_figures))
    lines.append(f"  {'conversion: one look, 80 % power':42}"
                 + "".join(f"{f.fixed_horizon_people:>{WIDTH},.0f}" for f in all_figures))
    lines.append("  (expected: the n where the true sigma times boundary(n) equals the true lift, with sigma^2 ="
                 " p1(1-p1)/p + p0(1-p0)/(1-p);")
    lines.append("   the first crossing tends to come sooner, while the estimate wanders above the truth)")
    lines.append(f"{'CUPED variance reduction, last look (median)':44}{columns}")
    for name in ("conversion", "revenue", "revenue capped"):
        cells = "".join(f"{_percent(f.variance_reduction[name]):>{WIDTH}}" for f in all_figures)
        lines.append(f"  {name:42}{cells}"
                     + f"   corr with pre-period ~ {np.sqrt(all_figures[0].variance_reduction[name]):.2f}")
    lines.append(f"\nRevenue cap: {winsorize.CAP_PERCENTILE:g}th percentile of buyers, both arms, recomputed daily."
                 f"  Ran in {seconds:.0f} s.")
    return "\n".join(lines)


def main() -> None:
    started = time.perf_counter()
    figures = [simulate(Setup(control_share=share)) for share in (0.10, 0.50)]
    print(report(figures, time.perf_counter() - started))


if __name__ == "__main__":
    main()
