"""The merchant's segments page and its JSON: how many shoppers are in each segment.

Authenticated like the rest of the embedded admin (``session_required``: the
platform's session token, ``id_token`` on the page load, ``Authorization:
Bearer`` on API calls); the shop comes from the token, never from a parameter,
so a merchant only ever sees their own shop's counts.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, render_template

from ..people import segments
from ..people.membership import segment_summary
from ..services import Services
from .routes import session_required

bp = Blueprint("admin_segments", __name__, template_folder="templates")


def init_app(app, services: Services) -> None:
    """This page's routes, and its entry in the admin's menu."""
    app.register_blueprint(bp)
    services.admin_menu.add("/admin/segments", "Segments", order=30)


# What each lifecycle stage means, for the merchant (thresholds in plugin.people.segments).
DESCRIPTIONS = {
    "new_visitor": "One visit so far, no order.",
    "returning_visitor": "Came back (two or more visits), no order.",
    "engaged_non_buyer": f"No order yet, but {segments.ENGAGED_MIN_PRODUCT_VIEWS}+ product views, "
                         "an add to cart, or signed up.",
    "first_time_buyer": "One order, not long ago (R ≥ 3).",
    "repeat_buyer": "Two or more orders, not long ago (R ≥ 3), not VIP.",
    "vip": "Top fifth by both order count and spend, still buying (R ≥ 3, F = 5, M = 5).",
    "at_risk": "Buyers who have not ordered for a while (R = 2).",
    "lapsed": "Buyers whose last order is the oldest (R = 1).",
}


@bp.get("/admin/segments")
@session_required
def page():
    summary = segment_summary(Services.of(current_app).store, g.shop)
    return render_template("admin/segments.html", summary=summary, descriptions=DESCRIPTIONS,
                           min_buyers=segments.MIN_BUYERS_FOR_QUINTILES)


@bp.get("/admin/api/segments")
@session_required
def api():
    return jsonify(segment_summary(Services.of(current_app).store, g.shop))
