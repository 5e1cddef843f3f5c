"""The merchant's Emails page: each flow's switch, delays and texts with a live preview and a test send, the
sender and its DKIM status, the contact-pressure budget, the do-not-mail list, and what each flow did.

Authenticated like the rest of the embedded admin (``session_required``: the
platform's session token, ``id_token`` on the page load, ``Authorization:
Bearer`` on API calls); the shop comes from the token, never from a parameter.

- ``GET|PUT /admin/api/emails/settings``: ``plugin.emails.settings.EMAILS``; a
  PUT replaces them whole, and a refused one is a 422 naming each failing field
  with nothing stored.
- ``POST /admin/api/emails/preview`` ``{flow, settings?}``: the flow's email
  rendered server-side for the shop's newest consenting person
  (``plugin.emails.samples``) under the form's settings, saved or not, with the
  "Picked for you" products an open would choose for them now (made-up samples,
  ``sample_products``, while the shop has none). The page shows the HTML in a
  sandboxed ``srcdoc`` iframe, so nothing in it runs.
- ``POST /admin/api/emails/test`` ``{flow, to, settings?}``: the same email,
  rendered, signed and handed to the mail server now; 409 when there is no mail
  server, 502 with the server's answer when it did not take the message.
- ``GET|POST /admin/api/emails/suppressions``, ``DELETE …/suppressions/<address>``.
- ``GET /admin/api/emails/dkim``: the shop's key, its DNS record, and whether
  DNS publishes it (``dkim_keys.dns_status``, a lookup of up to three seconds,
  so the page asks for it after loading).

Opens are not reported: Apple Mail Privacy Protection fetches every image of
every message, so an "open" says nothing (docs/emails.md). Clicks are the
recommendation slots' tracked links; "attributed" counts orders by the
recipient within 5 days after a click (last click), never "earned": the
holdout comparison comes with the measurement issue.
"""

from __future__ import annotations

import logging
from zoneinfo import available_timezones

from flask import Blueprint, current_app, g, jsonify, render_template

from ..clock import DAY_MS, format_ms, now_ms
from ..emails import dkim_keys, samples
from ..emails.flows import STARTED_BY
from ..emails.settings import ADDRESS_RE, EMAILS, FLOW_NAMES
from ..emails.suppressions import parse_address, suppress_by_hand
from ..safe_input import InputError
from ..services import Services
from ..settings import SettingsError
from . import settings_api
from .body import json_body
from .routes import session_required

log = logging.getLogger("storelift.admin")

bp = Blueprint("admin_emails", __name__, template_folder="templates")


def init_app(app, services: Services) -> None:
    """This page's routes, and its entry in the admin's menu."""
    app.register_blueprint(bp)
    services.admin_menu.add("/admin/emails", "Emails", order=25)


FLOW_LABELS = {"welcome": "Welcome", "browse": "Browse abandonment", "cart": "Abandoned cart",
               "checkout": "Abandoned checkout", "winback": "Win-back"}
ATTRIBUTION_DAYS = 5  # an order within this many days of a click in the email counts for its flow
TIME_ZONES = sorted(available_timezones() - {"localtime", "Factory"})


def readable_minutes(minutes: int) -> str:
    """A delay for people: 0 → "at once", 90 → "1 h 30 min", 2880 → "2 days"."""
    if minutes == 0:
        return "at once"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} day{'' if days == 1 else 's'}" if days else "", f"{hours} h" if hours else "",
             f"{mins} min" if mins else ""]
    return " ".join(part for part in parts if part)


def flow_report(rows: list[dict], clicks: dict[str, int], attributed: dict[str, int]) -> list[dict]:
    """``store.emails.counts`` per flow: planned, sent (the mail server took it), maybe sent, failed, and the
    skips by reason, most frequent first; with each flow's clicks and attributed orders."""
    report = {flow: {"flow": flow, "label": FLOW_LABELS[flow], "planned": 0, "sent": 0, "unknown": 0, "failed": 0,
                     "skipped": 0, "reasons": {}, "clicked": clicks.get(flow, 0),
                     "attributed": attributed.get(flow, 0)} for flow in FLOW_NAMES}
    for row in rows:
        entry = report.get(row["flow"])
        if entry is None:  # a flow this version no longer has
            continue
        status = "planned" if row["status"] in ("scheduled", "sending") else row["status"]
        entry[status] = entry.get(status, 0) + row["n"]
        if status == "skipped":
            reason = row["reason"] or "no reason recorded"
            entry["reasons"][reason] = entry["reasons"].get(reason, 0) + row["n"]
    for entry in report.values():
        entry["reasons"] = sorted(entry["reasons"].items(), key=lambda pair: (-pair[1], pair[0]))
    return list(report.values())


def _suppressions(services: Services, shop: str) -> list[dict]:
    return [{"email": row["email"], "reason": row["reason"], "added": format_ms(row["created_at"])}
            for row in services.store.emails.suppressions(shop)]


def _key(services: Services, shop: str, sender_address: str) -> dict | None:
    """The shop's DKIM key as the page shows it: never its private half."""
    key = services.store.emails.dkim_key(shop)
    if key is None:
        return None
    name, value = dkim_keys.txt_record(key["selector"], key["domain"], key["public_b64"])
    return {"domain": key["domain"], "selector": key["selector"], "record_name": name, "record_value": value,
            "created": format_ms(key["created_at"]),
            "signs_sender": sender_address.rpartition("@")[2] == key["domain"]}


