"""A recommendation block's holdout: its control gets the shop's best sellers, or an empty slot, in the same place.

Each block type is an experiment of its own (``blocks:<type>``). By default the control is not an
empty slot but the sensible default a store would show without Storelift, with as many items, so
the experiment measures what the personalization adds over best sellers. A merchant who wants to
measure the block against no block at all sets ``block_control`` to ``empty``: the control's slot
then stays empty at the size the app block reserved for it. It is kept rather than collapsed
because the platform renders that reserved height before any per-visitor decision can reach the
page (its templates cannot see the visitor id an anonymous visitor's arm hangs on), so shrinking
the slot afterwards would move the page under the shopper. Either way the page's layout is the
same in both arms (no layout shift). Bots are neither assigned nor recorded.
"""

from __future__ import annotations

from dataclasses import replace

from ...experiments.assignment import CONTROL, EMPTY, exposed_arm, unrecorded_arm
from ...store import Store
from .api import ShopperRequest, Served

CONTROL_BLOCK = "best_sellers"
EMPTY_REC_ID = "empty-slot"  # what an empty control slot's impressions name: nothing was shown


def block_experiment(block: str) -> str:
    return f"blocks:{block}"


def for_arm(store: Store, shop: str, request: ShopperRequest, person: dict | None, now: int, settings: dict, *,
            bot: bool) -> ShopperRequest | None:
    """``request`` as the visitor's arm of its block's experiment has it: best sellers for the control,
    or None when the control sees an empty slot (``settings["block_control"]``).

    ``person`` is the visitor's (``store.recommendations.shopper``, read once for all of a page's slots).
    A stored visitor's person is exposed (recorded the first time); a visitor not stored yet gets the
    arm their visitor id draws, with nothing written (``assignment.unrecorded_arm``).
    """
    if request.block == CONTROL_BLOCK or not request.visitor_id or bot:
        return request
    experiment = block_experiment(request.block)
    arm = (exposed_arm(store, shop, experiment, person["person_id"], now, settings) if person is not None
           else unrecorded_arm(store, shop, experiment, request.visitor_id, now, settings))
    if arm != CONTROL:
        return request
    return None if settings["block_control"] == EMPTY else replace(request, block=CONTROL_BLOCK)


def empty_slot(request: ShopperRequest) -> Served:
    """The answer for a control that sees no block: nothing in the slot, which keeps its size."""
    return Served(strategy=request.block, rec_id=EMPTY_REC_ID, items=[], currency=request.currency)
