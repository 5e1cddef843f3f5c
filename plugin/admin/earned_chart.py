"""The dashboard's cumulative chart, drawn on the server as SVG: no script, no third-party library or CDN.

One line for the estimate of incremental orders at each look, a band for its always-valid 95 %
interval, and the zero line. Looks with no interval yet ("not enough data") are left out of the
band, so the band starts when the statistics can say something.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 640, 200, 28


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    line: str  # SVG points of the estimate
    band: str  # SVG points of the interval's outline (empty: no interval yet)
    zero_y: float
    top_label: str
    bottom_label: str


def chart(points: list[tuple[int, float, float, float]]) -> Chart | None:
    """``points``: (time ms, estimate, low, high), oldest first; None when there is nothing to draw."""
    finite = [(t, e, lo, hi) for t, e, lo, hi in points if math.isfinite(e)]
    if len(finite) < 2:
        return None
    banded = [(t, e, lo, hi) for t, e, lo, hi in finite if math.isfinite(lo) and math.isfinite(hi)]
    values = [0.0] + [e for _, e, _, _ in finite] + [v for _, _, lo, hi in banded for v in (lo, hi)]
    top, bottom = max(values), min(values)
    if top == bottom:
        top, bottom = top + 1, bottom - 1
    first, last = finite[0][0], finite[-1][0]

    def x(t: int) -> float:
        return PAD + (WIDTH - 2 * PAD) * ((t - first) / (last - first) if last > first else 0)

    def y(v: float) -> float:
        return PAD + (HEIGHT - 2 * PAD) * (top - v) / (top - bottom)

    line = " ".join(f"{x(t):.1f},{y(e):.1f}" for t, e, _, _ in finite)
    outline = [(x(t), y(hi)) for t, _, _, hi in banded] + [(x(t), y(lo)) for t, _, lo, _ in reversed(banded)]
    band = " ".join(f"{a:.1f},{b:.1f}" for a, b in outline) if len(banded) >= 2 else ""
    return Chart(WIDTH, HEIGHT, line, band, y(0.0), f"{top:+,.1f}", f"{bottom:+,.1f}")
