"""The merchant's experiment settings: the holdout every surface keeps, the optional global holdout and
the outcome window.

The defaults follow the practice the peers document (../shared/docs/measurement.md): a 10 % holdout
per surface (Bluecore keeps 5–10 %), a global holdout of 5 % when it is on (Dynamic Yield's and
Klaviyo's size), and orders counted for 7 days after a person's first exposure. A changed split or
window starts a new period of each experiment it touches (``assignment.period``).
"""

from __future__ import annotations

from plugin.settings import Feature, Flag, SettingsModel, whole


class ExperimentSettings(SettingsModel):
    holdout_percent: whole(0, 50) = 10  # of the people each surface would reach, those kept without it
    global_holdout: Flag = False  # a slice of shoppers kept away from every surface, to measure the whole app
    global_percent: whole(1, 50) = 5
    window_days: whole(1, 60) = 7  # orders counted this long after a person's first exposure


EXPERIMENTS = Feature("experiments", ExperimentSettings)
