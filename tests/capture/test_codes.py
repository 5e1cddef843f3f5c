"""A returning subscriber's welcome code: shown only to its owner, never once spent, a second one only if allowed."""

from __future__ import annotations

import json

import pytest

from plugin.capture.codes import EXPIRED
from plugin.capture.settings import CAPTURE, discount_key
from plugin.settings import SettingsError
from plugin.capture.signup import subscribe
from plugin.clock import now_ms
from plugin.store import Delivery
from plugin.store.commerce import Customer
from webhooks.handlers import HANDLERS

from tests.support.shops import install
from tests.support.signing import BROWSER_UA, signed
from tests.support.app import SECRET, SHOP

UA = {"User-Agent": BROWSER_UA, "Content-Type": "text/plain;charset=UTF-8"}
EARNER = "5d0f4c1e-6a3b-4f7e-9d2c-000000000001"
OTHER = "5d0f4c1e-6a3b-4f7e-9d2c-000000000002"
DAY = 86_400_000


@pytest.fixture(autouse=True)
def setup(store):
    install(store, SHOP)


def pool(store, n: int, *, ends_in: int = 30 * DAY, first: int = 0) -> int:
    settings = CAPTURE.read(store, SHOP)[0]
    campaign = store.capture.add_campaign(SHOP, discount_key=discount_key(settings),
                                          discount_id="gid://shopify/DiscountCodeNode/1", title="t",
                                          starts_at=now_ms(), ends_at=now_ms() + ends_in)
    store.capture.add_codes(SHOP, campaign, [f"WELCOME-CODE{i:05d}" for i in range(first, first + n)])
    return campaign


def sign_up(client, email: str, visitor: str | None, customer: str = ""):
    body = {"e": email, "hp": "", "p": "/"}
    if visitor:
        body["v"] = visitor
    return client.post(signed("/proxy/subscribe", SHOP, SECRET, customer=customer), data=json.dumps(body),
                       headers=UA)


def order_with(store, code: str, order_id: int = 9001) -> None:
    """An orders/create webhook for an order that used ``code``, run as the worker runs it."""
    payload = {"id": order_id, "email": "ann@example.com", "currency": "USD", "total_price": "45.00",
               "line_items": [], "discount_codes": [{"code": code, "amount": "5.00", "type": "percentage"}],
               "created_at": "2026-05-01T10:00:00Z", "updated_at": "2026-05-01T10:00:00Z"}
    delivery = Delivery(id=1, shop=SHOP, topic="orders/create", webhook_id=None, event_id=None,
                        api_version="2026-10", triggered_at=None, received_at=now_ms(), body=b"",
                        status="processing", attempts=1, last_error=None)
    with store.database.write():
        HANDLERS["orders/create"](store, delivery, payload)


# --------------------------------------------------------------------------- spent codes


def test_an_order_with_a_pool_code_marks_it_redeemed_and_it_is_never_shown_again(client, store):
    pool(store, 3)
    code = sign_up(client, "ann@example.com", EARNER).json["code"]
    order_with(store, code.lower())  # the platform takes codes in any case
    assert store.capture.redeemed_at(SHOP, code) is not None
    again = sign_up(client, "Ann@Example.com", EARNER)
    assert again.status_code == 200
    assert again.json == {"ok": True, "code": None, "pending": False, "ends": None, "spent": "redeemed"}
    # A redeemed code that was never handed out (still free) is not handed out either.
    order_with(store, "WELCOME-CODE00001", order_id=9002)
    assert sign_up(client, "bo@example.com", OTHER).json["code"] == "WELCOME-CODE00002"


def test_an_expired_code_is_never_shown_again(store):
    pool(store, 2, ends_in=10 * DAY)
    first = subscribe(store, SHOP, email="ann@example.com", visitor_id=EARNER, page="/")
    later = subscribe(store, SHOP, email="ann@example.com", visitor_id=EARNER, page="/",
                              now=first.ends_at + 1)
    assert (later.code, later.spent) == (None, EXPIRED)
    assert store.capture.subscriber(SHOP, "ann@example.com")["code"] == first.code


def test_a_still_valid_code_is_shown_again_to_its_owner(client, store):
    pool(store, 2)
    first = sign_up(client, "ann@example.com", EARNER).json
    again = sign_up(client, "ann@example.com", EARNER).json
    assert again == first and again["code"] == "WELCOME-CODE00000"


