"""Who is in which segment, read from the stored profiles: one person's segments, the shop's counts.

The readers of what ``refresh`` keeps current: targeting asks for a person's
segments, the admin for how many shoppers each segment holds.
"""

from __future__ import annotations

from plugin.store import Store

from . import segments as pure_segments
from .refresh import stored_cuts


def segments_of(store: Store, shop: str, person_id: str) -> set[str]:
    """The person's segments for targeting: their lifecycle stage plus tags (``device:mobile``,
    ``country:FR``, ``subscriber``, ``offer_responder``, ``offer_ignorer``). Someone without a
    profile has no recorded history: a new visitor."""
    found = store.profiles.segments(shop, person_id)
    return set(found) if found is not None else {"new_visitor"}


def segments_of_visitor(store: Store, shop: str, visitor_id: str) -> set[str]:
    """``segments_of`` for the storefront, which knows the browser's visitor id."""
    visitor = store.identities.visitor(shop, visitor_id)
    return segments_of(store, shop, visitor["person_id"]) if visitor else {"new_visitor"}


def segment_summary(store: Store, shop: str) -> dict:
    """Counts per segment and the cut points in use, for the admin."""
    cuts = stored_cuts(store, shop)
    summary = pure_segments.summarize(store.profiles.segment_counts(shop))
    return {"shop": shop, **summary, "buyers": sum(summary["lifecycle"][s] for s in pure_segments.BUYER_STAGES),
            "rfm": cuts.as_dict() if cuts else None}
