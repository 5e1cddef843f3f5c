"""OAuth endpoints of the platform: authorize page, approval, token endpoint (platform.md §1).

The authorize page names the app and the scopes it asks for; approving
installs the app and redirects to the allow-listed ``redirect_uri`` with a
signed query (hex HMAC, JS-style encoding). The token endpoint accepts JSON
or a form, like the platform, for the code, refresh and token-exchange grants.
"""

from __future__ import annotations

import secrets
import time
from urllib.parse import urlencode

import jwt
from flask import Blueprint, jsonify, redirect, render_template, request

from . import installs
from .runtime import check_csrf, csrf_token, runtime
from .settings import AppRegistration
from .signing import decode_session_token, host_param, signed_query

bp = Blueprint("oauth", __name__)

SCOPE_LABELS = {
    "products": "products, variants and collections", "orders": "orders, abandoned checkouts and carts",
    "all_orders": "all orders (not only the last 60 days)", "customers": "customers",
    "discounts": "discounts", "price_rules": "price rules", "script_tags": "script tags",
    "themes": "themes", "inventory": "inventory", "content": "online store content",
}
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"


def _error_page(title: str, detail: str, status: int = 400):
    return render_template("admin/error.html", title=title, detail=detail), status


def _describe(scope: str) -> str:
    verb, _, resource = scope.partition("_")
    if verb == "unauthenticated":
        verb, _, resource = resource.partition("_")
        return f"Storefront: {verb} {SCOPE_LABELS.get(resource, resource.replace('_', ' '))}"
    return f"{'View' if verb == 'read' else 'View and edit'} {SCOPE_LABELS.get(resource, resource.replace('_', ' '))}"


def _validated(args) -> tuple[AppRegistration, list[str], str, str, bool]:
    """(app, scopes, redirect_uri, state, online) or raise ValueError with the platform's message."""
    rt = runtime()
    client_id = args.get("client_id", "")
    app = rt.settings.app_by_key(client_id)
    if app is None:
        raise ValueError(f"Oauth error invalid_request: Could not find API application with api_key {client_id}")
    redirect_uri = args.get("redirect_uri") or app.redirect_urls[0]
    if redirect_uri not in app.redirect_urls:
        raise ValueError("Oauth error invalid_request: The redirect_uri is not whitelisted")
    scopes = installs.parse_scopes(args.get("scope", ""))
    bad = [s for s in scopes if not installs.SCOPE_RE.match(s)]
    if bad:
        raise ValueError(f"Oauth error invalid_scope: The access scope is invalid: {', '.join(bad)}")
    online = "per-user" in args.getlist("grant_options[]")
    return app, scopes, redirect_uri, args.get("state", ""), online


def _redirect_with_code(app: AppRegistration, scopes: list[str], redirect_uri: str, state: str, online: bool):
    rt = runtime()
    code = installs.approve(rt.store, app, scopes, redirect_uri, online)
    params = {"code": code.value, "host": host_param(rt.settings.shop_domain), "shop": rt.settings.shop_domain,
              "timestamp": str(int(time.time()))}
    if state:
        params["state"] = state
    query = urlencode(signed_query(params, app.api_secret))
    return redirect(f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{query}", code=302)


@bp.get("/admin/oauth/authorize")
def authorize():
    try:
        app, scopes, redirect_uri, state, online = _validated(request.args)
    except ValueError as exc:
        return _error_page("This app can't be installed", str(exc))
    if installs.already_granted(runtime().store, app, scopes):
        # Already installed with these scopes: the platform skips the approval screen.
        return _redirect_with_code(app, scopes, redirect_uri, state, online)
    return render_template(
        "admin/authorize.html", app=app, scopes=[(s, _describe(s)) for s in scopes], redirect_uri=redirect_uri,
        state=state, online=online, scope_text=",".join(scopes), csrf_token=csrf_token(),
        reinstall=runtime().store.installations.get(app.handle) is not None,
    )


@bp.post("/admin/oauth/authorize")
def approve():
    check_csrf()
    try:
        app, scopes, redirect_uri, state, online = _validated(request.form)
    except ValueError as exc:
        return _error_page("This app can't be installed", str(exc))
    return _redirect_with_code(app, scopes, redirect_uri, state, online)


def _grant_error(exc: installs.GrantError):
    return jsonify({"error": exc.error, "error_description": exc.description}), exc.status


@bp.post("/admin/oauth/access_token")
def access_token():
    rt = runtime()
    body = request.get_json(silent=True) if request.is_json else None
    params = body if isinstance(body, dict) else request.form.to_dict()
    params = {k: str(v) for k, v in params.items() if v is not None}
    app = rt.settings.app_by_key(params.get("client_id"))
    if app is None:
        return jsonify({"error": "invalid_request",
                        "error_description": "Could not find API application with api_key "
                        + params.get("client_id", "")}), 400
    if not secrets.compare_digest(params.get("client_secret", "").encode(), app.api_secret.encode()):
        return jsonify({"error": "invalid_client", "error_description": "Client credentials are invalid"}), 401
    expiring = params.get("expiring", "0").lower() in ("1", "true")
    grant_type = params.get("grant_type", "authorization_code")
    try:
        if grant_type == "refresh_token":
            return jsonify(installs.refresh(rt.store, app, params.get("refresh_token", "")))
        if grant_type == TOKEN_EXCHANGE:
            if params.get("subject_token_type") != ID_TOKEN_TYPE:
                raise installs.GrantError(400, "invalid_request", "subject_token_type must be an id_token")
            try:
                claims = decode_session_token(params.get("subject_token", ""), api_key=app.api_key,
                                              api_secret=app.api_secret, now=rt.clock.now())
            except jwt.PyJWTError as exc:
                raise installs.GrantError(400, "invalid_subject_token", f"Invalid session token: {exc}") from exc
            return jsonify(installs.token_exchange(rt.store, app, claims, params.get("requested_token_type", ""),
                                                   expiring))
        if grant_type != "authorization_code":
            raise installs.GrantError(400, "unsupported_grant_type", f"Unsupported grant_type {grant_type}")
        return jsonify(installs.exchange_code(rt.store, app, params.get("code", ""), expiring))
    except installs.GrantError as exc:
        return _grant_error(exc)


@bp.get("/admin/oauth/access_scopes.json")
def access_scopes():
    """The REST endpoint apps use to read the scopes they were granted."""
    rt = runtime()
    token = installs.authenticate(rt.store, request.headers.get("X-Shopify-Access-Token"))
    if token is None:
        return jsonify({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}), 401
    return jsonify({"access_scopes": [{"handle": s} for s in token.scopes]})
