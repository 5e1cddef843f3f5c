"""Recommendations chosen when the email is opened: PNG cards for the person as they are at the first open,
kept 24 h, never a product they bought since the send; each slot's link leads to what its image showed,
carrying a token that joins the browser it lands in to the person (the "Triggered Email Booster")."""

from __future__ import annotations

import io
import json
import re

import responses
from PIL import Image
from responses import matchers

from plugin.clock import now_ms
from plugin.emails import flows
from plugin.people import identity
from plugin.emails.cards import CARD_HEIGHT, CARD_WIDTH, IMAGE_SIDE
from plugin.store.commerce import Line, Order, Product, Variant

from ..support.app import SECRET, SHOP
from ..support.signing import BROWSER_UA, signed
from .conftest import BUYER, MINUTE_MS, checkout

TITLES = {"p2": "Green hat", "p3": "Red scarf", "p4": "Wool socks", "p5": "Rain coat", "p6": "Tote bag"}


def catalog_and_history(store) -> None:
    """Five more products, and other shoppers' orders that make p2 the best seller."""
    for n, (product, title) in enumerate(TITLES.items()):
        store.commerce.upsert_product(SHOP, Product(
            product_id=product, source_updated_at=1, title=title, status="active", published_at=1,
            url=f"/products/{product}", variants=(Variant(f"v{product}", price=f"{10 + n}.00", inventory_quantity=9),)))
    for n in range(12):
        bought = ["p2"] + (["p3"] if n % 2 else ["p4"])
        store.commerce.upsert_order(SHOP, Order(order_id=f"o{n}", source_updated_at=1, email=f"other{n}@example.com",
                                                created_at=now_ms() - 86_400_000, lines=tuple(
            Line(quantity=1, product_id=p, variant_id=f"v{p}", price="10.00", title=TITLES[p]) for p in bought)))


def sent_checkout_email(shop, worker, mailbox, clock):
    catalog_and_history(shop)
    checkout(shop)
    flows.on_checkout(shop, SHOP, "c1", now_ms())
    clock.advance(61 * MINUTE_MS)
    worker.run_until_idle()
    [mail] = mailbox.messages()
    images = re.findall(r'src="https://storelift\.test(/email/o/[^"]+\.png)"', mail.html)
    links = re.findall(r'href="https://storelift\.test(/email/c/[^"]+)"', mail.html)
    return mail, images, links


def test_slot_images_are_cards_chosen_at_the_first_open_and_kept(mail_app, shop, worker, mailbox, clock):
    mail, images, links = sent_checkout_email(shop, worker, mailbox, clock)
    assert len(images) == len(links) == 2
    client = mail_app.test_client()
    first = client.get(images[0])
    assert first.status_code == 200 and first.mimetype == "image/png" and first.headers["Cache-Control"] == "no-cache"
    assert Image.open(io.BytesIO(first.data)).size == (CARD_WIDTH, CARD_HEIGHT)
    chosen = shop.emails.slots(SHOP, 1)
    assert len(chosen) == 2 and "p1" not in {p for p, _ in chosen.values()}  # the checkout's own item is not pushed
    assert client.get(images[0]).data == first.data  # a repeat open: the same choice, the same card
    clock.advance(60 * MINUTE_MS)
    client.get(images[1])
    assert shop.emails.slots(SHOP, 1) == chosen  # kept for 24 h
    clock.advance(24 * 60 * MINUTE_MS)
    client.get(images[1])
    assert {at for _, at in shop.emails.slots(SHOP, 1).values()} != {at for _, at in chosen.values()}  # chosen anew


def test_a_slot_link_leads_to_the_product_its_image_showed_and_counts_the_click(mail_app, shop, worker, mailbox, clock):
    _, images, links = sent_checkout_email(shop, worker, mailbox, clock)
    client = mail_app.test_client()
    client.get(images[1])
    product = shop.emails.slots(SHOP, 1)[2][0]
    answer = client.get(links[1])
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith(f"https://{SHOP}/products/{product}?sl_t=")
    assert shop.emails.clicks(SHOP) == {"checkout": 1}


def test_landing_from_an_email_link_on_another_device_joins_that_browser_to_the_person(
        mail_app, shop, worker, mailbox, clock):
    _, images, links = sent_checkout_email(shop, worker, mailbox, clock)
    client = mail_app.test_client()
    landing = client.get(links[0]).headers["Location"]  # the phone opens the email and taps a product
    page = landing.removeprefix(f"https://{SHOP}")
    phone, stranger = "1c9e6679-7425-40de-944b-e07fc1f90ae7", "2c9e6679-7425-40de-944b-e07fc1f90ae7"
    for visitor, path in ((phone, page), (stranger, page.split("sl_t=")[0] + "sl_t=forged.token.value")):
        body = {"v": visitor, "s": visitor, "p": path, "e": [["page_view", {}]]}
        answer = client.post(signed("/proxy/events", SHOP, SECRET), data=json.dumps(body),
                             headers={"User-Agent": BROWSER_UA, "Content-Type": "text/plain;charset=UTF-8"})
        assert answer.status_code == 204, answer.json
    assert shop.identities.visitor(SHOP, phone)["email"] == BUYER
    assert shop.identities.visitor(SHOP, stranger)["email"] is None
    assert shop.database.scalar("SELECT path FROM storefront_events WHERE visitor_id = :v", {"v": phone}) == \
        page.split("?")[0]  # only the path is kept


