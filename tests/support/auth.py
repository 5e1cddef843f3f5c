"""Shared pieces of the plugin/auth tests: the secrets and clock they use, and requests signed
independently of plugin.auth (HMACs computed here with ``hmac``, tokens with PyJWT)."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qsl

import jwt
import pytest

from plugin.auth.common import AuthError
from plugin.auth.query_hmac import query_hmac_message
from plugin.auth.session_token import decode_session_token

from tests.support.signing import proxy_signature

SECRET = "test-client-secret-0123456789abcdef0123"
OLD_SECRET = "test-old-secret-fedcba9876543210fedcba"
API_KEY = "storelift-test-api-key"
NOW = 1_760_000_000
SHOP = "my-shop.myshopify.com"
NONCE = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def hex_hmac(secret: str, message: str) -> str:
    """Independent HMAC: what the test expects, computed without plugin.auth."""
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def reason(fn, *args, **kwargs) -> str:
    with pytest.raises(AuthError) as info:
        fn(*args, **kwargs)
    return info.value.reason


def pairs_of(query: str) -> list[tuple[str, str]]:
    """Decoded pairs in request order, like Flask's request.args.items(multi=True)."""
    return parse_qsl(query, keep_blank_values=True)


def callback_pairs(ts: int = NOW) -> list[tuple[str, str]]:
    return [
        ("shop", SHOP),
        ("timestamp", str(ts)),
        ("code", "0907a61c0c8d55e99db179b68161bc00"),
        ("state", "5d0b7c3a9b1e4f6a8c2d0e1f3a5b7c9d"),
        ("host", "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvbXktc2hvcA"),
    ]


def signed(pairs, secret=SECRET):
    return list(pairs) + [("hmac", hex_hmac(secret, query_hmac_message(pairs)))]


def proxy_pairs(ts: int = NOW, customer: str = "") -> list[tuple[str, str]]:
    return [
        ("shop", SHOP),
        ("logged_in_customer_id", customer),
        ("path_prefix", "/apps/storelift"),
        ("timestamp", str(ts)),
    ]


def proxy_signed(pairs, secret=SECRET):
    return list(pairs) + [("signature", proxy_signature(pairs, secret))]


DROP = object()


def claims(**overrides):
    base = {
        "iss": f"https://{SHOP}/admin",
        "dest": f"https://{SHOP}",
        "aud": API_KEY,
        "sub": "42",
        "exp": NOW + 60,
        "nbf": NOW,
        "iat": NOW,
        "jti": "f8912129-1af6-4cad-9ca3-76b0f7621087",
        "sid": "aaea182f2732d44c23057c0fea584021a4485b2bd25d3eb7fd349313ad24c685",
    }
    for key, value in overrides.items():
        if value is DROP:
            base.pop(key)
        else:
            base[key] = value
    return base


def make_token(secret=SECRET, **overrides) -> str:
    return jwt.encode(claims(**overrides), secret, algorithm="HS256")


def decode(token, secrets=(SECRET,), platform_domain="myshopify.com", now=NOW, **kwargs):
    return decode_session_token(token, API_KEY, list(secrets), platform_domain, now=now, **kwargs)


def with_value(pairs, key, value):
    """The pairs with ``key``'s value replaced (a tampered request)."""
    return [(k, value if k == key else v) for k, v in pairs]
