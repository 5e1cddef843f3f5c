"""axe-core's WCAG 2.2 A/AA rules over every state of Storelift's storefront widgets, desktop and phone.

The gate: no violation from Storelift's own elements (the capture widget and the recommendation
blocks, shadow roots included), and none from devstore's theme either, so the pages themselves
are clean. States: the teaser; the panel opened by a trigger and by the shopper; an invalid email;
the success with its code; the message an already-subscribed address gets; and filled blocks of
every strategy on the home, product and cart pages. Skipped only when axe-core is not installed
(``npm ci`` installs it; CI runs that first).
"""

from __future__ import annotations

import itertools
import re

import pytest

from plugin.platform.pull import sync_shop
from plugin.recommendations.serving import api as recommendations

from tests.support.axe import audit, require_axe
from tests.support.capture_widget import DESKTOP, MOBILE, PANEL, TAB, settings
from tests.support.storefront import SHOP, StorefrontStack

# Every strategy's markup, each on a page where it has something to show.
BLOCKS = [
    ("index", "best_sellers"), ("index", "trending"), ("index", "new_arrivals"), ("index", "for_you"),
    ("product", "frequently_bought_together"), ("product", "similar_items"), ("product", "recently_viewed"),
    ("product", "buy_again"), ("cart", "cart"),
]
SLOTS_READY = "() => [...document.querySelectorAll('storelift-recs')].every(el => el.shadowRoot?.querySelector('.sl a[data-i]'))"
SETTLE_MS = 400  # the panel's slide-in transition (280 ms) is over: axe sees its final colours
emails = (f"axe.{n}@example.com" for n in itertools.count())


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    require_axe()  # before the stack starts: nothing to run without it
    running = StorefrontStack(tmp_path_factory.mktemp("axe"), settings={}, pool=60)
    sync_shop(running.config, running.store, SHOP)  # the catalog and recent orders, for the blocks
    recommendations.invalidate(running.store, SHOP)
    for template, strategy in BLOCKS:
        running.control("theme/blocks", {"template": template, "block": "recommendations",
                                         "settings": {"strategy": strategy, "title": strategy.replace("_", " ").capitalize(),
                                                      "limit": 4}})
    yield running
    running.close()


@pytest.fixture(params=["desktop", "mobile"])
def device(request):
    return {"desktop": DESKTOP, "mobile": MOBILE}[request.param]


def clean(page, state: str) -> None:
    page.wait_for_timeout(SETTLE_MS)
    found = audit(page)
    assert found.counts() == (0, 0), f"{state}: Storelift {found.storelift}, theme {found.theme}"


def test_the_teaser(shopper, shop, device):
    shop.set_capture(settings())
    page = shopper(**device).open("/")
    page.locator(TAB).wait_for(state="visible")
    clean(page, "teaser")


def test_the_panel_opened_by_a_trigger(shopper, shop, device):
    shop.set_capture(settings(delay_seconds=1))
    page = shopper(**device).open("/collections/all")
    page.locator(PANEL).wait_for(state="visible", timeout=5000)
    clean(page, "panel opened by a trigger")


def test_the_panel_opened_by_the_shopper_then_an_invalid_email_then_the_code(shopper, shop, device):
    shop.set_capture(settings())
    page = shopper(**device).open("/")
    page.locator(TAB).click()
    page.locator(PANEL).wait_for(state="visible")
    clean(page, "panel opened by the shopper")
    page.get_by_label("Email address").fill("not-an-email")
    page.locator("storelift-capture .go").click()
    page.locator("storelift-capture .err").filter(has_text="valid email").wait_for()
    clean(page, "invalid email")
    page.get_by_label("Email address").fill(next(emails))
    page.locator("storelift-capture .go").click()
    page.wait_for_function("() => /^WELCOME-/.test(document.querySelector('storelift-capture').shadowRoot"
                           ".querySelector('.code').textContent)")
    clean(page, "success with a code")


def test_the_message_an_already_subscribed_address_gets(shopper, shop, device):
    shop.set_capture({"triggers": settings()["triggers"], "targeting": {"hide_known": False}})
    email = next(emails)
    for _ in range(2):  # the second browser typing the same address gets no code, only the message
        page = shopper(**device).open("/")
        page.locator(TAB).click()
        page.get_by_label("Email address").fill(email)
        page.locator("storelift-capture .go").click()
        page.locator("storelift-capture .done h2").wait_for(state="visible")
    assert not page.locator("storelift-capture .code").is_visible()
    clean(page, "already subscribed")


def test_filled_blocks_of_every_strategy(shopper, shop, device):
    shop.set_capture(settings())
    s = shopper(**device)
    page = s.open("/")
    placed = []

    def filled(state):
        page.wait_for_function(SLOTS_READY, timeout=10_000)
        placed.extend(page.evaluate("() => [...document.querySelectorAll('storelift-recs')].map(el => el.dataset.b)"))
        clean(page, state)

    filled("home blocks")
    s.open(s.products()[0])
    filled("product blocks")
    page.locator("form.add-to-cart button[type=submit]").click()
    page.wait_for_url(re.compile(r"/cart$"))
    filled("cart blocks")
    assert sorted(placed) == sorted(strategy for _, strategy in BLOCKS)
