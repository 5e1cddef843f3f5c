"""Recommendation blocks in a real browser (chromium, headless) on devstore's storefront.

The merchant places the app block on the home, product and cart templates
(devstore's theme control API); Storelift knows the catalog and recent orders
from a sync. A shopper browses: every slot fills without moving a pixel
(layout shift 0, and the slot's height never changes), a click on a
recommended product is recorded with its block's ``rec_id``, and the order
placed after it is attributed to that block.
"""

from __future__ import annotations

import re
import time

import jwt
import pytest

from plugin.clock import DAY_MS
from plugin.platform.pull import sync_shop
from plugin.recommendations.serving import api as recommendations
from plugin.recommendations.settings import RECOMMENDATIONS

from tests.support import reads
from tests.support.signing import BROWSER_UA, MOBILE_UA
from tests.support.storefront import API_KEY, SECRET, SHOP, StorefrontStack
from tests.support.browser import CLS_PROBE, wait_for

TALL = {"viewport": {"width": 1280, "height": 2400}, "user_agent": BROWSER_UA}  # every slot in the viewport
HEIGHTS_PROBE = """
window.__heights = [];
new MutationObserver(() => {
  for (const el of document.querySelectorAll('storelift-recs:not([data-watched])')) {
    el.dataset.watched = 1;
    new ResizeObserver((entries) => entries.forEach((e) => window.__heights.push(e.contentRect.height))).observe(el);
  }
}).observe(document, {childList: true, subtree: true});
"""
FILLED = "() => [...document.querySelectorAll('storelift-recs')].every(el => el.shadowRoot?.querySelector('a[data-i]'))"
BLOCKS = [
    ("index", {"strategy": "best_sellers", "title": "Best sellers", "limit": 12}),
    ("product", {"strategy": "frequently_bought_together", "title": "Bought together", "limit": 4}),
    ("product", {"strategy": "similar_items", "title": "Similar items", "limit": 4}),
    ("cart", {"strategy": "cart", "title": "Complete your order", "limit": 4}),
]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "user_agent": MOBILE_UA}


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    running = StorefrontStack(tmp_path_factory.mktemp("recs-browser"), settings={"enabled": False})
    sync_shop(running.config, running.store, SHOP)  # the catalog and recent orders
    recommendations.invalidate(running.store, SHOP)
    for template, settings in BLOCKS:
        running.control("theme/blocks", {"template": template, "block": "recommendations", "settings": settings})
    yield running
    running.close()


def open_page(browser, options: dict):
    context = browser.new_context(**options)
    context.add_init_script(CLS_PROBE)
    context.add_init_script(HEIGHTS_PROBE)
    errors: list[str] = []
    tab = context.new_page()
    tab.on("console", lambda m: m.type == "error" and errors.append(m.text))
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.errors = errors
    return tab


@pytest.fixture
def page(browser):
    tab = open_page(browser, TALL)
    yield tab
    tab.context.close()


def items(page, slot: int = 0) -> list[dict]:
    return page.evaluate("""(n) => [...document.querySelectorAll('storelift-recs')[n].shadowRoot
        .querySelectorAll('a[data-i]')]
        .map(a => ({id: a.dataset.i, href: a.getAttribute('href'), title: a.querySelector('.t').textContent}))""",
                         slot)


def filled_without_shift(page, url: str) -> list[dict]:
    page.goto(url)
    page.wait_for_function(FILLED, timeout=10_000)
    page.wait_for_timeout(300)  # images decode, fonts settle: any late shift would show now
    assert page.evaluate("window.__cls") == 0
    assert set(page.evaluate("window.__heights")) == {300}
    assert set(page.evaluate("() => [...document.querySelectorAll('storelift-recs')].map(el => "
                             "[el.getBoundingClientRect().height, el.shadowRoot.querySelector('.sl').scrollHeight <= 300])"
                             ".flat()")) <= {300, True}
    return items(page)