@pytest.mark.parametrize("spend", ["redeemed", "expired"])
def test_with_the_merchant_setting_on_a_spent_code_is_replaced_by_a_fresh_one(store, spend):
    CAPTURE.save(store, SHOP, {"discount": {"second_code": True}})
    pool(store, 3, ends_in=10 * DAY)
    first = subscribe(store, SHOP, email="ann@example.com", visitor_id=EARNER, page="/")
    now = now_ms()
    if spend == "redeemed":
        order_with(store, first.code)
    else:  # the old campaign ended; a refill started a new one
        now = first.ends_at + 1
        waiting = subscribe(store, SHOP, email="ann@example.com", visitor_id=EARNER, page="/", now=now)
        assert (waiting.code, waiting.spent) == (None, None)  # never a code from the ended campaign
        pool(store, 2, ends_in=first.ends_at + 40 * DAY - now_ms(), first=100)
    fresh = subscribe(store, SHOP, email="ann@example.com", visitor_id=EARNER, page="/", now=now)
    assert fresh.code and fresh.code != first.code and fresh.spent is None and fresh.ends_at > now
    assert store.capture.subscriber(SHOP, "ann@example.com")["code"] == fresh.code
    assert store.capture.subscriber_count(SHOP) == 1
    # Shown again while it is valid, not replaced a second time.
    again = subscribe(store, SHOP, email="ann@example.com", visitor_id=EARNER, page="/", now=now)
    assert again.code == fresh.code


def test_the_second_code_setting_is_off_by_default_and_validated():
    assert CAPTURE.validate({})["discount"]["second_code"] is False
    with pytest.raises(SettingsError) as caught:
        CAPTURE.validate({"discount": {"second_code": "yes"}})
    assert "discount.second_code" in caught.value.errors


# --------------------------------------------------------------------------- who may see a code


def test_another_browser_gets_no_code_and_the_answer_a_new_subscriber_gets(client, store):
    pool(store, 1)
    owner = sign_up(client, "ann@example.com", EARNER)
    assert owner.json["code"] == "WELCOME-CODE00000"
    # The pool is now dry, so a brand-new subscriber gets the "on its way" answer: the neutral one.
    new = sign_up(client, "someone.new@example.com", OTHER)
    probe = sign_up(client, "ann@example.com", OTHER)
    assert probe.status_code == new.status_code == 200
    assert probe.get_data() == new.get_data()
    assert {k: v for k, v in probe.headers if k != "Date"} == {k: v for k, v in new.headers if k != "Date"}
    assert "WELCOME-CODE00000" not in probe.get_data(as_text=True)
    no_visitor = sign_up(client, "ann@example.com", None)
    assert no_visitor.get_data() == new.get_data()
    # The owner's record is untouched; the owner still gets their code.
    row = store.capture.subscriber(SHOP, "ann@example.com")
    assert (row["code"], row["visitor_id"]) == ("WELCOME-CODE00000", EARNER)
    assert sign_up(client, "ann@example.com", EARNER).json["code"] == "WELCOME-CODE00000"


def test_identifying_with_someone_elses_email_first_does_not_reveal_their_code(client, store):
    pool(store, 2)
    sign_up(client, "ann@example.com", EARNER)
    identify = {"v": OTHER, "e": "ann@example.com"}
    assert client.post(signed("/proxy/identify", SHOP, SECRET), data=json.dumps(identify),
                       headers=UA).status_code == 204
    assert sign_up(client, "ann@example.com", OTHER).json == {"ok": True, "code": None, "pending": True,
                                                              "ends": None}


def test_the_logged_in_customer_the_proxy_vouches_for_gets_their_code_on_any_browser(client, store):
    pool(store, 2)
    store.commerce.upsert_customer(SHOP, Customer(customer_id="7001", source_updated_at=1, email="Ann@Example.com"))
    store.commerce.upsert_customer(SHOP, Customer(customer_id="7002", source_updated_at=1, email="bo@example.com"))
    code = sign_up(client, "ann@example.com", EARNER).json["code"]
    assert sign_up(client, "ann@example.com", OTHER, customer="7001").json["code"] == code
    assert sign_up(client, "ann@example.com", OTHER, customer="7002").json["code"] is None
    # Once spent, the logged-in owner hears why.
    order_with(store, code)
    assert sign_up(client, "ann@example.com", OTHER, customer="7001").json["spent"] == "redeemed"
