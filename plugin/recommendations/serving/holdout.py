"""A recommendation block's holdout: its control gets the shop's best sellers in the same slot.

Each block type is an experiment of its own (``blocks:<type>``). The control is not an empty
slot but the sensible default a store would show without Storelift, with as many items, so the
page's layout is the same in both arms (no layout shift) and the experiment measures what the
personalization adds over best sellers. Bots are neither assigned nor recorded.
"""

from __future__ import annotations

from dataclasses import replace

from ...experiments.assignment import CONTROL, exposed_arm, unrecorded_arm
from ...store import Store
from .api import ShopperRequest

CONTROL_BLOCK = "best_sellers"


def block_experiment(block: str) -> str:
    return f"blocks:{block}"


def for_arm(store: Store, shop: str, request: ShopperRequest, person: dict | None, now: int, settings: dict, *,
            bot: bool) -> ShopperRequest:
    """``request`` as the visitor's arm of its block's experiment has it: best sellers for the control.

    ``person`` is the visitor's (``store.recommendations.shopper``, read once for all of a page's slots).
    A stored visitor's person is exposed (recorded the first time); a visitor not stored yet gets the
    arm their visitor id draws, with nothing written (``assignment.unrecorded_arm``).
    """
    if request.block == CONTROL_BLOCK or not request.visitor_id or bot:
        return request
    experiment = block_experiment(request.block)
    arm = (exposed_arm(store, shop, experiment, person["person_id"], now, settings) if person is not None
           else unrecorded_arm(store, shop, experiment, request.visitor_id, now, settings))
    return replace(request, block=CONTROL_BLOCK) if arm == CONTROL else request
