"""Webhook HMAC verification (platform.md §2.3).

Layer L1 and deliberately self-contained: standard library only, nothing of
Storelift, no Flask. It is the first thing every webhook delivery meets, so it must
be importable and testable alone, and benchmarks can call it without an app.

The platform sends ``X-Shopify-Hmac-Sha256: base64(HMAC-SHA256(client secret, raw
body bytes))``. The MAC covers the exact bytes on the wire, so callers pass
``request.get_data()`` -- never a re-serialised ``request.json``, whose spacing, key
order or number formatting would differ.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Sequence

__all__ = ["WebhookVerificationError", "sign_webhook", "verify_webhook"]

_DIGEST_SIZE = hashlib.sha256().digest_size  # 32


class WebhookVerificationError(Exception):
    """A webhook delivery failed verification; answer 401 (mandatory for compliance topics).

    ``reason`` is one of "missing signature", "signature not base64", "empty body",
    "bad signature" and is safe to log: it never contains the secret or the MAC.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _secret_tuple(secrets: Sequence[str]) -> tuple[str, ...]:
    """Validate the secret list (duplicated from plugin.auth on purpose: this module imports nothing of ours).

    A bare string is refused because iterating it would try each character as a
    secret; an empty secret is refused because anyone can compute an HMAC keyed with "".
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


def _check_body(raw_body: bytes) -> bytes:
    # A str here means somebody decoded (or re-serialised) the body: a bug, not an attack.
    if not isinstance(raw_body, (bytes, bytearray, memoryview)):
        raise TypeError("raw_body must be the raw request bytes (request.get_data())")
    return bytes(raw_body)


def _digest(raw_body: bytes, secret: str) -> bytes:
    return hmac.new(secret.encode("utf-8"), raw_body, hashlib.sha256).digest()


def sign_webhook(raw_body: bytes, secret: str) -> str:
    """The header value the platform would send for this body (used by tests, benchmarks, devstore)."""
    (secret,) = _secret_tuple([secret])
    return base64.b64encode(_digest(_check_body(raw_body), secret)).decode("ascii")


def verify_webhook(raw_body: bytes, header_value: str | None, secrets: Sequence[str]) -> None:
    """Raise :class:`WebhookVerificationError` unless ``header_value`` signs ``raw_body``.

    The header must be strict, canonical standard base64 of exactly 32 bytes
    (``validate=True`` refuses stray characters, URL-safe alphabet and missing
    padding; re-encoding must give the header back, which refuses non-canonical
    trailing bits). The comparison is constant-time over the decoded bytes and runs
    against every secret, so a delivery signed with a rotated-out secret still passes
    (GEM/RB ``old_secret``). An empty body is refused as JS does ("missing_body").
    """
    secret_list = _secret_tuple(secrets)
    body = _check_body(raw_body)
    if not header_value:
        raise WebhookVerificationError("missing signature")
    try:
        provided = base64.b64decode(header_value, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise WebhookVerificationError("signature not base64") from None
    if len(provided) != _DIGEST_SIZE or base64.b64encode(provided).decode("ascii") != header_value:
        raise WebhookVerificationError("signature not base64")
    if not body:
        raise WebhookVerificationError("empty body")
    ok = False
    for secret in secret_list:
        ok |= hmac.compare_digest(provided, _digest(body, secret))
    if not ok:
        raise WebhookVerificationError("bad signature")
