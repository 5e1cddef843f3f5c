"""The admin's settings forms and layout in chromium, as a merchant meets them in the store admin's frame.

A refused save on Email capture names each field by its label (never ``discount.value``), marks the field
aria-invalid and describes it by its message, moves focus to the first one, and links each from the
summary; a good save clears it all. The layout holds: fields inside their boxes, a radio on its label's
line, the holdouts' group styled like every other, and on a 390 px phone no tab or table widens the
page. Screenshots of each state are kept in the test's temporary folder.
"""

from __future__ import annotations

import time

import pytest

from plugin.capture.settings import CAPTURE
from plugin.experiments.assignment import period
from plugin.experiments.settings import EXPERIMENTS

from tests.support.axe import audit, require_axe
from tests.support.storefront import API_KEY, SHOP

pytest.importorskip("playwright")
from playwright.sync_api import expect  # noqa: E402

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TABS = ("What Storelift earned", "Email capture", "Emails", "Segments", "Recommendations", "Status")


@pytest.fixture(scope="module", autouse=True)
def running_surfaces(shop):
    """Surfaces with a running experiment, so the holdouts form shows "A surface's own holdout"."""
    settings = EXPERIMENTS.read(shop.store, SHOP)[0]
    for surface in ("capture", "blocks:best_sellers"):
        period(shop.store, SHOP, surface, settings, int(time.time() * 1000))


@pytest.fixture
def admin(browser, shop):
    """The embedded admin in the store admin's frame, opened on a tab: (page, the frame's Frame)."""
    contexts = []

    def open_tab(label: str, viewport: dict = DESKTOP):
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{shop.store_url}/admin/apps/{API_KEY}")
        frame = page.frame_locator("#app-frame")
        expect(frame.locator("h1")).to_have_text("What Storelift earned")
        if label != "What Storelift earned":
            frame.locator(".admin-nav").get_by_role("link", name=label, exact=True).click()
            expect(frame.locator(".admin-nav a[aria-current=page]")).to_have_text(label)
        return page, page.frame(name=None, url=lambda url: url.startswith(shop.app_url))

    yield open_tab
    for context in contexts:
        context.close()


def submit_refused(app) -> None:
    app.get_by_label("Headline").fill("")
    app.get_by_label("Value", exact=True).fill("ten")
    app.get_by_label("After (seconds, 0 = off)").fill("700")
    app.get_by_role("button", name="Save").click()
    expect(app.locator("#status")).to_have_text("Not saved.")


def test_a_refused_capture_save_names_marks_and_describes_each_field(admin, shop, tmp_path):
    saved = CAPTURE.read(shop.store, SHOP)
    page, app = admin("Email capture")
    submit_refused(app)
    value = app.get_by_label("Value", exact=True)
    expect(value).to_have_attribute("aria-invalid", "true")
    expect(value).to_have_accessible_description("must be a number")
    expect(app.get_by_label("Headline")).to_have_accessible_description("must not be empty")
    summary = app.locator(".error-summary")
    expect(summary.locator("p")).to_have_text("Not saved: 3 fields to fix.")
    expect(summary.get_by_role("link")).to_have_text([  # in the form's order, each by its label
        "Texts · Headline: must not be empty", "Discount · Value: must be a number",
        "Triggers · After (seconds, 0 = off): must be a whole number from 0 to 600"])
    assert "." not in summary.inner_text().replace("Not saved: 3 fields to fix.", "")  # no dotted API name
    expect(app.get_by_label("Headline")).to_be_focused()
    page.screenshot(path=str(tmp_path / "capture-refused-1280.png"))
    summary.get_by_role("link", name="Discount · Value: must be a number").click()
    expect(value).to_be_focused()
    assert app.evaluate("location.pathname") == "/admin/capture"  # the link moved focus, not the page
    assert CAPTURE.read(shop.store, SHOP) == saved  # nothing stored

    app.get_by_label("Headline").fill("Get {discount} off your first order")
    value.fill("15")
    app.get_by_label("After (seconds, 0 = off)").fill("8")
    app.get_by_role("button", name="Save").click()
    expect(app.locator("#status")).to_contain_text("Saved (version")
    expect(summary).to_be_empty()
    expect(app.locator("[aria-invalid=true]")).to_have_count(0)
    assert CAPTURE.read(shop.store, SHOP)[0]["discount"]["value"] == "15"


def test_a_refused_holdout_is_marked_on_its_surface_by_the_same_script(admin):
    _, app = admin("What Storelift earned")
    own = app.get_by_role("spinbutton", name="Email capture pop-up")
    own.fill("70")
    app.get_by_role("button", name="Save").click()
    expect(own).to_have_attribute("aria-invalid", "true")
    expect(app.locator(".error-summary").get_by_role("link")).to_have_text(
        ["A surface's own holdout · Email capture pop-up: must be a whole number from 0 to 50"])
    own.fill("")
    app.get_by_role("button", name="Save").click()
    expect(app.locator("#status")).to_contain_text("Saved (version")


def test_fields_sit_inside_their_boxes_and_radios_beside_their_labels(admin, tmp_path):
    page, app = admin("Email capture")
    overhang = app.evaluate("""() => [...document.querySelectorAll('#settings .field input[type=text]')].map((input) => {
        const box = input.closest('fieldset'), border = parseFloat(getComputedStyle(box).borderRightWidth);
        return box.getBoundingClientRect().right - border - input.getBoundingClientRect().right; })""")
    assert overhang and min(overhang) >= 0
    lines = app.evaluate("""() => [...document.querySelectorAll('input[name=preview-state]')].map((radio) =>
        radio.closest('label').getClientRects().length)""")
    assert lines == [1, 1, 1, 1, 1]  # each radio and its word on one line
    page.screenshot(path=str(tmp_path / "capture-1280.png"))
    page, app = admin("What Storelift earned")
    group = app.locator("fieldset", has_text="A surface's own holdout")
    assert group.evaluate("(el) => getComputedStyle(el).borderTopStyle") == "solid"  # not the browser's groove
    group.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "holdouts-1280.png"))


def test_on_a_phone_every_admin_tab_fits_the_screen(admin, shop, tmp_path):
    page, _ = admin("What Storelift earned", PHONE)
    phone = page.context.new_page()  # the admin page itself at the phone's width, as a phone's store admin shows it
    phone.goto(page.locator("#app-frame").get_attribute("src"))
    for label in TABS:
        if label != "What Storelift earned":
            phone.locator(".admin-nav").get_by_role("link", name=label, exact=True).click()
        expect(phone.locator(".admin-nav a[aria-current=page]")).to_have_text(label)
        width, viewport, tabs = phone.evaluate("""() => [document.documentElement.scrollWidth, innerWidth,
            [...document.querySelectorAll('.admin-nav a')].map((a) => a.getBoundingClientRect().right)]""")
        assert width <= viewport == PHONE["width"], label
        assert max(tabs) <= viewport, label  # "Recommendations" and "Status" on the screen, not past it
        phone.screenshot(path=str(tmp_path / f"phone-{label.split()[0].lower()}.png"))


def test_every_tab_and_a_refused_save_pass_the_accessibility_gate(admin):
    """axe-core's WCAG 2.2 A/AA rules (tests/support/axe.py) over each tab, then over the capture form's
    error state: its summary's links, the marked fields."""
    require_axe()
    for label in TABS:
        _, app = admin(label)
        found = audit(app)
        assert found.storelift + found.theme == [], label
    _, app = admin("Email capture")
    submit_refused(app)
    found = audit(app)
    assert found.storelift + found.theme == []
