"""Hyperparameter search on validation data only: ``python -m plugin.evaluation.tuning``.

Online Retail is tuned on two folds carved from the training period (the test
starts 2011-09-25): train before 2011-07-25 / validate to 2011-08-24, and
train before 2011-08-25 / validate to 2011-09-24, each with the evaluation's
protocols. One fold holds only ~750 customers for task (a), so a single fold's
HR carries about +-0.018 of noise; the mean of two is what is compared.
Groceries is tuned on a seeded 80/20 split of each of the evaluation's five
training parts (the mean of the five inner splits).
Grids are searched a few knobs at a time (coordinate descent), each stage
starting from the previous winner; the script prints every stage's table.
A stage's top cell replaces the current default only when it wins by more
than one paired standard error (docs/tuning-log.md has the rule).

The chosen values and the scores behind them are listed in docs/tuning-log.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timezone

from ..recommendations.engine import rp3beta
from ..recommendations.engine import strategies as s
from ..recommendations.engine.model import ModelParams
from ..recommendations.engine.similarity import CONFIDENCE, COSINE, JACCARD, power
from . import evaluation as ev
from . import item_graphs as ig
from . import session_task as st
from .datasets import read_baskets, read_online_retail

FOLDS = (
    (datetime(2011, 7, 25, tzinfo=timezone.utc).timestamp(), ev.VALIDATION_SPLIT),
    (ev.VALIDATION_SPLIT, ev.SPLIT),
)


def stage(title: str, configs: Sequence[tuple[str, Callable[[int], float]]], folds: int) -> int:
    """Score every config on every fold; print them best first and return the winner's index.

    Ties go to the earlier config, so grids list the simpler or cheaper option first.
    """
    rows = []
    for index, (label, score) in enumerate(configs):
        per_fold = [score(fold) for fold in range(folds)]
        rows.append((sum(per_fold) / folds, index, label, per_fold))
    rows.sort(key=lambda row: (-row[0], row[1]))
    print(f"\n== {title}")
    for mean, _, label, per_fold in rows:
        print(f"  {mean:.4f}  {'  '.join(f'{x:.3f}' for x in per_fold)}  {label}", flush=True)
    return rows[0][1]


class _RetailFolds:
    """The Online Retail time folds, built once per model setting and shared by every stage."""

    def __init__(self, path):
        self.orders = read_online_retail(path)
        self.base = ModelParams()
        self._splits: dict[ModelParams, list[ev.Split]] = {}
        self.queries = [ev.fbt_queries(split) for split in self.folds_for(self.base)]

    def folds_for(self, params: ModelParams) -> list[ev.Split]:
        if params not in self._splits:
            self._splits[params] = [ev.make_split(self.orders, cut, end, params) for cut, end in FOLDS]
            for split in self._splits[params]:
                split.model.rp3 = rp3beta.fit_shoppers(split.model)  # as serving's build does
        return self._splits[params]


def tune_retail(path, tasks: set[str]) -> None:
    folds = _RetailFolds(path)
    if "fbt" in tasks:
        _tune_fbt(folds)
    if "for-you" in tasks:
        _tune_for_you(folds)
    if "buy-again" in tasks:
        _tune_buy_again(folds)
    if "session" in tasks:
        _tune_session(folds)
    if "graphs" in tasks:
        _tune_graphs(folds)


def _tune_fbt(folds: _RetailFolds) -> None:
    base = folds.base

    def fbt(params: s.CartParams, model_params: ModelParams = base) -> Callable[[int], float]:
        return lambda f: ev.score_fbt(folds.folds_for(model_params)[f].model, folds.queries[f], params)["hr"]

    item_knn = ev.ITEM_KNN
    sims = [JACCARD, power(0.5, 0.3), power(0.5, 0.4), COSINE, power(0.5, 0.6), power(0.5, 0.7)]
    grid = [(sim, p) for sim in sims for p in (1, 2, 3, 4)]
    configs = [(f"{sim.name} sharpness={p}", fbt(replace(item_knn, similarity=sim, sharpness=p))) for sim, p in grid]
    stage("OR frequently bought together, item kNN: similarity x sharpness", configs, len(FOLDS))
    model_grid = [ModelParams(50, 100), ModelParams(30, 100), ModelParams(50, 300), ModelParams(100, 100)]
    configs = [(f"{mp}", fbt(item_knn, mp)) for mp in model_grid]
    stage("OR frequently bought together, item kNN: pair_cap x candidates", configs, len(FOLDS))
    grid = [(w, n) for w in (0.0, 0.1, 0.2, 0.3, 0.4) for n in (30, 100, 300)]
    configs = [(f"basket weight={w:g} recent baskets per item={n}",
                fbt(replace(s.CartParams(), basket_weight=w), replace(base, basket_per_item=n))) for w, n in grid]
    stage("OR frequently bought together: basket-neighbour weight x recent baskets per item", configs, len(FOLDS))
    grid = [(k, p, j) for k in (50, 100, 200) for p in (1.0, 2.0, 3.0) for j in (True, False)]
    configs = [(f"basket neighbours={k} power={p:g} {'jaccard' if j else 'cosine'}",
                fbt(replace(s.CartParams(), basket_neighbours=k, basket_power=p, basket_jaccard=j)))
               for k, p, j in grid]
    stage("OR frequently bought together (weight 0.3): basket neighbours x power x similarity", configs, len(FOLDS))


def _tune_for_you(folds: _RetailFolds) -> None:
    base = folds.base

    def for_you(params: s.ForYouParams, model_params: ModelParams = base) -> Callable[[int], float]:
        def score(f: int) -> float:
            split = folds.folds_for(model_params)[f]
            return ev.score_for_you(split, lambda m, c, now: s.for_you(m, c, now, params))["hr"]

        return score

    grid = [
        s.ForYouParams(sim, s.NEIGHBOURS, p, None, g)
        for sim in (JACCARD, COSINE, power(0.5, 0.7))
        for p in (1.0, 2.0)
        for g in (0.0, 0.25, 0.5, 1.0, 1.5, 2.0)
    ]
    configs = [(f"{p.similarity.name} sharpness={p.sharpness:g} prior={p.prior_power:g}", for_you(p)) for p in grid]
    best = grid[stage("OR for you: similarity x sharpness x prior power", configs, len(FOLDS))]
    half_lives = [(h, t) for h in (None, 30.0, 90.0, 365.0) for t in (7.0, 14.0, 30.0)]
    configs = [
        (f"affinity half-life={h} trend half-life={t:g}",
         for_you(replace(best, affinity_half_life_days=h), replace(base, trend_half_life_days=t)))
        for h, t in half_lives
    ]
    stage("OR for you (stage winner): affinity x trend half-lives", configs, len(FOLDS))
    _tune_rp3_mix(folds)


def _tune_rp3_mix(folds: _RetailFolds) -> None:
    """RP3beta with each customer a row, mixed into the kNN score at a weight (0: kNN alone)."""
    splits = folds.folds_for(folds.base)
    served = [split.model.rp3 for split in splits]
    grid = [rp3beta.RP3Params(a, b, k) for a, b, k in ((1.0, 0.7, 100), (1.0, 0.7, 200), (0.75, 0.7, 100),
                                                      (0.5, 0.7, 100), (1.0, 0.5, 100), (1.0, 0.9, 100))]
    fitted = {(p, f): rp3beta.fit_shoppers(split.model, p) for p in grid for f, split in enumerate(splits)}

    def mixed(p: rp3beta.RP3Params, weight: float) -> Callable[[int], float]:
        def score(f: int) -> float:
            splits[f].model.rp3 = fitted[p, f]
            params = replace(s.ForYouParams(), rp3_weight=weight)
            return ev.score_for_you(splits[f], lambda m, c, now: s.for_you(m, c, now, params))["hr"]

        return score

    configs = [("kNN alone", mixed(grid[0], 0.0))]
    configs += [(f"kNN + {w:g} {p}", mixed(p, w)) for p in grid for w in (0.1, 0.25, 0.5, 1.0)]
    stage("OR for you: RP3beta (customers as rows) mixed into item kNN", configs, len(FOLDS))
    for split, model_rp3 in zip(splits, served):
        split.model.rp3 = model_rp3


def _tune_session(folds: _RetailFolds) -> None:
    splits = folds.folds_for(folds.base)
    queries = [st.session_queries(ev.first_orders(split.train, split.test), split.model) for split in splits]

    def in_session(ranker: st.SessionRanker) -> Callable[[int], float]:
        return lambda f: st.score_session(splits[f].model, splits[f].now, queries[f], ranker)["hr"]

    grid = [(w, d) for w in (0.3, 0.5, 0.7, 0.8, 0.9, 1.0) for d in (0.3, 0.45, 0.6, 0.8, 1.0)]
    configs = [("for you without the session", in_session(st.without_session)),
               ("complete the cart on the session", in_session(st.cart_without_history))]
    configs += [(f"session weight={w:g} decay per step back={d:g}",
                 in_session(st.with_session(replace(s.ForYouParams(), session_weight=w, session_decay=d))))
                for w, d in grid]
    stage("OR for you in session: session weight x recency decay", configs, len(FOLDS))


def _tune_graphs(folds: _RetailFolds) -> None:
    """RP3beta and EASE^R (plugin.evaluation.item_graphs), for you and bought together, each fitted per fold."""
    splits = folds.folds_for(folds.base)
    rp3 = [ig.RP3Params(a, b) for a in (0.5, 0.75, 1.0) for b in (0.0, 0.3, 0.5, 0.7, 0.9)]
    ease = [ig.EaseParams(l2) for l2 in (10.0, 20.0, 50.0, 200.0, 500.0, 2000.0)]
    fitted = {(p, f): (ig.rp3beta if isinstance(p, ig.RP3Params) else ig.ease)(split.train, p)
              for p in rp3 + ease for f, split in enumerate(splits)}
    configs = [(f"{p}", lambda f, p=p: ev.score_for_you(splits[f], ev.matrix_for_you(fitted[p, f]))["hr"])
               for p in rp3 + ease]
    stage("OR for you: RP3beta and EASE^R, times the trending prior", configs, len(FOLDS))
    configs = [(f"{p}", lambda f, p=p: ev.score_completions(splits[f].model, folds.queries[f],
                                                             ev.matrix_completions(fitted[p, f]))["hr"])
               for p in rp3 + ease]
    stage("OR frequently bought together: RP3beta and EASE^R", configs, len(FOLDS))


def _tune_buy_again(folds: _RetailFolds) -> None:
    def buy_again(params: s.BuyAgainParams, fill: bool = True) -> Callable[[int], float]:
        def score(f: int) -> float:
            split = folds.folds_for(folds.base)[f]
            ranker = lambda m, c, now: s.buy_again(m, c, now, params)  # noqa: E731
            return ev.score_buy_again(split, ranker, for_you_fill=fill)["hr"]

        return score

    grid = [s.BuyAgainParams(h, 0.0, 0.0) for h in (7.0, 15.0, 30.0, 60.0, 120.0, 365.0, None)]
    configs = [(f"half-life={p.half_life_days} days", buy_again(p)) for p in grid]
    best = grid[stage("OR buy again (with for-you fill): half-life", configs, len(FOLDS))]
    grid = [replace(best, repeat_power=r, prior_power=g) for r in (0.0, 0.5, 1.0, 2.0) for g in (0.0, 0.1, 0.25, 0.5)]
    configs = [(f"repeat power={p.repeat_power:g} prior power={p.prior_power:g}", buy_again(p)) for p in grid]
    best = grid[stage("OR buy again (stage winner): repeat-rate power x trending prior power", configs, len(FOLDS))]
    configs = [("for-you fill, then trending", buy_again(best, True)), ("trending only", buy_again(best, False))]
    stage("OR buy again (stage winner): what fills the list after the shopper's own items", configs, len(FOLDS))


def tune_groceries(path) -> None:
    """Each of the evaluation's seeded 80/20 splits, its 80% split 80/20 again; mean HR of the inner splits."""
    baskets = ev.baskets_to_orders(read_baskets(path))
    inner, fits = [], []
    for seed in ev.GROCERIES_SEEDS:
        train, _ = ev.basket_split(baskets, seed)
        fit, held = ev.basket_split(train, seed + 1000)
        model = ev.InteractionModel.from_orders(fit, ev.GROCERIES_MODEL)
        inner.append((model, ev.hidden_item_queries(held, seed, model)))
        fits.append(fit)
    sims = [CONFIDENCE, power(1, -0.1), power(1, 0.1), power(1, 0.2), power(0.5, 0.3), COSINE, JACCARD]
    configs = [
        (f"{sim.name} sharpness={p} neighbours={k}",
         lambda f, params=s.CartParams(sim, k, p, basket_weight=0.0): ev.score_fbt(*inner[f], params)["hr"])
        for sim in sims
        for p in (1, 2, 4, 8)
        for k in (50, 200)
    ]
    stage("Groceries bought together, item kNN (validation carved from each 80% train)", configs, len(inner))
    configs = [
        (f"basket weight={w:g} basket neighbours={k} power={p:g} {'jaccard' if j else 'cosine'}",
         lambda f, params=replace(ev.GROCERIES_PARAMS, basket_weight=w, basket_neighbours=k, basket_power=p,
                                  basket_jaccard=j): ev.score_fbt(*inner[f], params)["hr"])
        for w in (0.5, 1.0)
        for k in (200, 500, 1000)
        for p in (1.0, 2.0, 3.0)
        for j in (True, False)
    ]
    stage("Groceries bought together: basket neighbours (1,000 recent baskets per item)", configs, len(inner))
    graphs = [ig.RP3Params(a, b) for a in (0.5, 1.0) for b in (0.0, 0.3, 0.5)]
    graphs += [ig.EaseParams(l2) for l2 in (200.0, 1000.0, 3000.0)]
    configs = [
        (f"{p}", lambda f, p=p: ev.score_completions(inner[f][0], inner[f][1], ev.matrix_completions(
            (ig.rp3beta if isinstance(p, ig.RP3Params) else ig.ease)(fits[f], p)))["hr"])
        for p in graphs
    ]
    stage("Groceries bought together: RP3beta and EASE^R", configs, len(inner))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Hyperparameter search on validation folds only.")
    parser.add_argument("retail", nargs="?", default=str(ev.RETAIL_PATH))
    parser.add_argument("groceries", nargs="?", default=str(ev.GROCERIES_PATH))
    parser.add_argument("--only", choices=("fbt", "for-you", "buy-again", "session", "graphs", "groceries"), action="append",
                        help="run only these searches (repeatable; default: all)")
    args = parser.parse_args(argv)
    tasks = set(args.only or ("fbt", "for-you", "buy-again", "session", "graphs", "groceries"))
    started = time.perf_counter()
    if tasks - {"groceries"}:
        tune_retail(args.retail, tasks)
    if "groceries" in tasks:
        tune_groceries(args.groceries)
    print(f"\n{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
