"""Triggered emails end to end: devstore and Storelift as real HTTP servers, Storelift's own worker thread,
and a real SMTP server (aiosmtpd); the shopper uses the storefront over HTTP and the clock is moved."""

from __future__ import annotations

import re

import pytest
import requests

from plugin.clock import now_ms
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