def test_blocks_fill_home_product_and_cart_then_the_clicked_block_gets_the_order(shop, page):
    store = shop.store
    home = filled_without_shift(page, shop.store_url + "/")
    assert len(home) == 12 and all(re.match(r"/products/[^?]+\?sl_rec=[A-Za-z0-9_-]{16}&sl_pos=\d+$", i["href"])
                                  for i in home)

    # A product page: the block leaves out the product itself.
    page.goto(shop.store_url + home[0]["href"])
    product_id = page.evaluate("() => document.querySelector('storelift-recs').dataset.p")
    shown = filled_without_shift(page, page.url)
    assert product_id and product_id not in {i["id"] for i in shown}

    # Click the second recommendation: the click is recorded with the block's rec_id.
    target = shown[1]
    rec_id = re.search(r"sl_rec=([A-Za-z0-9_-]+)", target["href"]).group(1)
    page.evaluate("() => document.querySelector('storelift-recs').shadowRoot.querySelectorAll('a[data-i]')[1].click()")
    page.wait_for_url(re.compile(r"sl_rec="))
    [click] = wait_for(lambda: reads.clicks(store, SHOP, rec_id))
    assert (click["product_id"], click["position"], click["strategy"]) == (target["id"], 2, "frequently_bought_together")
    assert wait_for(lambda: reads.impressions(store, SHOP, rec_id))[0]["items"] == [i["id"] for i in shown]

    # Into the cart: the cart block completes it and never repeats what is in it.
    page.wait_for_function(FILLED, timeout=10_000)
    if page.locator("form.add-to-cart button[type=submit]:not([disabled])").count() == 0:
        pytest.fail("the clicked product cannot be bought (sold out products are never recommended)")
    page.locator("form.add-to-cart button[type=submit]").click()
    page.wait_for_url(re.compile(r"/cart$"))
    cart = filled_without_shift(page, page.url)
    assert target["id"] not in {i["id"] for i in cart}

    # Checkout: the order reaches Storelift by webhook and is attributed to the block that was clicked.
    page.goto(shop.store_url + "/checkout")
    for name, text in (("email", "rec.buyer@example.com"), ("first_name", "Rec"), ("last_name", "Buyer"),
                       ("address1", "1 Main St"), ("city", "Springfield"), ("province", "OR"), ("zip", "97477")):
        page.fill(f"input[name={name}]", text)
    page.click("button[value=pay]")
    page.wait_for_load_state()
    rows = wait_for(lambda: store.rec_attribution.attributed(SHOP, 0, 2**62, DAY_MS))
    assert [(r["product_id"], r["rec_id"], r["strategy"]) for r in rows] == [
        (target["id"], rec_id, "frequently_bought_together")]
    assert page.errors == []


def test_blocks_keep_their_height_under_hostile_theme_css(shop, page):
    shop.control("theme/hostile-css", {"enabled": True})
    try:
        shown = filled_without_shift(page, shop.store_url + "/")
        assert len(shown) == 12
        style = page.evaluate("""() => { const root = document.querySelector('storelift-recs').shadowRoot;
            const cs = (s) => getComputedStyle(root.querySelector(s));
            return [cs('.t').fontSize, cs('img').width, cs('a').textDecorationLine]; }""")
        assert style == ["14px", "160px", "none"]
        assert page.errors == []
    finally:
        shop.control("theme/hostile-css", {"enabled": False})


def a_product_page(shop, page) -> str:
    page.goto(shop.store_url + "/")
    page.wait_for_function(FILLED, timeout=10_000)
    return shop.store_url + items(page)[0]["href"].split("?")[0]


def test_two_blocks_on_a_product_page_share_no_product_and_use_the_themes_font(shop, page):
    page.goto(a_product_page(shop, page))
    together = filled_without_shift(page, page.url)
    similar = items(page, 1)
    assert len(together) == 4 and len(similar) == 4
    assert not {i["id"] for i in together} & {i["id"] for i in similar}
    fonts = page.evaluate("""() => [getComputedStyle(document.body).fontFamily,
        ...[...document.querySelectorAll('storelift-recs')].flatMap(el =>
            ['.t', '.p', 'h2'].map(s => getComputedStyle(el.shadowRoot.querySelector(s)).fontFamily))]""")
    assert "Georgia" in fonts[0] and set(fonts) == {fonts[0]}  # devstore's theme font, not a system stack
    assert page.errors == []


