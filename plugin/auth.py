"""Storelift's request-authentication checks: shop domains, query HMACs, app-proxy
signatures, embedded-admin session tokens and the OAuth ``state`` cookie.

Layer L1: pure functions over plain values (strings, decoded query pairs, a clock
reading). No Flask and nothing else of Storelift is imported, so every check can be
unit-tested with known answers and reused by any edge (install, admin, widgets).
The caller passes ``now`` explicitly, which keeps every freshness check
deterministic in tests. The rules come from ``shared/docs/platform.md``
(§1.3 shop, §1.4 query HMAC, §4 session token, §5 app proxy); where the official
libraries differ we follow the newest one (JS ``@shopify/shopify-api``) unless a
comment says why not.

Every failure raises :class:`AuthError`, whose ``reason`` is a short machine string
that is safe to log and to show (it never contains a secret or a signature):

=====================  =======================================================
reason                 meaning
=====================  =======================================================
missing hmac           query HMAC absent or empty
bad hmac               query HMAC does not match any configured secret
missing signature      app-proxy ``signature`` absent or empty
bad signature          app-proxy signature, or session-token signature, wrong
duplicate parameter    a single-valued parameter (hmac, shop, timestamp, ...) repeated
missing timestamp      no ``timestamp`` parameter
invalid timestamp      ``timestamp`` is not a plain non-negative integer
stale timestamp        ``timestamp`` more than ``tolerance`` seconds in the past
future timestamp       ``timestamp`` more than ``tolerance`` seconds in the future
missing shop           app-proxy request without ``shop``
invalid shop           session token ``dest`` is not ``https://{valid shop}``
wrong issuer           session token ``iss`` is not ``https://{shop}/admin``
missing token          empty / non-string session token
malformed token        not a decodable JWT
unsupported algorithm  JWT ``alg`` other than HS256 (``none``, HS512, RS256, ...)
missing claim          a required JWT claim is absent
invalid claim          a JWT claim has the wrong type or is empty
wrong audience         JWT ``aud`` is not exactly our API key
expired                JWT ``exp`` passed (beyond the leeway)
not yet valid          JWT ``nbf`` / ``iat`` in the future (beyond the leeway)
invalid token          any other JWT rejection
bad state cookie       OAuth state cookie malformed, forged or from the future
expired state cookie   OAuth state cookie older than ``max_age``
=====================  =======================================================

Programming / configuration mistakes (no secret configured, a single string passed
where a list of secrets is expected, an invalid platform domain) raise ``TypeError``
or ``ValueError`` instead: they must crash loudly, not turn into a quiet 401.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

import jwt

__all__ = [
    "AuthError",
    "ProxyRequest",
    "SessionToken",
    "normalize_shop",
    "query_hmac_message",
    "sign_query",
    "verify_query_hmac",
    "app_proxy_message",
    "sign_app_proxy",
    "verify_app_proxy",
    "decode_session_token",
    "sign_state",
    "unsign_state",
]

Pairs = Iterable[tuple[str, str]]

# JS hmac-validator.ts: HMAC_TIMESTAMP_PERMITTED_CLOCK_TOLERANCE_SEC = 90 (platform.md §1.4, §5).
TIMESTAMP_TOLERANCE_S = 90
# PY session_token.py LEEWAY_SECONDS / JS JWT_PERMITTED_CLOCK_TOLERANCE (platform.md §4).
SESSION_TOKEN_LEEWAY_S = 10

# A plain decimal integer. Leading signs, decimals, exponents, "Infinity", blanks and
# whitespace are all refused (JS 2026 hardening rejects NaN/Infinity/123.45/"").
# 15 digits keeps int() far away from Python's 4300-digit conversion limit.
_TIMESTAMP_RE = re.compile(r"[0-9]{1,15}")
_HEX64_RE = re.compile(r"[0-9a-f]{64}")
_LONE_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_DOMAIN_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+")


class AuthError(Exception):
    """A request failed an authentication check.

    ``reason`` is a short machine string (see the module docstring); the message is
    the reason itself, so ``str(exc)`` is always safe to log or show.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------- helpers


def _secret_tuple(secrets: Sequence[str]) -> tuple[str, ...]:
    """Validate the secret list once; the first signs, all of them verify (rotation).

    A bare string is refused because iterating it would silently try every single
    character as a secret; an empty secret is refused because anyone can compute an
    HMAC keyed with "".
    """
    if isinstance(secrets, (str, bytes)):
        raise TypeError("secrets must be a sequence of strings, not a single string")
    result = tuple(secrets)
    if not result:
        raise ValueError("no secret configured")
    for secret in result:
        if not isinstance(secret, str) or not secret:
            raise ValueError("every secret must be a non-empty string")
    return result


