"""The app proxy: ``/{prefix}/{subpath}/…`` on the shop's origin → the app's proxy URL (platform.md §5).

The shopper's request is forwarded with its sub-path, method, body and query
plus ``shop``, ``logged_in_customer_id``, ``path_prefix``, ``timestamp`` and
the ``signature`` (hex HMAC over sorted ``k=v`` strings joined with nothing).
Cookies are stripped both ways, so the app only learns who the shopper is
from the signed ``logged_in_customer_id``. Reserved parameters sent by the
browser are dropped first: only devstore's values are signed.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

import requests
from flask import Blueprint, Response, request

from .runtime import runtime
from .settings import AppRegistration
from .signing import proxy_signature
from .storefront_context import current_customer

bp = Blueprint("app_proxy", __name__)
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
RESERVED = {"shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature"}
REQUEST_HEADERS = ("Accept", "Accept-Language", "Content-Type", "User-Agent", "If-None-Match", "If-Modified-Since")
RESPONSE_HEADERS = ("Content-Type", "ETag", "Cache-Control", "Last-Modified", "Location", "Vary", "Retry-After")
_http = requests.Session()
_http.trust_env = False  # loopback only: never through an environment proxy


@bp.record_once
def _add_rules(state) -> None:
    """One URL rule per registered app, at its configured prefix and subpath."""
    for app in state.app.extensions["devstore"].settings.apps:
        prefix = app.proxy_path_prefix
        view = _make_view(app)
        state.app.add_url_rule(prefix, f"app_proxy_{app.handle}_root", view, defaults={"rest": ""}, methods=METHODS)
        state.app.add_url_rule(prefix + "/<path:rest>", f"app_proxy_{app.handle}", view, methods=METHODS)


def signed_params(app: AppRegistration, customer_id: int | None) -> list[tuple[str, str]]:
    rt = runtime()
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k not in RESERVED]
    pairs += [("shop", rt.settings.shop_domain), ("logged_in_customer_id", str(customer_id or "")),
              ("path_prefix", app.proxy_path_prefix), ("timestamp", str(int(time.time())))]
    pairs.append(("signature", proxy_signature(pairs, app.api_secret)))
    return pairs


def _make_view(app: AppRegistration):
    def proxy(rest: str):
        rt = runtime()
        with rt.store.lock:
            customer = current_customer(rt)
        target = app.proxy_url + (f"/{rest}" if rest else "")
        headers = {name: request.headers[name] for name in REQUEST_HEADERS if name in request.headers}
        headers["X-Forwarded-For"] = request.remote_addr or "127.0.0.1"
        headers["X-Forwarded-Host"] = rt.settings.shop_domain
        try:
            upstream = _http.request(request.method, target,
                                     params=urlencode(signed_params(app, customer.id if customer else None)),
                                     data=request.get_data(), headers=headers, timeout=rt.settings.proxy_timeout,
                                     allow_redirects=False)
        except requests.RequestException:
            return Response("The app did not respond.", status=502, mimetype="text/plain")
        response = Response(upstream.content, status=upstream.status_code)
        response.headers.pop("Content-Type", None)
        for name in RESPONSE_HEADERS:
            if name in upstream.headers:
                response.headers[name] = upstream.headers[name]
        return response

    return proxy
