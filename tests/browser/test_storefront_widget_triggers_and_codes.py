"""The capture widget in a real browser (chromium, headless): when it shows, and the code it hands out.

Triggers (delay, scroll, exit intent, add to cart, pages viewed), targeting by device and URL, the
frequency cap, subscribers not asked again, and the code accepted at checkout but never shown twice.

Each test opens fresh browser contexts (a new shopper) against one running
devstore + Storelift pair; the widget settings are changed through the store
as the merchant's admin would save them.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.support.capture_widget import DESKTOP, MOBILE, PANEL, QUIET, TAB, js, settings
from tests.support.storefront import SHOP


def test_a_delay_trigger_opens_the_panel_and_the_code_is_accepted_at_checkout(shopper, shop):
    shop.set_capture(settings(delay_seconds=1))
    s = shopper()
    page = s.open("/collections/all")
    page.locator(TAB).wait_for(state="visible")
    panel = page.locator(PANEL)
    panel.wait_for(state="visible", timeout=5000)
    assert panel.get_attribute("aria-modal") is None  # a trigger's panel leaves the page usable
    assert panel.get_attribute("aria-labelledby")
    page.get_by_label("Email address").fill("delay.buyer@example.com")
    assert panel.get_attribute("aria-modal") == "true"  # the shopper moved into it
    page.locator("storelift-capture .go").click()
    code = page.locator("storelift-capture .code")
    code.wait_for(state="visible")
    page.wait_for_function("() => /^WELCOME-/.test(document.querySelector('storelift-capture').shadowRoot"
                           ".querySelector('.code').textContent)")
    value = code.text_content()
    assert page.locator("storelift-capture .copy").is_visible()
    apply = page.locator("storelift-capture .apply")
    assert apply.get_attribute("href").startswith(f"/discount/{value}?redirect=")
    assert js(page, "window.__cls") == 0

    # The apply link remembers the code; checkout takes it.
    apply.click()
    page.wait_for_url(re.compile(r"/collections/all$"))
    s.open(s.products()[0])
    page.locator("form.add-to-cart button[type=submit]").click()
    page.wait_for_url(re.compile(r"/cart$"))
    s.open("/checkout")
    discount = page.locator(".totals .discount").inner_text()
    assert value in discount and "−$" in discount  # the code, and what it takes off
    for name, text in (("email", "delay.buyer@example.com"), ("first_name", "Del"), ("last_name", "Ay"),
                       ("address1", "1 Main St"), ("city", "Springfield"), ("province", "OR"), ("zip", "97477")):
        page.fill(f"input[name={name}]", text)
    page.click("button[value=pay]")
    page.wait_for_load_state()
    assert f"Discount {value}: −$" in page.locator("main").inner_text()  # the paid order took the code
    assert s.errors == []


def shadow_text(page, selector: str) -> str:
    return js(page, f"() => document.querySelector('storelift-capture').shadowRoot.querySelector('{selector}').textContent")


def sign_up(page, email: str) -> None:
    page.locator(TAB).click()
    page.get_by_label("Email address").fill(email)
    page.locator("storelift-capture .go").click()


def eventually(check, what: str, attempts: int = 100):
    """Poll Storelift's store until the webhooks it waits for have been processed."""
    for _ in range(attempts):
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"never happened: {what}")


def test_a_used_code_is_not_shown_again_and_another_browser_learns_nothing(shopper, shop):
    email = "used.code@example.com"
    shop.set_capture({"triggers": QUIET, "targeting": {"hide_known": False}, "discount": {"value": "20"}})
    buyer = shopper()
    page = buyer.open("/collections/all")
    assert page.locator(TAB).text_content() == "Get 20% off"  # the teaser follows the discount setting
    sign_up(page, email)
    page.wait_for_function("() => /^WELCOME-/.test(document.querySelector('storelift-capture').shadowRoot"
                           ".querySelector('.code').textContent)")
    value = shadow_text(page, ".code")
    page.locator("storelift-capture .apply").click()
    page.wait_for_url(re.compile(r"/collections/all$"))
    buyer.open(buyer.products()[0])
    page.locator("form.add-to-cart button[type=submit]").click()
    page.wait_for_url(re.compile(r"/cart$"))
    buyer.open("/checkout")
    for name, text in (("email", email), ("first_name", "Used"), ("last_name", "Code"), ("address1", "1 Main St"),
                       ("city", "Springfield"), ("province", "OR"), ("zip", "97477")):
        page.fill(f"input[name={name}]", text)
    page.click("button[value=pay]")
    page.wait_for_load_state()
    # The order webhook tells Storelift the code was used; the customer record ties the login to the email.
    eventually(lambda: shop.store.capture.redeemed_at(SHOP, value), "the code is marked redeemed")
    eventually(lambda: shop.store.identities.customer_for_email(SHOP, email), "the customer record arrives")

    # The same person logged in on another device signs up again: a clear message, no dead code.
    again = shopper()
    assert again.context.request.post(shop.store_url + "/account/login", form={"email": email}).ok
    page = again.open("/")
    sign_up(page, email)
    heading = page.locator("storelift-capture .done h2")
    heading.wait_for(state="visible")
    assert heading.text_content() == "Welcome back! You have already used your welcome code."
    assert not page.locator("storelift-capture .code").is_visible()
    assert not page.locator("storelift-capture .apply").is_visible()
    assert value not in js(page, "() => document.querySelector('storelift-capture').shadowRoot.textContent")

    # Someone else's browser typing that email gets what any new subscriber gets: no code, no "welcome back".
    stranger = shopper()
    page = stranger.open("/")
    with page.expect_response(lambda r: "/apps/storelift/subscribe" in r.url) as answer:
        sign_up(page, email)
    assert answer.value.status == 200
    assert answer.value.json() == {"ok": True, "code": None, "pending": True, "ends": None}
    heading = page.locator("storelift-capture .done h2")
    heading.wait_for(state="visible")
    assert heading.text_content() == "Thanks for signing up! Check your inbox: your code is on its way."
    assert not page.locator("storelift-capture .code").is_visible()
    assert buyer.errors == [] and again.errors == [] and stranger.errors == []


