"""The storefront API under ``/proxy/...``, reached only through the platform's app proxy.

Every request is checked before anything is read (``verify_proxy_request``): the proxy
``signature`` (plugin.auth.app_proxy.verify_app_proxy: hex HMAC, sorted ``k=v`` joined
with nothing, duplicates refused, timestamp within 90 s), the shop domain, and
that the shop has Storelift installed. Only then is ``logged_in_customer_id``
trusted.

- ``GET  /proxy/config``    the loader's one compact, cacheable (ETag) answer
- ``POST /proxy/events``    event batches (text/plain keepalive POSTs)
- ``POST /proxy/identify``  ``storelift.identify(email)``
- ``POST /proxy/subscribe`` the capture form: email → code

Failures are JSON with a reason and a 4xx status; nothing is stored on bad
input. Bots, automation browsers, Global Privacy Control and the merchant's
consent mode make event writes silent no-ops (204): nothing is stored, and a
bot learns nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timezone

from flask import Blueprint, Response, current_app, g, jsonify, request, send_from_directory

from plugin.auth.app_proxy import verify_app_proxy
from plugin.auth.common import AuthError, normalize_shop
from plugin.capture import pool, signup
from plugin.capture.decision import config_answer, decide
from plugin.capture.emails import InvalidEmail, normalize_email
from plugin.capture.settings import settings_of
from plugin.clock import now_ms
from plugin.people import identity
from plugin.platform import push_customers
from plugin.safe_input import InputError, parse_id, read_json
from plugin.services import Services

from . import bots
from .events import ID_RE, MAX_BATCH_BYTES, BatchError, flag, parse_batch, valid_path
from .ratelimit import RateLimiter

log = logging.getLogger("storelift.widgets")

bp = Blueprint("widgets", __name__, static_folder="static", static_url_path="/widgets/static")

MAX_FORM_BYTES = 4096
HOUSEKEEPING_EVERY_S = 30.0


class WidgetState:
    """Per-app state of this edge: rate limits and when background checks last ran per shop."""

    def __init__(self) -> None:
        self.limiter = RateLimiter()
        self._last: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def due(self, what: str, shop: str, every: float = HOUSEKEEPING_EVERY_S) -> bool:
        now = time.monotonic()
        with self._lock:
            if now - self._last.get((what, shop), -every) < every:
                return False
            self._last[(what, shop)] = now
            return True


@bp.record_once
def _setup(state) -> None:
    state.app.extensions["storelift.widgets"] = WidgetState()
    bots.warm_up()


def _services() -> Services:
    return current_app.extensions["storelift"]


def _state() -> WidgetState:
    return current_app.extensions["storelift.widgets"]


def _error(status: int, error: str, reason: str):
    return jsonify(error=error, reason=reason), status


def client_ip() -> str:
    """The shopper's address, or "" when unknown (then per-address limits do not apply).

    The platform's proxy puts it last in X-Forwarded-For. The production server
    (waitress) drops that header unless told to trust the proxy, and without it
    every shopper would share the proxy's address and one bucket: so no header,
    no per-address limit (per-visitor limits, the honeypot and bot checks stay).
    """
    forwarded = request.headers.get("X-Forwarded-For", "")
    return forwarded.rsplit(",", 1)[-1].strip()[:64]


@bp.before_request
def verify_proxy_request():
    if not request.path.startswith("/proxy/"):
        return None
    services = _services()
    config = services.config
    try:
        proxied = verify_app_proxy(request.args.items(multi=True), config.api_secrets, now=time.time())
    except AuthError as exc:
        return _error(401, "unauthorized", exc.reason)
    shop = normalize_shop(proxied.shop, config.platform_domain)
    if shop is None:
        return _error(400, "bad_request", "invalid shop")
    record = services.store.shops.get(shop)
    if record is None or not record.installed:
        return _error(403, "forbidden", "shop not installed")
    g.shop = shop
    g.customer_id = _customer_id(proxied.logged_in_customer_id)
    return None


def _customer_id(signed: str | None) -> str | None:
    """The signed-in customer, or None when nobody is (empty) or the value is not an id."""
    try:
        return str(parse_id(signed)) if signed else None
    except InputError:
        return None


def read_body(limit: int) -> bytes:
    """The raw body, refused (413) beyond ``limit`` without reading more than that."""
    if request.content_length is not None and request.content_length > limit:
        raise BatchError("body too large", 413)
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        raise BatchError("body too large", 413)
    return raw


def _json_body(limit: int) -> dict:
    data = read_json(read_body(limit), max_bytes=limit)
    if not isinstance(data, dict):
        raise BatchError("body must be an object")
    return data


@bp.errorhandler(BatchError)
def _batch_error(exc: BatchError):
    log.info("%s %s refused: %s", request.method, request.path, exc)
    return _error(exc.status, "payload_too_large" if exc.status == 413 else "bad_request", str(exc))


def _housekeeping(services: Services, shop: str, settings: dict) -> None:
    """Kick the code pool refill and due customer syncs now and then, never in the request's time."""
    state = _state()
    now = now_ms()
    if settings["enabled"] and state.due("pool", shop) and pool.pool_low(services.store, shop, settings, now):
        pool.kick_refill(services.config, services.store, shop)
    if state.due("sync", shop, 60.0) and services.store.capture.due_syncs(shop, now, limit=1):
        push_customers.kick_sync(services.config, services.store, shop)