def _hmac_hex(secret: str, message: str) -> str:
    return hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def _matches_any(provided: str, message: str, secrets: tuple[str, ...]) -> bool:
    """Constant-time comparison against every secret, without stopping at the first hit.

    Bytes, not str, go to ``compare_digest``: it raises TypeError on non-ASCII str,
    and the provided value is attacker-controlled. Hex is compared exactly (lowercase),
    as the JS library's ``safeCompare`` does.
    """
    provided_bytes = provided.encode("utf-8", "replace")
    ok = False
    for secret in secrets:
        expected = _hmac_hex(secret, message).encode("ascii")
        ok |= hmac.compare_digest(provided_bytes, expected)
    return ok


def _single(pairs: list[tuple[str, str]], key: str) -> str | None:
    for k, v in pairs:
        if k == key:
            return v
    return None


def _reject_duplicates(pairs: list[tuple[str, str]], keys: frozenset[str]) -> None:
    counts = Counter(k for k, _ in pairs if k in keys)
    if any(n > 1 for n in counts.values()):
        raise AuthError("duplicate parameter")


def _parse_timestamp(pairs: list[tuple[str, str]]) -> int:
    raw = _single(pairs, "timestamp")
    if raw is None:
        raise AuthError("missing timestamp")
    if not _TIMESTAMP_RE.fullmatch(raw):
        raise AuthError("invalid timestamp")
    return int(raw)


def _check_fresh(timestamp: int, now: float, tolerance: int) -> None:
    """Reject a timestamp more than ``tolerance`` s away from now, in either direction.

    ``now`` is truncated to whole seconds like JS ``getCurrentTimeInSec`` so the
    boundary (exactly 90 s is still accepted) matches the official library.
    """
    delta = math.trunc(now) - timestamp
    if delta > tolerance:
        raise AuthError("stale timestamp")
    if -delta > tolerance:
        raise AuthError("future timestamp")


# --------------------------------------------------------------------------- shop


@functools.lru_cache(maxsize=16)
def _shop_pattern(platform_domain: str) -> re.Pattern[str]:
    domain = platform_domain.lower() if isinstance(platform_domain, str) else platform_domain
    if not isinstance(domain, str) or not domain.isascii() or not _DOMAIN_RE.fullmatch(domain):
        raise ValueError(f"invalid platform domain: {platform_domain!r}")
    return re.compile(r"[a-z0-9][a-z0-9-]*\." + re.escape(domain))


def normalize_shop(value: str | None, platform_domain: str) -> str | None:
    """Return the canonical shop domain (``name.{platform_domain}``, lowercase) or None.

    Strict on purpose (platform.md §1.3 recommendation): the platform always sends the
    bare domain, so anything else -- a scheme, path, port, ``@``, percent-escape, extra
    label, trailing dot -- is not from the platform and is refused rather than repaired.
    The result is used to build outgoing URLs and as the tenant key, so it must be
    exactly one label under the platform domain.

    Only ASCII case is normalised. Surrounding whitespace is NOT trimmed: ``str.strip``
    would also strip a smuggled ``"\\n"`` and the platform never sends padding, so a
    padded value is refused. (A form where a human types a shop may ``.strip()`` that
    human input itself before calling this.) Non-ASCII input is refused *before*
    lowercasing, because ``str.lower`` folds e.g. the Kelvin sign U+212A into ASCII "k".
    ``re.fullmatch`` is used because ``$`` would accept a trailing newline.
    """
    pattern = _shop_pattern(platform_domain)
    if not isinstance(value, str) or not value.isascii():
        return None
    candidate = value.lower()
    return candidate if pattern.fullmatch(candidate) else None


# --------------------------------------------------------------------------- query HMAC (§1.4)

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


def sign_query(pairs: Pairs, secret: str) -> str:
    """Lowercase hex HMAC-SHA256 of :func:`query_hmac_message` (what the platform sends as ``hmac``)."""
    (secret,) = _secret_tuple([secret])
    return _hmac_hex(secret, query_hmac_message(pairs))


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
    secret_list = _secret_tuple(secrets)
    pairs = list(pairs)
    provided = _single(pairs, "hmac")
    if not provided:
        raise AuthError("missing hmac")
    _reject_duplicates(pairs, _SINGLE_VALUE_QUERY_PARAMS)
    timestamp = _parse_timestamp(pairs)
    if not _matches_any(provided, query_hmac_message(pairs), secret_list):
        raise AuthError("bad hmac")
    _check_fresh(timestamp, now, tolerance)


# --------------------------------------------------------------------------- app proxy (§5)

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


def sign_app_proxy(pairs: Pairs, secret: str) -> str:
    """Lowercase hex HMAC-SHA256 of :func:`app_proxy_message`."""
    (secret,) = _secret_tuple([secret])
    return _hmac_hex(secret, app_proxy_message(pairs))


