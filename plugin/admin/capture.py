"""The merchant's email-capture settings page, live preview, and subscriber list with CSV export.

Authenticated like the rest of the embedded admin (``session_required``: the
platform's HS256 session token, from ``id_token`` on the page load and
``Authorization: Bearer`` on API calls). Settings are validated and saved by
``plugin.capture.settings.CAPTURE`` (one model, contrast checked); saving
queues a refill of the discount-code pool so a changed discount is ready before shoppers
ask for it. Texts that name a value other than the discount's are saved but
flagged (``plugin.capture.texts.value_warnings``).
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, current_app, g, jsonify, render_template, request

from ..capture import pool, texts
from ..capture.settings import CAPTURE, TEXT_LIMITS, public_config
from ..clock import iso_ms
from ..safe_input import whole_number
from ..services import Services
from ..settings import SettingsError
from .body import json_body
from .routes import session_required

bp = Blueprint("admin_capture", __name__, template_folder="templates")


def init_app(app, services: Services) -> None:
    """This page's routes, and its entry in the admin's menu."""
    app.register_blueprint(bp)
    services.admin_menu.add("/admin/capture", "Email capture", order=20)


MAX_LIST = 1000
CSV_COLUMNS = ("email", "subscribed_at", "code", "code_ends_at", "consent_text", "consent_page", "customer_id",
               "sync_state")
# Spreadsheet apps run a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _iso(ms: int | None) -> str:
    return iso_ms(ms) if ms else ""


def _state(services: Services, shop: str) -> dict:
    settings, version = CAPTURE.read(services.store, shop)
    return {
        "settings": settings,
        "version": version,
        "preview": public_config(settings, version),
        # Texts naming another value than the discount ("Get 10% off" for 20 %): shown, saved anyway.
        "warnings": texts.value_warnings(settings),
        "subscribers": services.store.capture.subscriber_count(shop),
        "codes": services.store.capture.code_counts(shop),
        "widget": services.store.events.widget_counts(shop),
    }


@bp.get("/admin/capture")
@session_required
def page():
    services = Services.of(current_app)
    state = _state(services, g.shop)
    subscribers = services.store.capture.subscribers(g.shop, limit=50)
    return render_template("admin/capture.html", shop=g.shop, state=state, subscribers=subscribers,
                           limits=TEXT_LIMITS,
                           discount_label=texts.discount_label(state["settings"]["discount"]))


@bp.get("/admin/api/capture/settings")
@session_required
def get_settings():
    return jsonify(_state(Services.of(current_app), g.shop))


@bp.put("/admin/api/capture/settings")
@session_required
def put_settings():
    services = Services.of(current_app)
    data = json_body()
    try:
        settings, _ = CAPTURE.save(services.store, g.shop, data)
    except SettingsError as exc:
        return jsonify(error="invalid_settings", errors=exc.errors), 422
    if settings["enabled"]:
        pool.queue_refill(services.store, g.shop)
    return jsonify(_state(services, g.shop))


@bp.get("/admin/api/capture/subscribers")
@session_required
def list_subscribers():
    limit = whole_number(request.args.get("limit", "100"), 1, MAX_LIST, name="limit")
    rows = Services.of(current_app).store.capture.subscribers(g.shop, limit=limit)
    return jsonify(subscribers=[_row(r) for r in rows])


def _row(r: dict) -> dict:
    return {"email": r["email"], "subscribed_at": _iso(r["consent_at"]), "code": r["code"] or "",
            "code_ends_at": _iso(r["code_ends_at"]), "consent_text": r["consent_text"],
            "consent_page": r["consent_page"], "customer_id": r["customer_id"] or "", "sync_state": r["sync_state"]}


def _cell(value) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


@bp.get("/admin/api/capture/subscribers.csv")
@session_required
def export_subscribers():
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in Services.of(current_app).store.capture.subscribers(g.shop):
        data = _row(row)
        writer.writerow([_cell(data[c]) for c in CSV_COLUMNS])
    filename = f"subscribers-{g.shop.split('.')[0]}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
