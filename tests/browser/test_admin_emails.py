"""The Emails page inside devstore's store admin frame, in chromium: the preview renders visibly in its
sandboxed frame (the welcome email with its "Picked for you" cards loaded), follows the flow opened from the
keyboard, keeps merchant markup as text, a delay reads as hours and saves, and a test without a mail server says why. A screenshot of the whole page (a viewport tall enough for the frame to hold it) is kept in the
test's temporary folder."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from plugin.emails.cards import CARD_WIDTH
from plugin.emails.settings import EMAILS

from tests.support.storefront import API_KEY, SHOP

pytest.importorskip("playwright")
from playwright.sync_api import expect  # noqa: E402

BUTTON_COLOR = (31, 122, 77)  # #1f7a4d, the sender colour the preview's button must show in
HEADING = "Your cart at {shop} <b>is waiting</b>"


@pytest.fixture(scope="module")
def emails_settings(shop):
    settings = EMAILS.read(shop.store, SHOP)[0]
    settings["sender"].update(name="Front Shop", address="hello@front.example", postal_address="1 Main St")
    settings["sender"]["color"] = "#%02x%02x%02x" % BUTTON_COLOR
    settings["flows"]["cart"]["texts"]["heading"] = HEADING
    EMAILS.save(shop.store, SHOP, settings)


def test_the_emails_page_previews_each_flow_in_its_sandbox_and_works_from_the_keyboard(
        browser, shop, emails_settings, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 4000})
    page = context.new_page()
    try:
        page.goto(f"{shop.store_url}/admin/apps/{API_KEY}")
        frame = page.frame_locator("#app-frame")
        frame.locator(".admin-nav").get_by_role("link", name="Emails", exact=True).click()
        expect(frame.locator("h1")).to_have_text("Emails")
        expect(frame.locator("#preview-person")).to_contain_text("Shown for")
        expect(frame.locator("#preview-subject")).to_have_text("Welcome to Front Shop: your 10% code")
        welcome = frame.frame_locator("#preview-frame")
        expect(welcome.get_by_role("heading", name="Picked for you")).to_be_visible()
        cards = welcome.locator('img[src*="/email/s/"]')
        expect(cards).to_have_count(4)
        for n in range(4):  # each card drawn and loaded inside the sandbox, as a mail client shows it
            expect(cards.nth(n)).to_have_js_property("naturalWidth", CARD_WIDTH)

        cart = frame.locator("#flow-cart > summary")
        cart.focus()
        page.keyboard.press("Enter")  # a summary opens its flow from the keyboard; the preview follows
        expect(frame.locator("#flow-cart")).to_have_attribute("open", "")
        expect(frame.locator("#preview-subject")).to_have_text("You left something in your cart")
        email = frame.frame_locator("#preview-frame")
        expect(email.get_by_text("Your cart at Front Shop <b>is waiting</b>")).to_be_visible()  # markup as text
        expect(email.locator("b")).to_have_count(0)

        frame.locator("#f-flows-cart-delays_minutes-0").fill("90")
        expect(frame.locator("#o-flows-cart-delays_minutes-0")).to_have_text("1 h 30 min")
        frame.get_by_role("button", name="Save").click()
        expect(frame.locator("#status")).to_contain_text("Saved (version")
        assert EMAILS.read(shop.store, SHOP)[0]["flows"]["cart"]["delays_minutes"] == [90, 1440, 2880]

        frame.get_by_label("Send me a test at").fill("owner@example.com")
        frame.get_by_role("button", name="Send me a test").click()
        expect(frame.locator("#test-status")).to_contain_text("STORELIFT_SMTP_URL")

        preview = Image.open(io.BytesIO(frame.locator("#preview-frame").screenshot())).convert("RGB")
        assert BUTTON_COLOR in {color for _, color in preview.getcolors(preview.width * preview.height)}
        page.screenshot(path=str(tmp_path / "emails-page.png"), full_page=True)
        assert Image.open(tmp_path / "emails-page.png").size[0] == 1280
    finally:
        context.close()
