"""Install by the authorization code grant (platform.md §1), and the App URL.

Every step checks before it acts: the query HMAC and timestamp, the shop
domain, the single-use ``state`` (kept server-side and bound to the browser
by a signed cookie). The shop row is written only after the token exchange
and the webhook subscriptions both succeeded, so a failure anywhere leaves
no half-installed shop.
"""

from __future__ import annotations

import logging
import secrets
import time
from urllib.parse import urlencode

from flask import Blueprint, current_app, make_response, redirect, render_template, request

from ..auth.common import AuthError, normalize_shop
from ..auth.query_hmac import verify_query_hmac
from ..auth.state_cookie import sign_state, unsign_state
from ..config import WEBHOOK_TOPICS
from ..platform.client import PlatformClient
from ..platform.errors import PlatformError
from ..platform.pull import sync_shop
from ..platform.subscriptions import ensure_subscriptions
from ..platform.tokens import INTERACTIVE_ATTEMPTS
from ..services import Services

log = logging.getLogger("storelift.install")

bp = Blueprint("install", __name__)

STATE_COOKIE = "storelift_oauth_state"
STATE_TTL_S = 600
CALLBACK_PATH = "/auth/callback"


def _fail(status: int, title: str, detail: str):
    return render_template("error.html", title=title, detail=detail), status


def _checked_shop(services: Services) -> str:
    """The request's shop, after the query HMAC, timestamp and domain checks."""
    config = services.config
    pairs = list(request.args.items(multi=True))
    verify_query_hmac(pairs, config.api_secrets, time.time())
    shop = normalize_shop(request.args.get("shop"), config.platform_domain)
    if shop is None:
        raise AuthError("invalid shop")
    return shop


def _begin_oauth(services: Services, shop: str):
    config = services.config
    state = secrets.token_hex(32)
    services.store.oauth_states.issue(state, shop, STATE_TTL_S * 1000)
    query = urlencode(
        {
            "client_id": config.api_key,
            "scope": ",".join(config.scopes),
            "redirect_uri": config.app_url + CALLBACK_PATH,
            "state": state,
            "grant_options[]": "",
        }
    )
    response = make_response(redirect(f"{config.shop_base_url(shop)}/admin/oauth/authorize?{query}"))
    response.set_cookie(
        STATE_COOKIE,
        sign_state(state, config.signing_secret, time.time()),
        max_age=STATE_TTL_S,
        path=CALLBACK_PATH,
        httponly=True,
        secure=config.app_url.startswith("https://"),
        samesite="Lax",
    )
    return response


@bp.get("/install")
def install():
    services = Services.of(current_app)
    try:
        shop = _checked_shop(services)
    except AuthError as exc:
        log.info("install rejected: %s", exc.reason)
        return _fail(400, "This install link is not valid", _reason_text(exc.reason))
    return _begin_oauth(services, shop)


@bp.get("/")
def app_url():
    """The App URL the platform opens: install when needed, else the embedded admin."""
    services = Services.of(current_app)
    if "hmac" not in request.args:
        return render_template("home.html")
    try:
        shop = _checked_shop(services)
    except AuthError as exc:
        return _fail(400, "This link is not valid", _reason_text(exc.reason))
    record = services.store.shops.get(shop)
    if record is None or not record.installed:
        return _begin_oauth(services, shop)
    return redirect("/admin?" + request.query_string.decode("ascii", "replace"))


@bp.get(CALLBACK_PATH)
def callback():
    services = Services.of(current_app)
    config = services.config
    try:
        shop = _checked_shop(services)
        _check_state(services, shop)
    except AuthError as exc:
        log.info("callback rejected: %s", exc.reason)
        return _fail(400, "The install could not be completed", _reason_text(exc.reason))
    code = request.args.get("code", "")
    if not code:
        return _fail(400, "The install could not be completed", "The store sent no authorization code.")
    base_url = config.shop_base_url(shop)
    try:
        grant = PlatformClient(base_url, config.api_version, max_attempts=INTERACTIVE_ATTEMPTS).exchange_code(
            config.api_key, config.signing_secret, code
        )
        client = PlatformClient(base_url, config.api_version, grant.access_token, max_attempts=INTERACTIVE_ATTEMPTS)
        ensure_subscriptions(client, config.app_url + "/webhooks", WEBHOOK_TOPICS)
    except PlatformError as exc:
        log.warning("install of %s failed at the platform: %s", shop, type(exc).__name__)
        return _fail(
            502,
            "The store did not complete the install",
            "Nothing was saved. Open the install link from your store admin to try again.",
        )
    services.store.shops.save_install(
        shop,
        access_token=grant.access_token,
        scopes=grant.scopes,
        api_version=config.api_version,
        token_expires_at=grant.expires_at_ms,
        refresh_token=grant.refresh_token,
        refresh_expires_at=grant.refresh_expires_at_ms,
    )
    log.info("installed on %s with scopes %s", shop, ",".join(grant.scopes))
    if config.sync_on_install:
        services.store.jobs.enqueue(shop, FIRST_SYNC_KIND)
    response = make_response(redirect(f"{base_url}/admin/apps/{config.api_key}"))
    response.delete_cookie(STATE_COOKIE, path=CALLBACK_PATH)
    return response


FIRST_SYNC_KIND = "install.first_sync"


def _first_sync(services: Services, job) -> None:
    """A new install starts with the catalog and recent orders, pulled as bulk operations.

    One attempt: a failure is recorded in sync_runs (the admin shows it and offers "sync now")
    and kept on the dead job with its error, for ``storelift jobs replay``.
    """
    sync_shop(services.config, services.store, job.shop, bulk=True)


def register_jobs(jobs) -> None:
    jobs.register(FIRST_SYNC_KIND, _first_sync, max_attempts=1)


def _check_state(services: Services, shop: str) -> None:
    state = request.args.get("state", "")
    cookie = request.cookies.get(STATE_COOKIE)
    if not state or not cookie:
        raise AuthError("missing state")
    bound = unsign_state(cookie, services.config.api_secrets, time.time(), max_age=STATE_TTL_S)
    if not secrets.compare_digest(bound, state):
        raise AuthError("state mismatch")
    if not services.store.oauth_states.consume(state, shop):
        raise AuthError("state already used")


_REASONS = {
    "invalid shop": "The shop address is not a store on this platform.",
    "stale timestamp": "The link has expired. Open it again from your store admin.",
    "future timestamp": "The link's time is wrong. Check the server clock.",
}


def _reason_text(reason: str) -> str:
    if "state" in reason:
        return "This install was started in another browser or already finished. Start it again from your store admin."
    return _REASONS.get(reason, "The request was not signed by the platform.")
