"""Every settings form has a place for each field's refusal: the merchant reads it by the field's label.

The admin API names a refused field by its dotted name (``discount.value``); the page never shows that
name. For every field of each feature's model, the rendered form must have the error slot the shared
script (``static/form_errors.js``) looks for, controls described by that slot (which it marks
aria-invalid), and a name the merchant reads there: the field's label. A browser test drives the
script itself (``tests/browser/test_admin_forms.py``).
"""

from __future__ import annotations

import time

import pytest

from plugin.capture.settings import CAPTURE
from plugin.emails.settings import EMAILS
from plugin.experiments.assignment import period
from plugin.experiments.settings import EXPERIMENTS
from plugin.recommendations.settings import RECOMMENDATIONS

from tests.support.app import SHOP
from tests.support.forms import Page
from tests.support.settings_fields import at, leaf_fields
from tests.support.signing import session_token

FORMS = {  # the page, its feature, its settings form's id
    "capture": ("/admin/capture", CAPTURE, "settings"),
    "recommendations": ("/admin/recommendations", RECOMMENDATIONS, "settings"),
    "emails": ("/admin/emails", EMAILS, "settings"),
    "holdouts": ("/admin", EXPERIMENTS, "experiments"),
}
SURFACES = ("capture", "blocks:best_sellers")


@pytest.fixture(autouse=True)
def shop(installed_shop, store):
    installed_shop()
    settings = EXPERIMENTS.read(store, SHOP)[0]
    for surface in SURFACES:  # running surfaces: the holdouts form offers each its own percentage
        period(store, SHOP, surface, settings, int(time.time() * 1000))


def page(client, path: str) -> Page:
    answer = client.get(path, query_string={"id_token": session_token()})
    assert answer.status_code == 200
    return Page(answer.get_data(as_text=True))


def bearer() -> dict:
    return {"Authorization": f"Bearer {session_token()}"}


@pytest.mark.parametrize("form_name", FORMS)
def test_every_field_has_an_error_slot_describing_its_labelled_controls(client, form_name):
    path, feature, form_id = FORMS[form_name]
    shown = page(client, path)
    form = shown.by_id[form_id]
    keys = [".".join(where) for where in leaf_fields(feature.model)]
    if feature is EXPERIMENTS:
        keys += [f"surface_percent.{surface}" for surface in SURFACES]
    missing = {}
    for key in keys:
        found = shown.field(form, key)
        if found is None:
            missing[key] = "no error slot"
        elif not found.controls or any(c.tag not in ("input", "select", "textarea") for c in found.controls):
            missing[key] = f"no control described by #{found.slot.id}"
        elif not found.name or key in found.name:
            missing[key] = f"named {found.name!r}"
    assert missing == {}
    summary = [e for e in form.walk() if "error-summary" in e.attrs.get("class", "").split()]
    assert len(summary) == 1 and summary[0].attrs.get("role") == "alert"


@pytest.mark.parametrize("form_name, key, name", [
    ("capture", "texts.headline", "Texts · Headline"),
    ("capture", "discount.value", "Discount · Value"),
    ("capture", "triggers.delay_seconds", "Triggers · After (seconds, 0 = off)"),
    ("capture", "targeting.devices", "Targeting · Devices"),
    ("emails", "flows.cart.texts.subject", "Abandoned cart · Subject"),
    ("emails", "flows.cart.delays_minutes", "Abandoned cart · When each email goes, in minutes after the trigger"),
    ("emails", "sender.per_minute", "At most this many emails a minute"),
    ("recommendations", "excluded", "Never recommend these products"),
    ("holdouts", "holdout_percent", "Holdout of each surface (percent of the shoppers it would reach)"),
    ("holdouts", "surface_percent.capture", "A surface's own holdout · Email capture pop-up"),
    ("holdouts", "surface_percent", "A surface's own holdout (empty: the one above)"),
])
def test_a_field_is_named_as_the_merchant_reads_it_on_the_page(client, form_name, key, name):
    path, _, form_id = FORMS[form_name]
    shown = page(client, path)
    assert shown.field(shown.by_id[form_id], key).name == name


def test_a_group_of_controls_is_all_described_by_its_one_slot(client):
    shown = page(client, "/admin/capture")
    devices = shown.field(shown.by_id["settings"], "targeting.devices")
    assert sorted(c.attrs["value"] for c in devices.controls) == ["desktop", "mobile"]
    delays = page(client, "/admin/emails")
    assert len(delays.field(delays.by_id["settings"], "flows.cart.delays_minutes").controls) == 3


@pytest.mark.parametrize("form_name, url, data", [
    ("capture", "/admin/api/capture/settings",
     {"texts": {"headline": ""}, "discount": {"value": "ten"}, "triggers": {"delay_seconds": 700},
      "targeting": {"devices": []}}),
    ("emails", "/admin/api/emails/settings",
     {**at(("flows", "cart", "texts", "subject"), ""), "budget": {"gap_hours": "many"}}),
    ("holdouts", "/admin/api/experiments/settings", {"window_days": 0, "surface_percent": {"capture": 70}}),
])
def test_each_field_a_refused_save_names_is_on_the_page_and_nothing_is_stored(client, store, form_name, url, data):
    path, feature, form_id = FORMS[form_name]
    before = feature.read(store, SHOP)
    answer = client.put(url, headers=bearer(), json=data)
    assert answer.status_code == 422 and len(answer.json["errors"]) >= 2
    shown = page(client, path)
    unplaced = [key for key in answer.json["errors"] if shown.field(shown.by_id[form_id], key) is None]
    assert unplaced == []
    assert feature.read(store, SHOP) == before
