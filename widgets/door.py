"""The shopper's door, written once: what every storefront route under ``/proxy/...`` shares.

The storefront reaches Storelift only through the platform's app proxy. Each feature's routes
(``capture``, ``events``, ``recommendations``) get their blueprint from ``blueprint()``, which
puts this module's check in front of them and its error reply behind them, so a route only
says what it does:

- **The signature check** (``verify_proxy_request``), before anything is read: the proxy
  ``signature`` (plugin.auth.app_proxy.verify_app_proxy: hex HMAC, sorted ``k=v`` joined with nothing,
  duplicates refused, timestamp within 90 s), the shop domain, and that the shop has Storelift
  installed. Only then is ``logged_in_customer_id`` trusted (``g.customer_id``).
- **Capped body reading** (``read_body``, ``json_object``): never more than the route's limit is
  read; beyond it, 413.
- **JSON errors**: ``error()`` and ``Refused`` (raised anywhere in a route) answer
  ``{"error", "reason"}`` with a 4xx; nothing is stored on bad input.
- **ETag/304** (``revalidated``): answers are ``private, no-cache`` with an ETag, so a repeat
  view costs a 304.
- **The bot-and-consent gate** (``unwanted``): bots, automation browsers, Global Privacy
  Control and the merchant's consent mode make writes silent no-ops (204): nothing is stored,
  and a bot learns nothing.

Per-app state of the door (its rate limiter, when housekeeping last ran) hangs off
``app.extensions["storelift.widgets"]``.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time

from flask import Blueprint, Response, current_app, g, jsonify, request

from plugin.auth.app_proxy import verify_app_proxy
from plugin.auth.common import AuthError, normalize_shop
from plugin.capture.settings import CAPTURE
from plugin.safe_input import InputError, parse_id, read_json
from plugin.services import Services

from . import bots
from .ratelimit import RateLimiter

log = logging.getLogger("storelift.widgets")

HOUSEKEEPING_EVERY_S = 30.0

# What the storefront sends: ids the loader makes (random UUIDs), the platform's resource ids,
# and a URL path as location.pathname gives it (percent-encoded: no spaces, quotes or brackets).
ID_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")
RESOURCE_RE = re.compile(r"[A-Za-z0-9_-]{1,100}")
PATH_RE = re.compile(r"/[A-Za-z0-9\-._~!$&()*+,;=:@%/]*")
MAX_PATH = 512
ERROR_NAMES = {413: "payload_too_large", 429: "too_many_requests"}


class Refused(ValueError):
    """The request is refused; ``status`` is the HTTP status, ``str(exc)`` the reason."""

    def __init__(self, reason: str, status: int = 400):
        super().__init__(reason)
        self.status = status


class WidgetState:
    """Per-app state of this door: rate limits and when background checks last ran per shop."""

    def __init__(self, web_processes: int = 1) -> None:
        self.limiter = RateLimiter(processes=web_processes)
        self._last: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def due(self, what: str, shop: str, every: float = HOUSEKEEPING_EVERY_S) -> bool:
        now = time.monotonic()
        with self._lock:
            if now - self._last.get((what, shop), -every) < every:
                return False
            self._last[(what, shop)] = now
            return True


def blueprint(name: str, import_name: str, **options) -> Blueprint:
    """A feature's storefront blueprint: the signature check in front, JSON errors behind."""
    bp = Blueprint(name, import_name, **options)
    bp.record_once(_setup)
    bp.before_request(_hold_reads)
    bp.before_request(verify_proxy_request)
    bp.teardown_request(_release_reads)
    bp.register_error_handler(Refused, _refused)
    return bp


def _hold_reads() -> None:
    """The request's reads share one pooled connection (``Database.hold_reads``): it makes half a dozen."""
    services().store.database.hold_reads()


def _release_reads(_error: BaseException | None) -> None:
    services().store.database.release_reads()


def _setup(state) -> None:
    if "storelift.widgets" not in state.app.extensions:
        config = Services.of(state.app).config
        state.app.extensions["storelift.widgets"] = WidgetState(config.web_processes)
        bots.warm_up()


def services() -> Services:
    return Services.of(current_app)


def widget_state() -> WidgetState:
    return current_app.extensions["storelift.widgets"]


