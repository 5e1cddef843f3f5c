"""The capture widget and the keyboard (chromium, headless): a trigger never takes focus or the page.

A keyboard-only shopper: a delay or scroll trigger opens the panel while they are on a link, and
focus stays there, the panel is announced politely and is no modal, and nothing behind it is inert;
moving into it makes it the modal dialog. A panel the shopper opens from the teaser takes focus,
traps it and makes the page behind it inert until it closes. No trigger fires while a form field of
the page has focus.

On a 390x844 phone no element the shopper tabs to is hidden, even in part, under the fixed teaser
or under a bottom sheet a trigger opened (WCAG 2.2 SC 2.4.11), recommendation cards included; the teaser's own button hides it for the
session and counts toward the frequency cap.
"""

from __future__ import annotations

import pytest

from plugin.platform.pull import sync_shop
from plugin.recommendations.serving import api as recommendations

from tests.support.capture_widget import MOBILE, PANEL, TAB, js, settings
from tests.support.storefront import SHOP, StorefrontStack

REMEMBER_FOCUS = "() => { window.__was = document.activeElement; return document.activeElement.tagName; }"
FOCUS_KEPT = "() => document.activeElement === window.__was"
IN_WIDGET = "() => document.activeElement === document.querySelector('storelift-capture')"
# Every child of <body> but the widget's host, inert or not.
PAGE_INERT = "() => [...document.body.children].filter(c => c.localName !== 'storelift-capture').map(c => c.inert)"


