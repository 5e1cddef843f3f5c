"""The capture widget in a real browser (chromium, headless): usable by keyboard, safe and private.

Keyboard-only use with focus trapped, a hostile theme's CSS kept out, merchant text inert, the loader
idempotent, and consent mode / Global Privacy Control storing and sending nothing.

Each test opens fresh browser contexts (a new shopper) against one running
devstore + Storelift pair; the widget settings are changed through the store
as the merchant's admin would save them.
"""

from __future__ import annotations

from tests.support.capture_widget import PANEL, QUIET, TAB, js, settings


def shadow_active(page) -> str:
    """What has focus inside the widget's shadow root ('' when focus is outside it)."""
    return js(page, """() => { const host = document.querySelector('storelift-capture');
        const el = host && host.shadowRoot.activeElement;
        return el ? (el.className || el.tagName.toLowerCase()) + (el.type ? ':' + el.type : '') : ''; }""")


def test_keyboard_only_completes_the_flow(shopper, shop):
    shop.set_capture(settings())
    s = shopper()
    page = s.open("/")
    page.locator(TAB).wait_for(state="visible")
    for _ in range(80):  # Tab through the page to the teaser
        page.keyboard.press("Tab")
        if shadow_active(page) == "tab:button":
            break
    assert shadow_active(page) == "tab:button"
    page.keyboard.press("Enter")
    page.locator(PANEL).wait_for(state="visible")
    assert shadow_active(page) == "input:email"
    # Focus is trapped: it cycles inside the panel.
    seen = set()
    for _ in range(6):
        page.keyboard.press("Tab")
        seen.add(shadow_active(page))
    assert "" not in seen and {"x:button", "go:submit", "input:email"} <= seen
    page.keyboard.press("Shift+Tab")
    assert shadow_active(page) != ""
    # A wrong address is announced and keeps focus in the field.
    while shadow_active(page) != "input:email":
        page.keyboard.press("Tab")
    page.keyboard.type("not-an-email")
    page.keyboard.press("Enter")
    error = page.locator("storelift-capture .err")
    assert error.get_attribute("role") == "alert" and "valid email" in error.text_content()
    assert page.locator("storelift-capture input[type=email]").get_attribute("aria-invalid") == "true"
    page.keyboard.press("Control+A")
    page.keyboard.type("keys.only@example.com")
    page.keyboard.press("Enter")
    page.locator("storelift-capture .code").wait_for(state="visible")
    assert js(page, """() => document.querySelector('storelift-capture').shadowRoot.activeElement.tagName""") == "H2"
    assert "WELCOME-" in page.locator("storelift-capture [role=status]").text_content()
    page.keyboard.press("Escape")
    assert shadow_active(page) == "tab:button"  # focus returned
    assert s.errors == []


