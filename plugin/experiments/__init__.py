"""Always-on holdouts: every surface (the capture widget, each recommendation block type, each email flow)
is an experiment in which a slice of shoppers does not get the treatment, so what Storelift adds is
measured against people who did without it, not credited by a click window.

- ``settings``, ``assignment``: who is in which arm, recorded at their first exposure;
- ``stats/``: the statistics of the comparison, pure (numbers in, numbers out).
"""
