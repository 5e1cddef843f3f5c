"""Triggered emails end to end in one process: planned from a trigger, checked again when due, rendered,
signed and handed to a real SMTP server (aiosmtpd), with the clock moved instead of waited for."""

from __future__ import annotations

from email import message_from_bytes, policy

import dkim

from plugin.clock import now_ms
from plugin.emails import flows
from plugin.emails.dkim_keys import generate, txt_record
from plugin.store.commerce import Customer, Order

from ..support.app import SHOP
from .conftest import BUYER, CHECKOUT_URL, MINUTE_MS, SENDER, checkout, save_settings, sends


def test_an_abandoned_checkout_gets_its_email_with_items_and_a_working_link(shop, worker, mailbox, clock):
    checkout(shop)
    assert len(flows.on_checkout(shop, SHOP, "c1", now_ms())) == 3
    worker.run_until_idle()
    assert mailbox.messages() == []  # not due yet
    clock.advance(61 * MINUTE_MS)
    worker.run_until_idle()
    [mail] = mailbox.messages(to=BUYER)
    assert mail.subject == "Complete your order at Test Shop"
    assert CHECKOUT_URL.replace("&", "&amp;") in mail.html or CHECKOUT_URL in mail.html
    assert "Blue shirt" in mail.html and "$19.90" in mail.text and CHECKOUT_URL in mail.text
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail.message["List-Unsubscribe"].startswith("<https://storelift.test/email/u/")
    assert "1 Main St" in mail.text and "Springfield" in mail.html
    assert sends(shop)[0] == ("checkout", 1, "sent", None)


def test_a_purchase_before_the_delay_means_no_email_ever(shop, worker, mailbox, clock):
    checkout(shop)
    flows.on_checkout(shop, SHOP, "c1", now_ms())
    clock.advance(10 * MINUTE_MS)
    shop.commerce.upsert_order(SHOP, Order(order_id="9001", source_updated_at=now_ms(), email=BUYER,
                                           created_at=now_ms()))
    clock.advance(3 * 24 * 60 * MINUTE_MS)
    worker.run_until_idle()
    assert mailbox.messages() == []
    assert [(flow, status, reason) for flow, _, status, reason in sends(shop)] == [
        ("checkout", "skipped", "ordered since")] * 3


def test_cart_and_checkout_abandoned_together_send_only_the_checkout_email(shop, worker, mailbox, clock):
    shop.commerce.upsert_cart(SHOP, _cart("k1"))
    checkout(shop, cart_token="k1")
    flows.on_cart(shop, SHOP, "k1", now_ms())
    flows.on_checkout(shop, SHOP, "c1", now_ms())
    clock.advance(61 * MINUTE_MS)
    worker.run_until_idle()
    assert [m.subject for m in mailbox.messages()] == ["Complete your order at Test Shop"]
    assert ("cart", 1, "skipped", "budget: the checkout email comes first") in sends(shop)
    clock.advance(12 * 60 * MINUTE_MS)  # 13 h after the first: inside the 16 h budget
    worker.run_until_idle()
    assert len(mailbox.messages()) == 1


def test_quiet_hours_hold_a_due_email_until_morning_in_the_shop_s_zone(shop, worker, mailbox, clock):
    save_settings(shop, budget={"quiet_from_hour": 21, "quiet_until_hour": 8, "timezone": "UTC"})
    clock.to_utc_hour(22)
    checkout(shop)
    flows.on_checkout(shop, SHOP, "c1", now_ms())
    clock.advance(61 * MINUTE_MS)
    worker.run_until_idle()
    assert mailbox.messages() == []
    assert sends(shop)[0][2:] == ("scheduled", "quiet hours until 08:00 (UTC)")
    clock.to_utc_hour(8)
    clock.advance(1_000)
    worker.run_until_idle()
    assert len(mailbox.messages()) == 1


def test_without_a_zone_in_the_budget_quiet_hours_keep_the_shop_s_own_zone(shop, worker, mailbox, clock):
    shop.shops.save_profile(SHOP, name="Test Shop", iana_timezone="America/New_York", currency="USD")
    save_settings(shop, budget={"quiet_from_hour": 21, "quiet_until_hour": 8, "timezone": ""})
    clock.to_utc_hour(3)  # 22:00 or 23:00 in New York, whichever the date's offset is
    checkout(shop)
    flows.on_checkout(shop, SHOP, "c1", now_ms())
    clock.advance(61 * MINUTE_MS)
    worker.run_until_idle()
    assert mailbox.messages() == []
    assert sends(shop)[0][2:] == ("scheduled", "quiet hours until 08:00 (America/New_York)")


