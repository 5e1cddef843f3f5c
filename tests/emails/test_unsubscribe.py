"""One-click unsubscribe (RFC 8058): a POST to the header's URL stops all email at once, idempotently, and
withdraws the platform customer's consent; a GET (mail scanners prefetch links) changes nothing."""

from __future__ import annotations

import json

import responses

from plugin.clock import now_ms
from plugin.emails import flows
from plugin.emails.tokens import Holder, issue
from plugin.emails.unsubscribe import CONSENT_KIND

from ..support.app import SECRET, SHOP
from .conftest import BUYER, MINUTE_MS, checkout, sends

GRAPHQL = f"https://{SHOP}/admin/api/2026-10/graphql.json"


def _first_email(shop, worker, mailbox, clock):
    checkout(shop)
    flows.on_checkout(shop, SHOP, "c1", now_ms())
    clock.advance(61 * MINUTE_MS)
    worker.run_until_idle()
    [mail] = mailbox.messages(to=BUYER)
    return mail.message["List-Unsubscribe"].strip("<>").replace("https://storelift.test", "")


def test_the_one_click_post_unsubscribes_at_once_and_again_harmlessly(mail_app, shop, worker, mailbox, clock):
    path = _first_email(shop, worker, mailbox, clock)
    client = mail_app.test_client()
    for _ in range(2):
        answer = client.post(path, data="List-Unsubscribe=One-Click",
                             content_type="application/x-www-form-urlencoded")
        assert answer.status_code == 200 and b"You are unsubscribed" in answer.data
    assert shop.emails.suppression(SHOP, BUYER)["reason"] == "unsubscribed"
    assert [s[2:] for s in sends(shop)] == [("sent", None), ("skipped", "unsubscribed"), ("skipped", "unsubscribed")]
    assert [job["kind"] for job in shop.jobs.list(status="pending", kind=CONSENT_KIND)] == [CONSENT_KIND]
    clock.advance(3 * 24 * 60 * MINUTE_MS)
    with responses.RequestsMock() as platform:
        platform.post(GRAPHQL, json={"data": {"customerByIdentifier": {"id": "gid://shopify/Customer/501"}}})
        platform.post(GRAPHQL, json={"data": {"customerEmailMarketingConsentUpdate": {
            "customer": {"id": "gid://shopify/Customer/501"}, "userErrors": []}}})
        worker.run_until_idle()
        withdrawn = json.loads(platform.calls[1].request.body)["variables"]["input"]
    assert withdrawn["customerId"] == "gid://shopify/Customer/501"
    assert withdrawn["emailMarketingConsent"]["marketingState"] == "UNSUBSCRIBED"
    assert len(mailbox.messages()) == 1


def test_opening_the_link_shows_a_button_and_changes_nothing(mail_app, shop, worker, mailbox, clock):
    path = _first_email(shop, worker, mailbox, clock)
    page = mail_app.test_client().get(path)
    assert page.status_code == 200 and b'<form method="post">' in page.data and BUYER.encode() not in page.data
    assert shop.emails.suppression(SHOP, BUYER) is None


def test_a_forged_damaged_or_misused_token_is_refused_and_changes_nothing(mail_app, shop, worker, mailbox, clock):
    path = _first_email(shop, worker, mailbox, clock)
    client = mail_app.test_client()
    send_id = shop.database.scalar("SELECT id FROM email_sends WHERE step = 1")
    forged = issue(("not-our-secret",), "unsubscribe", Holder(SHOP, send_id))
    other_purpose = issue((SECRET,), "link", Holder(SHOP, send_id))
    for bad in (f"/email/u/{forged}", path[:-3], f"/email/u/{other_purpose}", "/email/u/" + "A" * 4000):
        answer = client.post(bad, data="List-Unsubscribe=One-Click")
        assert answer.status_code == 400 and b"does not work" in answer.data
    assert shop.emails.suppression(SHOP, BUYER) is None
