"""One contact-pressure budget across site and email: someone emailed a discount code in the last 24 h is
not shown the capture widget's discount pop-up."""

from __future__ import annotations

from plugin.capture.decision import decide
from plugin.capture.settings import CAPTURE
from plugin.clock import now_ms
from plugin.people import identity

from ..support.app import SHOP
from .conftest import BUYER, MINUTE_MS

VISITOR = "7c9e6679-7425-40de-944b-e07fc1f90ae7"


def popup(store) -> str:
    settings = {**CAPTURE.defaults(), "enabled": True}
    return decide(store, SHOP, settings, visitor_id=VISITOR, customer_id=None, device="desktop", returning=False,
                  bot=False, now=now_ms()).why


def test_a_discount_email_in_the_last_day_keeps_the_discount_pop_up_away(shop, clock):
    identity.observe(shop, SHOP, VISITOR, now_ms(), email=BUYER)
    before = popup(shop)
    send = shop.emails.plan(SHOP, flow="checkout", step=3, trigger_key="c1", trigger_at=now_ms(), person_id=None,
                            email=BUYER, due_at=now_ms(), now=now_ms())
    assert shop.emails.begin_sending(SHOP, send, now_ms(), message_id="m@x", code="SAVE-1")
    assert shop.emails.sent(SHOP, send, now_ms())
    assert popup(shop) == "discount emailed" != before
    clock.advance(25 * 60 * MINUTE_MS)
    assert popup(shop) == before
