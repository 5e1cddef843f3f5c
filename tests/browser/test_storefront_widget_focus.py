"""The capture widget and the keyboard (chromium, headless): a trigger never takes focus or the page.

A keyboard-only shopper: a delay or scroll trigger opens the panel while they are on a link, and
focus stays there, the panel is announced politely and is no modal, and nothing behind it is inert;
moving into it makes it the modal dialog. A panel the shopper opens from the teaser takes focus,
traps it and makes the page behind it inert until it closes. No trigger fires while a form field of
the page has focus.
"""

from __future__ import annotations

from tests.support.capture_widget import PANEL, TAB, js, settings

REMEMBER_FOCUS = "() => { window.__was = document.activeElement; return document.activeElement.tagName; }"
FOCUS_KEPT = "() => document.activeElement === window.__was"
IN_WIDGET = "() => document.activeElement === document.querySelector('storelift-capture')"
# Every child of <body> but the widget's host, inert or not.
PAGE_INERT = "() => [...document.body.children].filter(c => c.localName !== 'storelift-capture').map(c => c.inert)"


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
