"""The merchant's recommendation settings in the core: the schema, the engine's settings, the services' cache."""

from __future__ import annotations

import pytest

from plugin.recommendations import settings as rs
from plugin.recommendations.settings import RECOMMENDATIONS
from plugin.recommendations.engine.blocks import BlockSettings
from plugin.recommendations.engine.filters import FilterPolicy
from plugin.recommendations.engine.rules import MerchantRules
from plugin.settings import SettingsCache, SettingsError
from plugin.store import Store

from tests.support.recommendations import product

SHOP = "settings.myshopify.com"
OTHER = "other-settings.myshopify.com"


def fields(settings: BlockSettings) -> tuple:
    """What a block reads (the served class is a subclass, so == against a plain one is False)."""
    return settings.policy, settings.rules, settings.for_you, settings.cart, settings.buy_again


@pytest.fixture
def served(app):
    """What a block request is served with: the settings cache of the services owning the store."""
    services, others = app.extensions["storelift"], {}

    def read(store: Store, shop: str) -> BlockSettings:
        cache = services.settings if store is services.store else others.setdefault(store, SettingsCache(store))
        return cache.served(shop, RECOMMENDATIONS)

    return read


def errors_of(data) -> dict:
    with pytest.raises(SettingsError) as caught:
        RECOMMENDATIONS.validate(data)
    return caught.value.errors


# --------------------------------------------------------------------------- the schema


def test_missing_fields_take_the_defaults():
    assert RECOMMENDATIONS.validate({}) == RECOMMENDATIONS.defaults()
    assert RECOMMENDATIONS.validate({"pins": ["7"]}) == {**RECOMMENDATIONS.defaults(), "pins": ["7"]}


def test_input_is_normalised():
    clean = RECOMMENDATIONS.validate({
        "pins": ["gid://shopify/Product/123", " 456 ", 789, "123"],
        "excluded": ["Category: Tea ", "vendor:Acme & Co", "tag:sale", "tag:sale"],
        "boosts": {"TAG:new": "1.5", "1001": 2},
        "repeatable": ["category:Coffee", "tag:refill", "1002"],
        "min_price": 5, "max_price": "19.990", "hide_purchased": False,
    })
    assert clean == {
        "pins": ["123", "456", "789"],  # a pasted gid is the storefront's id; duplicates go, order stays
        "excluded": ["category:Tea", "vendor:Acme & Co", "tag:sale"],  # names kept as written
        "boosts": {"tag:new": 1.5, "1001": 2.0},
        "repeatable": ["category:Coffee", "tag:refill", "1002"],
        "min_price": "5", "max_price": "19.990", "hide_purchased": False,
    }


@pytest.mark.parametrize("data, field", [
    ([], "settings"),
    ({"colour": "red"}, "colour"),
    ({"hide_purchased": "yes"}, "hide_purchased"),
    ({"pins": "123"}, "pins"),
    ({"pins": [str(n) for n in range(51)]}, "pins"),
    ({"pins": ["1001", "bad id!"]}, "pins.1"),
    ({"pins": ["category:tea"]}, "pins.0"),  # pins name products
    ({"pins": [True]}, "pins.0"),
    ({"boosts": ["1001"]}, "boosts"),
    ({"boosts": {str(n): 2 for n in range(101)}}, "boosts"),
    ({"boosts": {"1001": 11}}, "boosts.1001"),
    ({"boosts": {"1001": 0.05}}, "boosts.1001"),
    ({"boosts": {"1001": True}}, "boosts.1001"),
    ({"boosts": {"1001": "lots"}}, "boosts.1001"),
    ({"boosts": {"1001": None}}, "boosts.1001"),
    ({"boosts": {"color:red": 2}}, "boosts.color:red"),
    ({"boosts": {"category:tea": 2, "Category:tea": 3}}, "boosts.Category:tea"),
    ({"excluded": ["1001"] * 201}, "excluded"),
    ({"excluded": ["tag:" + "x" * 101]}, "excluded.0"),
    ({"excluded": ["vendor: "]}, "excluded.0"),
    ({"excluded": ["tag:a\nb"]}, "excluded.0"),
    ({"excluded": ["<script>"]}, "excluded.0"),
    ({"repeatable": ["brand:Acme"]}, "repeatable.0"),
    ({"repeatable": ["1001"] * 201}, "repeatable"),
    ({"min_price": "-1"}, "min_price"),
    ({"min_price": "abc"}, "min_price"),
    ({"min_price": True}, "min_price"),
    ({"min_price": [1]}, "min_price"),
    ({"max_price": "1.2345"}, "max_price"),
    ({"max_price": "NaN"}, "max_price"),
    ({"max_price": "Infinity"}, "max_price"),
    ({"max_price": "10000000000"}, "max_price"),
    ({"min_price": "20", "max_price": "10"}, "max_price"),
])
def test_each_bad_field_is_named(data, field):
    assert field in errors_of(data)


