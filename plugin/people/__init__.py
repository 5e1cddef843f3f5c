"""People: who a shopper is across devices, what their history says about them, and their segments.

- ``identity``: visitor ids, typed emails, logged-in customers and cart tokens
  stitched into one person;
- ``profiles`` and ``segments``: pure functions (no Flask, no SQL) that fold a
  person's history into a profile, and score profiles into RFM segments, so
  they can be tested and evaluated on plain data;
- ``refresh``: keeps the stored profiles and segments current (store rows in,
  the pure functions, store rows out), per person and per shop;
- ``membership``: reads them back for the admin (how many shoppers each segment holds).

The pure modules and the store-facing ones are kept apart on purpose: the
store-facing modules are named after what they do to the stored rows, the pure
ones after the thing they compute.
"""
