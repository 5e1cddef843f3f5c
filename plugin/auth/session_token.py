"""The embedded admin's session token: an App Bridge HS256 JWT per request (platform.md §4).

The admin door decodes one on every request; a verified ``SessionToken`` names the shop and the
staff user. Only *admin* tokens pass, with the clock passed in so expiry is testable.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import jwt

from .common import AuthError, normalize_shop, secret_tuple

# PY session_token.py LEEWAY_SECONDS / JS JWT_PERMITTED_CLOCK_TOLERANCE (platform.md §4).
SESSION_TOKEN_LEEWAY_S = 10

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
    secret_list = secret_tuple(secrets)
    if not isinstance(api_key, str) or not api_key:
        raise ValueError("api_key must be a non-empty string")
    if now is None:
        now = time.time()
    if not isinstance(token, str) or not token:
        raise AuthError("missing token")
    if len(token) > _MAX_TOKEN_LENGTH:
        raise AuthError("malformed token")

    claims = _signed_claims(token, secret_list)
    aud = claims["aud"]
    if not isinstance(aud, str) or aud != api_key:  # exactly our key; a list is refused
        raise AuthError("wrong audience")
    exp = _check_times(claims, now, leeway)
    shop = _shop_of(claims, platform_domain)

    return SessionToken(
        shop=shop,
        user_id=_string_claim(claims, "sub"),
        session_id=_string_claim(claims, "sid"),
        jti=_string_claim(claims, "jti"),
        expires_at=int(exp),
    )


def _signed_claims(token: str, secret_list: tuple[str, ...]) -> dict:
    """The token's claims once its signature verifies under one of the secrets and every required claim is there.

    PyJWT does what it is good at -- the signature with the algorithm pinned, and
    the presence of every required claim. The claim *values* are checked by the
    caller: time against the caller's clock; aud/sub/jti/sid ourselves because PyJWT's
    strict_aud / verify_sub / verify_jti only exist from 2.9/2.10 and older
    versions (pyproject allows >= 2.8) silently ignore unknown options.
    """
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
    for secret in secret_list:
        try:
            return jwt.decode(token, secret, algorithms=["HS256"], options=options)
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
    raise AuthError("bad signature")


def _check_times(claims: dict, now: float, leeway: int) -> float:
    """``exp``, ``nbf`` and ``iat`` against ``now`` with PyJWT's rules; returns ``exp``."""
    exp = _numeric_claim(claims, "exp")
    nbf = _numeric_claim(claims, "nbf")
    iat = _numeric_claim(claims, "iat")
    if exp <= now - leeway:
        raise AuthError("expired")
    if nbf > now + leeway or iat > now + leeway:
        raise AuthError("not yet valid")
    return exp


def _shop_of(claims: dict, platform_domain: str) -> str:
    """The canonical shop the token names: ``dest`` is ``https://{shop}``, ``iss`` that shop's ``/admin``."""
    dest = _string_claim(claims, "dest")
    iss = _string_claim(claims, "iss")
    host = dest[len("https://"):] if dest.startswith("https://") else ""
    shop = normalize_shop(host, platform_domain)
    if shop is None or shop != host:
        raise AuthError("invalid shop")
    if iss != f"https://{shop}/admin":
        raise AuthError("wrong issuer")
    return shop
