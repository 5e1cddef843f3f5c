"""An email link opened in a fresh browser (the shopper's phone) joins that browser to the person the email
went to: the phone's recommendations know what the laptop viewed, the phone's browsing brings their
browse-abandonment email, and the email's open-time images
come back as PNG cards (that they leave out what was bought since is tests/emails/test_opens.py)."""

from __future__ import annotations

import json
import re

import pytest
import requests

from plugin.clock import now_ms
from plugin.emails.triggers import plan_due
from plugin.platform.pull import sync_shop
from tests.support.browser import CLS_PROBE
from tests.support.clock import MINUTE_MS, Clock
from tests.support.jobs import wait_for_jobs
from tests.support.mail import mailing_storefront, sign_up, until
from tests.support.signing import BROWSER_UA
from tests.support.storefront import SHOP

EMAIL = "phone.reader@example.com"
LAPTOP = "6a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d"


@pytest.fixture
def world(tmp_path, monkeypatch):
    clock = Clock(monkeypatch)
    with mailing_storefront(tmp_path, pool=10) as (stack, mailbox):
        sync_shop(stack.config, stack.store, SHOP)  # the catalog and order history the slots choose from
        yield stack, mailbox, clock


def test_an_email_link_opened_on_another_device_joins_it_to_the_person(world, browser):
    stack, mailbox, clock = world
    viewed = stack.store.database.scalar("SELECT product_id FROM products ORDER BY product_id LIMIT 1")
    on_laptop = {"v": LAPTOP, "s": LAPTOP, "p": "/products/x", "e": [["product_view", {"i": viewed}]]}
    assert requests.post(f"{stack.store_url}/apps/storelift/events", data=json.dumps(on_laptop), timeout=10,
                         headers={"User-Agent": BROWSER_UA, "Content-Type": "text/plain"}).status_code == 204
    sign_up(stack, EMAIL, LAPTOP)
    welcome = mailbox.wait_for(lambda m: m.is_for(EMAIL), timeout=20)
    link = re.search(r"Start shopping: (\S+)", welcome.text).group(1)
    assert "sl_t=" in link
    images = re.findall(r'src="(http://127\.0\.0\.1:\d+/email/o/[^"]+\.png)"', welcome.html)
    assert images, "the welcome email has open-time recommendation slots"

    phone = browser.new_context(viewport={"width": 390, "height": 844}, user_agent=BROWSER_UA)
    phone.add_init_script(CLS_PROBE)
    page = phone.new_page()
    page.goto(link)
    person = stack.store.identities.person_by_email(SHOP, EMAIL)["person_id"]
    joined = until(lambda: [v for v in stack.store.identities.visitor_ids(SHOP, person) if v != LAPTOP])
    assert len(joined) == 1  # the phone's own visitor id, now the reader's
    recent = requests.get(f"{stack.store_url}/apps/storelift/recommendations", timeout=10,
                          params={"visitor_id": joined[0], "block": "recently_viewed"},
                          headers={"User-Agent": BROWSER_UA, "Accept": "application/json"}).json()
    assert viewed in [item["product_id"] for item in recent["items"]]  # what the laptop viewed, on the phone

    product = re.findall(r'href="(/products/[^"?]+)"', page.content())[0]
    page.goto(stack.store_url + product)  # browses on the phone, adds nothing, leaves
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")
    until(lambda: stack.store.database.scalar(
        "SELECT COUNT(*) FROM storefront_events WHERE visitor_id = :v AND type = 'product_view'", {"v": joined[0]}))
    clock.advance(31 * MINUTE_MS)  # the session has ended
    # What the runner's periodic step does each minute: both devices' sessions left without a cart.
    assert plan_due(stack.store, SHOP, now_ms()) == 2
    clock.advance(91 * MINUTE_MS)  # two hours after the session ended
    browse = mailbox.wait_for(lambda m: m.is_for(EMAIL) and m.subject == "Still thinking it over?", timeout=30)
    assert browse.html  # the phone's browsing reached the person's inbox
    wait_for_jobs(stack.store)
    assert [m.subject for m in mailbox.messages(to=EMAIL)].count("Still thinking it over?") == 1  # one budget

    card = page.request.get(images[0])
    assert card.status == 200 and card.headers["content-type"] == "image/png" and card.body()[:8] == b"\x89PNG\r\n\x1a\n"
    phone.close()