def test_a_product_bought_after_the_send_is_not_shown_at_the_first_open(mail_app, shop, worker, mailbox, clock):
    _, images, _ = sent_checkout_email(shop, worker, mailbox, clock)
    shop.commerce.upsert_order(SHOP, Order(order_id="mine", source_updated_at=1, email=BUYER, created_at=now_ms(),
                                           lines=(Line(quantity=1, product_id="p2", variant_id="vp2", price="10.00",
                                                       title="Green hat"),)))
    client = mail_app.test_client()
    assert client.get(images[0]).status_code == 200
    assert "p2" not in {product for product, _ in shop.emails.slots(SHOP, 1).values()}


def test_a_forged_or_foreign_slot_link_is_not_found(mail_app, shop, worker, mailbox, clock):
    _, images, links = sent_checkout_email(shop, worker, mailbox, clock)
    client = mail_app.test_client()
    assert client.get(images[0].replace("/1.png", "/3.png")).status_code == 404  # a checkout email has two
    assert client.get("/email/o/not-a-token/1.png").status_code == 404
    assert client.get(links[0][:-5] + "XXXX/1").status_code == 404
    assert shop.emails.clicks(SHOP) == {}


def test_the_products_follow_what_the_person_looked_at_in_the_store(mail_app, shop, worker, mailbox, clock):
    """One profile in every channel: a product viewed on the person's phone shapes the email's for-you."""
    phone = "3c9e6679-7425-40de-944b-e07fc1f90ae7"
    identity.observe(shop, SHOP, phone, now_ms(), email=BUYER)  # the phone signed up with the pop-up
    catalog_and_history(shop)
    for n in range(3):  # other shoppers buy the socks with the rain coat: neighbours, not best sellers
        shop.commerce.upsert_order(SHOP, Order(
            order_id=f"pair{n}", source_updated_at=1, email=f"pair{n}@example.com", created_at=now_ms() - 86_400_000,
            lines=tuple(Line(quantity=1, product_id=p, variant_id=f"v{p}", price="10.00", title=TITLES[p])
                        for p in ("p4", "p5"))))
    body = {"v": phone, "s": phone, "p": "/products/p5", "e": [["product_view", {"i": "p5"}]]}
    answer = mail_app.test_client().post(signed("/proxy/events", SHOP, SECRET), data=json.dumps(body), headers={
        "User-Agent": BROWSER_UA, "Content-Type": "text/plain;charset=UTF-8"})
    assert answer.status_code == 204, answer.json
    checkout(shop)
    flows.on_checkout(shop, SHOP, "c1", now_ms())
    clock.advance(61 * MINUTE_MS)
    worker.run_until_idle()
    [mail] = mailbox.messages()
    image = re.findall(r'src="https://storelift\.test(/email/o/[^"]+\.png)"', mail.html)[0]
    assert mail_app.test_client().get(image).status_code == 200
    assert shop.emails.slots(SHOP, 1)[1][0] == "p4"  # the best seller p2 would lead without the viewed coat


def test_a_cards_product_image_is_fetched_from_the_cdn_at_the_size_the_card_draws(
        mail_app, shop, worker, mailbox, clock):
    """The card draws the image 280 px wide: the open fetches that, not the 2,048 px original."""
    shop.commerce.upsert_product(SHOP, Product(  # newer than catalog_and_history's p2, so it is kept
        product_id="p2", source_updated_at=2, title="Green hat", status="active", published_at=1, url="/products/p2",
        image_src="https://cdn.shopify.com/s/files/1/hat.png?v=3",
        variants=(Variant("vp2", price="10.00", inventory_quantity=9),)))
    _, images, _ = sent_checkout_email(shop, worker, mailbox, clock)
    picture = io.BytesIO()
    Image.new("RGB", (280, 280), "#2a9d8f").save(picture, "PNG")
    with responses.RequestsMock() as platform:
        platform.get("https://cdn.shopify.com/s/files/1/hat.png", body=picture.getvalue(), content_type="image/png",
                     match=[matchers.query_param_matcher({"v": "3", "width": str(IMAGE_SIDE)})])
        assert mail_app.test_client().get(images[0]).status_code == 200  # p2, the best seller, fills the first slot
        assert len(platform.calls) == 1


def test_the_text_parts_link_leads_to_the_product_it_names_even_after_an_open_chose_another(
        mail_app, shop, worker, mailbox, clock):
    """The text part names the send's picks; an open of the HTML part may choose others since (here p2,
    bought after the send). A link that says "Green hat" must still lead to the green hat."""
    mail, images, _ = sent_checkout_email(shop, worker, mailbox, clock)
    named = dict(re.findall(r"^(.+): https://storelift\.test(/email/p/\S+)$", mail.text, re.M))
    assert "Green hat" in named and len(named) == 2  # p2, the best seller, is a pick at send time
    shop.commerce.upsert_order(SHOP, Order(order_id="mine", source_updated_at=1, email=BUYER, created_at=now_ms(),
                                           lines=(Line(quantity=1, product_id="p2", variant_id="vp2", price="10.00",
                                                       title="Green hat"),)))
    client = mail_app.test_client()
    client.get(images[0])
    assert "p2" not in {product for product, _ in shop.emails.slots(SHOP, 1).values()}  # the open chose another
    answer = client.get(named["Green hat"])
    assert answer.status_code == 302 and answer.headers["Location"].startswith(f"https://{SHOP}/products/p2?sl_t=")
    assert shop.emails.clicks(SHOP) == {"checkout": 1}
    slot_and_token = named["Green hat"].rsplit("/", 1)[0]
    assert client.get(slot_and_token + "/no%20such").status_code == 404  # not a product id
    assert client.get(slot_and_token.replace("/email/p/", "/email/p/forged") + "/p2").status_code == 404
    gone = client.get(slot_and_token + "/p999")  # a product the shop no longer shows: the storefront
    assert gone.status_code == 302 and gone.headers["Location"].startswith(f"https://{SHOP}/?sl_t=")
