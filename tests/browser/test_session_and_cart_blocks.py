"""For you reacts within the session, and complete the cart completes it, in a real browser on devstore.

A fresh visitor's home page shows the trending list in "for you". After they
view three kitchen products, the home page's "for you" holds products related
to the kitchen (its own category or the ones devstore's shoppers buy with it)
and is no longer the trending list. A cart holding a shoe gets at most one
other shoe in "complete your order": complements, not substitutes.
"""

from __future__ import annotations

import re

import pytest

from devstore.catalog_data import CATEGORIES
from plugin.platform.pull import sync_shop
from plugin.recommendations.serving import api as recommendations
from plugin.recommendations.serving.rows import products_from_rows

from tests.support.browser import wait_for
from tests.support.signing import BROWSER_UA
from tests.support.storefront import SHOP, StorefrontStack

FILLED = "() => [...document.querySelectorAll('storelift-recs')].every(el => el.shadowRoot?.querySelector('a[data-i]'))"
SHOWN = 6


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    # enough orders that the products of a category have co-purchase neighbours
    running = StorefrontStack(tmp_path_factory.mktemp("session-browser"), settings={"enabled": False},
                              order_history=400)
    sync_shop(running.config, running.store, SHOP)
    recommendations.invalidate(running.store, SHOP)
    running.control("theme/blocks", {"template": "index", "block": "recommendations",
                                     "settings": {"strategy": "for_you", "title": "Picked for you", "limit": SHOWN}})
    running.control("theme/blocks", {"template": "cart", "block": "recommendations",
                                     "settings": {"strategy": "cart", "title": "Complete your order", "limit": 4}})
    yield running
    running.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 2400}, user_agent=BROWSER_UA)
    yield context.new_page()
    context.close()


def catalog(shop) -> dict[str, tuple[str, str]]:
    """product id -> (category, page path), as Storelift knows them."""
    return {product.item: (product.category, shown.url)
            for product, shown in products_from_rows(shop.store.recommendations.catalog(SHOP))}


def block_items(page) -> list[str]:
    page.wait_for_function(FILLED, timeout=10_000)
    return page.evaluate("""() => [...document.querySelector('storelift-recs').shadowRoot
        .querySelectorAll('a[data-i]')].map(a => a.dataset.i)""")


def trending(page) -> list[str]:
    answer = page.evaluate("""(n) => fetch('/apps/storelift/recommendations?block=trending&limit=' + n,
        {headers: {Accept: 'application/json'}}).then(r => r.json())""", SHOWN)
    return [item["product_id"] for item in answer["items"]]


def test_a_fresh_visitor_who_views_three_kitchen_products_gets_kitchen_related_products_for_you(shop, page):
    products = catalog(shop)
    page.goto(shop.store_url + "/")
    assert block_items(page) == trending(page)  # nothing known of this visitor yet
    visitor = page.evaluate("() => localStorage.sl_v")
    viewed = sorted(item for item, (category, _) in products.items() if category == "Kitchen")[:3]
    for item in viewed:
        page.goto(shop.store_url + products[item][1])
        page.wait_for_timeout(100)
    page.goto(shop.store_url + "/")  # leaving the last product page sends its view
    wait_for(lambda: {e["data"].get("i") for e in shop.store.events.of_visitors(SHOP, [visitor])
                      if e["type"] == "product_view"} >= set(viewed))
    page.reload()
    shown = block_items(page)
    assert len(shown) == SHOWN and shown != trending(page) and not set(shown) & set(viewed)
    kitchen = next(c for c in CATEGORIES if c["type"] == "Kitchen")
    related = {"Kitchen"} | {c["type"] for c in CATEGORIES if c["handle"] in kitchen["complements"]}
    assert sum(products[item][0] in related for item in shown) > SHOWN // 2


def test_a_cart_holding_a_shoe_gets_at_most_one_other_shoe(shop, page):
    products = catalog(shop)
    shoes = sorted(item for item, (category, _) in products.items() if category == "Shoes")
    for shoe in shoes:  # the first shoe in stock
        page.goto(shop.store_url + products[shoe][1])
        button = page.locator("form.add-to-cart button[type=submit]:not([disabled])")
        if button.count():
            break
    else:
        pytest.fail("no shoe in stock")
    button.first.click()
    page.wait_for_url(re.compile(r"/cart$"))
    shown = block_items(page)
    assert len(shown) == 4 and shoe not in shown
    assert sum(products[item][0] == "Shoes" for item in shown) <= 1
