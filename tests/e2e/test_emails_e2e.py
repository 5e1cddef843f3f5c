"""Triggered emails end to end: devstore and Storelift as real HTTP servers, Storelift's own worker thread,
and a real SMTP server (aiosmtpd); the shopper uses the storefront over HTTP and the clock is moved."""

from __future__ import annotations

import json
import re

import pytest
import requests

from plugin.clock import now_ms
from plugin.emails.settings import EMAILS
from tests.support.clock import MINUTE_MS, Clock
from tests.support.jobs import wait_for_jobs
from tests.support.mail import mailing_storefront, sign_up, until
from tests.support.signing import BROWSER_UA
from tests.support.storefront import SHOP

EMAIL = "shopper@example.com"
VISITOR = "5a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d"


@pytest.fixture
def world(tmp_path, monkeypatch):
    clock = Clock(monkeypatch)
    with mailing_storefront(tmp_path, pool=20) as (stack, mailbox):
        yield stack, mailbox, clock


def abandon_a_checkout(stack) -> requests.Session:
    shopper = requests.Session()
    shopper.headers["User-Agent"] = BROWSER_UA
    variant = requests.get(f"{stack.store_url}/_devstore/catalog", timeout=10).json()["products"][0]["variants"][0]
    assert shopper.post(f"{stack.store_url}/cart/add", data={"id": variant["id"], "quantity": 1}).status_code == 200
    assert shopper.get(f"{stack.store_url}/checkout").status_code == 200
    assert shopper.post(f"{stack.store_url}/checkout", data={"email": EMAIL, "action": "apply"}).status_code == 200
    until(lambda: stack.store.database.scalar("SELECT COUNT(*) FROM email_sends WHERE flow = 'checkout'") == 3)
    return shopper


