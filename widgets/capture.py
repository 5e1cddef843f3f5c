"""Email capture on the storefront: the loader's config and the capture form.

- ``GET  /proxy/config``     the loader's one compact, cacheable (ETag) answer: the widget's
  settings and this visitor's decision
- ``POST /proxy/subscribe``  the capture form: email → code
- ``GET  /widgets/capture.js`` the capture widget for the admin's live preview (and the
  storefront scripts under ``/widgets/static/``)

The app-proxy signature check, JSON errors and ETag/304 are the door's (widgets.door).
"""

from __future__ import annotations

from flask import g, jsonify, request, send_from_directory

from plugin.capture import pool, signup
from plugin.capture.decision import config_answer, decide
from plugin.capture.emails import InvalidEmail, normalize_email
from plugin.capture.settings import CAPTURE
from plugin.clock import iso_date_ms, now_ms
from plugin.experiments.settings import EXPERIMENTS
from plugin.people import refresh
from plugin.platform import push_customers
from plugin.services import Services

from . import door
from .door import flag, is_visitor_id, valid_path

bp = door.blueprint("widgets", __name__, static_folder="static", static_url_path="/widgets/static")

MAX_FORM_BYTES = 4096


def _housekeeping(services: Services, shop: str, settings: dict) -> None:
    """Kick the code pool refill and due customer syncs now and then, never in the request's time."""
    state = door.widget_state()
    now = now_ms()
    if settings["enabled"] and state.due("pool", shop) and pool.pool_low(services.store, shop, settings, now):
        pool.queue_refill(services.store, shop)
    if state.due("sync", shop, 60.0) and services.store.capture.due_syncs(shop, now, limit=1):
        push_customers.queue_sync(services.store, shop)


# --------------------------------------------------------------------------- config


@bp.get("/proxy/config")
def config():
    """Widget config plus this visitor's decision; ``private, no-cache`` with an ETag, so repeat views get 304."""
    services = door.services()
    visitor = request.args.get("v")
    visitor = visitor if is_visitor_id(visitor) else None
    device = {"m": "mobile", "d": "desktop"}.get(request.args.get("d", "d"))
    settings, version = services.settings.read(g.shop, CAPTURE)
    decision = decide(
        services.store, g.shop, settings, visitor_id=visitor, customer_id=g.customer_id, device=device,
        returning=request.args.get("r") == "1", bot=door.is_bot(), now=now_ms(),
        experiments=services.settings.read(g.shop, EXPERIMENTS)[0],
    )
    _housekeeping(services, g.shop, settings)
    body, etag = config_answer(settings, version, decision)
    return door.revalidated(body, "application/json", "Accept-Encoding", etag)


# --------------------------------------------------------------------------- subscribe


@bp.post("/proxy/subscribe")
def subscribe():
    """The capture form. A code is in the answer only for the visitor who earned it (plugin.capture.codes).

    An already-subscribed email from any other browser gets exactly the answer a
    new subscriber gets while their code is on its way (``pending``, no code),
    so the form does not tell who subscribed; the address's owner is to get the
    code by email once Storelift sends email. A spent code is never returned:
    its owner gets ``spent`` ("redeemed" or "expired") instead.
    """
    services = door.services()
    ip = door.client_ip()
    data = door.json_object(MAX_FORM_BYTES)
    if data.get("hp"):  # the hidden field only bots fill in
        return door.error(400, "rejected", "could not subscribe")
    if door.is_bot(flag(data.get("w"))):
        return door.error(403, "forbidden", "automated requests are not accepted")
    visitor = data.get("v")
    if visitor is not None and not is_visitor_id(visitor):
        return door.error(400, "bad_request", "bad visitor id")
    page = data.get("p", "/")
    if not valid_path(page):
        return door.error(400, "bad_request", "bad page path")
    if not door.allowed("subscribe:ip", ip) or (visitor and not door.allowed("subscribe:visitor", visitor)):
        return door.error(429, "too_many_requests", "too many sign-ups, try again in a minute")
    try:
        email = normalize_email(data.get("e"))
    except InvalidEmail as exc:
        return door.error(422, "invalid_email", str(exc))
    try:
        result = signup.subscribe(services.store, g.shop, email=email, visitor_id=visitor, page=page,
                                  customer_id=g.customer_id)
    except signup.CaptureOff:
        return door.error(409, "capture_off", "sign-up is closed")
    settings, _ = services.settings.read(g.shop, CAPTURE)
    if result.code is None or pool.pool_low(services.store, g.shop, settings, now_ms()):
        pool.queue_refill(services.store, g.shop)
    if result.created:
        push_customers.queue_sync(services.store, g.shop)
    if visitor:
        refresh.queue_refresh(services.store, g.shop, "visitor", visitor)
    body = {"ok": True, "code": result.code, "pending": result.code is None and not result.spent,
            "ends": iso_date_ms(result.ends_at) if result.ends_at else None}
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
