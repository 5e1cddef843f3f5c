"""The recommendation engine: plain functions over plain data, no Flask, no SQL.

It imports nothing of Storelift's but itself, so the serving layer
(``plugin.recommendations.serving``) and the offline tools
(``plugin.evaluation``) run the very same code. The serving layer feeds it
``interactions`` records; everything else is pure:

* ``model``: co-occurrence, popularity and shopper histories, updated per order;
* ``baskets``: each product's most recent baskets, for "complete the cart";
* ``ease``: EASE^R's item x item weights, fitted once per build, which rank a cart first;
* ``rp3beta``: RP3beta's walk over every customer's purchases, fitted once per build, mixed into "for you";
* ``similarity``, ``decay``: the item-item measures and the time-decayed counts;
* ``strategies``: one ranking per recommendation type;
* ``ranked``: a ranking of thousands that names its entries only as far as a block reads;
* ``filters``, ``rules``, ``selectors``: what a block may show, and the merchant's
  pins/boosts/excludes;
* ``blocks``: a block's cold-start ladder over the above;
* ``catalog``: product lookups and category/vendor peers.
"""