def test_add_to_cart_from_a_card_fills_the_cart_and_counts_as_the_blocks_click(shop, page):
    store = shop.store
    page.goto(shop.store_url + "/")
    page.wait_for_function(FILLED, timeout=10_000)
    card = page.evaluate("""() => { const root = document.querySelector('storelift-recs').shadowRoot;
        const form = root.querySelector('form[action="/cart/add"]'), button = form.querySelector('button');
        return {variant: form.elements.id.value, product: button.dataset.i, n: +button.dataset.n,
                rec: root.querySelector('[data-rec]').dataset.rec,
                linked: root.querySelectorAll('li:not(.v) a[data-i]').length}; }""")
    assert card["linked"] > 0  # multi-variant products keep their link to the product page
    added_before = store.events.count(SHOP, "add_to_cart")
    page.locator("storelift-recs").first.locator(f"button[data-i='{card['product']}']").click()
    page.wait_for_url(re.compile(r"/cart$"))
    cart = page.evaluate("() => fetch('/cart.js').then(r => r.json())")
    assert [(str(i["variant_id"]), str(i["product_id"]), i["quantity"]) for i in cart["items"]] == [
        (card["variant"], card["product"], 1)]
    [click] = wait_for(lambda: reads.clicks(store, SHOP, card["rec"]))
    assert (click["product_id"], click["position"], click["strategy"]) == (card["product"], card["n"], "best_sellers")
    wait_for(lambda: store.events.count(SHOP, "add_to_cart") == added_before + 1)  # like any add to cart
    assert page.errors == []


def test_on_a_phone_the_row_scrolls_sideways_and_the_next_card_peeks_in(shop, browser):
    phone = open_page(browser, PHONE)
    try:
        shown = filled_without_shift(phone, shop.store_url + "/")
        assert len(shown) == 12
        row = phone.evaluate("""() => { const ul = document.querySelector('storelift-recs').shadowRoot.querySelector('ul');
            const box = ul.getBoundingClientRect();
            const cut = [...ul.children].map(li => li.getBoundingClientRect())
                .find(r => r.left < box.right && r.right > box.right);
            return {scrolls: ul.scrollWidth > ul.clientWidth, overflow: getComputedStyle(ul).overflowX,
                    snap: getComputedStyle(ul).scrollSnapType, peek: cut ? box.right - cut.left : 0,
                    card: cut ? cut.width : 0}; }""")
        assert row["scrolls"] and row["overflow"] == "auto" and row["snap"].startswith("x")
        assert 0.2 * row["card"] <= row["peek"] <= 0.8 * row["card"]  # visibly part of a card: there is more
        moved = phone.evaluate("""() => { const ul = document.querySelector('storelift-recs').shadowRoot
            .querySelector('ul'); ul.scrollBy({left: 200, behavior: 'instant'}); return ul.scrollLeft; }""")
        assert moved > 0
        phone.wait_for_timeout(200)
        assert phone.evaluate("window.__cls") == 0 and phone.errors == []
    finally:
        phone.context.close()


# WCAG 2.2 SC 1.4.12's text-spacing overrides (the values of the success criterion, as the W3C's
# Understanding 1.4.12 applies them), in the page and in every shadow root it opens.
TEXT_SPACING = """
const sheet = new CSSStyleSheet();
sheet.replaceSync('* { line-height: 1.5 !important; letter-spacing: .12em !important; word-spacing: .16em !important; }'
  + ' p { margin-bottom: 2em !important; }');
document.adoptedStyleSheets = [sheet];  // from the first paint on: the theme's own text never reflows
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) { const root = attach.call(this, init); root.adoptedStyleSheets = [sheet]; return root; };
"""
# Each card's title box holds whole lines (two), and its price and "Add" button stay inside the slot.
CUT_TEXT = """() => [...document.querySelectorAll('storelift-recs')].flatMap((slot) => {
  const bottom = slot.getBoundingClientRect().bottom;
  return [...slot.shadowRoot.querySelectorAll('li')].flatMap((li) => {
    const t = li.querySelector('.t'), p = li.querySelector('.p'), add = li.querySelector('button');
    const lh = parseFloat(getComputedStyle(t).lineHeight), h = t.getBoundingClientRect().height;
    const cut = [];
    if (Math.abs(h - 2 * lh) > 0.5) cut.push(['title', t.textContent, h, lh]);
    if (p.scrollHeight > p.clientHeight + 0.5 || p.getBoundingClientRect().bottom > bottom) cut.push(['price', p.textContent]);
    if (add && (add.getBoundingClientRect().bottom > bottom || add.getBoundingClientRect().top < t.getBoundingClientRect().bottom - 0.5))
      cut.push(['add', t.textContent]);
    return cut;
  });
})"""


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_titles_keep_whole_lines_under_the_wcag_text_spacing_overrides_without_layout_shift(shop, browser, device):
    tab = open_page(browser, TALL if device == "desktop" else PHONE)
    tab.context.add_init_script(TEXT_SPACING)
    try:
        for url in (shop.store_url + "/", a_product_page(shop, tab)):
            tab.goto(url)
            tab.wait_for_function(FILLED, timeout=10_000)
            tab.wait_for_timeout(300)
            assert tab.evaluate("() => getComputedStyle(document.querySelector('storelift-recs').shadowRoot"
                                ".querySelector('.t')).letterSpacing") != "normal"  # the overrides apply
            assert tab.evaluate(CUT_TEXT) == []
            assert tab.evaluate("window.__cls") == 0 and set(tab.evaluate("window.__heights")) == {300}
        assert tab.errors == []
    finally:
        tab.context.close()