def test_a_shopper_whose_address_places_them_keeps_their_own_quiet_hours(shop, worker, mailbox, clock):
    shop.commerce.upsert_customer(SHOP, Customer(customer_id="501", source_updated_at=2, email=BUYER,
                                                 first_name="Ada", marketing_state="subscribed", country_code="DE"))
    save_settings(shop, budget={"quiet_from_hour": 21, "quiet_until_hour": 8, "timezone": "America/New_York"})
    clock.to_utc_hour(22)  # 23:00 or midnight in Berlin; 17:00 or 18:00 in New York
    checkout(shop)
    flows.on_checkout(shop, SHOP, "c1", now_ms())
    clock.advance(61 * MINUTE_MS)
    worker.run_until_idle()
    assert mailbox.messages() == []
    assert sends(shop)[0][2:] == ("scheduled", "quiet hours until 08:00 (Europe/Berlin)")


def test_an_order_under_the_shopper_s_customer_id_with_another_address_ends_the_flow(shop, worker, mailbox, clock):
    checkout(shop)
    flows.on_checkout(shop, SHOP, "c1", now_ms())
    shop.commerce.upsert_order(SHOP, Order(order_id="o9", source_updated_at=now_ms(), email="ada.work@example.com",
                                           customer_id="501", currency="USD", created_at=now_ms()))
    clock.advance(61 * MINUTE_MS)
    worker.run_until_idle()
    assert mailbox.messages() == [] and sends(shop)[0][2:] == ("skipped", "ordered since")


def test_the_platform_s_shop_name_is_the_email_s_shop(shop, worker, mailbox, clock):
    shop.shops.save_profile(SHOP, name="Ada's <Goods>", iana_timezone=None, currency=None)
    save_settings(shop, sender={"name": "{shop}"})
    checkout(shop)
    flows.on_checkout(shop, SHOP, "c1", now_ms())
    clock.advance(61 * MINUTE_MS)
    worker.run_until_idle()
    [mail] = mailbox.messages(to=BUYER)
    assert mail.subject == "Complete your order at Ada's <Goods>"
    assert mail.message["From"].addresses[0].display_name == "Ada's <Goods>"
    assert "Ada&#39;s &lt;Goods&gt;" in mail.html or "Ada's &lt;Goods&gt;" in mail.html


def test_a_permanent_refusal_suppresses_the_address_and_its_later_steps(shop, worker, mailbox, clock):
    mailbox.fail(BUYER, code=550)
    checkout(shop)
    flows.on_checkout(shop, SHOP, "c1", now_ms())
    clock.advance(61 * MINUTE_MS)
    worker.run_until_idle()
    assert shop.emails.suppression(SHOP, BUYER)["reason"].startswith("refused by the mail server: 550")
    assert sends(shop)[0][2] == "failed"
    clock.advance(2 * 24 * 60 * MINUTE_MS)
    worker.run_until_idle()
    assert [s[2:] for s in sends(shop)[1:]] == [("skipped", "suppressed: " + shop.emails.suppression(
        SHOP, BUYER)["reason"])] * 2


def test_a_transient_refusal_is_tried_again_later(shop, worker, mailbox, clock):
    mailbox.fail(BUYER, code=451, times=1)
    checkout(shop)
    flows.on_checkout(shop, SHOP, "c1", now_ms())
    clock.advance(61 * MINUTE_MS)
    worker.run_until_idle()
    assert mailbox.messages() == [] and sends(shop)[0][2] == "scheduled"
    clock.advance(2 * MINUTE_MS)
    worker.run_until_idle()
    assert len(mailbox.messages(to=BUYER)) == 1 and sends(shop)[0][2] == "sent"


def test_a_step_left_sending_by_a_stopped_worker_is_never_sent_again(shop, worker, mailbox, clock):
    checkout(shop)
    [first, *_] = flows.on_checkout(shop, SHOP, "c1", now_ms())
    clock.advance(61 * MINUTE_MS)
    assert shop.emails.begin_sending(SHOP, first, now_ms(), message_id="m@x", code=None)  # then the worker died
    worker.run_until_idle()
    assert mailbox.messages() == []
    assert sends(shop)[0][2:] == ("unknown", "the worker stopped while handing it to the mail server")


