"""``storelift evaluate FILE [FILE ...]``: the engine's offline scores next to popularity baselines."""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path


def _evaluate(args) -> int:
    """The engine's offline scores next to popularity baselines (plugin.evaluation.evaluation), one table."""
    from .evaluation import evaluate, format_table

    started = time.perf_counter()
    results = []
    for name in args.file:
        path = Path(name)
        if not path.exists():
            print(f"storelift: {path}: no such file or directory", file=sys.stderr)
            return 2
        if path.is_dir() and not any(p.name.endswith((".csv", ".csv.gz")) for p in path.iterdir()):
            print(f"storelift: {path}: no .csv or .csv.gz files in this folder", file=sys.stderr)
            return 2
        try:
            found = evaluate(path)
        except (OSError, ValueError, KeyError, csv.Error) as exc:  # unreadable, not gzip, bad dates, wrong columns
            print(f"storelift: cannot evaluate {path}: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 2
        if not found:
            print(f"storelift: {path}: no orders to evaluate", file=sys.stderr)
            return 2
        results += found
    print(format_table(results))
    print(f"\n{time.perf_counter() - started:.1f} s")
    return 0


def register(commands) -> None:
    evaluate = commands.add_parser("evaluate", help="offline scores of the recommendation strategies on a transaction file")
    evaluate.add_argument("file", nargs="+",
                          help="Online Retail .csv/.csv.gz (or a folder of daily files), or one basket per line;"
                               " several files make one table")
    evaluate.set_defaults(func=_evaluate)
