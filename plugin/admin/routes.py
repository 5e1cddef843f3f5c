"""The merchant's embedded admin, authenticated by the platform's session token.

The page is loaded inside the store admin with an ``id_token`` query
parameter; its own API calls carry ``Authorization: Bearer <token>``. Both are
the same HS256 JWT (platform.md §4), checked by ``plugin.auth.session_token``;
nothing here trusts a ``shop`` parameter on its own. Tokens live a minute, so the shared
page script (``static/admin.js``) asks the store admin for a fresh one on every
click and API call; writes accept the token only from the header.
"""

from __future__ import annotations

import logging
from functools import wraps

from flask import Blueprint, current_app, g, jsonify, render_template, request

from ..auth.common import AuthError
from ..auth.session_token import decode_session_token
from ..clock import format_ms
from ..config import WEBHOOK_TOPICS
from ..platform.errors import PlatformError
from ..platform.pull import sync_shop
from ..platform.subscriptions import ensure_subscriptions, list_subscriptions
from ..platform.tokens import INTERACTIVE_ATTEMPTS, ShopNotInstalled, client_for_shop
from ..safe_input import parse_id
from ..services import Services

log = logging.getLogger("storelift.admin")

bp = Blueprint("admin", __name__, template_folder="templates", static_folder="static",
               static_url_path="/admin/static")
# Reads may carry the session token as ``?id_token=`` (page loads, links, downloads).
READ_METHODS = frozenset({"GET", "HEAD"})


@bp.app_template_filter("when")
def when(epoch_ms: int | None) -> str:
    """Epoch milliseconds as a short UTC time for people."""
    if not epoch_ms:
        return "—"
    return format_ms(epoch_ms)


@bp.app_context_processor
def admin_navigation() -> dict:
    """Admin pages get a navigation bar (the pages in ``services.admin_menu``) and the shared page
    script (``static/admin.js``).

    The script gets the page's token and the origins allowed to frame us, the only
    ones it asks for fresh tokens and accepts them from.
    """
    if not (request.path.startswith("/admin") and getattr(g, "shop", None)):
        return {}
    services = Services.of(current_app)
    return {"admin_token": _session_token(), "admin_pages": services.admin_menu.pages(),
            "admin_parent_origins": services.config.admin_origins(g.shop)}


def _session_token() -> str | None:
    """The request's session token: the ``Authorization: Bearer`` header, or ``?id_token=`` on a read.

    A write never takes it from the query string, so a token that leaked with a URL
    (history, logs, a copied link) cannot change anything.
    """
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[len("Bearer "):].strip()
    if request.method in READ_METHODS:
        return request.args.get("id_token")
    return None


def session_required(view):
    """Reject (401) any request without a valid session token for an installed shop."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        services = Services.of(current_app)
        config = services.config
        token = _session_token()
        if not token:
            if request.method not in READ_METHODS and "id_token" in request.args:
                return _unauthorized("a write needs the session token in the Authorization header")
            return _unauthorized("missing session token")
        try:
            session = decode_session_token(
                token, config.api_key, config.api_secrets, config.platform_domain, now=services.clock()
            )
        except AuthError as exc:
            return _unauthorized(exc.reason)
        record = services.store.shops.get(session.shop)
        if record is None or not record.installed:
            return _unauthorized("shop not installed")
        g.shop = session.shop
        return view(*args, **kwargs)

    return wrapper


def _unauthorized(reason: str):
    log.info("admin request rejected: %s", reason)
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/admin/api/"):
        return jsonify(error="unauthorized", reason=reason), 401
    return render_template("admin/unauthorized.html", reason=reason), 401


def _subscription_health(services: Services, shop: str) -> dict:
    """Expected topics against what the platform really has, for this app's callback."""
    callback = services.config.app_url + "/webhooks"
    try:
        subs = list_subscriptions(client_for_shop(services.config, services.store, shop, max_attempts=INTERACTIVE_ATTEMPTS))
    except (PlatformError, ShopNotInstalled) as exc:
        return {"reachable": False, "error": type(exc).__name__, "topics": []}
    present = {s.topic for s in subs if s.callback_url == callback}
    foreign = sorted({s.topic for s in subs if s.callback_url != callback})
    last = services.store.inbox.last_received(shop)
    topics = [{"topic": t, "subscribed": t in present, "last_received_at": last.get(t)} for t in WEBHOOK_TOPICS]
    return {"reachable": True, "topics": topics, "stale_endpoints": foreign}


def _status(services: Services, shop: str) -> dict:
    record = services.store.shops.get(shop)
    return {
        "shop": shop,
        "installed_at": record.installed_at,
        "scopes": list(record.scopes),
        "requested_scopes": list(services.config.scopes),
        "api_version": record.api_version,
        "webhooks": _subscription_health(services, shop),
        "last_sync": services.store.shops.last_sync(shop),
        "privacy_requests": services.store.privacy.list_requests(shop),
    }


@bp.get("/admin/status")
@session_required
def index():
    services = Services.of(current_app)
    status = _status(services, g.shop)
    missing_scopes = sorted(set(status["requested_scopes"]) - set(status["scopes"]))
    return render_template("admin/index.html", status=status, missing_scopes=missing_scopes)


@bp.get("/admin/api/status")
@session_required
def api_status():
    return jsonify(_status(Services.of(current_app), g.shop))


@bp.post("/admin/api/webhooks/repair")
@session_required
def repair_subscriptions():
    """Re-create any missing subscription (the platform deletes failing ones)."""
    services = Services.of(current_app)
    try:
        client = client_for_shop(services.config, services.store, g.shop, max_attempts=INTERACTIVE_ATTEMPTS)
        ensure_subscriptions(client, services.config.app_url + "/webhooks", WEBHOOK_TOPICS)
    except (PlatformError, ShopNotInstalled) as exc:
        return jsonify(error="platform unavailable", reason=type(exc).__name__), 502
    return jsonify(_status(services, g.shop))


@bp.post("/admin/api/sync")
@session_required
def sync_now():
    """Pull products and recent orders again (repairs missed webhooks)."""
    services = Services.of(current_app)
    try:
        result = sync_shop(services.config, services.store, g.shop)
    except (PlatformError, ShopNotInstalled) as exc:
        return jsonify(error="platform unavailable", reason=type(exc).__name__), 502
    return jsonify(products=result.products, orders=result.orders)


@bp.get("/admin/api/privacy/<request_id>/export")
@session_required
def privacy_export(request_id: str):
    """A customer data request's export, for the merchant to send on (a malformed id is a 400)."""
    request_id = parse_id(request_id)
    export = Services.of(current_app).store.privacy.get_export(g.shop, request_id)
    if export is None:
        return jsonify(error="not found", message=f"no data-request export {request_id}"), 404
    response = jsonify(export)
    response.headers["Content-Disposition"] = f'attachment; filename="data-request-{request_id}.json"'
    return response
