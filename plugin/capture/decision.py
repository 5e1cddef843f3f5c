"""Whether one visitor is shown the capture widget, and the storefront's config document that says so.

Decided from what the server knows (settings, device, whether the visitor is
returning, suppression of subscribers, of people known by email or
customer id, and of people who were emailed a discount code in the last 24 h:
the pop-up and the emails draw on one contact-pressure budget); the widget
applies the triggers and URL rules itself. It reads, because it answers every
storefront page view, except the first time an eligible, stored visitor's person meets
the capture experiment: that exposure (and their arm) is written once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from plugin.experiments.assignment import CONTROL, exposed_arm, unrecorded_arm
from plugin.store import Store

from .settings import public_config


CAPTURE_EXPERIMENT = "capture"
RETURNING_AFTER_MS = 30 * 60 * 1000  # a visitor first seen over a session ago is returning
DISCOUNT_EMAIL_MS = 24 * 60 * 60 * 1000  # someone emailed a discount code this recently sees no discount pop-up


@dataclass(frozen=True)
class Decision:
    show: bool
    why: str


def decide(store: Store, shop: str, settings: dict, *, visitor_id: str | None, customer_id: str | None,
           device: str | None, returning: bool, bot: bool, now: int, experiments: dict | None = None) -> Decision:
    """Whether this visitor may be shown the capture widget (triggers and URL rules are the widget's).

    An eligible visitor is exposed to the capture experiment (``experiments``: its settings, read
    from the store when not given); its control sees no widget.
    """
    targeting = settings["targeting"]
    if bot:
        return Decision(False, "bot")
    if not settings["enabled"]:
        return Decision(False, "disabled")
    if device not in targeting["devices"]:
        return Decision(False, "device")
    visitor = store.identities.visitor(shop, visitor_id) if visitor_id else None
    if visitor is not None and visitor["first_seen"] < now - RETURNING_AFTER_MS:
        returning = True
    if targeting["visitors"] == "new" and returning:
        return Decision(False, "returning")
    if targeting["visitors"] == "returning" and not returning:
        return Decision(False, "new")
    email = visitor["email"] if visitor else None
    if email and store.capture.subscriber(shop, email) is not None:
        return Decision(False, "subscribed")
    if email and store.emails.code_mailed_since(shop, email, now - DISCOUNT_EMAIL_MS):
        return Decision(False, "discount emailed")  # one contact-pressure budget with the emails
    if targeting["hide_known"] and (customer_id or (visitor and (visitor["email"] or visitor["customer_id"]))):
        return Decision(False, "known")
    if visitor_id and _held_out(store, shop, visitor, visitor_id, now, experiments):
        return Decision(False, "holdout")
    return Decision(True, "eligible")


def _held_out(store: Store, shop: str, visitor: dict | None, visitor_id: str, now: int,
              experiments: dict | None) -> bool:
    """Whether this eligible visitor's person is in the capture experiment's control. A stored visitor's
    exposure is recorded the first time; one not stored (yet) gets the arm their visitor id draws,
    with nothing written, since they may not have agreed to be stored (Global Privacy Control,
    consent mode), which only the loader's event batch tells."""
    if visitor is None:
        return unrecorded_arm(store, shop, CAPTURE_EXPERIMENT, visitor_id, now, experiments) == CONTROL
    return exposed_arm(store, shop, CAPTURE_EXPERIMENT, visitor["person_id"], now, experiments) == CONTROL


def config_answer(settings: dict, version: int, decision: Decision) -> tuple[bytes, str]:
    """The storefront's one config document and its ETag."""
    body = {"v": version, "cm": int(settings["consent_mode"]), "show": int(decision.show), "why": decision.why}
    if decision.show:
        body["w"] = public_config(settings, version)
    raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    return raw, '"' + hashlib.sha256(raw).hexdigest()[:20] + '"'