def test_scroll_exit_intent_and_add_to_cart_triggers(shopper, shop):
    shop.set_capture(settings(scroll_percent=50))
    s = shopper()
    page = s.open("/collections/all")
    page.locator(TAB).wait_for(state="visible")
    assert not page.locator(PANEL).is_visible()
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.locator(PANEL).wait_for(state="visible", timeout=5000)

    shop.set_capture(settings(exit_intent=True))
    s = shopper()
    page = s.open("/collections/all")
    page.locator(TAB).wait_for(state="visible")
    page.mouse.move(600, 200)
    page.evaluate("document.dispatchEvent(new MouseEvent('mouseout', {clientY: -2, bubbles: true}))")
    page.locator(PANEL).wait_for(state="visible", timeout=5000)

    shop.set_capture({"triggers": {**QUIET, "add_to_cart": True}, "targeting": {"exclude": []}})
    s = shopper()
    page = s.open("/collections/all")
    page.locator(TAB).wait_for(state="visible")
    s.open(s.products()[1])
    assert not page.locator(PANEL).is_visible()
    page.locator("form.add-to-cart button[type=submit]").click()
    page.wait_for_url(re.compile(r"/cart$"))
    page.locator(PANEL).wait_for(state="visible", timeout=5000)
    assert s.errors == []


def test_mobile_is_a_bottom_sheet_and_waits_for_engagement_after_a_search_landing(shopper, shop):
    shop.set_capture(settings(pages_viewed=1))
    s = shopper(**MOBILE)
    page = s.open("/collections/all", referer="https://www.google.com/")
    page.wait_for_timeout(1500)
    assert page.locator("storelift-capture").count() == 0  # a landing from search on a phone: nothing yet
    s.open("/collections/all")  # engaged: a second page
    panel = page.locator(PANEL)
    panel.wait_for(state="visible", timeout=5000)
    page.wait_for_timeout(400)  # the slide-in settles
    box = panel.bounding_box()
    # A trigger's sheet: at most a third of the screen, anchored to the bottom.
    assert box["height"] <= 844 / 3 + 1 and abs(box["y"] + box["height"] - 844) <= 1
    page.get_by_label("Email address").tap()  # the shopper engages: it may grow, never over the whole page
    page.wait_for_timeout(100)
    engaged = panel.bounding_box()
    assert box["height"] < engaged["height"] <= 0.6 * 844 + 1 and abs(engaged["y"] + engaged["height"] - 844) <= 1
    assert js(page, "window.__cls") == 0
    assert s.errors == []


# What a trigger's panel shows once slid in: the viewport, the panel's box and whether its content
# overflows it, and the boxes of the form's parts, all in viewport coordinates.
SETTLED_PANEL = """() => {
  const root = document.querySelector('storelift-capture').shadowRoot, panel = root.querySelector('.panel');
  if (!panel.classList.contains('in') || getComputedStyle(panel).transform !== 'none') return null;
  const box = (e) => { const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; };
  return {width: innerWidth, height: innerHeight, panel: box(panel), overflow: panel.scrollHeight - panel.clientHeight,
          parts: Object.fromEntries(['input[type=email]', '.go', '.consent'].map((s) => [s, box(root.querySelector(s))]))};
}"""


@pytest.mark.parametrize("device", [MOBILE, {**MOBILE, "viewport": {"width": 360, "height": 640}},
                                    {**DESKTOP, "viewport": {"width": 1280, "height": 900}}],
                         ids=["phone-390x844", "phone-360x640", "desktop-1280x900"])