def allowed(purpose: str, key: str) -> bool:
    """One request's worth of the (purpose, key) rate limit; False when it is used up."""
    return widget_state().limiter.allow(purpose, key)


def error(status: int, error: str, reason: str):
    return jsonify(error=error, reason=reason), status


def _refused(exc: Refused):
    log.info("%s %s refused: %s", request.method, request.path, exc)
    return error(exc.status, ERROR_NAMES.get(exc.status, "bad_request"), str(exc))


def client_ip() -> str:
    """The shopper's address, or "" when unknown (then per-address limits do not apply).

    The platform's proxy appends it to X-Forwarded-For, and each proxy after it
    (a load balancer of your own) appends the address it heard from: so the
    shopper is the entry ``proxy_hops`` from the end, the same one waitress
    takes for ``REMOTE_ADDR`` (``storelift serve --proxy-hops``). The production
    server drops that header unless told to trust the proxies, and without it
    every shopper would share the proxy's address and one bucket: so no header,
    no per-address limit (per-visitor limits, the honeypot and bot checks stay).
    """
    entries = [entry.strip() for entry in request.headers.get("X-Forwarded-For", "").split(",")]
    hops = services().config.proxy_hops
    return entries[-hops][:64] if len(entries) >= hops else ""


def verify_proxy_request():
    if not request.path.startswith("/proxy/"):
        return None  # the widgets' static files
    config = services().config
    try:
        proxied = verify_app_proxy(request.args.items(multi=True), config.api_secrets, now=time.time())
    except AuthError as exc:
        return error(401, "unauthorized", exc.reason)
    shop = normalize_shop(proxied.shop, config.platform_domain)
    if shop is None:
        return error(400, "bad_request", "invalid shop")
    if not services().store.shops.is_installed(shop):
        return error(403, "forbidden", "shop not installed")
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
        raise Refused("body too large", 413)
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        raise Refused("body too large", 413)
    return raw


def json_object(limit: int) -> dict:
    """The body as a JSON object (hostile JSON: plugin.safe_input.InputError, which the app answers 4xx)."""
    data = read_json(read_body(limit), max_bytes=limit)
    if not isinstance(data, dict):
        raise Refused("body must be an object")
    return data


def revalidated(body: str, mimetype: str, vary: str, etag: str | None = None) -> Response:
    """``body`` as a ``private, no-cache`` answer with an ETag (of the body unless given): 304 when unchanged."""
    etag = etag or '"' + hashlib.sha256(body.encode()).hexdigest()[:24] + '"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": vary}
    if etag in request.headers.get("If-None-Match", ""):
        return Response(status=304, headers=headers)
    return Response(body, status=200, mimetype=mimetype, headers=headers)


def is_bot(webdriver: bool = False) -> bool:
    return bots.is_bot(request.headers.get("User-Agent"), webdriver)


def may_store(batch_consent: bool, gpc: bool, settings: dict) -> bool:
    """Consent mode: nothing before consent(). GPC: nothing unless the shopper explicitly consented."""
    if settings["consent_mode"] and not batch_consent:
        return False
    return not gpc or batch_consent


def unwanted(sent: dict) -> bool:
    """The gate for storefront writes: True when this one must be a silent no-op (a bot, or no consent).

    ``sent`` holds the loader's flags as it sends them: ``w`` (navigator.webdriver), ``c``
    (consent given), ``g`` (Global Privacy Control). A bad flag is refused (400), but only
    once it is looked at: a bot is dropped before its other flags are read.
    """
    if is_bot(flag(sent.get("w"))):
        return True
    settings, _ = services().settings.read(g.shop, CAPTURE)
    return not may_store(flag(sent.get("c")), flag(sent.get("g")), settings)


def valid_path(value) -> bool:
    return isinstance(value, str) and len(value) <= MAX_PATH and PATH_RE.fullmatch(value) is not None


def flag(value) -> bool:
    """The loader's flags: "1" / 1 / true mean yes; absent, null, 0 or false mean no."""
    if value in (None, 0, 1, "1") or isinstance(value, bool):
        return value in (1, "1", True)
    raise Refused("flags must be 1, true or absent")


def is_visitor_id(value) -> bool:
    return isinstance(value, str) and ID_RE.fullmatch(value) is not None