def test_hostile_theme_css_leaves_the_widget_intact(shopper, shop):
    shop.set_capture({"triggers": QUIET, "colors": {"background": "#ffffff", "text": "#1f2328", "accent": "#1f5fbf",
                                                   "accent_text": "#ffffff"}})
    shop.control("theme/hostile-css", {"enabled": True})
    try:
        s = shopper()
        page = s.open("/")
        assert page.locator("#devstore-hostile-css").count() == 1
        page.locator(TAB).click()
        page.locator(PANEL).wait_for(state="visible")
        page.wait_for_timeout(400)
        style = js(page, """() => {
          const root = document.querySelector('storelift-capture').shadowRoot;
          const cs = (sel) => getComputedStyle(root.querySelector(sel));
          const tab = cs('.tab'), bar = cs('.bar'), panel = cs('.panel'), go = cs('.go'), input = cs('input[type=email]'),
                h2 = cs('h2'), host = getComputedStyle(document.querySelector('storelift-capture'));
          return {barPosition: bar.position, tabBg: tab.backgroundColor, tabColor: tab.color,
                  panelPosition: panel.position, panelWidth: panel.width, panelBg: panel.backgroundColor,
                  panelColor: panel.color, panelFont: panel.fontSize, h2Font: h2.fontSize, h2Color: h2.color,
                  goBg: go.backgroundColor, goColor: go.color, goDisplay: go.display, inputBorder: input.borderTopStyle,
                  inputFont: input.fontSize, letterSpacing: panel.letterSpacing, hostPosition: host.position,
                  hostBefore: getComputedStyle(document.querySelector('storelift-capture'), '::before').content};
        }""")
        assert style == {
            "barPosition": "fixed", "tabBg": "rgb(31, 95, 191)", "tabColor": "rgb(255, 255, 255)",
            "panelPosition": "fixed", "panelWidth": "360px", "panelBg": "rgb(255, 255, 255)",
            "panelColor": "rgb(31, 35, 40)", "panelFont": "15px", "h2Font": "20px", "h2Color": "rgb(31, 35, 40)",
            "goBg": "rgb(31, 95, 191)", "goColor": "rgb(255, 255, 255)", "goDisplay": "block",
            "inputBorder": "solid", "inputFont": "16px", "letterSpacing": "normal", "hostPosition": "fixed",
            "hostBefore": "none",
        }
        # The widget's own CSS does not leak out either: the theme's links keep the theme's look.
        assert js(page, "getComputedStyle(document.querySelector('a')).textDecorationLine") == "line-through"
        assert s.errors == []
    finally:
        shop.control("theme/hostile-css", {"enabled": False})


def test_merchant_text_is_rendered_as_text(shopper, shop):
    evil = '<img src=x onerror="window.__pwned=1">Get 10%'
    shop.set_capture({"triggers": QUIET, "texts": {"teaser": "<b>Hi</b>", "headline": evil}})
    s = shopper()
    page = s.open("/")
    page.locator(TAB).click()
    page.locator(PANEL).wait_for(state="visible")
    assert page.locator("storelift-capture h2").first.text_content() == evil
    assert page.locator(TAB).text_content() == "<b>Hi</b>"
    assert page.locator("storelift-capture img").count() == 0
    assert js(page, "window.__pwned") is None


def test_the_loader_runs_once_even_when_included_twice(shopper, shop):
    shop.set_capture(settings())
    s = shopper()
    configs = []
    s.page.on("request", lambda r: "/apps/storelift/config" in r.url and configs.append(r.url))
    page = s.open("/")
    page.locator(TAB).wait_for(state="visible")
    page.evaluate("""() => { const first = document.querySelector('script[data-storelift]');
        const again = document.createElement('script');
        for (const a of first.attributes) again.setAttribute(a.name, a.value);
        document.body.appendChild(again); }""")
    page.wait_for_timeout(800)
    assert len(configs) == 1 and page.locator("storelift-capture").count() == 1
    assert js(page, "typeof window.storelift.identify") == "function"


def test_consent_mode_stores_nothing_until_consent_and_gpc_sends_no_events(shopper, shop):
    shop.set_capture({"triggers": QUIET, "consent_mode": True})
    s = shopper()
    posts = []
    s.page.on("request", lambda r: r.method == "POST" and "/apps/storelift/events" in r.url and posts.append(r))
    page = s.open("/collections/all")
    page.locator(TAB).wait_for(state="visible")
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_timeout(2500)
    assert js(page, "Object.keys(localStorage).filter(k => k.startsWith('sl_'))") == []
    assert posts == []
    page.evaluate("storelift.consent()")
    page.wait_for_timeout(300)
    stored = js(page, "Object.keys(localStorage).filter(k => k.startsWith('sl_')).sort()")
    assert stored == ["sl_c", "sl_s", "sl_v"] and len(posts) == 1

    shop.set_capture(settings())
    gpc = shopper()
    gpc.context.add_init_script("Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true});")
    sent = []
    gpc.page.on("request", lambda r: r.method == "POST" and "/apps/storelift/events" in r.url and sent.append(r))
    page = gpc.open("/collections/all")
    page.locator(TAB).wait_for(state="visible")
    page.wait_for_timeout(2500)
    assert sent == [] and js(page, "localStorage.getItem('sl_v')") is None
    assert s.errors == [] and gpc.errors == []
