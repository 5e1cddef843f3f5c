"""Webhook HMAC verification (webhooks/verify.py, platform.md §2.3).

Known-answer vectors and where each comes from:

* GEM -- Shopify/shopify_app, test/shopify_app/controller_concerns/webhook_verification_test.rb:
  ``post :webhook_action, params: { foo: 'anything' }`` sends the raw body
  ``foo=anything``; with ``config.secret = 'secret'`` the valid header is
  ``yCGX/RrK4fcuNtr3ztk5tQGsOBjcAzHpGLdMUrbV8yI=`` and with
  ``config.old_secret = 'old_secret'`` it is
  ``XqRcjrSv57VACn6apEO9znyu/wkN1VC7QxdSPwK3Hzs=`` (the test also shows that both
  verify when both secrets are configured: rotation).
* RFC 4231 (HMAC-SHA256 test vectors), test case 2: key ``Jefe``, data
  ``what do ya want for nothing?``, HMAC-SHA-256 =
  ``5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843``; the header
  is the base64 of those 32 bytes.

Everything else is computed in the test with ``hmac``/``base64`` directly.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from webhooks.verify import WebhookVerificationError, verify_webhook

from tests.support.signing import webhook_signature

SECRET = "whsec-test-secret-0123456789abcdef"
OLD_SECRET = "whsec-old-secret-fedcba9876543210"

# A realistic orders/create body: ids beyond 2**53, money as strings (platform.md §2.8).
ORDER_BODY = (
    b'{"id":820982911946154508,"admin_graphql_api_id":"gid://shopify/Order/820982911946154508",'
    b'"email":"jon@example.com","total_price":"199.00","currency":"USD",'
    b'"line_items":[{"id":866550311766439020,"variant_id":808950810,"quantity":1,"price":"199.00"}]}'
)


def reason_of(body, header, secrets) -> str:
    with pytest.raises(WebhookVerificationError) as info:
        verify_webhook(body, header, secrets)
    return info.value.reason


# ----------------------------------------------------------------- known answers


GEM_BODY = b"foo=anything"
GEM_NEW = "yCGX/RrK4fcuNtr3ztk5tQGsOBjcAzHpGLdMUrbV8yI="
GEM_OLD = "XqRcjrSv57VACn6apEO9znyu/wkN1VC7QxdSPwK3Hzs="


def test_gem_vector_signed_with_current_secret():
    """Shopify/shopify_app webhook_verification_test.rb: 'authorized requests should be successful'."""
    assert webhook_signature(GEM_BODY, "secret") == GEM_NEW
    verify_webhook(GEM_BODY, GEM_NEW, ["secret", "old_secret"])


def test_gem_vector_signed_with_old_secret():
    """Same file: 'authorized request validated with old secret should be successful'."""
    assert webhook_signature(GEM_BODY, "old_secret") == GEM_OLD
    verify_webhook(GEM_BODY, GEM_OLD, ["secret", "old_secret"])


def test_gem_vector_old_signature_fails_once_old_secret_is_retired():
    assert reason_of(GEM_BODY, GEM_OLD, ["secret"]) == "bad signature"


def test_gem_invalid_header_is_rejected():
    """Same file: the header 'invalid_hmac' is refused (here: it is not even 32 bytes of base64)."""
    assert reason_of(GEM_BODY, "invalid_hmac", ["secret"]) == "signature not base64"


RFC4231_TC2_HEX = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"


def test_rfc4231_test_case_2():
    """RFC 4231 §4.3: key 'Jefe', data 'what do ya want for nothing?'."""
    body = b"what do ya want for nothing?"
    header = base64.b64encode(bytes.fromhex(RFC4231_TC2_HEX)).decode()
    assert header == "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="
    assert webhook_signature(body, "Jefe") == header
    verify_webhook(body, header, ["Jefe"])


# ----------------------------------------------------------------- accepted


def test_valid_delivery_passes():
    verify_webhook(ORDER_BODY, webhook_signature(ORDER_BODY, SECRET), [SECRET])


def test_bytearray_and_memoryview_bodies_are_raw_bytes_too():
    header = webhook_signature(ORDER_BODY, SECRET)
    verify_webhook(bytearray(ORDER_BODY), header, [SECRET])
    verify_webhook(memoryview(ORDER_BODY), header, [SECRET])


def test_rotation_old_secret_verifies_when_listed():
    header = webhook_signature(ORDER_BODY, OLD_SECRET)
    verify_webhook(ORDER_BODY, header, [SECRET, OLD_SECRET])
    verify_webhook(ORDER_BODY, webhook_signature(ORDER_BODY, SECRET), [SECRET, OLD_SECRET])


def test_non_ascii_body_and_secret():
    body = '{"note":"Grüße 🎁"}'.encode()
    verify_webhook(body, webhook_signature(body, "sécret-ü"), ["sécret-ü"])


# ----------------------------------------------------------------- tamper table


def _flip_first_byte(body: bytes) -> bytes:
    return bytes([body[0] ^ 0x01]) + body[1:]


def _flip_middle_byte(body: bytes) -> bytes:
    i = len(body) // 2
    return body[:i] + bytes([body[i] ^ 0x20]) + body[i + 1 :]


def _reserialized(body: bytes) -> bytes:
    # Same JSON value, different spacing: what a handler gets if it verifies request.json.
    return json.dumps(json.loads(body), indent=2).encode()


VALID = webhook_signature(ORDER_BODY, SECRET)


@pytest.mark.parametrize(
    "body, header, secrets, reason",
    [
        (_flip_first_byte(ORDER_BODY), VALID, [SECRET], "bad signature"),
        (_flip_middle_byte(ORDER_BODY), VALID, [SECRET], "bad signature"),
        (ORDER_BODY + b"\n", VALID, [SECRET], "bad signature"),
        (ORDER_BODY[:-1], VALID, [SECRET], "bad signature"),
        (_reserialized(ORDER_BODY), VALID, [SECRET], "bad signature"),
        (json.dumps(json.loads(ORDER_BODY)).encode(), VALID, [SECRET], "bad signature"),
        (ORDER_BODY, webhook_signature(ORDER_BODY, "some-other-apps-secret"), [SECRET], "bad signature"),
        (ORDER_BODY, webhook_signature(ORDER_BODY, OLD_SECRET), [SECRET], "bad signature"),
        (ORDER_BODY, None, [SECRET], "missing signature"),
        (ORDER_BODY, "", [SECRET], "missing signature"),
        (b"", VALID, [SECRET], "empty body"),
        (b"", webhook_signature(b"x", SECRET), [SECRET], "empty body"),
    ],
    ids=[
        "flipped-first-byte",
        "flipped-middle-byte",
        "trailing-newline",
        "truncated",
        "json-reserialized-indent",
        "json-reserialized-default-spacing",
        "wrong-secret",
        "retired-secret",
        "header-absent",
        "header-empty",
        "empty-body",
        "empty-body-other-sig",
    ],
)
def test_tampered_deliveries_are_rejected(body, header, secrets, reason):
    assert reason_of(body, header, secrets) == reason


def _non_canonical(header: str) -> str:
    """Same 32 bytes, but the unused low bits of the last data character set."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = alphabet.index(header[42])
    return header[:42] + alphabet[last | 0b01] + header[43:] if last & 0b01 == 0 else header[:42] + alphabet[last & ~0b01] + header[43:]


