"""How many shoppers each segment holds, read from the stored profiles, for the admin.

The reader of what ``refresh`` keeps current (the profiles and the shop's cut points).
"""

from __future__ import annotations

from plugin.store import Store

from . import segments as pure_segments
from .refresh import stored_cuts


def segment_summary(store: Store, shop: str) -> dict:
    """Counts per segment and the cut points in use, for the admin."""
    cuts = stored_cuts(store, shop)
    summary = pure_segments.summarize(store.profiles.segment_counts(shop))
    return {"shop": shop, **summary, "buyers": sum(summary["lifecycle"][s] for s in pure_segments.BUYER_STAGES),
            "rfm": cuts.as_dict() if cuts else None}