# --------------------------------------------------------------------------- config


@bp.get("/proxy/config")
def config():
    """Widget config plus this visitor's decision; ``private, no-cache`` with an ETag, so repeat views get 304."""
    services = _services()
    visitor = request.args.get("v")
    visitor = visitor if visitor and ID_RE.fullmatch(visitor) else None
    device = {"m": "mobile", "d": "desktop"}.get(request.args.get("d", "d"))
    settings, version = settings_of(services.store, g.shop)
    decision = decide(
        services.store, g.shop, settings, visitor_id=visitor, customer_id=g.customer_id, device=device,
        returning=request.args.get("r") == "1", bot=bots.is_bot(request.headers.get("User-Agent")), now=now_ms(),
    )
    _housekeeping(services, g.shop, settings)
    body, etag = config_answer(settings, version, decision)
    headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Accept-Encoding"}
    if etag in request.headers.get("If-None-Match", ""):
        return Response(status=304, headers=headers)
    return Response(body, status=200, mimetype="application/json", headers=headers)


# --------------------------------------------------------------------------- events


def may_store(batch_consent: bool, gpc: bool, settings: dict) -> bool:
    """Consent mode: nothing before consent(). GPC: nothing unless the shopper explicitly consented."""
    if settings["consent_mode"] and not batch_consent:
        return False
    return not gpc or batch_consent


@bp.post("/proxy/events")
def events():
    services = _services()
    state = _state()
    if not state.limiter.allow("events:ip", client_ip()):
        return _error(429, "too_many_requests", "too many events from this address")
    received = now_ms()
    batch = parse_batch(read_body(MAX_BATCH_BYTES), received)
    if not state.limiter.allow("events:visitor", batch.visitor_id):
        return _error(429, "too_many_requests", "too many events from this visitor")
    settings, _ = settings_of(services.store, g.shop)
    if bots.is_bot(request.headers.get("User-Agent"), batch.webdriver) or not may_store(
            batch.consent, batch.gpc, settings):
        return Response(status=204)
    with services.store.database.write():
        identity.observe(services.store, g.shop, batch.visitor_id, received, customer_id=g.customer_id,
                         cart_token=batch.cart_token)
        services.store.events.add(g.shop, batch.visitor_id, batch.session_id, batch.events, received)
        services.store.profiles.enqueue(g.shop, "visitor", batch.visitor_id, received)
    return Response(status=204)


