"""Offline tools for the recommendation engine: evaluation, tuning and the scale check.

They score the pure engine (``plugin.recommendations.engine``) on public
datasets and are never imported by anything that serves a shop, which is why
they live outside the recommendations package: datasets readers, metrics and
grid searches are not part of the serving path.

* ``evaluation``: the fixed protocols, ours against simple baselines
  (``storelift evaluate``, or ``python -m plugin.evaluation.evaluation``);
* ``tuning``: the hyperparameter search on validation data only
  (``python -m plugin.evaluation.tuning``);
* ``benchmark``: the engine's rebuild time and memory at 50,000 products
  (``python -m plugin.evaluation.benchmark``);
* ``datasets``, ``metrics``: the readers and the top-k metrics they share.

How every default was chosen, round by round: docs/tuning-log.md.
"""
