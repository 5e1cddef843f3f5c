"""Webhook HMAC verification (platform.md §2.3).

Layer L1 and deliberately light: the standard library plus the secret-list check of
``plugin.auth.common`` (itself standard library only), no Flask. It is the first thing every
webhook delivery meets, so it must be importable and testable alone, and benchmarks can
call it without an app.

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

from plugin.auth.common import secret_tuple

__all__ = ["WebhookVerificationError", "verify_webhook"]

_DIGEST_SIZE = hashlib.sha256().digest_size  # 32


class WebhookVerificationError(Exception):
    """A webhook delivery failed verification; answer 401 (mandatory for compliance topics).

    ``reason`` is one of "missing signature", "signature not base64", "empty body",
    "bad signature" and is safe to log: it never contains the secret or the MAC.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _check_body(raw_body: bytes) -> bytes:
    # A str here means somebody decoded (or re-serialised) the body: a bug, not an attack.
    if not isinstance(raw_body, (bytes, bytearray, memoryview)):
        raise TypeError("raw_body must be the raw request bytes (request.get_data())")
    return bytes(raw_body)


def _digest(raw_body: bytes, secret: str) -> bytes:
    return hmac.new(secret.encode("utf-8"), raw_body, hashlib.sha256).digest()


def verify_webhook(raw_body: bytes, header_value: str | None, secrets: Sequence[str]) -> None:
    """Raise :class:`WebhookVerificationError` unless ``header_value`` signs ``raw_body``.

    The header must be strict, canonical standard base64 of exactly 32 bytes
    (``validate=True`` refuses stray characters, URL-safe alphabet and missing
    padding; re-encoding must give the header back, which refuses non-canonical
    trailing bits). The comparison is constant-time over the decoded bytes and runs
    against every secret, so a delivery signed with a rotated-out secret still passes
    (GEM/RB ``old_secret``). An empty body is refused as JS does ("missing_body").
    """
    secret_list = secret_tuple(secrets)
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