def test_a_slot_in_view_when_filled_loads_its_images_eagerly(shop, browser):
    desk = open_page(browser, {"viewport": {"width": 1280, "height": 800}, "user_agent": BROWSER_UA})
    try:
        url = a_product_page(shop, desk)
        desk.goto(url)
        desk.wait_for_function(FILLED, timeout=10_000)
        in_view = desk.evaluate("""() => [...document.querySelectorAll('storelift-recs')]
            .filter(el => el.getBoundingClientRect().top < innerHeight)
            .flatMap(el => [...el.shadowRoot.querySelectorAll('img')].map(img => img.loading))""")
        assert in_view and "lazy" not in in_view
        assert desk.errors == []
    finally:
        desk.context.close()


# Each loaded card image: the width the browser chose to fetch (devstore draws what ``width`` asks, as
# tests/devstore/test_png_images.py shows; naturalWidth is in CSS pixels once srcset chose), and the
# pixels its box needs on this screen.
IMAGE_SIZES = """() => [...document.querySelectorAll('storelift-recs')].flatMap(el => [...el.shadowRoot.querySelectorAll('img')]
    .filter(img => img.complete && img.naturalWidth).map(img => [
        Number(new URL(img.currentSrc).searchParams.get('width') || 800),
        Math.ceil(img.getBoundingClientRect().width * devicePixelRatio)]))"""


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_card_images_come_at_the_size_the_screen_shows_them_not_the_products_original(shop, browser, device):
    """devstore's images are 800 px, as the platform's CDN keeps them: a card asks for what it draws."""
    tab = open_page(browser, TALL if device == "desktop" else PHONE)
    try:
        tab.goto(shop.store_url + "/")
        tab.wait_for_function(FILLED, timeout=10_000)
        tab.wait_for_function(f"({IMAGE_SIZES})().length >= 8", timeout=10_000)
        for fetched, needed in tab.evaluate(IMAGE_SIZES):
            assert needed <= fetched < 800, (fetched, needed)  # sharp, and smaller than the original
            assert fetched <= 2 * needed, (fetched, needed)  # never more than twice the pixels across
        assert tab.errors == []
    finally:
        tab.context.close()


def admin_token() -> str:
    """A session token as the platform's admin issues it to this stack's app."""
    now = int(time.time())
    claims = {"iss": f"https://{SHOP}/admin", "dest": f"https://{SHOP}", "aud": API_KEY, "sub": "42",
              "exp": now + 60, "nbf": now - 5, "iat": now - 5, "jti": "j", "sid": "s"}
    return jwt.encode(claims, SECRET, algorithm="HS256")


def test_the_merchant_picks_a_pin_by_title_and_it_leads_the_block(shop, browser, page):
    filled_without_shift(page, shop.store_url + "/")
    chosen = items(page)[5]
    admin = browser.new_context(viewport={"width": 1100, "height": 1400})
    try:
        tab = admin.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.goto(f"{shop.app_url}/admin/recommendations?id_token={admin_token()}")
        picker = tab.get_by_role("combobox", name=re.compile("Pinned products"))
        picker.fill(chosen["title"][:5].lower())
        option = tab.get_by_role("option", name=re.compile(re.escape(chosen["title"])))
        option.wait_for()
        while picker.get_attribute("aria-activedescendant") != option.get_attribute("id"):
            picker.press("ArrowDown")
        picker.press("Enter")
        chip = tab.locator("#chips-pins li")
        assert chip.get_attribute("data-id") == chosen["id"] and chip.inner_text().startswith(chosen["title"])
        tab.get_by_role("button", name="Save").click()
        tab.get_by_role("status").filter(has_text="Saved").wait_for()
        assert shop.store.settings.get(SHOP, RECOMMENDATIONS.name).data["pins"] == [chosen["id"]]
        assert filled_without_shift(page, shop.store_url + "/")[0]["id"] == chosen["id"]
        assert errors == []
    finally:
        admin.close()
        saved = shop.store.settings.get(SHOP, RECOMMENDATIONS.name).data
        shop.store.settings.save(SHOP, RECOMMENDATIONS.name, {**saved, "pins": []})
