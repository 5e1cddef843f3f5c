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

from flask import Blueprint, current_app, jsonify, request

from plugin.services import Services

from .verify import WebhookVerificationError, verify_webhook

log = logging.getLogger("storelift.webhooks")

bp = Blueprint("webhooks", __name__)

MAX_BODY_BYTES = 1024 * 1024


def _triggered_at_ms(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def _error(status: int, message: str):
    return jsonify(error=message), status


@bp.post("/webhooks")
def receive():
    services: Services = current_app.extensions["storelift"]
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return _error(413, "body larger than 1 MiB")
    raw = request.stream.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
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
    return jsonify(ok=True, duplicate=accepted is None), 200
