"""Recommendation blocks: what a shopper is shown next to a product, a cart or on the home page.

Three parts, so that each can be read and changed alone:

* ``engine/``: the pure engine (models, strategies, filters, the blocks' ladders).
  No Flask, no SQL, nothing of Storelift's, so the offline evaluation in
  ``plugin.evaluation`` scores exactly what the storefront serves.
* ``serving/``: the engine fed from the store and served per shop: rows decoded
  into engine records, a model per shop in memory kept current from a change
  feed, the per-process model registry, and the public API the webhook
  handlers, the storefront door, the admin and the CLI call.
* ``settings``: the merchant's per-shop block settings (pins, boosts,
  exclusions, price band, already-bought policy), declared to
  ``plugin.settings`` as ``RECOMMENDATIONS``; ``theme_links``: the
  theme-editor deep links that place a block.
"""