def verify_app_proxy(
    pairs: Pairs, secrets: Sequence[str], now: float, tolerance: int = TIMESTAMP_TOLERANCE_S
) -> ProxyRequest:
    """Verify an app-proxy request and return what the platform asserted.

    Raises :class:`AuthError` ("duplicate parameter", "missing signature", "missing
    shop", "missing timestamp", "invalid timestamp", "bad signature", "stale
    timestamp", "future timestamp"). Nothing in the query (notably
    ``logged_in_customer_id``) may be trusted before this returns.
    """
    secret_list = _secret_tuple(secrets)
    pairs = list(pairs)
    _reject_duplicates(pairs, _SINGLE_VALUE_PROXY_PARAMS)
    provided = _single(pairs, "signature")
    if not provided:
        raise AuthError("missing signature")
    shop = _single(pairs, "shop")
    if not shop:
        raise AuthError("missing shop")
    timestamp = _parse_timestamp(pairs)
    if not _matches_any(provided, app_proxy_message(pairs), secret_list):
        raise AuthError("bad signature")
    _check_fresh(timestamp, now, tolerance)
    return ProxyRequest(
        shop=shop,
        logged_in_customer_id=_single(pairs, "logged_in_customer_id") or None,
        path_prefix=_single(pairs, "path_prefix"),
        timestamp=timestamp,
    )


# --------------------------------------------------------------------------- session token (§4)

# platform.md §4: the union of the libraries. ``sub`` and ``sid`` are required because
# Storelift only accepts *admin* session tokens; checkout / customer-account extension
# tokens (no ``sid``, ``sub`` a GID or absent, ``iss`` ending in /checkouts) are a
# different thing and must not authenticate an admin request.
_SESSION_TOKEN_CLAIMS = ("iss", "dest", "aud", "sub", "exp", "nbf", "iat", "jti", "sid")
_MAX_TOKEN_LENGTH = 8192


@dataclass(frozen=True)
class SessionToken:
    """A verified embedded-admin session token."""

    shop: str
    user_id: str  # ``sub``: the staff user's id
    session_id: str  # ``sid``
    jti: str
    expires_at: int  # ``exp``, unix seconds


def _numeric_claim(claims: dict, name: str) -> float:
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise AuthError("invalid claim")
    return value


def _string_claim(claims: dict, name: str) -> str:
    value = claims[name]
    if not isinstance(value, str) or not value:
        raise AuthError("invalid claim")
    return value


def decode_session_token(
    token: str,
    api_key: str,
    secrets: Sequence[str],
    platform_domain: str,
    now: float | None = None,
    leeway: int = SESSION_TOKEN_LEEWAY_S,
) -> SessionToken:
    """Verify an App Bridge session token (``Authorization: Bearer <JWT>``).

    PyJWT checks the signature with ``algorithms=["HS256"]`` pinned (so ``none``,
    HS512, RS256 ... are refused) and that every required claim is present. ``aud``
    must then be exactly our API key (a string, not a list). PyJWT reads the wall
    clock itself and offers no way to inject one, so its time checks are disabled and
    ``exp``/``nbf``/``iat`` are checked here against ``now`` with PyJWT's own rules
    and ``leeway`` (10 s, as PY and JS): expired when ``exp <= now - leeway``, not yet
    valid when ``nbf`` or ``iat`` ``> now + leeway``. ``sub``, ``sid`` and ``jti``
    must be non-empty strings. ``dest`` must be exactly ``https://{shop}`` with a
    canonical shop domain, and ``iss`` exactly ``https://{shop}/admin`` for the same
    shop. Every secret is tried (rotation, as RB). Any failure raises
    :class:`AuthError`; no PyJWT exception escapes.
    """
    secret_list = _secret_tuple(secrets)
    if not isinstance(api_key, str) or not api_key:
        raise ValueError("api_key must be a non-empty string")
    if now is None:
        now = time.time()
    if not isinstance(token, str) or not token:
        raise AuthError("missing token")
    if len(token) > _MAX_TOKEN_LENGTH:
        raise AuthError("malformed token")

    # PyJWT does what it is good at -- the signature with the algorithm pinned, and
    # the presence of every required claim. The claim *values* are checked below:
    # time against the caller's clock; aud/sub/jti/sid ourselves because PyJWT's
    # strict_aud / verify_sub / verify_jti only exist from 2.9/2.10 and older
    # versions (pyproject allows >= 2.8) silently ignore unknown options.
    options = {
        "require": list(_SESSION_TOKEN_CLAIMS),
        "verify_signature": True,
        "verify_aud": False,
        "verify_iss": False,
        "verify_sub": False,
        "verify_jti": False,
        "verify_exp": False,
        "verify_nbf": False,
        "verify_iat": False,
    }
    claims = None
    for secret in secret_list:
        try:
            claims = jwt.decode(token, secret, algorithms=["HS256"], options=options)
            break
        except jwt.InvalidSignatureError:  # subclass of DecodeError: must come first
            continue
        except jwt.InvalidAlgorithmError:
            raise AuthError("unsupported algorithm") from None
        except jwt.MissingRequiredClaimError:
            raise AuthError("missing claim") from None
        except jwt.DecodeError:
            raise AuthError("malformed token") from None
        except jwt.PyJWTError:
            raise AuthError("invalid token") from None
    if claims is None:
        raise AuthError("bad signature")

    aud = claims["aud"]
    if not isinstance(aud, str) or aud != api_key:  # exactly our key; a list is refused
        raise AuthError("wrong audience")

    exp = _numeric_claim(claims, "exp")
    nbf = _numeric_claim(claims, "nbf")
    iat = _numeric_claim(claims, "iat")
    if exp <= now - leeway:
        raise AuthError("expired")
    if nbf > now + leeway or iat > now + leeway:
        raise AuthError("not yet valid")

    dest = _string_claim(claims, "dest")
    iss = _string_claim(claims, "iss")
    host = dest[len("https://"):] if dest.startswith("https://") else ""
    shop = normalize_shop(host, platform_domain)
    if shop is None or shop != host:
        raise AuthError("invalid shop")
    if iss != f"https://{shop}/admin":
        raise AuthError("wrong issuer")

    return SessionToken(
        shop=shop,
        user_id=_string_claim(claims, "sub"),
        session_id=_string_claim(claims, "sid"),
        jti=_string_claim(claims, "jti"),
        expires_at=int(exp),
    )