# The focused page element's largest share hidden under the visible teaser or panel (0 when focus is
# in the widget).
HIDDEN_SHARE = """() => {
  const host = document.querySelector('storelift-capture');
  let a = document.activeElement;
  if (!a || a === host || a === document.body) return 0;
  while (a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;  // a block's card
  const r = a.getBoundingClientRect();
  return Math.max(...['.bar', '.panel'].map((sel) => {
    const fixed = host.shadowRoot.querySelector(sel), style = getComputedStyle(fixed);
    if (style.opacity === '0' || style.display === 'none') return 0;
    const t = fixed.getBoundingClientRect();
    const w = Math.max(0, Math.min(r.right, t.right) - Math.max(r.left, t.left));
    const h = Math.max(0, Math.min(r.bottom, t.bottom) - Math.max(r.top, t.top));
    return r.width * r.height ? (w * h) / (r.width * r.height) : 0;
  }));
}"""
FOCUSED = """() => { let a = document.activeElement;
  while (a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  return a.outerHTML.slice(0, 160) + a.getBoundingClientRect().top; }"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """The storefront with recommendation blocks on the home and product pages (their cards take focus too)."""
    running = StorefrontStack(tmp_path_factory.mktemp("focus"), settings={}, pool=20)
    sync_shop(running.config, running.store, SHOP)
    recommendations.invalidate(running.store, SHOP)
    for template in ("index", "product"):
        running.control("theme/blocks", {"template": template, "block": "recommendations",
                                         "settings": {"strategy": "best_sellers", "title": "Best sellers", "limit": 8}})
    yield running
    running.close()


def shadow(page, expression: str):
    return js(page, f"() => {{ const root = document.querySelector('storelift-capture').shadowRoot; return {expression}; }}")


def tab_to_a_page_link(page) -> None:
    for _ in range(10):
        page.keyboard.press("Tab")
        if js(page, "() => document.activeElement.localName") == "a":
            return
    raise AssertionError("no link of the page took focus")


def test_a_delay_trigger_leaves_focus_where_it_was_until_the_shopper_moves_into_the_panel(shopper, shop):
    shop.set_capture(settings(delay_seconds=2))
    s = shopper()
    page = s.open("/collections/all")
    page.locator(TAB).wait_for(state="visible")
    tab_to_a_page_link(page)
    assert js(page, REMEMBER_FOCUS) == "A"
    panel = page.locator(PANEL)
    panel.wait_for(state="visible", timeout=5000)
    page.wait_for_function("() => document.querySelector('storelift-capture').shadowRoot"
                           ".querySelector('[role=status]').textContent !== ''")
    assert js(page, FOCUS_KEPT)
    assert panel.get_attribute("aria-modal") is None
    assert set(js(page, PAGE_INERT)) == {False}
    assert shadow(page, "root.querySelector('[role=status]').textContent") == shadow(page, "root.querySelector('h2').textContent")
    page.keyboard.press("Tab")  # the page goes on as before: its next element
    assert not js(page, IN_WIDGET) and not js(page, FOCUS_KEPT)

    # Moving into the panel (here: the teaser, then Enter) makes it the modal dialog, page inert.
    for _ in range(200):
        page.keyboard.press("Tab")
        if js(page, IN_WIDGET):
            break
    assert shadow(page, "root.activeElement.className") == "tab"
    page.keyboard.press("Enter")
    assert shadow(page, "root.activeElement.type") == "email"
    assert panel.get_attribute("aria-modal") == "true" and set(js(page, PAGE_INERT)) == {True}
    page.keyboard.press("Escape")
    assert not panel.is_visible() and set(js(page, PAGE_INERT)) == {False}
    assert shadow(page, "root.activeElement.className") == "tab"
    assert s.errors == []


def test_a_scroll_trigger_opens_while_the_shopper_tabs_through_the_page_without_taking_focus(shopper, shop):
    shop.set_capture(settings(scroll_percent=40))
    s = shopper()
    page = s.open("/collections/all")
    page.locator(TAB).wait_for(state="visible")
    panel = page.locator(PANEL)
    for presses in range(1, 200):
        page.keyboard.press("Tab")
        js(page, REMEMBER_FOCUS)
        page.wait_for_timeout(50)  # a scroll event the focus move caused is handled
        if panel.is_visible():
            break
    assert panel.is_visible(), "tabbing through the page never reached 40 %"
    assert js(page, FOCUS_KEPT) and not js(page, IN_WIDGET)
    assert panel.get_attribute("aria-modal") is None and set(js(page, PAGE_INERT)) == {False}
    page.keyboard.press("Tab")
    assert not js(page, IN_WIDGET) and not js(page, FOCUS_KEPT)  # on to the page's next element
    assert s.errors == []


def test_no_trigger_fires_while_a_form_field_of_the_page_has_focus(shopper, shop):
    shop.set_capture(settings(delay_seconds=1))
    s = shopper()
    page = s.open("/collections/all")
    page.locator(TAB).wait_for(state="visible")
    page.locator("input[type=search], .search input").first.focus()
    page.keyboard.type("linen")
    page.wait_for_timeout(2500)  # well past the delay
    assert not page.locator(PANEL).is_visible()
    assert js(page, "() => document.activeElement.localName") == "input"
    page.keyboard.press("Tab")  # leaving the field lets the waiting trigger fire, focus stays on the page
    js(page, REMEMBER_FOCUS)
    page.locator(PANEL).wait_for(state="visible", timeout=5000)
    assert js(page, FOCUS_KEPT) and page.locator(PANEL).get_attribute("aria-modal") is None
    assert s.errors == []


def test_a_panel_the_shopper_opens_traps_focus_and_makes_the_page_inert(shopper, shop):
    shop.set_capture(settings())
    s = shopper()
    page = s.open("/")
    page.locator(TAB).wait_for(state="visible")
    for _ in range(200):
        page.keyboard.press("Tab")
        if js(page, IN_WIDGET):
            break
    page.keyboard.press("Enter")
    panel = page.locator(PANEL)
    panel.wait_for(state="visible")
    assert panel.get_attribute("aria-modal") == "true"
    assert set(js(page, PAGE_INERT)) == {True}
    for _ in range(12):  # forwards and back, focus never leaves the panel
        page.keyboard.press("Tab")
        assert shadow(page, "root.activeElement && root.activeElement.closest('[role=dialog]') !== null")
    for _ in range(6):
        page.keyboard.press("Shift+Tab")
        assert shadow(page, "root.activeElement && root.activeElement.closest('[role=dialog]') !== null")
    page.keyboard.press("Escape")
    assert set(js(page, PAGE_INERT)) == {False}
    assert shadow(page, "root.activeElement.className") == "tab"
    assert s.errors == []


@pytest.mark.parametrize("path, opened", [("/", False), ("/collections/all", False), ("product", False),
                                          ("/", True), ("product", True)])
def test_on_a_phone_no_focused_element_is_hidden_under_the_teaser_or_a_triggers_sheet(shopper, shop, path, opened):
    shop.set_capture(settings(delay_seconds=1 if opened else 0))
    s = shopper(**MOBILE)
    page = s.open("/collections/all")
    if path == "product":
        path = s.products()[-1]  # near the end of the list: its page is reached with the teaser on
    page = s.open(path)
    page.locator(PANEL if opened else TAB).wait_for(state="visible", timeout=5000)
    page.wait_for_timeout(400)  # the sheet has slid in
    page.wait_for_function("() => [...document.querySelectorAll('storelift-recs')]"
                           ".every(el => el.shadowRoot?.querySelector('a[data-i]'))", timeout=10_000)
    seen, hidden = set(), []
    for _ in range(400):
        page.keyboard.press("Tab")
        page.wait_for_timeout(30)  # the scroll the focus move caused is handled
        if js(page, IN_WIDGET):
            break
        where = js(page, FOCUSED)
        seen.add(where)
        share = js(page, HIDDEN_SHARE)
        if share > 0:
            hidden.append((where, share))
    assert js(page, IN_WIDGET), "tabbing never reached the teaser"
    assert len(seen) > 20 and hidden == []
    # The last elements of the page (the footer's) sit where the teaser stands: it stepped aside.
    page.keyboard.press("Shift+Tab")
    page.wait_for_timeout(30)
    assert js(page, HIDDEN_SHARE) == 0
    assert s.errors == []


def test_the_teaser_is_dismissed_for_the_session_and_that_counts_toward_the_cap(shopper, shop):
    shop.set_capture({"triggers": settings(add_to_cart=True)["triggers"], "targeting": {"close_cap_days": 1}})
    s = shopper(**MOBILE)
    s.context.add_init_script("""window.__events = [];
        window.storelift = [['on', 'close', () => __events.push('close')]];""")
    page = s.open("/")
    page.locator(TAB).wait_for(state="visible")
    for _ in range(400):
        page.keyboard.press("Tab")
        if js(page, IN_WIDGET) and shadow(page, "root.activeElement.className") == "hide":
            break
    assert shadow(page, "root.activeElement.getAttribute('aria-label')") == "Hide this offer"
    page.keyboard.press("Enter")
    assert page.locator("storelift-capture").count() == 0
    page.wait_for_function("() => window.__events.length === 1")
    assert js(page, "() => [sessionStorage.getItem('sl_g'), localStorage.getItem('sl_x') !== null]") == ["1", True]
    page.evaluate("storelift.track('add_to_cart')")  # a trigger has nothing to open
    page.wait_for_timeout(500)
    assert page.locator("storelift-capture").count() == 0
    s.open("/collections/all")  # the rest of the session: nothing
    page.wait_for_timeout(1500)
    assert page.locator("storelift-capture").count() == 0
    # In a new session it shows again once the frequency cap has run out.
    page.evaluate("() => sessionStorage.clear()")
    s.open("/")
    page.wait_for_timeout(1500)
    assert page.locator("storelift-capture").count() == 0  # the dismissal counted toward the 1-day cap
    page.evaluate("() => { sessionStorage.clear(); localStorage.setItem('sl_x', String(Date.now() - 2 * 864e5)); }")
    s.open("/")
    page.locator(TAB).wait_for(state="visible")
    assert s.errors == []