def test_welcome_then_checkout_email_with_a_working_link_then_one_click_unsubscribe(world):
    stack, mailbox, clock = world
    code = sign_up(stack, EMAIL, VISITOR)
    welcome = mailbox.wait_for(lambda m: m.is_for(EMAIL), timeout=20)
    assert code and code in welcome.text and code in welcome.html  # the code the widget showed
    shopper = abandon_a_checkout(stack)
    clock.advance(61 * MINUTE_MS)
    mail = mailbox.wait_for(lambda m: m.is_for(EMAIL) and m.subject.startswith("Complete your order"), timeout=30)
    link = re.search(r"Complete your order: (\S+)", mail.text).group(1)
    page = shopper.get(link, timeout=10)
    assert page.status_code == 200 and "Checkout" in page.text  # the platform's checkout, with the items
    until(lambda: stack.store.capture.subscriber(SHOP, EMAIL)["sync_state"] == "done")
    unsubscribe = mail.message["List-Unsubscribe"].strip("<>")
    answer = requests.post(unsubscribe, data="List-Unsubscribe=One-Click", timeout=10,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 200
    until(lambda: not stack.store.jobs.list(status="pending", kind="emails.withdraw_consent")
          and not stack.store.jobs.list(status="processing", kind="emails.withdraw_consent"))
    assert stack.store.jobs.list(status="dead", kind="emails.withdraw_consent") == []
    customer = stack.graphql("query($e: String!) { customerByIdentifier(identifier: {emailAddress: $e}) "
                             "{ emailMarketingConsent { marketingState } } }", {"e": EMAIL})["customerByIdentifier"]
    assert customer["emailMarketingConsent"]["marketingState"] == "UNSUBSCRIBED"  # the platform heard it
    clock.advance(3 * 24 * 60 * MINUTE_MS)
    wait_for_jobs(stack.store)
    assert len(mailbox.messages(to=EMAIL)) == 2  # welcome and one checkout email: nothing after unsubscribing


def test_buying_before_the_delay_means_no_checkout_email_ever(world):
    stack, mailbox, clock = world
    sign_up(stack, EMAIL, VISITOR)
    mailbox.wait_for(lambda m: m.is_for(EMAIL), timeout=20)
    abandon_a_checkout(stack)
    variant = requests.get(f"{stack.store_url}/_devstore/catalog", timeout=10).json()["products"][0]["variants"][0]
    stack.control("orders", {"email": EMAIL, "items": [{"variant_id": variant["id"], "quantity": 1}]})
    until(lambda: stack.store.database.scalar("SELECT COUNT(*) FROM orders WHERE email = :e AND created_at > :t",
                                              {"e": EMAIL, "t": now_ms() - 3_600_000}))
    clock.advance(3 * 24 * 60 * MINUTE_MS)
    until(lambda: stack.store.database.scalar(
        "SELECT COUNT(*) FROM email_sends WHERE flow = 'checkout' AND status = 'skipped'") == 3, timeout=30)
    assert [m.subject for m in mailbox.messages(to=EMAIL)] == [mailbox.messages(to=EMAIL)[0].subject]  # welcome only



def shop_with_items_in_a_cart(stack) -> requests.Session:
    """The signed-up shopper's browser puts an item in the cart; its loader tells Storelift the cart token
    (an event batch), so the next cart webhook plans the abandoned-cart emails for their address."""
    shopper = requests.Session()
    shopper.headers["User-Agent"] = BROWSER_UA
    product = requests.get(f"{stack.store_url}/_devstore/catalog", timeout=10).json()["products"][0]
    add = {"id": product["variants"][0]["id"], "quantity": 1}
    assert shopper.post(f"{stack.store_url}/cart/add", data=add).status_code == 200
    batch = {"v": VISITOR, "s": "5a2b1c0d-0000-4000-8000-000000000001", "p": "/cart", "k": shopper.cookies["cart"],
             "e": [["add_to_cart", {"i": str(product["id"])}]]}
    answer = requests.post(f"{stack.store_url}/apps/storelift/events", data=json.dumps(batch), timeout=10,
                           headers={"User-Agent": BROWSER_UA, "Content-Type": "text/plain"})
    assert answer.status_code == 204, answer.text
    assert shopper.post(f"{stack.store_url}/cart/add", data=add).status_code == 200
    until(lambda: stack.store.database.scalar("SELECT COUNT(*) FROM email_sends WHERE flow = 'cart'") == 3)
    return shopper


def emails_settings(stack, **sections) -> None:
    settings = EMAILS.read(stack.store, SHOP)[0]
    for name, values in sections.items():
        settings[name] = {**settings[name], **values}
    EMAILS.save(stack.store, SHOP, settings)


def reason(stack, flow: str, step: int) -> str | None:
    return stack.store.database.scalar("SELECT reason FROM email_sends WHERE flow = :flow AND step = :step",
                                       {"flow": flow, "step": step})


def test_cart_and_checkout_abandoned_together_bring_only_the_checkout_email_within_the_budget(world):
    stack, mailbox, clock = world
    flows = EMAILS.read(stack.store, SHOP)[0]["flows"]
    emails_settings(stack, flows={"cart": {**flows["cart"], "delays_minutes": [60, 600, 2880]}})
    sign_up(stack, EMAIL, VISITOR)
    mailbox.wait_for(lambda m: m.is_for(EMAIL), timeout=20)
    shopper = shop_with_items_in_a_cart(stack)
    assert shopper.get(f"{stack.store_url}/checkout").status_code == 200
    assert shopper.post(f"{stack.store_url}/checkout", data={"email": EMAIL, "action": "apply"}).status_code == 200
    until(lambda: stack.store.database.scalar("SELECT COUNT(*) FROM email_sends WHERE flow = 'checkout'") == 3)
    clock.advance(61 * MINUTE_MS)
    mailbox.wait_for(lambda m: m.is_for(EMAIL) and m.subject.startswith("Complete your order"), timeout=30)
    until(lambda: reason(stack, "cart", 1) == "budget: the checkout email comes first", timeout=30)
    clock.advance(9 * 60 * MINUTE_MS)  # the cart's second email is due 9 h after the checkout email
    until(lambda: reason(stack, "cart", 2) == "budget: emailed in the last 16 h", timeout=30)
    assert [m.subject for m in mailbox.messages(to=EMAIL)][0].startswith("Complete your order")
    assert len(mailbox.messages(to=EMAIL)) == 2  # the welcome and one checkout email


def test_an_email_due_in_quiet_hours_waits_until_morning(world):
    stack, mailbox, clock = world
    emails_settings(stack, budget={"quiet_from_hour": 21, "quiet_until_hour": 8, "timezone": "UTC"})
    clock.to_utc_hour(22)
    sign_up(stack, EMAIL, VISITOR)  # the welcome email is due at once: it waits too
    abandon_a_checkout(stack)
    clock.advance(61 * MINUTE_MS)
    until(lambda: reason(stack, "checkout", 1) == "quiet hours until 08:00 (UTC)", timeout=30)
    assert mailbox.messages(to=EMAIL) == []
    clock.to_utc_hour(8)
    clock.advance(1_000)
    mailbox.wait_for(lambda m: m.is_for(EMAIL) and m.subject.startswith("Complete your order"), timeout=30)


def test_a_permanent_refusal_suppresses_the_address_and_script_in_merchant_texts_stays_inert(world):
    stack, mailbox, clock = world
    flows = EMAILS.read(stack.store, SHOP)[0]["flows"]
    script = "<script>alert('x')</script>"
    emails_settings(stack, flows={"welcome": {**flows["welcome"], "texts": {
        **flows["welcome"]["texts"], "heading": "Hi " + script, "body": "Welcome " + script}}})
    sign_up(stack, EMAIL, VISITOR)
    welcome = mailbox.wait_for(lambda m: m.is_for(EMAIL), timeout=20)
    assert script not in welcome.html and "&lt;script&gt;" in welcome.html and script in welcome.text
    mailbox.fail(EMAIL, 550)
    abandon_a_checkout(stack)
    clock.advance(61 * MINUTE_MS)
    until(lambda: stack.store.emails.suppression(SHOP, EMAIL) is not None, timeout=30)
    assert stack.store.emails.suppression(SHOP, EMAIL)["reason"].startswith("refused by the mail server: 550")
    assert len(mailbox.messages(to=EMAIL)) == 1  # the welcome only
