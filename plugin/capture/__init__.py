"""Email capture: the storefront widget that trades a welcome discount code for an email address.

One module per step a sign-up goes through, so each can be read (and later
changed) on its own:

- ``settings``: the merchant's widget settings, one model and its defaults,
  declared to ``plugin.settings`` as ``CAPTURE`` (``texts`` renders the ``{discount}`` they advertise, ``contrast`` keeps the
  colours readable);
- ``decision``: whether a visitor is shown the widget, and the storefront's
  config document;
- ``emails``: a typed address made into the subscriber's key;
- ``signup``: the subscriber recorded and a code handed out in one transaction;
- ``codes``: who may see a subscriber's code again, and when it is spent;
- ``pool``: the codes made on the platform ahead of demand, so a shopper never
  waits on the platform.

No Flask here: the storefront door (``widgets``) and the merchant's admin
(``plugin.admin``) call these. Nothing is re-exported: the package's surface
is these modules, imported by what they are.
"""
