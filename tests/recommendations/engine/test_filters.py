"""Eligibility filters and merchant rules, each on its own."""

from __future__ import annotations

from plugin.recommendations.engine.catalog import CatalogIndex
from plugin.recommendations.engine.filters import Context, FilterPolicy, is_eligible
from plugin.recommendations.engine.interactions import Product
from plugin.recommendations.engine.rules import MerchantRules, Selectors, apply_rules, is_excluded

CATALOG = CatalogIndex(
    [
        Product("ok", category="mugs", vendor="acme", tags=frozenset({"gift"}), price=10),
        Product("draft", published=False, price=10),
        Product("sold_out", in_stock=False, price=10),
        Product("cheap", price=2),
        Product("dear", price=200),
        Product("no_price"),
        Product("coffee", category="consumables", tags=frozenset({"refill"}), price=8),
        Product("beans", tags=frozenset({"refill"}), price=9),
    ]
)
POLICY = FilterPolicy()
EMPTY = Context()


def eligible(item, policy=POLICY, context=EMPTY, catalog=CATALOG):
    return is_eligible(item, catalog, policy, context)


def test_published_and_in_stock_only_by_default():
    assert eligible("ok")
    assert not eligible("draft")
    assert not eligible("sold_out")
    assert eligible("draft", FilterPolicy(published_only=False))
    assert eligible("sold_out", FilterPolicy(in_stock_only=False))


def test_an_item_the_catalog_no_longer_has_is_not_shown():
    assert not eligible("deleted")
    assert eligible("deleted", catalog=None)  # offline: no catalog, context checks only


def test_current_product_and_cart_items_are_excluded():
    context = Context(current="ok", cart=frozenset({"cheap"}))
    assert not eligible("ok", context=context)
    assert not eligible("cheap", context=context)
    assert eligible("dear", context=context)


def test_already_bought_is_excluded_unless_repeatable():
    context = Context(purchased=frozenset({"ok", "coffee", "beans", "dear"}))
    assert not eligible("ok", context=context)
    by_category = FilterPolicy(repeatable=frozenset({"category:consumables"}))
    assert eligible("coffee", by_category, context) and not eligible("beans", by_category, context)
    by_tag = FilterPolicy(repeatable=frozenset({"tag:refill"}))
    assert eligible("coffee", by_tag, context) and eligible("beans", by_tag, context)
    by_item = FilterPolicy(repeatable=frozenset({"dear"}))
    assert eligible("dear", by_item, context) and not eligible("ok", by_item, context)
    by_vendor = FilterPolicy(repeatable=frozenset({"vendor:acme"}))
    assert eligible("ok", by_vendor, context) and not eligible("coffee", by_vendor, context)
    kinds_kept = FilterPolicy(repeatable=frozenset({"tag:consumables", "category:refill"}))
    assert not eligible("coffee", kinds_kept, context)  # a tag named like its category is not the category
    assert eligible("ok", FilterPolicy(allow_repeats=True), context)


def test_price_band():
    band = FilterPolicy(min_price=5, max_price=100)
    assert eligible("ok", band)
    assert not eligible("cheap", band)
    assert not eligible("dear", band)
    assert not eligible("no_price", band)  # unknown price cannot be shown inside a band
    assert eligible("no_price")
    assert eligible("dear", FilterPolicy(min_price=100)) and eligible("cheap", FilterPolicy(max_price=5))


def test_rule_selectors():
    def matches(selector, item, catalog):
        return Selectors.of([selector]).match(item, catalog.get(item) if catalog is not None else None)

    assert matches("ok", "ok", CATALOG) and not matches("ok", "dear", CATALOG)
    assert matches("category:mugs", "ok", CATALOG) and not matches("category:mugs", "coffee", CATALOG)
    assert matches("vendor:acme", "ok", CATALOG)
    assert matches("tag:gift", "ok", CATALOG) and not matches("tag:gift", "dear", CATALOG)
    assert not matches("category:mugs", "ok", None)  # attribute selectors need the catalog
    assert matches("sku:1", "sku:1", CATALOG)  # an unknown prefix is a plain product id


def test_exclude_rule_drops_items_by_any_selector():
    rules = MerchantRules(excluded=frozenset({"dear", "tag:refill"}))
    ranking = [("dear", 5.0), ("coffee", 4.0), ("ok", 3.0), ("beans", 2.0)]
    assert apply_rules(ranking, rules, CATALOG) == [("ok", 3.0)]
    assert is_excluded("beans", rules, CATALOG) and not is_excluded("ok", rules, CATALOG)


def test_every_matching_boost_multiplies_even_with_equal_factors():
    rules = MerchantRules(boosts={"coffee": 2.0, "category:consumables": 2.0, "tag:refill": 2.0, "vendor:acme": 3.0})
    ranking = [("coffee", 1.0), ("beans", 1.0), ("ok", 1.0), ("cheap", 1.0)]
    assert apply_rules(ranking, rules, CATALOG) == [("coffee", 8.0), ("ok", 3.0), ("beans", 2.0), ("cheap", 1.0)]


def test_boost_multiplies_scores_and_reranks():
    rules = MerchantRules(boosts={"ok": 3.0, "category:consumables": 0.5, "tag:refill": 2.0})
    ranking = [("dear", 5.0), ("coffee", 4.0), ("ok", 2.0)]
    assert apply_rules(ranking, rules, CATALOG) == [("ok", 6.0), ("dear", 5.0), ("coffee", 4.0)]


def test_names_match_whatever_their_letter_case_and_product_ids_exactly():
    def matches(selector, item):
        return Selectors.of([selector]).match(item, CATALOG.get(item))

    assert matches("category:MUGS", "ok") and matches("vendor:ACME", "ok")
    assert matches("tag:Refill", "coffee") and matches("tag:REFILL", "beans")
    assert not matches("OK", "ok")  # product ids are exact
    rules = MerchantRules(excluded=frozenset({"tag:GIFT"}), boosts={"category:Consumables": 2.0})
    assert apply_rules([("ok", 3.0), ("coffee", 2.0)], rules, CATALOG) == [("coffee", 4.0)]
    assert FilterPolicy(repeatable=frozenset({"tag:ReFill"})).repeatables.match("beans", CATALOG.get("beans"))
