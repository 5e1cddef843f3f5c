"""Merchant settings for the capture widget: one schema, defaults, contrast, and text kept as data."""

from __future__ import annotations

import pytest

from plugin.capture.contrast import contrast_ratio
from plugin.capture.settings import CAPTURE, discount_key, public_config
from plugin.settings import SettingsError


def test_empty_input_gives_the_defaults_which_are_valid():
    assert CAPTURE.validate({}) == CAPTURE.defaults()
    assert CAPTURE.validate(CAPTURE.defaults()) == CAPTURE.defaults()


def test_partial_input_is_merged_and_normalised():
    s = CAPTURE.validate({"texts": {"teaser": "  Save 15%  "}, "colors": {"accent": "#0A3D91"},
                           "discount": {"value": "15.0", "prefix": "hello"}, "triggers": {"delay_seconds": "3"},
                           "targeting": {"include": "/products/*\n\n/collections/*", "devices": ["mobile"]}})
    assert s["texts"]["teaser"] == "Save 15%" and s["texts"]["button"] == CAPTURE.defaults()["texts"]["button"]
    assert s["colors"]["accent"] == "#0a3d91"
    assert s["discount"]["value"] == "15" and s["discount"]["prefix"] == "HELLO"
    assert s["triggers"]["delay_seconds"] == 3
    assert s["targeting"]["include"] == ["/products/*", "/collections/*"]


def test_merchant_text_with_markup_is_kept_verbatim_as_data():
    script = "<script>alert(1)</script><b>Join</b>"
    assert CAPTURE.validate({"texts": {"headline": script}})["texts"]["headline"] == script


@pytest.mark.parametrize("data, field", [
    ({"nope": 1}, "nope"),
    ({"texts": {"teaser": ""}}, "texts.teaser"),
    ({"texts": {"teaser": "x" * 41}}, "texts.teaser"),
    ({"texts": {"body": "a\x00b"}}, "texts.body"),
    ({"texts": {"teaser": 5}}, "texts.teaser"),
    ({"texts": {"extra": "x"}}, "texts.extra"),
    ({"colors": {"text": "red"}}, "colors.text"),
    ({"colors": {"text": "#fff;background:url(x)"}}, "colors.text"),
    ({"colors": {"text": "#777777", "background": "#888888"}}, "colors.text"),
    ({"colors": {"accent": "#ffff00", "accent_text": "#ffffff"}}, "colors.accent_text"),
    ({"colors": {"accent": "#f5f5f5", "accent_text": "#000000"}}, "colors.accent"),
    ({"discount": {"kind": "bogo"}}, "discount.kind"),
    ({"discount": {"value": "150"}}, "discount.value"),
    ({"discount": {"value": "12.5"}}, "discount.value"),
    ({"discount": {"kind": "fixed_amount", "value": "0"}}, "discount.value"),
    ({"discount": {"kind": "fixed_amount", "value": "1.234"}}, "discount.value"),
    ({"discount": {"value": "NaN"}}, "discount.value"),
    ({"discount": {"expires_days": 0}}, "discount.expires_days"),
    ({"discount": {"prefix": "TOO-LONG-PREFIX!"}}, "discount.prefix"),
    ({"triggers": {"delay_seconds": -1}}, "triggers.delay_seconds"),
    ({"triggers": {"scroll_percent": 101}}, "triggers.scroll_percent"),
    ({"triggers": {"exit_intent": "yes"}}, "triggers.exit_intent"),
    ({"targeting": {"devices": []}}, "targeting.devices"),
    ({"targeting": {"devices": ["tv"]}}, "targeting.devices"),
    ({"targeting": {"visitors": "vip"}}, "targeting.visitors"),
    ({"targeting": {"include": ["products/*"]}}, "targeting.include"),
    ({"targeting": {"exclude": ["/a\"><script>"]}}, "targeting.exclude"),
    ({"enabled": "true"}, "enabled"),
    ([], "settings"),
])
def test_bad_settings_are_refused_with_the_field_named(data, field):
    with pytest.raises(SettingsError) as caught:
        CAPTURE.validate(data)
    assert field in caught.value.errors


def test_contrast_ratio_matches_wcag_reference_values():
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast_ratio("#777777", "#ffffff"), 2) == 4.48
    assert contrast_ratio("#1f5fbf", "#ffffff") >= 4.5


def test_a_new_discount_is_a_new_campaign_but_texts_are_not():
    base = CAPTURE.validate({})
    assert discount_key(base) == discount_key(CAPTURE.validate({"texts": {"teaser": "Hi"}}))
    assert discount_key(base) != discount_key(CAPTURE.validate({"discount": {"value": "20"}}))


def test_the_public_config_carries_no_discount_internals():
    assert "discount" not in public_config(CAPTURE.validate({}), 3)


def test_settings_are_stored_per_shop_with_versions(store):
    assert CAPTURE.read(store, "a.myshopify.com") == (CAPTURE.defaults(), 0)
    CAPTURE.save(store, "a.myshopify.com", {"texts": {"teaser": "One"}})
    _, version = CAPTURE.save(store, "a.myshopify.com", {"texts": {"teaser": "Two"}})
    settings, current = CAPTURE.read(store, "a.myshopify.com")
    assert (settings["texts"]["teaser"], current, version) == ("Two", 2, 2)
    assert CAPTURE.read(store, "b.myshopify.com")[1] == 0
