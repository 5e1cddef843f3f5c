"""``{discount}`` in the widget texts follows the discount setting; a text naming another value is flagged."""

from __future__ import annotations

import json

import pytest

from plugin.capture.settings import CAPTURE
from plugin.capture.texts import discount_label, rendered, value_warnings

from tests.support.shops import install
from tests.support.signing import BROWSER_UA, signed
from tests.support.app import SECRET, SHOP
from tests.support.signing import session_token

UA = {"User-Agent": BROWSER_UA, "Content-Type": "text/plain;charset=UTF-8"}


@pytest.mark.parametrize("discount, label", [
    ({"value": "20"}, "20%"),
    ({"kind": "fixed_amount", "value": "5"}, "$5"),
    ({"kind": "fixed_amount", "value": "5.5"}, "$5.50"),
    ({"kind": "fixed_amount", "value": "10", "currency": "eur"}, "€10"),
    ({"kind": "fixed_amount", "value": "7.50", "currency": "CHF"}, "CHF\u00a07.50"),
])
def test_the_label_is_the_configured_value_as_a_shopper_reads_it(discount, label):
    settings = CAPTURE.validate({"discount": discount})
    assert discount_label(settings["discount"]) == label
    assert rendered(settings)["teaser"] == f"Get {label} off"


def test_the_placeholder_is_plain_text_replacement_never_formatting():
    settings = CAPTURE.validate({"discount": {"value": "15"},
                                  "texts": {"headline": "<b>{discount}</b> {0} {discount.__class__} {{discount}}"}})
    assert rendered(settings)["headline"] == "<b>15%</b> {0} {discount.__class__} {15%}"


def config_answer(client):
    response = client.get(signed("/proxy/config", SHOP, SECRET, {"d": "d"}), headers={"User-Agent": BROWSER_UA})
    assert response.status_code == 200 and response.json["show"] == 1
    return response.json["w"]["texts"]


def test_the_storefront_config_follows_the_discount_when_the_merchant_changes_it(client, store):
    install(store, SHOP)
    assert config_answer(client)["teaser"] == "Get 10% off"
    CAPTURE.save(store, SHOP, {"discount": {"value": "20"}})
    texts = config_answer(client)
    assert texts["teaser"] == "Get 20% off" and texts["headline"] == "Get 20% off your first order"
    CAPTURE.save(store, SHOP, {"discount": {"kind": "fixed_amount", "value": "5"}})
    assert config_answer(client)["teaser"] == "Get $5 off"


def test_the_consent_record_keeps_the_text_as_the_shopper_read_it(client, store):
    install(store, SHOP)
    CAPTURE.save(store, SHOP, {"discount": {"value": "25"}, "texts": {
        "consent": "I want {discount} off and marketing emails."}})
    response = client.post(signed("/proxy/subscribe", SHOP, SECRET), data=json.dumps({"e": "ann@example.com"}),
                           headers=UA)
    assert response.status_code == 200
    assert store.capture.subscriber(SHOP, "ann@example.com")["consent_text"] == "I want 25% off and marketing emails."


def test_settings_stored_before_the_placeholder_and_the_new_fields_keep_working(store):
    old = {"enabled": True, "position": "left", "texts": {"teaser": "Get 10% off", "success": "Yay"},
           "discount": {"kind": "percentage", "value": "20", "expires_days": 14, "prefix": "HELLO"}}
    store.settings.save(SHOP, CAPTURE.name, old)
    settings, version = CAPTURE.read(store, SHOP)
    assert version == 1 and settings["position"] == "left" and settings["discount"]["value"] == "20"
    assert settings["texts"]["teaser"] == "Get 10% off"  # the merchant's own words are kept...
    assert settings["texts"]["redeemed"] == CAPTURE.defaults()["texts"]["redeemed"]
    assert settings["discount"]["second_code"] is False and settings["discount"]["currency"] == "USD"
    assert "texts.teaser" in value_warnings(settings)  # ...and flagged


@pytest.mark.parametrize("discount, text, warned", [
    ({"value": "20"}, "Get 10% off", True),
    ({"value": "20"}, "Get 20 % off", False),
    ({"value": "20"}, "Get {discount} off", False),
    ({"value": "20"}, "Get $20 off", True),
    ({"kind": "fixed_amount", "value": "5"}, "Get $5 off", False),
    ({"kind": "fixed_amount", "value": "5"}, "Get $5.00 off", False),
    ({"kind": "fixed_amount", "value": "5"}, "Get 5 USD off", False),
    ({"kind": "fixed_amount", "value": "5"}, "Get $10 off", True),
    ({"kind": "fixed_amount", "value": "5"}, "Get 10% off", True),
    ({"value": "10"}, "Top 3 picks, 2 days only", False),
])
def test_a_text_naming_another_value_than_the_discount_is_flagged(discount, text, warned):
    warnings = value_warnings(CAPTURE.validate({"discount": discount, "texts": {"teaser": text}}))
    assert ("texts.teaser" in warnings) is warned


def test_the_settings_page_warns_on_a_mismatched_value_and_saves_anyway(client, store, installed_shop):
    installed_shop()
    headers = {"Authorization": f"Bearer {session_token()}"}
    response = client.put("/admin/api/capture/settings", headers=headers,
                          json={"discount": {"value": "20"}, "texts": {"teaser": "Get 10% off"}})
    assert response.status_code == 200 and response.json["version"] == 1
    assert "but the discount is 20%" in response.json["warnings"]["texts.teaser"]
    assert set(response.json["warnings"]) == {"texts.teaser"}  # the default headline says {discount}
    page = client.get("/admin/capture", query_string={"id_token": session_token()}).get_data(as_text=True)
    assert 'id="w-texts-teaser">says “Get 10% off” but the discount is 20%' in page
    assert 'id="w-texts-headline"></div>' in page