def test_a_delay_triggers_panel_shows_its_whole_form_without_scrolling_inside_it(shopper, shop, device):
    """The email field, the submit button and the consent text of a panel a trigger opened all show, with
    nothing to scroll inside it: on a phone in a compact form, since the sheet stays at most a third of the
    screen until the shopper engages (the full form, taller, hid the button and the consent text there)."""
    shop.set_capture(settings(delay_seconds=1))
    s = shopper(**device)
    page = s.open("/")
    page.locator(PANEL).wait_for(state="visible", timeout=5000)
    seen = page.wait_for_function(SETTLED_PANEL, timeout=5000).json_value()
    panel, phone = seen["panel"], seen["width"] < 768
    if phone:  # a bottom sheet of at most a third of the screen
        assert panel["bottom"] - panel["top"] <= seen["height"] / 3 + 1 and abs(panel["bottom"] - seen["height"]) <= 1
    assert panel["top"] >= 0 and panel["bottom"] <= seen["height"] + 0.5
    for part, r in seen["parts"].items():
        assert 0 <= r["left"] and r["right"] <= seen["width"] and 0 <= r["top"] and r["bottom"] <= seen["height"], part
        assert panel["left"] <= r["left"] and r["right"] <= panel["right"] and panel["top"] <= r["top"] \
            and r["bottom"] <= panel["bottom"], part
    assert seen["overflow"] <= 0, "the panel's form scrolls inside it"
    # Still a trigger's panel: no modal, focus left where it was, nothing of the page inert.
    assert page.locator(PANEL).get_attribute("aria-modal") is None
    assert js(page, "() => document.activeElement === document.body")
    assert not js(page, "() => [...document.body.children].some((c) => c.inert)")
    assert js(page, "window.__cls") == 0
    if phone:  # the shopper engages: the full form is back (its body text, the button under the field)
        page.get_by_label("Email address").tap()
        page.wait_for_timeout(100)
        assert page.locator(PANEL).get_attribute("aria-modal") == "true"
        assert page.locator("storelift-capture .body").is_visible()
        field, go = page.get_by_label("Email address").bounding_box(), page.locator("storelift-capture .go").bounding_box()
        assert go["y"] >= field["y"] + field["height"] and go["width"] == field["width"]
    assert s.errors == []


def test_targeting_by_device_and_url(shopper, shop):
    shop.set_capture({"triggers": QUIET, "targeting": {"devices": ["desktop"], "exclude": ["/products/*"]}})
    phone = shopper(**MOBILE)
    page = phone.open("/collections/all")
    page.wait_for_timeout(1500)
    assert page.locator("storelift-capture").count() == 0
    desk = shopper()
    page = desk.open("/collections/all")
    page.locator(TAB).wait_for(state="visible")
    desk.open(desk.products()[0])
    page.wait_for_timeout(1500)
    assert page.locator("storelift-capture").count() == 0
    assert phone.errors == [] and desk.errors == []


def test_a_subscriber_is_not_asked_again_here_or_on_a_second_device_after_identifying(shopper, shop):
    shop.set_capture(settings())
    first = shopper()
    page = first.open("/")
    page.locator(TAB).click()
    page.get_by_label("Email address").fill("Returning.One@example.com")
    page.keyboard.press("Enter")
    page.locator("storelift-capture .code").wait_for(state="visible")
    page.wait_for_timeout(300)
    first.open("/collections/all")
    page.wait_for_timeout(1500)
    assert page.locator("storelift-capture").count() == 0

    second = shopper()
    second.context.add_init_script("window.storelift = [['identify', 'returning.one@example.com']];")
    page = second.page
    with page.expect_response(lambda r: "/apps/storelift/config" in r.url) as answer:
        second.open("/")
    assert answer.value.json()["show"] == 0 and answer.value.json()["why"] == "subscribed"
    page.wait_for_timeout(1000)
    assert page.locator("storelift-capture").count() == 0
    assert first.errors == [] and second.errors == []


def test_close_respects_the_frequency_cap_and_emits_events(shopper, shop):
    shop.set_capture({"triggers": QUIET, "targeting": {"close_cap_days": 7}})
    s = shopper()
    s.context.add_init_script("""window.__events = [];
        window.storelift = [['on', 'open', () => __events.push('open')], ['on', 'close', () => __events.push('close')]];""")
    page = s.open("/")
    page.locator(TAB).click()
    page.locator(PANEL).wait_for(state="visible")
    page.keyboard.press("Escape")
    assert not page.locator(PANEL).is_visible()
    page.wait_for_function("() => window.__events.length === 2")
    assert js(page, "window.__events") == ["open", "close"]
    s.open("/collections/all")
    page.wait_for_timeout(1500)
    assert page.locator("storelift-capture").count() == 0
    # Eight days later the cap has run out.
    page.evaluate("localStorage.setItem('sl_x', String(Date.now() - 8 * 864e5))")
    s.open("/")
    page.locator(TAB).wait_for(state="visible")
    assert s.errors == []
