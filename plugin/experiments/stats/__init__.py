"""The statistics of Storelift's always-on holdouts: what a widget, block or email flow really adds.

Each surface runs as an experiment against a holdout (10 % control by default). Merchants look at
the result every day, so the interval shown must stay valid however often they look: an ordinary
95 % interval checked daily for a month declares about one A/A test in four "significant". This
package is pure (numbers in, numbers out; numpy and scipy only), so the dashboard, the simulation
in ``bench/holdout_sim.py`` and the tests all run the same code:

* ``compare``: the one call the dashboard makes, per-person outcomes of both arms in, a
  ``Comparison`` out;
* ``sequential``: the always-valid interval (Waudby-Smith et al.'s asymptotic confidence sequence);
* ``cuped``: variance reduction with each person's spend before exposure;
* ``winsorize``: the cap on heavy-tailed revenue;
* ``srm``: the sample-ratio-mismatch check of the split;
* ``horizon``: how many more days until the interval could exclude zero;
* ``moments``: the per-arm sums all of them are computed from.

Background and sources: the measurement notes (Johari et al. 2017, Howard et al. 2021,
Waudby-Smith et al. 2024, Deng et al. 2013, eBay's arXiv 1905.09252).
"""
