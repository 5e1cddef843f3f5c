"""plugin.auth.session_token: the embedded admin's session tokens (HS256 JWTs)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import time

import jwt
import pytest

from plugin.auth.common import AuthError
from plugin.auth.session_token import SessionToken, decode_session_token

from tests.support.auth import API_KEY, DROP, NOW, OLD_SECRET, SECRET, SHOP, claims, decode, make_token


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_token(header: dict, payload: dict, signer=None) -> str:
    """Build a JWT by hand (for algorithms PyJWT must refuse)."""
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}"
    signature = signer(signing_input.encode()) if signer else b""
    return f"{signing_input}.{b64url(signature)}"


def token_reason(token, **kwargs) -> str:
    with pytest.raises(AuthError) as info:
        decode(token, **kwargs)
    assert not isinstance(info.value, jwt.PyJWTError)
    return info.value.reason


def test_valid_token():
    result = decode(make_token())
    assert result == SessionToken(
        shop=SHOP,
        user_id="42",
        session_id="aaea182f2732d44c23057c0fea584021a4485b2bd25d3eb7fd349313ad24c685",
        jti="f8912129-1af6-4cad-9ca3-76b0f7621087",
        expires_at=NOW + 60,
    )
    with pytest.raises(AttributeError):
        result.shop = "x"  # type: ignore[misc]


def test_independently_signed_token():
    """HS256 over header.payload computed with hmac, not PyJWT."""
    token = hand_token(
        {"alg": "HS256", "typ": "JWT"},
        claims(),
        lambda data: hmac.new(SECRET.encode(), data, hashlib.sha256).digest(),
    )
    assert decode(token).shop == SHOP


def test_default_now_is_the_wall_clock():
    now = int(time.time())
    token = make_token(exp=now + 60, nbf=now, iat=now)
    assert decode_session_token(token, API_KEY, [SECRET], "myshopify.com").shop == SHOP


def test_session_token_for_a_custom_platform_domain():
    token = make_token(iss="https://demo.devstore.test/admin", dest="https://demo.devstore.test")
    assert decode(token, platform_domain="devstore.test").shop == "demo.devstore.test"
    assert token_reason(token) == "invalid shop"


@pytest.mark.parametrize(
    "header, signer",
    [
        ({"alg": "none", "typ": "JWT"}, None),
        ({"alg": "None"}, None),
        ({"alg": "NONE"}, None),
        ({"typ": "JWT"}, lambda d: hmac.new(SECRET.encode(), d, hashlib.sha256).digest()),
        ({"alg": "HS512"}, lambda d: hmac.new(SECRET.encode(), d, hashlib.sha512).digest()),
        ({"alg": "HS384"}, lambda d: hmac.new(SECRET.encode(), d, hashlib.sha384).digest()),
        ({"alg": "hs256"}, lambda d: hmac.new(SECRET.encode(), d, hashlib.sha256).digest()),
        # RS256 header with an HMAC made from the "public key" (here: the secret) -- key confusion
        ({"alg": "RS256"}, lambda d: hmac.new(SECRET.encode(), d, hashlib.sha256).digest()),
        ({"alg": "ES256"}, lambda d: b"\x00" * 64),
    ],
    ids=["none", "None", "NONE", "no-alg", "HS512", "HS384", "lowercase-hs256", "RS256-confusion", "ES256"],
)
def test_only_hs256_is_accepted(header, signer):
    assert token_reason(hand_token(header, claims(), signer)) == "unsupported algorithm"


def test_wrong_secret():
    assert token_reason(make_token(secret="another-apps-secret-000000000000000000")) == "bad signature"


def test_rotation():
    token = make_token(secret=OLD_SECRET)
    assert decode(token, secrets=[SECRET, OLD_SECRET]).shop == SHOP
    assert token_reason(token) == "bad signature"


def test_tampered_payload_keeps_old_signature():
    header, _, signature = make_token().split(".")
    forged = b64url(json.dumps(claims(dest="https://victim.myshopify.com", iss="https://victim.myshopify.com/admin")).encode())
    assert token_reason(f"{header}.{forged}.{signature}") == "bad signature"


def test_truncated_signature():
    token = make_token()
    assert token_reason(token[:-4]) in ("bad signature", "malformed token")
    assert token_reason(token.rsplit(".", 1)[0] + ".") == "bad signature"


@pytest.mark.parametrize("claim", ["iss", "dest", "aud", "sub", "exp", "nbf", "iat", "jti", "sid"])
def test_every_claim_is_required(claim):
    assert token_reason(make_token(**{claim: DROP})) == "missing claim"


@pytest.mark.parametrize("claim", ["sub", "sid", "jti", "iss", "dest", "aud", "exp"])
def test_null_claim_is_missing(claim):
    # by hand: PyJWT refuses to *encode* a non-string iss
    token = hand_token({"alg": "HS256"}, claims(**{claim: None}), lambda d: hmac.new(SECRET.encode(), d, hashlib.sha256).digest())
    assert token_reason(token) == "missing claim"


@pytest.mark.parametrize(
    "aud", ["someone-else", API_KEY.upper(), [API_KEY], [API_KEY, "other"], ""],
    ids=["other", "case", "list", "list-with-other", "empty"],
)
def test_audience_must_be_exactly_our_api_key(aud):
    assert token_reason(make_token(aud=aud)) in ("wrong audience", "missing claim")


def test_wrong_audience_reason():
    assert token_reason(make_token(aud="someone-else")) == "wrong audience"


@pytest.mark.parametrize(
    "overrides, outcome",
    [
        ({"exp": NOW - 9}, None),
        ({"exp": NOW - 10}, "expired"),  # PyJWT rule: exp <= now - leeway
        ({"exp": NOW - 3600}, "expired"),
        ({"nbf": NOW + 10}, None),
        ({"nbf": NOW + 11}, "not yet valid"),
        ({"iat": NOW + 10}, None),
        ({"iat": NOW + 11}, "not yet valid"),
    ],
)
def test_time_claims_with_10_second_leeway(overrides, outcome):
    token = make_token(**overrides)
    if outcome is None:
        assert decode(token).shop == SHOP
    else:
        assert token_reason(token) == outcome


def test_custom_leeway():
    token = make_token(exp=NOW - 5)
    assert decode(token, leeway=10).shop == SHOP
    assert token_reason(token, leeway=0) == "expired"


@pytest.mark.parametrize(
    "overrides",
    [{"exp": "9999999999"}, {"exp": True}, {"nbf": "0"}, {"iat": [1]}, {"exp": {"a": 1}}],
)
def test_time_claims_must_be_numbers(overrides):
    assert token_reason(make_token(**overrides)) == "invalid claim"


@pytest.mark.parametrize(
    "overrides",
    [{"sub": 42}, {"sub": ""}, {"sid": 123}, {"sid": ""}, {"jti": 7}, {"jti": ""}, {"dest": 5}],
)
def test_string_claims_must_be_non_empty_strings(overrides):
    assert token_reason(make_token(**overrides)) == "invalid claim"


@pytest.mark.parametrize(
    "dest",
    [
        f"http://{SHOP}",
        f"https://{SHOP}/",
        f"https://{SHOP}/admin",
        f"https://{SHOP}:443",
        "https://evil.com",
        "https://MY-SHOP.myshopify.com",
        f"https:// {SHOP}",
        f"https://user@{SHOP}",
        SHOP,
        "https://a.b.myshopify.com",
        "https://myshopify.com",
    ],
)
def test_dest_must_be_https_and_a_canonical_shop(dest):
    assert token_reason(make_token(dest=dest, iss=f"{dest}/admin")) == "invalid shop"


@pytest.mark.parametrize(
    "iss",
    [
        "https://other-shop.myshopify.com/admin",
        f"https://{SHOP}",
        f"https://{SHOP}/admin/",
        f"https://{SHOP}/checkouts",  # checkout UI extension token
        f"http://{SHOP}/admin",
        "https://MY-SHOP.myshopify.com/admin",
        "",
    ],
)
def test_iss_must_be_the_same_shops_admin(iss):
    assert token_reason(make_token(iss=iss)) in ("wrong issuer", "invalid claim")


def test_non_string_iss_is_invalid():
    token = hand_token({"alg": "HS256"}, claims(iss=5), lambda d: hmac.new(SECRET.encode(), d, hashlib.sha256).digest())
    assert token_reason(token) == "invalid claim"


def test_checkout_extension_token_is_refused():
    """RB jwt_payload_test: checkout tokens have iss .../checkouts, bare dest, no sid."""
    token = make_token(iss=f"https://{SHOP}/checkouts", dest=SHOP, sid=DROP, sub="gid://shopify/Customer/1")
    assert token_reason(token) == "missing claim"


@pytest.mark.parametrize(
    "token",
    ["abc", "a.b", "a.b.c", "....", "a.b.c.d", "eyJhbGciOiJIUzI1NiJ9.!!!.abc", "Bearer x.y.z", "é.é.é"],
)
def test_malformed_tokens(token):
    assert token_reason(token) in ("malformed token", "unsupported algorithm", "bad signature")


@pytest.mark.parametrize("token", [None, "", 123, b"x.y.z"])
def test_missing_token(token):
    assert token_reason(token) == "missing token"


def test_oversized_token():
    assert token_reason("a" * 9000) == "malformed token"


def test_non_object_payload():
    token = hand_token({"alg": "HS256"}, claims(), lambda d: hmac.new(SECRET.encode(), d, hashlib.sha256).digest())
    header, _, _ = token.split(".")
    payload = b64url(b"[1,2,3]")
    sig = b64url(hmac.new(SECRET.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest())
    assert token_reason(f"{header}.{payload}.{sig}") == "malformed token"


def _hs256(data: bytes) -> bytes:
    return hmac.new(SECRET.encode(), data, hashlib.sha256).digest()


@pytest.mark.parametrize(
    "header, payload, expected",
    [
        ({"alg": ["HS256"]}, claims(), "unsupported algorithm"),
        ({"alg": None}, claims(), "unsupported algorithm"),
        ({"alg": "HS256", "b64": False}, claims(), "malformed token"),
        ({"alg": "HS256", "crit": ["b64"]}, claims(), "invalid token"),
        ({"alg": "HS256"}, claims(exp=float("inf")), "invalid claim"),
        ({"alg": "HS256"}, claims(exp=float("nan")), "invalid claim"),
        ({"alg": "HS256"}, claims(dest=f"https://{SHOP}\n", iss=f"https://{SHOP}\n/admin"), "invalid shop"),
        ({"alg": "HS256"}, claims(sub=["42"]), "invalid claim"),
    ],
)
def test_validly_signed_oddities_are_refused(header, payload, expected):
    assert token_reason(hand_token(header, payload, _hs256)) == expected


def test_garbage_never_leaks_pyjwt_exceptions():
    rng = random.Random(1234)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.=+/ "
    valid = make_token()
    for _ in range(300):
        kind = rng.randrange(3)
        if kind == 0:
            token = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 200)))
        elif kind == 1:
            i = rng.randrange(len(valid))
            token = valid[:i] + rng.choice(alphabet) + valid[i + 1 :]
            if token == valid:
                continue
        else:
            token = valid[: rng.randrange(len(valid))]
        if not token:
            continue
        with pytest.raises(AuthError):
            decode(token)


def test_session_token_configuration_errors():
    token = make_token()
    with pytest.raises(TypeError):
        decode_session_token(token, API_KEY, SECRET, "myshopify.com", now=NOW)
    with pytest.raises(ValueError):
        decode_session_token(token, API_KEY, [], "myshopify.com", now=NOW)
    with pytest.raises(ValueError):
        decode_session_token(token, "", [SECRET], "myshopify.com", now=NOW)
