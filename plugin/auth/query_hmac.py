"""The query HMAC of install links, OAuth callbacks and admin-loaded App URLs (platform.md §1.4).

The install door checks it before it trusts ``shop``, ``code`` or ``state``. The canonical message
follows the JS library byte for byte (form encoding, array keys), because a message that differs in
one escape makes every genuine link fail.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote

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

_LONE_SURROGATE_RE = re.compile("[\ud800-\udfff]")

# Parameters the platform sends at most once; a repeat is refused outright rather than
# signed as "a,b" or "a[]=...". JS refuses the first four for app proxies; for the
# admin query a repeat of any of these could only ever fail the HMAC anyway, and
# refusing it early guarantees that ``request.args.get()`` (first value) reads the
# same value that was verified.
_SINGLE_VALUE_QUERY_PARAMS = frozenset({"hmac", "signature", "shop", "timestamp", "code", "state", "host"})


def _js_form_encode(text: str) -> str:
    """Encode like JS ``URLSearchParams.toString()`` followed by ``+`` -> ``%20``.

    WHATWG form encoding leaves only ASCII alphanumerics and ``*-._`` unescaped,
    percent-encodes UTF-8 bytes in uppercase hex, and writes space as ``+``; the JS
    library (ProcessedQuery.stringify, commit 6675463) then turns ``+`` into ``%20``.
    A literal ``+`` was already ``%2B``. Python's ``quote`` also keeps ``~``, which
    WHATWG escapes, hence the replace. Lone surrogates become U+FFFD as in a JS
    USVString.
    """
    text = _LONE_SURROGATE_RE.sub("\ufffd", text)
    return quote(text, safe="*").replace("~", "%7E")


def query_hmac_message(pairs: Pairs) -> str:
    """The string the platform's query HMAC covers (platform.md §1.4, JS behaviour).

    ``pairs`` are decoded (key, value) tuples in request order, as Flask's
    ``request.args.items(multi=True)`` yields them. ``hmac`` and ``signature`` are
    dropped; keys are sorted; each ``key=value`` is form-encoded the JS way (space ->
    ``%20``); entries are joined with ``&``.

    Repeated keys follow the JS library's array serialisation (ProcessedQuery.putArray,
    as the library receives arrays from a ``qs``-parsed query): ``k=1&k=2`` and
    ``k[]=1&k[]=2`` both become ``k%5B%5D=1&k%5B%5D=2`` in request order. A single
    ``k[]=1`` stays ``k%5B%5D=1``. Other bracket syntaxes are kept as literal keys.
    Sorting is by code point (Ruby/Python order; the JS library's ``localeCompare``
    differs only for mixed-case or punctuation-heavy keys, which the platform never
    sends).
    """
    groups: dict[str, list[str]] = {}
    arrays: set[str] = set()
    for key, value in pairs:
        if key in ("hmac", "signature"):
            continue
        base = key
        if len(key) > 2 and key.endswith("[]"):
            base = key[:-2]
            arrays.add(base)
        groups.setdefault(base, []).append(value)
    parts = []
    for base in sorted(groups):
        values = groups[base]
        if len(values) > 1 or base in arrays:
            name = _js_form_encode(base + "[]")
            parts.extend(f"{name}={_js_form_encode(v)}" for v in values)
        else:
            parts.append(f"{_js_form_encode(base)}={_js_form_encode(values[0])}")
    return "&".join(parts)


def verify_query_hmac(
    pairs: Pairs, secrets: Sequence[str], now: float, tolerance: int = TIMESTAMP_TOLERANCE_S
) -> None:
    """Check the ``hmac`` of an install request, OAuth callback or admin-loaded App URL.

    Raises :class:`AuthError` ("missing hmac", "duplicate parameter", "missing
    timestamp", "invalid timestamp", "bad hmac", "stale timestamp", "future
    timestamp"). Every secret is tried so a rotated-out secret still verifies
    (RB/GEM ``old_api_secret_key``). The signature is checked before freshness, so
    "stale timestamp" means a genuine but old (or replayed) link.
    """
    secret_list = secret_tuple(secrets)
    pairs = list(pairs)
    provided = single_value(pairs, "hmac")
    if not provided:
        raise AuthError("missing hmac")
    reject_duplicates(pairs, _SINGLE_VALUE_QUERY_PARAMS)
    timestamp = parse_timestamp(pairs)
    if not matches_any(provided, query_hmac_message(pairs), secret_list):
        raise AuthError("bad hmac")
    check_fresh(timestamp, now, tolerance)
