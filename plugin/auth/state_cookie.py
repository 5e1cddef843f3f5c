"""The OAuth ``state`` cookie (platform.md §1.2): binds an install's ``state`` to the browser that began it.

The install door sets it at ``/install`` and reads it back at the callback, so a callback link
opened in another browser (a login-CSRF attempt) is refused before the code is exchanged.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from collections.abc import Sequence

from .common import TIMESTAMP_RE, AuthError, secret_tuple

_HEX64_RE = re.compile(r"[0-9a-f]{64}")

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

    A dozen lines of stdlib ``hmac`` instead of itsdangerous: plugin.auth is L1 and must
    not pull in Flask's stack, and we need only one fixed format.
    """
    if not isinstance(value, str) or not _STATE_VALUE_RE.fullmatch(value):
        raise ValueError("state value must be 1-256 characters of [A-Za-z0-9_-]")
    (secret,) = secret_tuple([secret])
    payload = f"{value}.{math.trunc(now)}"
    mac = hmac.new(_state_key(secret), payload.encode("ascii"), hashlib.sha256).hexdigest()
    return f"{payload}.{mac}"


def unsign_state(signed: str, secrets: Sequence[str], now: float, max_age: int = 600) -> str:
    """Return the state value bound to this browser, or raise :class:`AuthError`.

    "bad state cookie" (malformed, forged, wrong secret, from the future) or
    "expired state cookie" (older than ``max_age`` seconds). The caller still compares
    the value with the ``state`` query parameter in constant time and consumes it.
    """
    secret_list = secret_tuple(secrets)
    if not isinstance(signed, str) or not signed.isascii() or signed.count(".") != 2:
        raise AuthError("bad state cookie")
    value, stamp, mac = signed.split(".")
    if not _STATE_VALUE_RE.fullmatch(value) or not TIMESTAMP_RE.fullmatch(stamp) or not _HEX64_RE.fullmatch(mac):
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
