"""Request authentication: is this request really from the platform, for which shop?

Pure functions over plain values (strings, decoded query pairs, a clock reading). No Flask and
nothing else of Storelift is imported, so every check is unit-tested with known answers and each door
uses only the check it needs. The caller passes ``now`` explicitly, which keeps every freshness check
deterministic in tests. The rules come from the platform protocol (``shared/docs/platform.md``);
where the official libraries differ we follow the newest one (JS ``@shopify/shopify-api``) unless a
comment says why not. One module per kind of proof:

- ``common``: ``AuthError`` and its reasons, the shop-domain rule (§1.3), the shared HMAC helpers;
- ``query_hmac``: install links and OAuth callbacks (§1.4), for the install door;
- ``app_proxy``: storefront requests through the app proxy (§5), for the shopper's door;
- ``session_token``: embedded-admin session tokens (§4), for the admin door;
- ``state_cookie``: the OAuth ``state`` bound to the installing browser (§1.2).
"""
