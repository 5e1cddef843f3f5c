"""``POST /webhooks``: verify, store, acknowledge — and nothing else in the request.

The platform allows about five seconds and drops apps that are slow or fail
(platform.md §2.4), so the request does the least that makes the delivery
safe: a size cap, the HMAC over the raw bytes, one insert into the durable
inbox. Parsing, routing and handling happen in the worker.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime

from flask import Blueprint, Response, current_app, jsonify, request

from plugin.services import Services

from .verify import WebhookVerificationError, verify_webhook

log = logging.getLogger("storelift.webhooks")

bp = Blueprint("webhooks", __name__)

MAX_BODY_BYTES = 1024 * 1024
# Prebuilt answers: the acknowledgement is on the hottest path Storelift has.
ACK = b'{"ok":true,"duplicate":false}'
ACK_DUPLICATE = b'{"ok":true,"duplicate":true}'


def _triggered_at_ms(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def _read_capped_body() -> bytes | None:
    """The raw body, or None when it exceeds the cap (the rest is never read).

    With a Content-Length we read exactly that much: asking the server's
    input stream for a megabyte it does not have costs far more than the
    body itself. Without one (chunked), we read in slices up to the cap.
    """
    length = request.content_length
    if length is not None:
        return request.stream.read(length) if length <= MAX_BODY_BYTES else None
    chunks, size = [], 0
    while chunk := request.stream.read(64 * 1024):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _error(status: int, message: str):
    return jsonify(error=message), status


@bp.post("/webhooks")
def receive():
    services: Services = current_app.extensions["storelift"]
    raw = _read_capped_body()
    if raw is None:
        return _error(413, "body larger than 1 MiB")
    try:
        verify_webhook(raw, request.headers.get("X-Shopify-Hmac-Sha256"), services.config.api_secrets)
    except WebhookVerificationError as exc:
        log.info("webhook rejected: %s", exc.reason)
        return _error(401, f"invalid webhook signature: {exc.reason}")
    if request.mimetype != "application/json":
        return _error(415, "webhooks must be application/json")
    topic = request.headers.get("X-Shopify-Topic", "").strip().lower()
    shop = request.headers.get("X-Shopify-Shop-Domain", "").strip().lower()
    if not topic or not shop:
        return _error(400, "X-Shopify-Topic and X-Shopify-Shop-Domain are required")
    webhook_id = request.headers.get("X-Shopify-Webhook-Id") or None
    event_id = request.headers.get("X-Shopify-Event-Id") or None
    # Same event ⇒ same key (platform.md §2.5); a body hash is the last resort.
    dedupe_key = event_id or webhook_id or "sha256:" + hashlib.sha256(raw).hexdigest()
    accepted = services.store.inbox.accept(
        shop=shop,
        topic=topic,
        dedupe_key=dedupe_key,
        webhook_id=webhook_id,
        event_id=event_id,
        api_version=request.headers.get("X-Shopify-API-Version"),
        triggered_at=_triggered_at_ms(request.headers.get("X-Shopify-Triggered-At")),
        body=raw,
    )
    return Response(ACK_DUPLICATE if accepted is None else ACK, 200, mimetype="application/json")
