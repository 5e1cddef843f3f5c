"""The storefront's cart and checkout in chromium, on a phone and a desktop: the page is never wider than
the screen, so no total ends up off to the side where a shopper has to scroll sideways to find it."""

from __future__ import annotations

import pytest

from tests.support.devstore import shop  # noqa: F401

WIDTHS = [360, 390, 1280]


def fill_cart(page, shop) -> None:
    """The longest product name with several options, and a two-digit quantity: the widest rows the cart has."""
    products = shop.control("catalog?status=active", method="GET")["products"]
    stocked = [p for p in products if p["variants"][-1]["inventory_quantity"] >= 12]
    longest = max(stocked, key=lambda p: (len(p["variants"]) > 1, len(p["title"])))
    other = next(p for p in stocked if p is not longest)
    for variant, quantity in ((longest["variants"][-1], 2), (other["variants"][-1], 12)):
        assert page.request.post(f"{shop.url}/cart/add", form={"id": str(variant["id"]), "quantity": str(quantity)}).ok


def overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when nothing sticks out)."""
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def inside(page, selector: str, width: int) -> bool:
    boxes = [page.locator(selector).nth(i).bounding_box() for i in range(page.locator(selector).count())]
    return bool(boxes) and all(box["x"] >= 0 and box["x"] + box["width"] <= width for box in boxes)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_cart_fits_the_screen_with_every_total_in_view(browser, shop, width):
    context = browser.new_context(viewport={"width": width, "height": 844})
    try:
        page = context.new_page()
        fill_cart(page, shop)
        page.goto(f"{shop.url}/cart")
        assert overflow(page) == 0
        assert inside(page, "input[name=quantity][type=number]", width)
        assert inside(page, ".cart .line-total", width) and inside(page, ".cart .subtotal", width)
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_checkout_fits_the_screen_with_its_discount_and_total_in_view(browser, shop, width):
    context = browser.new_context(viewport={"width": width, "height": 844})
    try:
        page = context.new_page()
        page.goto(f"{shop.url}/discount/SPRING15?redirect=/")
        fill_cart(page, shop)
        page.goto(f"{shop.url}/checkout")
        assert overflow(page) == 0
        assert inside(page, ".totals .discount", width) and inside(page, ".totals .total", width)
    finally:
        context.close()


def test_a_code_typed_at_checkout_applies_before_the_contact_fields_are_filled(browser, shop):
    """As on the platform's checkout: "Apply" asks for no email first (the browser's required-field check is
    the payment's, not the code's), and the summary then shows what the code takes off."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        fill_cart(page, shop)
        page.goto(f"{shop.url}/checkout")
        page.get_by_label("Discount code").fill("SPRING15")
        page.get_by_role("button", name="Apply").click()
        page.locator(".totals .discount").wait_for(state="visible", timeout=5000)
        assert "SPRING15" in page.locator(".totals .discount").inner_text()
        assert page.get_by_label("Email").input_value() == ""
    finally:
        context.close()
