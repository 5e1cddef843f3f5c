"""The merchant's recommendations page: block settings, and what the blocks earned.

Authenticated like the rest of the embedded admin (``session_required``: the
platform's session token, ``id_token`` on the page load, ``Authorization:
Bearer`` on API calls); the shop comes from the token, never from a parameter.

- ``GET /admin/recommendations?days=30``: the page.
- ``GET|PUT /admin/api/recommendations/settings``: the shop-wide settings
  (``plugin.recommendations.settings.RECOMMENDATIONS``). A PUT replaces them whole; a refused one is a 422
  with an error per field and stores nothing. Serving picks a save up on the
  next block request.
- ``GET /admin/api/recommendations/products?q=TEXT``: up to ``SEARCH_LIMIT``
  of the shop's products whose title contains TEXT (``%`` and ``_`` literal),
  for the page's product picker: the merchant chooses pins and exclusions by
  title, never by typing ids. ``no-store``: titles are the shop's data.
- ``GET /admin/api/recommendations/attribution?days=30``: per block strategy,
  impressions, clicks, CTR, attributed orders and revenue over the last 7, 30
  or 90 days. An order line is attributed to the block clicked within
  ``ATTRIBUTION_WINDOW_MS`` before it (the store query says how).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, jsonify, render_template, request

from ..clock import DAY_MS, now_ms
from ..recommendations.settings import LIMITS, MAX_FACTOR, MIN_FACTOR, RECOMMENDATIONS
from ..recommendations import theme_links
from ..recommendations.serving import api as recommendations
from ..safe_input import InputError, whole_number
from ..services import Services
from . import settings_api
from .routes import _session_token, session_required

bp = Blueprint("admin_recommendations", __name__, template_folder="templates")


def init_app(app, services: Services) -> None:
    """This page's routes, and its entry in the admin's menu."""
    app.register_blueprint(bp)
    services.admin_menu.add("/admin/recommendations", "Recommendations", order=40)


PERIODS = (7, 30, 90)
SEARCH_LIMIT = 10
MAX_QUERY = 100
DEFAULT_DAYS = 30
ATTRIBUTION_WINDOW_MS = DAY_MS


def _days() -> int | None:
    """The report's period from ``?days=``, or None when it is not one of ``PERIODS``."""
    try:
        days = whole_number(request.args.get("days", str(DEFAULT_DAYS)), min(PERIODS), max(PERIODS))
    except InputError:
        return None
    return days if days in PERIODS else None


def _ctr(clicks: int, impressions: int) -> float | None:
    return round(clicks / impressions, 4) if impressions else None


def attribution(services: Services, shop: str, days: int, now: int | None = None) -> dict:
    """The report: one row per strategy that had any activity, in the engine's order, and the total."""
    until = now_ms() if now is None else now
    since = until - days * DAY_MS
    summary = services.store.rec_attribution.attribution_summary(shop, since, until, ATTRIBUTION_WINDOW_MS)
    known = [s for s in recommendations.STRATEGIES if s in summary["blocks"]]
    rows = [{"strategy": s, **summary["blocks"][s]} for s in known + sorted(set(summary["blocks"]) - set(known))]
    for row in (*rows, summary["total"]):
        row["ctr"] = _ctr(row["clicks"], row["impressions"])
    return {"days": days, "since": since, "until": until, "window_ms": ATTRIBUTION_WINDOW_MS,
            "blocks": rows, "total": summary["total"]}


def _settings_state(services: Services, shop: str) -> dict:
    settings, version = RECOMMENDATIONS.read(services.store, shop)
    return {"settings": settings, "version": version}


def _titles(services: Services, shop: str, settings: dict) -> dict[str, str]:
    """Titles of the pinned and excluded products, so the page shows them as the merchant chose them."""
    ids = [v for name in ("pins", "excluded") for v in settings[name] if ":" not in v]
    return services.store.rec_catalog.product_titles(shop, ids) if ids else {}


@bp.get("/admin/recommendations")
@session_required
def page():
    days = _days()
    if days is None:
        abort(400, f"days must be one of {', '.join(map(str, PERIODS))}")
    services = Services.of(current_app)
    state = _settings_state(services, g.shop)
    return render_template("admin/recommendations.html", shop=g.shop, state=state,
                           titles=_titles(services, g.shop, state["settings"]),
                           report=attribution(services, g.shop, days), periods=PERIODS,
                           limits=LIMITS, factor=(MIN_FACTOR, MAX_FACTOR),
                           id_token=_session_token(),
                           place_blocks=theme_links.placement_links(services.config, g.shop),
                           embed_link=theme_links.embed_link(services.config, g.shop))


@bp.get("/admin/api/recommendations/settings")
@session_required
def get_settings():
    return jsonify(_settings_state(Services.of(current_app), g.shop))


@bp.put("/admin/api/recommendations/settings")
@session_required
def put_settings():
    return settings_api.save(RECOMMENDATIONS, refusal="settings not saved")


@bp.get("/admin/api/recommendations/products")
@session_required
def search_products():
    text = request.args.get("q", "").strip()
    if not 1 <= len(text) <= MAX_QUERY:
        response = jsonify(error="bad_request", message=f"q must be 1 to {MAX_QUERY} characters")
        response.status_code = 400
    else:
        response = jsonify(products=Services.of(current_app).store.rec_catalog.search_products(g.shop, text, SEARCH_LIMIT))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/admin/api/recommendations/attribution")
@session_required
def get_attribution():
    days = _days()
    if days is None:
        return jsonify(error="bad_request", message=f"days must be one of {', '.join(map(str, PERIODS))}"), 400
    return jsonify(attribution(Services.of(current_app), g.shop, days))
