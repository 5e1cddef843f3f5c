"""What each holdout's control sees in a real browser (Debian's chromium): no capture pop-up at all, and in a
recommendation block's slot the shop's best sellers, as many and with no layout shift.

The loader keeps its visitor id in localStorage (``sl_v``), so each shopper here starts with an id
chosen for the arms it lands in under a salt the test gives the shop.
"""

from __future__ import annotations

import pytest
import requests

from plugin.experiments.assignment import bucket
from plugin.experiments.settings import EXPERIMENTS
from plugin.platform.pull import sync_shop
from plugin.recommendations.serving import api as recommendations

from tests.support.browser import CLS_PROBE
from tests.support.capture_widget import DESKTOP, TAB, settings
from tests.support.storefront import SHOP, StorefrontStack

SALT = "browser-holdout-salt"
BLOCK = "frequently_bought_together"
SLOT = "() => document.querySelector('storelift-recs')?.shadowRoot?.querySelector('a[data-i]')"


def visitor_in(control: bool) -> str:
    """A visitor id in (or out of) the control of both the capture and the block experiment at 50 %."""
    for n in range(10_000):
        visitor = f"{n:08x}-0000-4000-8000-000000000000"
        if all((bucket(SALT, experiment, f"visitor:{visitor}") < 5000) == control
               for experiment in ("capture", f"blocks:{BLOCK}")):
            return visitor
    raise AssertionError("no visitor id found")


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    running = StorefrontStack(tmp_path_factory.mktemp("holdout-browser"), settings=settings())
    sync_shop(running.config, running.store, SHOP)
    recommendations.invalidate(running.store, SHOP)
    running.control("theme/blocks", {"template": "product", "block": "recommendations",
                                     "settings": {"strategy": BLOCK, "title": "Bought together", "limit": 4}})
    EXPERIMENTS.save(running.store, SHOP, {**EXPERIMENTS.defaults(), "holdout_percent": 50})
    running.store.database.execute("INSERT INTO experiment_salts (shop, salt, created_at) VALUES (:shop, :salt, 0)",
                                   {"shop": SHOP, "salt": SALT})
    yield running
    running.close()


@pytest.fixture
def visit(browser, shop):
    """Open a storefront path as a shopper whose visitor id is in the control (or not)."""
    contexts = []

    def open_as(control: bool, path: str):
        context = browser.new_context(**DESKTOP)
        contexts.append(context)
        context.add_init_script(f"localStorage.setItem('sl_v', '{visitor_in(control)}');")
        context.add_init_script(CLS_PROBE)
        page = context.new_page()
        with page.expect_response(lambda r: "/apps/storelift/config" in r.url) as config:
            page.goto(shop.store_url + path)
        return page, config.value.json()

    yield open_as
    for context in contexts:
        context.close()


def product_path(shop) -> str:
    """The catalog's first active product page."""
    catalog = requests.get(f"{shop.store_url}/_devstore/catalog?status=active", timeout=10).json()["products"]
    return f"/products/{catalog[0]['handle']}"


def test_the_capture_control_gets_no_pop_up_and_the_treated_shopper_does(visit):
    page, config = visit(True, "/")
    assert (config["show"], config["why"]) == (0, "holdout")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.querySelector('storelift-capture')") is None
    treated, config = visit(False, "/")
    assert config["show"] == 1
    treated.locator(TAB).wait_for(state="visible", timeout=10_000)


def test_a_block_s_control_shows_best_sellers_in_the_same_slot_without_layout_shift(visit, shop):
    path = product_path(shop)
    shown = {}
    for control in (True, False):
        page, _ = visit(control, path)
        page.wait_for_function(SLOT, timeout=10_000)
        page.wait_for_timeout(300)  # images decode, fonts settle: any late shift would show now
        assert page.evaluate("window.__cls") == 0
        shown[control] = page.evaluate("""() => {
            const root = document.querySelector('storelift-recs').shadowRoot;
            return {strategy: root.querySelector('.sl').dataset.b, items: root.querySelectorAll('a[data-i]').length,
                    height: document.querySelector('storelift-recs').getBoundingClientRect().height};
        }""")
    assert shown[True]["strategy"] == "best_sellers" and shown[False]["strategy"] == BLOCK
    assert shown[True]["items"] == shown[False]["items"] == 4
    assert shown[True]["height"] == shown[False]["height"] == 300


def test_with_an_empty_control_the_block_s_control_sees_an_empty_slot_of_the_same_size(visit, shop):
    before = EXPERIMENTS.read(shop.store, SHOP)[0]
    EXPERIMENTS.save(shop.store, SHOP, {**before, "block_control": "empty"})
    try:
        page, _ = visit(True, product_path(shop))
        page.wait_for_function("() => document.querySelector('storelift-recs')?.shadowRoot?.firstElementChild",
                               timeout=10_000)
        page.wait_for_timeout(300)
        assert page.evaluate("window.__cls") == 0
        slot = page.evaluate("""() => {
            const host = document.querySelector('storelift-recs');
            return {cards: host.shadowRoot.querySelectorAll('a').length, text: host.shadowRoot.textContent.trim(),
                    height: host.getBoundingClientRect().height, titleShown: host.checkVisibility()
                        && [...host.children].some((child) => child.checkVisibility())};
        }""")
        assert slot == {"cards": 0, "text": "", "height": 300, "titleShown": False}
    finally:
        EXPERIMENTS.save(shop.store, SHOP, before)
