"""The recommendation engine: plain functions over plain data, no Flask, no SQL.

The store layer feeds it ``interactions`` records; everything else is pure:

* ``model``: co-occurrence, popularity and shopper histories, updated per order;
* ``similarity``, ``decay``: the item-item measures and the time-decayed counts;
* ``strategies``: one ranking per recommendation type;
* ``filters``, ``rules``: what a block may show, and the merchant's pins/boosts/excludes;
* ``blocks``: a block's cold-start ladder over the above;
* ``catalog``: product lookups and category/vendor peers;
* ``datasets``, ``metrics``, ``evaluation``, ``tuning``, ``benchmark``: offline
  evaluation, hyperparameter search and the scale check, each runnable with
  ``python -m plugin.personalization.NAME``.
"""
