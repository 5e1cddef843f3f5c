"""The cap on heavy-tailed revenue: one shopper's huge order should not decide an experiment.

Revenue per person is mostly zeros and a long tail; a single wholesale-sized order can move a
holdout's mean more than the surface ever will, and its square dominates the variance. Capping
("winsorizing") each person's revenue trades a little bias for much less noise.

What we cap at: the 99th percentile of the people who have revenue (non-zero values), pooled over
both arms, recomputed at each look. Not the 99.9th percentile of all people, the more common rule:
that one depends on the conversion rate. At 3 % conversion it is the 96.7th percentile of buyers,
but an email flow converting 0.2 % of recipients would have it at the 50th percentile of buyers,
capping half of them and turning "revenue" into "conversions times a typical order". A percentile
of buyers means the same thing on every surface. Pooling both arms keeps the cap blind to the arm,
so a no-effect experiment stays a no-effect experiment.

The price (eBay, arXiv:1905.09252): the capped lift is
the lift of capped revenue, smaller than the real one when the treatment adds big orders; the
simulation measures how much coverage of the real lift that costs.
"""

from __future__ import annotations

import numpy as np

CAP_PERCENTILE = 99.0


def cap(values: np.ndarray, percentile: float = CAP_PERCENTILE) -> float:
    """The cap: ``percentile`` of the non-zero values (infinite when nobody has any)."""
    if not 0 < percentile <= 100:
        raise ValueError("percentile must be in (0, 100]")
    spenders = np.asarray(values, dtype=float)
    spenders = spenders[spenders != 0]
    return float(np.percentile(spenders, percentile)) if spenders.size else float("inf")


def capped(values: np.ndarray, limit: float) -> np.ndarray:
    """The values with everything above ``limit`` brought down to it."""
    return np.minimum(values, limit)
