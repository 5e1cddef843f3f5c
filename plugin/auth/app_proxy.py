"""The app-proxy ``signature`` on every storefront request the platform forwards (platform.md §5).

The shopper's door checks it before anything in the query counts: only a verified
``ProxyRequest`` says which shop asked and which customer (if any) is logged in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .common import (
    TIMESTAMP_TOLERANCE_S,
    AuthError,
    Pairs,
    check_fresh,
    matches_any,
    parse_timestamp,
    reject_duplicates,
    secret_tuple,
    single_value,
)

# JS 2026 hardening (APP_PROXY_SINGLE_VALUE_PARAMS) plus the two values we hand back
# in ProxyRequest: with a repeat there is no single honest value to return.
_SINGLE_VALUE_PROXY_PARAMS = frozenset(
    {"hmac", "shop", "signature", "timestamp", "path_prefix", "logged_in_customer_id"}
)


@dataclass(frozen=True)
class ProxyRequest:
    """The platform-asserted facts of a verified app-proxy request.

    ``shop`` is the raw value as signed; the caller still validates it with
    :func:`normalize_shop`. ``logged_in_customer_id`` is None when nobody is logged in
    (the platform sends it empty).
    """

    shop: str
    logged_in_customer_id: str | None
    path_prefix: str | None
    timestamp: int


def app_proxy_message(pairs: Pairs) -> str:
    """The string an app-proxy ``signature`` covers (platform.md §5, GEM/JS).

    Decoded values, no re-encoding; ``signature`` dropped; repeated keys' values
    joined with ``,`` in request order; the ``key=value`` strings sorted (as strings,
    GEM's ``.sort``) and concatenated with no separator. Bracketed keys are not
    expanded; a key without ``=`` signs as ``key=``.

    Only ``signature`` is dropped (GEM); JS also drops ``hmac``. Keeping it is
    stricter: the platform signs whatever query the storefront sent, so an ``hmac``
    it forwarded is part of what it signed.
    """
    groups: dict[str, list[str]] = {}
    for key, value in pairs:
        if key == "signature":
            continue
        groups.setdefault(key, []).append(value)
    return "".join(sorted(f"{key}={','.join(values)}" for key, values in groups.items()))


def verify_app_proxy(
    pairs: Pairs, secrets: Sequence[str], now: float, tolerance: int = TIMESTAMP_TOLERANCE_S
) -> ProxyRequest:
    """Verify an app-proxy request and return what the platform asserted.

    Raises :class:`AuthError` ("duplicate parameter", "missing signature", "missing
    shop", "missing timestamp", "invalid timestamp", "bad signature", "stale
    timestamp", "future timestamp"). Nothing in the query (notably
    ``logged_in_customer_id``) may be trusted before this returns.
    """
    secret_list = secret_tuple(secrets)
    pairs = list(pairs)
    reject_duplicates(pairs, _SINGLE_VALUE_PROXY_PARAMS)
    provided = single_value(pairs, "signature")
    if not provided:
        raise AuthError("missing signature")
    shop = single_value(pairs, "shop")
    if not shop:
        raise AuthError("missing shop")
    timestamp = parse_timestamp(pairs)
    if not matches_any(provided, app_proxy_message(pairs), secret_list):
        raise AuthError("bad signature")
    check_fresh(timestamp, now, tolerance)
    return ProxyRequest(
        shop=shop,
        logged_in_customer_id=single_value(pairs, "logged_in_customer_id") or None,
        path_prefix=single_value(pairs, "path_prefix"),
        timestamp=timestamp,
    )