def test_every_problem_is_reported_at_once():
    found = errors_of({"pins": ["ok", "no way"], "boosts": {"1001": 50}, "min_price": "x", "other": 1})
    assert set(found) == {"pins.1", "boosts.1001", "min_price", "other"}


def test_the_limits_themselves_are_accepted():
    clean = RECOMMENDATIONS.validate({"pins": [str(n) for n in range(50)], "boosts": {str(n): 10 for n in range(100)},
                         "excluded": [f"tag:t{n}" for n in range(200)], "min_price": "0", "max_price": "0",
                         "repeatable": [f"{n}" for n in range(200)]})
    assert len(clean["pins"]) == 50 and len(clean["boosts"]) == 100 and len(clean["excluded"]) == 200
    assert RECOMMENDATIONS.validate({"boosts": {"1": 0.1}})["boosts"] == {"1": 0.1}


# --------------------------------------------------------------------------- the engine's settings


def test_conversion_to_the_engines_settings():
    converted = rs.to_block_settings(RECOMMENDATIONS.validate({
        "hide_purchased": False, "repeatable": ["category:Coffee", "tag:refill", "1002"],
        "min_price": "2.50", "max_price": "30", "pins": ["9", "8"], "boosts": {"vendor:Acme": 3},
        "excluded": ["category:Gift cards", "77"],
    }))
    assert converted == BlockSettings(
        policy=FilterPolicy(allow_repeats=True, repeatable=frozenset({"category:Coffee", "tag:refill", "1002"}),
                            min_price=2.5, max_price=30.0),
        rules=MerchantRules(pins=("9", "8"), boosts={"vendor:Acme": 3.0},
                            excluded=frozenset({"category:Gift cards", "77"})),
    )
    assert converted.for_you == BlockSettings().for_you  # strategy parameters stay the tuned ones


def test_the_cache_key_names_the_settings_and_is_worked_out_once():
    a = rs.to_block_settings(RECOMMENDATIONS.validate({"excluded": ["1"]}))
    b = rs.to_block_settings(RECOMMENDATIONS.validate({"excluded": ["2"]}))
    assert a.key == repr(a) and "'1'" in a.key and a.key != b.key
    assert a.key is a.key  # cached on the object
    assert rs.to_block_settings(RECOMMENDATIONS.validate({})).key == BlockSettings().key


# --------------------------------------------------------------------------- stored, read, cached


def test_a_shop_that_never_saved_gets_the_defaults(store, served):
    assert RECOMMENDATIONS.read(store, SHOP) == (RECOMMENDATIONS.defaults(), 0)
    assert served(store, SHOP) is RECOMMENDATIONS.served_defaults


def test_a_refused_save_stores_nothing(store):
    with pytest.raises(SettingsError):
        RECOMMENDATIONS.save(store, SHOP, {"pins": ["no way"]})
    assert store.settings.get(SHOP, RECOMMENDATIONS.name) is None


def test_saves_count_versions_and_every_save_is_seen_at_once(store, served):
    for product_id in ("1", "2"):
        product(store, SHOP, product_id)
    assert RECOMMENDATIONS.save(store, SHOP, {"excluded": ["1"]})[1] == 1
    first = served(store, SHOP)
    assert served(store, SHOP) is first  # unchanged: the cached object, not a re-parse
    assert RECOMMENDATIONS.save(store, SHOP, {"excluded": ["2"]})[1] == 2
    assert served(store, SHOP).rules.excluded == frozenset({"2"})
    assert RECOMMENDATIONS.read(store, SHOP) == ({**RECOMMENDATIONS.defaults(), "excluded": ["2"]}, 2)