@pytest.mark.parametrize(
    "header",
    [
        "not base64!",
        hmac.new(SECRET.encode(), ORDER_BODY, hashlib.sha256).hexdigest(),  # hex, not base64
        VALID.rstrip("="),  # missing padding
        VALID + "=",  # extra padding
        VALID.replace("+", "-").replace("/", "_") if ("+" in VALID or "/" in VALID) else "-" + VALID[1:],  # URL-safe alphabet
        " " + VALID,
        VALID + "\n",
        VALID[:20] + "\n" + VALID[20:],
        base64.b64encode(b"\x00" * 31).decode(),  # base64, but 31 bytes
        base64.b64encode(b"\x00" * 33).decode(),  # base64, but 33 bytes
        base64.b64encode(hashlib.sha512(b"x").digest()).decode(),  # a SHA-512 sized MAC
        "é" * 44,  # non-ASCII
        _non_canonical(VALID),
    ],
    ids=[
        "garbage",
        "hex-digest",
        "no-padding",
        "extra-padding",
        "urlsafe-alphabet",
        "leading-space",
        "trailing-newline",
        "embedded-newline",
        "31-bytes",
        "33-bytes",
        "64-bytes",
        "non-ascii",
        "non-canonical-bits",
    ],
)
def test_header_must_be_strict_base64_of_32_bytes(header):
    assert reason_of(ORDER_BODY, header, [SECRET]) == "signature not base64"


def test_non_canonical_header_still_decodes_to_the_right_mac():
    """Guard for the test above: the non-canonical variant really is the same MAC."""
    variant = _non_canonical(VALID)
    assert variant != VALID
    assert base64.b64decode(variant) == base64.b64decode(VALID)


def test_uppercase_or_lowercase_mangled_header_is_bad():
    mangled = VALID.swapcase()
    assert reason_of(ORDER_BODY, mangled, [SECRET]) in ("bad signature", "signature not base64")


def test_error_message_is_the_reason_and_leaks_nothing():
    for body, header in [(ORDER_BODY, webhook_signature(ORDER_BODY, "x" * 40)), (ORDER_BODY, "zz"), (b"", VALID)]:
        with pytest.raises(WebhookVerificationError) as info:
            verify_webhook(body, header, [SECRET])
        assert str(info.value) == info.value.reason
        assert SECRET not in str(info.value)
        assert VALID not in str(info.value)


# ----------------------------------------------------------------- programming errors


def test_decoded_body_is_a_type_error():
    with pytest.raises(TypeError):
        verify_webhook(ORDER_BODY.decode(), VALID, [SECRET])


def test_single_string_secret_is_a_type_error():
    with pytest.raises(TypeError):
        verify_webhook(ORDER_BODY, VALID, SECRET)


@pytest.mark.parametrize("secrets", [[], (), [""], [SECRET, ""]])
def test_missing_or_empty_secret_is_a_configuration_error(secrets):
    with pytest.raises(ValueError):
        verify_webhook(ORDER_BODY, VALID, secrets)

