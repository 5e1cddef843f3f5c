"""Every signature the platform makes, written independently of Storelift.

Four schemes (platform.md §1.4, §2.3, §4, §5), each with a different
encoding — which is exactly where integrations break, so each lives here in
one small function with its encoding spelled out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Iterable

import jwt

_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-._")


def js_form_encode(text: str) -> str:
    """Encode like the JS library: URLSearchParams form encoding, but space → ``%20``.

    URLSearchParams leaves only ASCII alphanumerics and ``*-._`` unescaped
    (``~`` becomes ``%7E``, unlike Python's ``quote``).
    """
    out = []
    for byte in text.encode("utf-8"):
        out.append(chr(byte) if byte in _UNRESERVED else f"%{byte:02X}")
    return "".join(out)


def query_hmac(params: Iterable[tuple[str, str]], secret: str) -> str:
    """Lowercase hex HMAC-SHA256 over sorted ``key=value`` pairs joined by ``&`` (hmac/signature dropped)."""
    pairs = [(k, v) for k, v in params if k not in ("hmac", "signature")]
    message = "&".join(
        f"{js_form_encode(k)}={js_form_encode(v)}" for k, v in sorted(pairs, key=lambda kv: kv[0])
    )
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def signed_query(params: dict[str, str], secret: str) -> dict[str, str]:
    """``params`` plus their ``hmac``, ready for a redirect URL."""
    return {**params, "hmac": query_hmac(params.items(), secret)}


def proxy_signature(pairs: Iterable[tuple[str, str]], secret: str) -> str:
    """App proxy ``signature``: repeated keys joined by ``,``, sorted ``k=v`` strings, no separator, hex."""
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        if key != "signature":
            grouped.setdefault(key, []).append(value)
    message = "".join(sorted(f"{k}={','.join(v)}" for k, v in grouped.items()))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def webhook_hmac(body: bytes, secret: str) -> str:
    """``X-Shopify-Hmac-Sha256``: base64 of HMAC-SHA256 over the exact raw body bytes."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def host_param(shop_domain: str) -> str:
    """The ``host`` parameter: base64url of ``{shop}/admin`` without padding."""
    return base64.urlsafe_b64encode(f"{shop_domain}/admin".encode()).decode().rstrip("=")


def session_token(*, api_key: str, api_secret: str, shop_domain: str, staff_id: int, sid: str, now: float) -> str:
    """App Bridge session token (ID token): HS256 with the app secret, one-minute lifetime."""
    issued = int(now)
    claims = {
        "iss": f"https://{shop_domain}/admin",
        "dest": f"https://{shop_domain}",
        "aud": api_key,
        "sub": str(staff_id),
        "exp": issued + 60,
        "nbf": issued,
        "iat": issued,
        "jti": secrets.token_hex(16),
        "sid": sid,
    }
    return jwt.encode(claims, api_secret, algorithm="HS256")


def decode_session_token(token: str, *, api_key: str, api_secret: str, now: float) -> dict:
    """Check a session token the way the platform does for token exchange (10 s leeway)."""
    claims = jwt.decode(
        token,
        api_secret,
        algorithms=["HS256"],
        audience=api_key,
        leeway=10,
        options={"verify_exp": False, "verify_nbf": False, "verify_iat": False,
                 "require": ["iss", "dest", "aud", "sub", "exp", "nbf", "jti", "sid"]},
    )
    if not (claims["nbf"] - 10 <= now <= claims["exp"] + 10):
        raise jwt.InvalidTokenError("session token expired or not yet valid")
    return claims