@bp.post("/proxy/identify")
def identify():
    services = _services()
    state = _state()
    if not state.limiter.allow("identify:ip", client_ip()):
        return _error(429, "too_many_requests", "slow down")
    data = _json_body(MAX_FORM_BYTES)
    visitor = data.get("v")
    if not isinstance(visitor, str) or not ID_RE.fullmatch(visitor):
        return _error(400, "bad_request", "bad visitor id")
    try:
        email = normalize_email(data.get("e"))
    except InvalidEmail as exc:
        return _error(422, "invalid_email", str(exc))
    settings, _ = settings_of(services.store, g.shop)
    if bots.is_bot(request.headers.get("User-Agent"), flag(data.get("w"))) or not may_store(
            flag(data.get("c")), flag(data.get("g")), settings):
        return Response(status=204)
    now = now_ms()
    with services.store.database.write():
        identity.observe(services.store, g.shop, visitor, now, email=email, customer_id=g.customer_id)
        services.store.profiles.enqueue(g.shop, "visitor", visitor, now)
    return Response(status=204)


# --------------------------------------------------------------------------- subscribe


def _iso_date(ms: int | None) -> str | None:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%d") if ms else None


@bp.post("/proxy/subscribe")
def subscribe():
    """The capture form. A code is in the answer only for the visitor who earned it (plugin.capture.codes).

    An already-subscribed email from any other browser gets exactly the answer a
    new subscriber gets while their code is on its way (``pending``, no code),
    so the form does not tell who subscribed; the address's owner is to get the
    code by email once Storelift sends email. A spent code is never returned:
    its owner gets ``spent`` ("redeemed" or "expired") instead.
    """
    services = _services()
    state = _state()
    ip = client_ip()
    data = _json_body(MAX_FORM_BYTES)
    if data.get("hp"):  # the hidden field only bots fill in
        return _error(400, "rejected", "could not subscribe")
    if bots.is_bot(request.headers.get("User-Agent"), flag(data.get("w"))):
        return _error(403, "forbidden", "automated requests are not accepted")
    visitor = data.get("v")
    if visitor is not None and (not isinstance(visitor, str) or not ID_RE.fullmatch(visitor)):
        return _error(400, "bad_request", "bad visitor id")
    page = data.get("p", "/")
    if not valid_path(page):
        return _error(400, "bad_request", "bad page path")
    if not state.limiter.allow("subscribe:ip", ip) or (visitor and not state.limiter.allow("subscribe:visitor", visitor)):
        return _error(429, "too_many_requests", "too many sign-ups, try again in a minute")
    try:
        email = normalize_email(data.get("e"))
    except InvalidEmail as exc:
        return _error(422, "invalid_email", str(exc))
    try:
        result = signup.subscribe(services.store, g.shop, email=email, visitor_id=visitor, page=page,
                                  customer_id=g.customer_id)
    except signup.CaptureOff:
        return _error(409, "capture_off", "sign-up is closed")
    settings, _ = settings_of(services.store, g.shop)
    if result.code is None or pool.pool_low(services.store, g.shop, settings, now_ms()):
        pool.kick_refill(services.config, services.store, g.shop)
    if result.created:
        push_customers.kick_sync(services.config, services.store, g.shop)
    if visitor:
        services.store.profiles.enqueue(g.shop, "visitor", visitor, now_ms())
    body = {"ok": True, "code": result.code, "pending": result.code is None and not result.spent,
            "ends": _iso_date(result.ends_at)}
    if result.spent:
        body["spent"] = result.spent
    if result.code:
        body["apply"] = signup.apply_path(result.code, page)
    return jsonify(body), 200


# --------------------------------------------------------------------------- widget code for the admin preview


@bp.get("/widgets/capture.js")
def capture_js():
    """The capture widget as the storefront gets it from the theme extension, for the admin's live preview."""
    response = send_from_directory(bp.static_folder, "capture.js", max_age=300)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
