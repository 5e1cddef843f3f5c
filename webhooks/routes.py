"""``POST /webhooks``: verify, store, acknowledge — and nothing else in the request.

The platform allows about five seconds and drops apps that are slow or fail
(platform.md §2.4), so the request does the least that makes the delivery
safe: a size cap, the HMAC over the raw bytes, one durable insert into the
inbox. Parsing, routing and handling happen in the worker.

This is the busiest URL Storelift has, so it is served by a small WSGI layer
in front of Flask rather than a Flask view: it reads the raw environ, which
cuts the per-delivery cost to the signature check and the insert.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime
from typing import Callable, Iterable

from plugin.services import Services

from .verify import WebhookVerificationError, verify_webhook

log = logging.getLogger("storelift.webhooks")

PATH = "/webhooks"
MAX_BODY_BYTES = 1024 * 1024
ACK = b'{"ok":true,"duplicate":false}'
ACK_DUPLICATE = b'{"ok":true,"duplicate":true}'
_STATUS = {200: "200 OK", 400: "400 Bad Request", 401: "401 Unauthorized", 405: "405 Method Not Allowed",
           413: "413 Payload Too Large", 415: "415 Unsupported Media Type", 500: "500 Internal Server Error"}


def _triggered_at_ms(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def _read_capped_body(environ: dict) -> bytes | None:
    """The raw body, or None when it exceeds the cap (the rest is never read).

    With a Content-Length we read exactly that much: asking the server's
    input stream for a megabyte it does not have costs far more than the
    body itself. Without one (chunked), we read in slices up to the cap.
    """
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH")
    if length:
        try:
            size = int(length)
        except ValueError:
            return None
        return stream.read(size) if 0 <= size <= MAX_BODY_BYTES else None
    chunks, size = [], 0
    while chunk := stream.read(64 * 1024):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


class WebhookIntake:
    """WSGI middleware answering ``POST /webhooks``; every other request goes to ``app``."""

    def __init__(self, app: Callable, services: Services):
        self.app = app
        self.services = services

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH:
            return self.app(environ, start_response)
        status, body = self.receive(environ)
        start_response(_STATUS[status], [
            ("Content-Type", "application/json"), ("Content-Length", str(len(body))),
            ("X-Content-Type-Options", "nosniff"), ("Cache-Control", "no-store"),
        ])
        return [body]

    def receive(self, environ: dict) -> tuple[int, bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return 405, _error("webhooks are POSTed")
        raw = _read_capped_body(environ)
        if raw is None:
            return 413, _error("body larger than 1 MiB")
        try:
            verify_webhook(raw, environ.get("HTTP_X_SHOPIFY_HMAC_SHA256"), self.services.config.api_secrets)
        except WebhookVerificationError as exc:
            log.info("webhook rejected: %s", exc.reason)
            return 401, _error(f"invalid webhook signature: {exc.reason}")
        if environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower() != "application/json":
            return 415, _error("webhooks must be application/json")
        topic = environ.get("HTTP_X_SHOPIFY_TOPIC", "").strip().lower()
        shop = environ.get("HTTP_X_SHOPIFY_SHOP_DOMAIN", "").strip().lower()
        if not topic or not shop:
            return 400, _error("X-Shopify-Topic and X-Shopify-Shop-Domain are required")
        webhook_id = environ.get("HTTP_X_SHOPIFY_WEBHOOK_ID") or None
        event_id = environ.get("HTTP_X_SHOPIFY_EVENT_ID") or None
        # Same event ⇒ same key (platform.md §2.5); a body hash is the last resort.
        dedupe_key = event_id or webhook_id or "sha256:" + hashlib.sha256(raw).hexdigest()
        try:
            accepted = self.services.store.inbox.accept(
                shop=shop,
                topic=topic,
                dedupe_key=dedupe_key,
                webhook_id=webhook_id,
                event_id=event_id,
                api_version=environ.get("HTTP_X_SHOPIFY_API_VERSION"),
                triggered_at=_triggered_at_ms(environ.get("HTTP_X_SHOPIFY_TRIGGERED_AT")),
                body=raw,
            )
        except Exception:  # not stored: a 5xx makes the platform send it again
            log.exception("could not store a webhook delivery")
            return 500, _error("could not store the delivery; send it again")
        return 200, ACK if accepted is not None else ACK_DUPLICATE


def _error(message: str) -> bytes:
    return json.dumps({"error": message}).encode()
