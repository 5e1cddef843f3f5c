"""A triggered email as a phone's mail app lays it out: the discount code reads on one line."""

from __future__ import annotations

import pytest

from plugin.emails.render import Brand, EmailContent, Texts, render

CODE = "WELCOME-7J7T56JR6E"  # the pool's codes: a prefix and ten characters


def email_with_code() -> str:
    return render(EmailContent(
        texts=Texts(subject="Welcome", preview="Your code", heading="Welcome", body="Here is your code.",
                    button="Start shopping"),
        brand=Brand(shop_name="Acme", postal_address="1 Main St", color="#0a7d4f"), currency="USD",
        button_url="https://acme.example/", unsubscribe_url="https://storelift.test/u/x", code=CODE)).html


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_the_code_fits_on_one_line(browser, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.set_content(email_with_code())
        code = page.locator("p.code")
        assert code.inner_text() == CODE
        lines = code.evaluate("p => Math.round(p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight))")
        box = code.bounding_box()
        assert lines == 1 and box["x"] >= 0 and box["x"] + box["width"] <= width
    finally:
        page.close()