def test_a_row_re_created_at_the_same_version_is_not_mistaken_for_the_cached_one(store, served):
    store.settings.save(SHOP, RECOMMENDATIONS.name, RECOMMENDATIONS.validate({"excluded": ["1"]}), now=1000)
    assert served(store, SHOP).rules.excluded == frozenset({"1"})
    store.privacy.erase_shop(SHOP)
    assert served(store, SHOP) is RECOMMENDATIONS.served_defaults
    store.settings.save(SHOP, RECOMMENDATIONS.name, RECOMMENDATIONS.validate({"excluded": ["2"]}),
                        now=2000)  # version 1 again
    assert served(store, SHOP).rules.excluded == frozenset({"2"})


def test_the_cache_is_per_store_and_per_shop(store, tmp_path, served):
    other_store = Store(str(tmp_path / "other.db"))
    other_store.migrate()
    for target, shop, product_id in ((store, SHOP, "1"), (other_store, SHOP, "2"), (store, OTHER, "3")):
        product(target, shop, product_id)
    try:
        RECOMMENDATIONS.save(store, SHOP, {"excluded": ["1"]})
        RECOMMENDATIONS.save(other_store, SHOP, {"excluded": ["2"]})  # same shop, same version, another database
        RECOMMENDATIONS.save(store, OTHER, {"pins": ["3"]})
        assert served(store, SHOP).rules.excluded == frozenset({"1"})
        assert served(other_store, SHOP).rules.excluded == frozenset({"2"})
        assert served(store, OTHER).rules == MerchantRules(pins=("3",))
    finally:
        other_store.close()


def test_a_stored_row_that_no_longer_validates_serves_the_defaults(store, served):
    store.settings.save(SHOP, RECOMMENDATIONS.name, {"pins": "not a list"})
    assert RECOMMENDATIONS.read(store, SHOP) == (RECOMMENDATIONS.defaults(), 1)
    assert fields(served(store, SHOP)) == fields(BlockSettings())


# --------------------------------------------------------------------------- checked against the catalog


def test_each_unknown_product_and_each_selector_matching_nothing_is_named_and_nothing_is_stored(store):
    product(store, SHOP, "1", vendor="Acme", category="Mugs")
    product(store, OTHER, "2", vendor="Globex")  # another shop's catalog counts for nothing here
    product(store, SHOP, "3")
    store.commerce.delete_product(SHOP, "3", at=5)
    with pytest.raises(SettingsError) as caught:
        RECOMMENDATIONS.save(store, SHOP, {"pins": ["1", "404", "2"],
                                           "excluded": ["vendor:Acme", "vendor:Acmee", "tag:sale"],
                                           "boosts": {"category:Mug": 2, "3": 2}, "repeatable": ["vendor:globex"]})
    assert caught.value.errors == {
        "pins.1": "no product 404 in your catalog",
        "pins.2": "no product 2 in your catalog",
        "excluded.1": "vendor:Acmee matches no product in your catalog (check the spelling)",
        "excluded.2": "tag:sale matches no product in your catalog (check the spelling)",
        "boosts.category:Mug": "category:Mug matches no product in your catalog (check the spelling)",
        "boosts.3": "no product 3 in your catalog",  # deleted
        "repeatable.0": "vendor:globex matches no product in your catalog (check the spelling)",
    }
    assert store.settings.get(SHOP, RECOMMENDATIONS.name) is None


def test_selectors_match_the_catalog_whatever_their_letter_case(store):
    product(store, SHOP, "1", vendor="ACME Tea", category="Mugs", tags=("Sale",))
    settings, _ = RECOMMENDATIONS.save(store, SHOP, {"excluded": ["vendor:acme tea", "CATEGORY:MUGS"],
                                                     "boosts": {"tag:SALE": 2}})
    assert settings["excluded"] == ["vendor:acme tea", "category:MUGS"]  # kept as written
    with pytest.raises(SettingsError) as caught:
        RECOMMENDATIONS.validate({"boosts": {"vendor:ACME": 2, "vendor:acme": 3}})
    assert list(caught.value.errors) == ["boosts.vendor:acme"]  # the same boost twice
