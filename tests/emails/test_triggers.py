"""Flows triggered by a state: browse abandonment (a session that viewed products and left without a cart)
and win-back (someone the segments now call lapsed), planned by the runner's periodic step."""

from __future__ import annotations

from plugin.clock import DAY_MS, now_ms
from plugin.emails.settings import EMAILS
from plugin.emails.triggers import plan_due
from plugin.people import identity
from plugin.people.refresh import refresh_person
from plugin.store import Event
from plugin.store.commerce import Order

from ..support.app import SHOP
from .conftest import BUYER, MINUTE_MS, save_settings, sends

VISITOR, SESSION = "7c9e6679-7425-40de-944b-e07fc1f90ae7", "a3bb189e-8bf9-3888-9912-ace4e6543002"


def browse(store, *types: str) -> None:
    now = now_ms()
    identity.observe(store, SHOP, VISITOR, now, email=BUYER)
    store.events.add(SHOP, VISITOR, SESSION, [Event(type=t, occurred_at=now, path="/products/blue",
                                                     data={"i": "p1"} if t == "product_view" else {})
                                               for t in types], now)


def test_a_session_that_viewed_and_left_gets_one_browse_email_two_hours_after_it_ended(shop, worker, mailbox, clock):
    browse(shop, "page_view", "product_view")
    assert plan_due(shop, SHOP, now_ms()) == 0  # the session may still be going on
    clock.advance(31 * MINUTE_MS)
    assert plan_due(shop, SHOP, now_ms()) == 1 and plan_due(shop, SHOP, now_ms()) == 0  # once
    worker.run_until_idle()
    assert mailbox.messages() == []
    clock.advance(90 * MINUTE_MS)
    worker.run_until_idle()
    [mail] = mailbox.messages(to=BUYER)
    assert mail.subject == "Still thinking it over?" and sends(shop) == [("browse", 1, "sent", None)]


def test_a_session_that_added_to_cart_is_not_browse_abandonment(shop, worker, mailbox, clock):
    browse(shop, "product_view", "add_to_cart")
    clock.advance(31 * MINUTE_MS)
    assert plan_due(shop, SHOP, now_ms()) == 0


def test_a_lapsed_buyer_gets_the_win_back_email_once_the_merchant_turns_it_on(shop, worker, mailbox, clock):
    person = identity.observe(shop, SHOP, VISITOR, now_ms(), email=BUYER)
    shop.commerce.upsert_order(SHOP, Order(order_id="old", source_updated_at=1, email=BUYER, total_price="40.00",
                                           created_at=now_ms() - 400 * DAY_MS))
    assert refresh_person(shop, SHOP, person["person_id"], now_ms())["lifecycle"] == "lapsed"
    assert plan_due(shop, SHOP, now_ms()) == 0  # win-back is off by default
    flows = EMAILS.read(shop, SHOP)[0]["flows"]
    save_settings(shop, flows={**flows, "winback": {**flows["winback"], "enabled": True}})
    assert plan_due(shop, SHOP, now_ms()) == 1 and plan_due(shop, SHOP, now_ms()) == 0
    worker.run_until_idle()
    [mail] = mailbox.messages(to=BUYER)
    assert mail.subject == "We miss you at Test Shop"
