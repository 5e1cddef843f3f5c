"""The merchant's experiment settings: the holdout every surface keeps, the optional global holdout and
the outcome window.

The defaults follow the practice the peers document (../shared/docs/measurement.md): a 10 % holdout
per surface (Bluecore keeps 5–10 %), a global holdout of 5 % when it is on (Dynamic Yield's and
Klaviyo's size), and orders counted for 7 days after a person's first exposure. A surface may keep a
holdout of its own. A recommendation block's control sees the shop's best sellers, or, when the
merchant wants "block against no block", an empty slot that keeps its reserved size. A changed split,
window or block control starts a new period of each experiment it touches (``assignment.period``).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import PlainValidator

from plugin.safe_input import InputError, whole_number
from plugin.settings import Feature, FieldErrors, Flag, SettingsModel, choice, whole

# A surface's experiment: the capture pop-up, a block type's, an email flow's (``assignment`` names them).
SURFACE_RE = re.compile(r"capture|blocks:[a-z_]{1,40}|emails:[a-z]{1,20}")
MAX_SURFACES = 40


def _surface_percents(value: Any) -> dict[str, int]:
    """A bad percentage is refused under its surface (``surface_percent.capture``), so the admin marks
    that surface's field rather than the whole group."""
    if not isinstance(value, dict) or len(value) > MAX_SURFACES:
        raise ValueError(f"must give at most {MAX_SURFACES} surfaces a holdout percentage each")
    percents, refused = {}, {}
    for name, percent in value.items():
        if not isinstance(name, str) or not SURFACE_RE.fullmatch(name):
            raise ValueError(f"{str(name)[:40]!r} is not a surface")
        try:
            percents[name] = whole_number(percent, 0, 50)
        except InputError as exc:
            refused[name] = exc.reason
    if refused:
        raise FieldErrors(refused)
    return percents


class ExperimentSettings(SettingsModel):
    holdout_percent: whole(0, 50) = 10  # of the people each surface would reach, those kept without it
    # A surface's own holdout instead (0 to 50), e.g. none for the pop-up while the blocks keep 10 %.
    surface_percent: Annotated[dict[str, int], PlainValidator(_surface_percents)] = {}
    global_holdout: Flag = False  # a slice of shoppers kept away from every surface, to measure the whole app
    global_percent: whole(1, 50) = 5
    window_days: whole(1, 60) = 7  # orders counted this long after a person's first exposure
    # What a recommendation block's control sees: the shop's best sellers (measures what personalization
    # adds over a sensible default), or an empty slot of the same size (measures the block against no block).
    block_control: choice("best_sellers", "empty", message="must be best_sellers or empty") = "best_sellers"


EXPERIMENTS = Feature("experiments", ExperimentSettings)
