"""What every authentication check shares: ``AuthError``, the shop-domain rule (platform.md §1.3)
and the secret, HMAC and timestamp helpers the signature checks are built from.

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
from collections import Counter
from collections.abc import Iterable, Sequence

Pairs = Iterable[tuple[str, str]]

# JS hmac-validator.ts: HMAC_TIMESTAMP_PERMITTED_CLOCK_TOLERANCE_SEC = 90 (platform.md §1.4, §5).
TIMESTAMP_TOLERANCE_S = 90

# A plain decimal integer. Leading signs, decimals, exponents, "Infinity", blanks and
# whitespace are all refused (JS 2026 hardening rejects NaN/Infinity/123.45/"").
# 15 digits keeps int() far away from Python's 4300-digit conversion limit.
TIMESTAMP_RE = re.compile(r"[0-9]{1,15}")
_DOMAIN_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+")


class AuthError(Exception):
    """A request failed an authentication check.

    ``reason`` is a short machine string (see the module docstring); the message is
    the reason itself, so ``str(exc)`` is always safe to log or show.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------- signature helpers


def secret_tuple(secrets: Sequence[str]) -> tuple[str, ...]:
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


def hmac_hex(secret: str, message: str) -> str:
    return hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def matches_any(provided: str, message: str, secrets: tuple[str, ...]) -> bool:
    """Constant-time comparison against every secret, without stopping at the first hit.

    Bytes, not str, go to ``compare_digest``: it raises TypeError on non-ASCII str,
    and the provided value is attacker-controlled. Hex is compared exactly (lowercase),
    as the JS library's ``safeCompare`` does.
    """
    provided_bytes = provided.encode("utf-8", "replace")
    ok = False
    for secret in secrets:
        expected = hmac_hex(secret, message).encode("ascii")
        ok |= hmac.compare_digest(provided_bytes, expected)
    return ok


def single_value(pairs: list[tuple[str, str]], key: str) -> str | None:
    for k, v in pairs:
        if k == key:
            return v
    return None


def reject_duplicates(pairs: list[tuple[str, str]], keys: frozenset[str]) -> None:
    counts = Counter(k for k, _ in pairs if k in keys)
    if any(n > 1 for n in counts.values()):
        raise AuthError("duplicate parameter")


def parse_timestamp(pairs: list[tuple[str, str]]) -> int:
    raw = single_value(pairs, "timestamp")
    if raw is None:
        raise AuthError("missing timestamp")
    if not TIMESTAMP_RE.fullmatch(raw):
        raise AuthError("invalid timestamp")
    return int(raw)


def check_fresh(timestamp: int, now: float, tolerance: int) -> None:
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
