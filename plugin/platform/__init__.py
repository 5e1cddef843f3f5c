"""Talking to the platform: every outbound call Storelift makes to a shop, and nothing else.

One client carries all outbound HTTP, so timeouts, retries, throttling and the error hierarchy live
in one place; the other modules are the conversations Storelift has through it. Which way data goes:

- ``client``: ``PlatformClient``, the one HTTP client (GraphQL Admin API, OAuth token endpoint, bulk
  result files). ``errors`` holds the failures it raises, ``answers`` the pure readers of what it
  got back (JSON, GraphQL errors and costs, token grants).
- ``tokens``: shop → a client holding a fresh offline token (refreshed ahead of expiry, here only).
- ``subscriptions``: Storelift → platform, the webhook subscriptions each shop needs (idempotent).
- ``pull``: platform → Storelift, the catalog and recent orders, to repair missed webhooks and to
  fill a new install (``bulk`` runs the first one as bulk operations).
- ``push_customers``: Storelift → platform, email subscribers become customers with marketing consent.
- ``images``: product image URLs asking the platform's CDN for the size a card shows.

Nothing here imports Flask: the doors (install, admin, webhooks, widgets) call into this package.
"""