@bp.get("/admin/emails")
@session_required
def page():
    services = Services.of(current_app)
    settings, version = EMAILS.read(services.store, g.shop)
    return render_template(
        "admin/emails.html", shop=g.shop, settings=settings, version=version, flows=FLOW_NAMES,
        labels=FLOW_LABELS, started_by=STARTED_BY, readable=readable_minutes,
        report=flow_report(services.store.emails.counts(g.shop), services.store.emails.clicks(g.shop),
                           services.store.emails.attributed(g.shop, ATTRIBUTION_DAYS * DAY_MS)),
        attribution_days=ATTRIBUTION_DAYS,
        suppressions=_suppressions(services, g.shop), key=_key(services, g.shop, settings["sender"]["address"]),
        mail_server=bool(services.config.smtp_url), time_zones=TIME_ZONES, store_zone=_store_zone(services, g.shop))


def _store_zone(services: Services, shop: str) -> str | None:
    row = services.store.shops.get(shop)
    return row.iana_timezone if row else None


@bp.get("/admin/api/emails/settings")
@session_required
def get_settings():
    return settings_api.saved(EMAILS)


@bp.put("/admin/api/emails/settings")
@session_required
def put_settings():
    return settings_api.save(EMAILS)


def _refused(errors: dict[str, str]):
    return jsonify(error="invalid_settings", message="not accepted", errors=errors), 422


def _request(services: Services, data, *fields: str) -> tuple[str, dict]:
    """The flow and the settings a preview or test asks for (the saved ones when it sends none), or
    SettingsError naming each bad field."""
    if not isinstance(data, dict):
        raise InputError("the body must be a JSON object")
    unknown = sorted(set(data) - {"flow", "settings", *fields})
    errors = {name[:40]: "unknown field" for name in unknown}
    flow = data.get("flow")
    if flow not in FLOW_NAMES:
        errors["flow"] = f"must be one of {', '.join(FLOW_NAMES)}"
    try:
        settings = EMAILS.validate(data["settings"]) if "settings" in data else EMAILS.read(services.store,
                                                                                               g.shop)[0]
    except SettingsError as exc:
        errors.update(exc.errors)
    if errors:
        raise SettingsError(errors)
    return flow, settings


@bp.post("/admin/api/emails/preview")
@session_required
def preview():
    services = Services.of(current_app)
    try:
        flow, settings = _request(services, json_body())
    except SettingsError as exc:
        return _refused(exc.errors)
    shown = samples.preview(services, g.shop, settings, flow)
    return jsonify(subject=shown.rendered.subject, preview=shown.rendered.preview, html=shown.rendered.html,
                   text=shown.rendered.text, person={"label": shown.person.label, "real": shown.person.real},
                   stand_in_items=shown.stand_in_items, sample_products=shown.sample_products)


@bp.post("/admin/api/emails/test")
@session_required
def send_test():
    """The flow's email to the address the merchant typed, now, through the real mail path; the answer says
    whether the mail server took it. Neither the SMTP URL nor the recipient reaches the log."""
    services = Services.of(current_app)
    data = json_body()
    try:
        flow, settings = _request(services, data, "to")
        errors = {}
    except SettingsError as exc:
        flow, settings, errors = None, None, dict(exc.errors)
    to = data["to"].strip().lower() if isinstance(data.get("to"), str) else ""
    if not (to.isascii() and ADDRESS_RE.fullmatch(to)):
        errors["to"] = "must be an email address like you@example.com"
    if settings is not None and not settings["sender"]["address"]:
        errors["sender.address"] = "needed to send: the address your emails come from"
    if errors:
        return _refused(errors)
    try:
        outcome = samples.send_test(services, g.shop, settings, flow, to)
    except samples.NoMailServer as exc:
        return jsonify(error="no_mail_server", message=str(exc)), 409
    except ValueError as exc:  # an address the message's headers cannot carry
        return _refused({"to": str(exc)})
    log.info("test email of the %s flow for %s: %s", flow, g.shop, outcome.kind)
    if outcome.kind != "sent":
        return jsonify(error="not_sent", message=f"Not sent: the mail server answered {outcome.detail}"), 502
    return jsonify(sent=True, message=f"Sent to {to}: the mail server took it ({outcome.detail}).")


@bp.get("/admin/api/emails/suppressions")
@session_required
def list_suppressions():
    return jsonify(suppressions=_suppressions(Services.of(current_app), g.shop))


@bp.post("/admin/api/emails/suppressions")
@session_required
def add_suppression():
    services = Services.of(current_app)
    data = json_body()
    email = parse_address(data.get("email")) if isinstance(data, dict) else None
    if email is None:
        return jsonify(error="invalid_address", message="not added",
                       errors={"email": "must be an email address like shopper@example.com"}), 422
    added, skipped = suppress_by_hand(services.store, g.shop, email, now_ms())
    return jsonify(added=added, skipped=skipped, suppressions=_suppressions(services, g.shop))


@bp.delete("/admin/api/emails/suppressions/<address>")
@session_required
def remove_suppression(address: str):
    services = Services.of(current_app)
    email = parse_address(address)
    if email is None or not services.store.emails.unsuppress(g.shop, email):
        return jsonify(error="not_found", message="that address is not on the do-not-mail list"), 404
    return jsonify(removed=email, suppressions=_suppressions(services, g.shop))


@bp.get("/admin/api/emails/dkim")
@session_required
def dkim_status():
    """The key, its record, and whether DNS publishes it (``dkim_keys.resolve_txt``, which tests replace)."""
    services = Services.of(current_app)
    key = services.store.emails.dkim_key(g.shop)
    if key is None:
        return jsonify(key=None, dns=None)
    sender = EMAILS.read(services.store, g.shop)[0]["sender"]["address"]
    dns = dkim_keys.dns_status(key["selector"], key["domain"], key["public_b64"])
    return jsonify(key=_key(services, g.shop, sender), dns=dns)