# --------------------------------------------------------------------------- OAuth state cookie (§1.2)

# The state value is our own nonce (hex / base64url); anything else is a caller bug.
_STATE_VALUE_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_STATE_KEY_LABEL = b"storelift/oauth-state-cookie/v1"
# Several app servers may sign and verify; allow a little clock skew between them.
_STATE_FUTURE_SKEW_S = 10


def _state_key(secret: str) -> bytes:
    """A key derived from the client secret and used only for the state cookie.

    The client secret itself is also what the platform uses to sign query strings and
    app-proxy requests, whose canonical messages an attacker partly controls (an app
    proxy message can end in ``x.1700000000``). A derived key makes it impossible for a
    platform-signed message to double as a valid state cookie.
    """
    return hmac.new(secret.encode("utf-8"), _STATE_KEY_LABEL, hashlib.sha256).digest()


def sign_state(value: str, secret: str, now: float) -> str:
    """Return ``value.timestamp.hexmac`` for the OAuth state cookie.

    A dozen lines of stdlib ``hmac`` instead of itsdangerous: auth.py is L1 and must
    not pull in Flask's stack, and we need only one fixed format.
    """
    if not isinstance(value, str) or not _STATE_VALUE_RE.fullmatch(value):
        raise ValueError("state value must be 1-256 characters of [A-Za-z0-9_-]")
    (secret,) = _secret_tuple([secret])
    payload = f"{value}.{math.trunc(now)}"
    mac = hmac.new(_state_key(secret), payload.encode("ascii"), hashlib.sha256).hexdigest()
    return f"{payload}.{mac}"


def unsign_state(signed: str, secrets: Sequence[str], now: float, max_age: int = 600) -> str:
    """Return the state value bound to this browser, or raise :class:`AuthError`.

    "bad state cookie" (malformed, forged, wrong secret, from the future) or
    "expired state cookie" (older than ``max_age`` seconds). The caller still compares
    the value with the ``state`` query parameter in constant time and consumes it.
    """
    secret_list = _secret_tuple(secrets)
    if not isinstance(signed, str) or not signed.isascii() or signed.count(".") != 2:
        raise AuthError("bad state cookie")
    value, stamp, mac = signed.split(".")
    if not _STATE_VALUE_RE.fullmatch(value) or not _TIMESTAMP_RE.fullmatch(stamp) or not _HEX64_RE.fullmatch(mac):
        raise AuthError("bad state cookie")
    payload = f"{value}.{stamp}".encode("ascii")
    ok = False
    for secret in secret_list:
        expected = hmac.new(_state_key(secret), payload, hashlib.sha256).hexdigest().encode("ascii")
        ok |= hmac.compare_digest(mac.encode("ascii"), expected)
    if not ok:
        raise AuthError("bad state cookie")
    age = math.trunc(now) - int(stamp)
    if age > max_age:
        raise AuthError("expired state cookie")
    if age < -_STATE_FUTURE_SKEW_S:
        raise AuthError("bad state cookie")
    return value