def test_script_in_merchant_texts_is_inert_in_both_parts(shop, worker, mailbox, clock):
    attack = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    texts = {"subject": "Hi " + attack, "heading": attack, "body": attack, "button": "Go <b>now</b>"}
    save_settings(shop, flows={**_flows(shop), "checkout": {**_flows(shop)["checkout"], "texts": {
        **_flows(shop)["checkout"]["texts"], **texts}}})
    checkout(shop)
    flows.on_checkout(shop, SHOP, "c1", now_ms())
    clock.advance(61 * MINUTE_MS)
    worker.run_until_idle()
    [mail] = mailbox.messages()
    assert "<script" not in mail.html and "<img src=x" not in mail.html and "&lt;script&gt;" in mail.html
    assert attack in mail.text


def test_the_message_is_dkim_signed_over_both_unsubscribe_headers(shop, worker, mailbox, clock):
    pair = generate()
    shop.emails.save_dkim_key(SHOP, domain=SENDER.split("@")[1], selector="sl", private_pem=pair.private_pem.decode(),
                              public_b64=pair.public_b64, now=now_ms())
    checkout(shop)
    flows.on_checkout(shop, SHOP, "c1", now_ms())
    clock.advance(61 * MINUTE_MS)
    worker.run_until_idle()
    [mail] = mailbox.messages()
    name, value = txt_record("sl", SENDER.split("@")[1], pair.public_b64)
    assert dkim.verify(mail.raw, dnsfunc=lambda asked, timeout=5: value.encode() if asked.decode().rstrip(".") == name
                       else None)
    signature = message_from_bytes(mail.raw, policy=policy.default)["DKIM-Signature"]
    signed = {h.strip().lower() for h in signature.split("h=")[1].split(";")[0].split(":")}
    assert {"list-unsubscribe", "list-unsubscribe-post", "from", "to", "subject", "date", "message-id"} <= signed


def _flows(store) -> dict:
    from plugin.emails.settings import EMAILS
    return EMAILS.read(store, SHOP)[0]["flows"]


def _cart(token: str):
    from plugin.store.commerce import Cart, Line
    return Cart(cart_token=token, source_updated_at=now_ms(), created_at=now_ms(),
                lines=(Line(quantity=1, product_id="p1", variant_id="v1", price="19.90", title="Blue shirt"),))


def test_item_links_and_images_given_as_paths_point_at_the_storefront(shop, worker, mailbox, clock):
    from plugin.store.commerce import Product, Variant
    shop.commerce.upsert_product(SHOP, Product(
        product_id="p1", source_updated_at=2, title="Blue shirt", status="active", image_src="/cdn/blue.png",
        url="/products/blue", variants=(Variant("v1", price="19.90", inventory_quantity=5),)))
    checkout(shop)
    flows.on_checkout(shop, SHOP, "c1", now_ms())
    clock.advance(61 * MINUTE_MS)
    worker.run_until_idle()
    [mail] = mailbox.messages()
    assert f'href="https://{SHOP}/products/blue"' in mail.html and f'src="https://{SHOP}/cdn/blue.png"' in mail.html


def test_a_lines_image_on_the_platforms_cdn_is_asked_for_at_twice_the_size_it_shows(shop, worker, mailbox, clock):
    """Shown at 64 px: a 2,048 px product photo would make the email slow to open on a phone."""
    from plugin.store.commerce import Product, Variant
    shop.commerce.upsert_product(SHOP, Product(
        product_id="p1", source_updated_at=2, title="Blue shirt", status="active",
        image_src="https://cdn.shopify.com/s/files/1/blue.png?v=3", url="/products/blue",
        variants=(Variant("v1", price="19.90", inventory_quantity=5),)))
    checkout(shop)
    flows.on_checkout(shop, SHOP, "c1", now_ms())
    clock.advance(61 * MINUTE_MS)
    worker.run_until_idle()
    [mail] = mailbox.messages()
    assert 'src="https://cdn.shopify.com/s/files/1/blue.png?v=3&amp;width=128"' in mail.html


def test_a_checkout_whose_items_sold_out_is_not_mailed(shop, worker, mailbox, clock):
    from plugin.store.commerce import Product, Variant
    shop.commerce.upsert_product(SHOP, Product(product_id="p1", source_updated_at=2, title="Blue shirt",
                                               status="active", variants=(Variant("v1", inventory_quantity=0),)))
    checkout(shop)
    flows.on_checkout(shop, SHOP, "c1", now_ms())
    clock.advance(61 * MINUTE_MS)
    worker.run_until_idle()
    assert mailbox.messages() == [] and sends(shop)[0][2:] == ("skipped", "nothing left in stock")
