"""``storelift experiments report --shop SHOP``: each surface's holdout comparison, as the statistics see it now.

For the operator and for a merchant's support case before the dashboard exists: the people in each
arm with the split check, conversion and revenue per person in each arm (revenue per currency),
the lift with its always-valid 95 % interval, and what it adds up to over the people who got the
surface. An interval that still includes zero is reported as "not enough data yet".
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

from ..services import Services
from .assignment import BUCKETS
from .results import Result, result
from .stats.compare import Comparison


def _report(args) -> int:
    store = Services.open().store
    periods = store.experiments.open_periods(args.shop)
    if not periods:
        print(f"{args.shop}: no experiment has started yet (nobody has been exposed to a surface)")
    for period in periods:
        print("\n".join(describe(result(store, args.shop, period))))
    return 0


def describe(found: Result) -> list[str]:
    period = found.period
    since = datetime.fromtimestamp(period.started_at / 1000, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    sees = " (its control sees an empty slot)" if period.control == "empty" else ""
    lines = [f"{period.experiment}: holdout {period.control_bps * 100 / BUCKETS:g} %{sees}, orders counted"
             f" {period.window_days} days after a first exposure, since {since}",
             f"  people: control {found.control_people:,}, treated {found.treated_people:,};"
             f" merged in from the other arm {found.crossed}{_crossed_share(found)}"]
    if found.conversion is None:
        return lines + ["  no holdout: nothing to compare"]
    ratio = found.conversion.sample_ratio
    lines.append(f"  split check: {'MISMATCH, the assignment is suspect' if ratio.mismatch else 'ok'}"
                 f" (p = {ratio.p_value:.3g})")
    lines.append("  conversion: " + _comparison(found.conversion, percent=True, total="orders"))
    for currency, compared in found.revenue.items():
        lines.append(f"  revenue per person, {currency}: " + _comparison(compared, percent=False, total=currency))
    return lines


def _comparison(compared: Comparison, *, percent: bool, total: str) -> str:
    scale, unit = (100, " %") if percent else (1, "")
    text = (f"control {compared.control_mean * scale:.2f}{unit}, treated {compared.treated_mean * scale:.2f}{unit},"
            f" lift {compared.lift * scale:+.2f}{' pts' if percent else ''}")
    low, high = compared.interval.low, compared.interval.high
    if not (math.isfinite(low) and math.isfinite(high)):
        return text + "; not enough data yet for an interval"
    text += f", 95 % always-valid interval [{low * scale:+.2f}, {high * scale:+.2f}]"
    incremental = compared.incremental_interval
    text += (f"; incremental {total} {compared.incremental_total:+,.1f}"
             f" [{incremental.low:+,.1f}, {incremental.high:+,.1f}]")
    return text + ("" if compared.significant else "; not enough data yet: the interval includes zero")


def register(commands) -> None:
    experiments = commands.add_parser("experiments", help="holdout experiments: each surface against its holdout")
    actions = experiments.add_subparsers(dest="experiments_command", required=True, metavar="ACTION")
    report = actions.add_parser("report", help="each surface's people per arm, lift and always-valid interval")
    report.add_argument("--shop", required=True)
    report.set_defaults(func=_report)


def _crossed_share(found: Result) -> str:
    """The crossings as a share of the people, flagged above the 1 % stitching should keep them under."""
    people = found.control_people + found.treated_people
    if not found.crossed or not people:
        return ""
    share = found.crossed / people
    return f" ({share:.2%} of people{', ABOVE 1 %' if share >= 0.01 else ''})"
