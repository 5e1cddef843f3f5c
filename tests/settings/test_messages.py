"""Every refused field's message reads after the field's name, as the admin shows it ("Value: must be a number").

The admin names a refused field by its label and puts the API's message after it, so a message is a
predicate about the field: it starts with "must", never with a bare noun phrase such as
"a whole number from 0 to 600".
"""

from __future__ import annotations

import pytest

from plugin.capture.settings import CAPTURE
from plugin.emails.settings import EMAILS
from plugin.experiments.settings import EXPERIMENTS
from plugin.recommendations.settings import RECOMMENDATIONS

from ..support.settings_fields import at, leaf_fields, refused

FEATURES = (CAPTURE, RECOMMENDATIONS, EMAILS, EXPERIMENTS)


@pytest.mark.parametrize("feature", FEATURES, ids=lambda f: f.name)
def test_every_field_refuses_a_wrong_value_with_a_message_that_says_what_it_must_be(feature):
    wrong = {}
    for path in leaf_fields(feature.model):
        name = ".".join(path)
        errors = refused(feature, at(path, -1))  # a negative number suits no field of any feature
        if list(errors) != [name] or not errors[name].startswith("must "):
            wrong[name] = errors
    assert wrong == {}


@pytest.mark.parametrize("feature, data, field, message", [
    (CAPTURE, {"triggers": {"delay_seconds": 601}}, "triggers.delay_seconds", "must be a whole number from 0 to 600"),
    (CAPTURE, {"texts": {"headline": "x" * 91}}, "texts.headline", "must be at most 90 characters"),
    (CAPTURE, {"texts": {"headline": "  "}}, "texts.headline", "must not be empty"),
    (CAPTURE, {"discount": {"value": "ten"}}, "discount.value", "must be a number"),
    (CAPTURE, {"discount": {"value": "12.5"}}, "discount.value", "must be a whole percentage from 1 to 100"),
    (CAPTURE, {"discount": {"kind": "fixed_amount", "value": "0.001"}}, "discount.value",
     "must be an amount above 0, at most 10000, with at most 2 decimals"),
    (CAPTURE, {"discount": {"currency": "DOLLARS"}}, "discount.currency", "must be a three-letter currency code like USD"),
    (CAPTURE, {"discount": {"prefix": "WELCOME-2"}}, "discount.prefix", "must be up to 12 letters A-Z and digits"),
    (CAPTURE, {"targeting": {"devices": []}}, "targeting.devices", "must include desktop, mobile or both"),
    (CAPTURE, {"targeting": {"include": ["cart"]}}, "targeting.include",
     "must be up to 20 paths, each starting with / (* matches anything)"),
    (RECOMMENDATIONS, {"pins": [f"p{n}" for n in range(51)]}, "pins", "must have at most 50 entries"),
    (RECOMMENDATIONS, {"boosts": {f"p{n}": 2 for n in range(101)}}, "boosts", "must have at most 100 entries"),
    (RECOMMENDATIONS, {"min_price": "1.2345"}, "min_price", "must have at most 3 decimals"),
    (EMAILS, {"flows": {"cart": {"delays_minutes": []}}}, "flows.cart.delays_minutes",
     "must be one to three delays, in minutes"),
    (EMAILS, {"sender": {"name": "x" * 201}}, "sender.name", "must be at most 200 characters"),
    (EXPERIMENTS, {"window_days": "0"}, "window_days", "must be a whole number from 1 to 60"),
])
def test_a_refused_value_is_named_by_its_field_with_what_it_must_be(feature, data, field, message):
    assert refused(feature, data) == {field: message}


def test_a_surface_s_own_holdout_is_refused_under_that_surface_and_the_others_are_kept():
    assert refused(EXPERIMENTS, {"surface_percent": {"capture": 70, "blocks:cart": "10", "emails:cart": "x"}}) == {
        "surface_percent.capture": "must be a whole number from 0 to 50",
        "surface_percent.emails:cart": "must be a whole number from 0 to 50"}
    assert EXPERIMENTS.load("a-shop", {"surface_percent": {"capture": 70, "blocks:cart": 10}})["surface_percent"] == {
        "blocks:cart": 10}
