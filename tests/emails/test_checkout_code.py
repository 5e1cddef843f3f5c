"""The checkout flow's optional unique code on its last step: one single-use code from the capture pool,
kept on the step, shown in the email, and counted by the capture widget's "emailed a discount" rule."""

from __future__ import annotations

from plugin.capture.pool import LOW_WATER
from plugin.capture.settings import CAPTURE, discount_key
from plugin.clock import now_ms
from plugin.emails import flows
from plugin.emails.settings import EMAILS

from ..support.app import SHOP
from ..support.jobs import queued
from .conftest import BUYER, MINUTE_MS, checkout, save_settings

HOUR = 60 * MINUTE_MS


def _pool(store, codes: list[str]) -> None:
    """A campaign with ``codes`` and enough more that the pool is not low (no refill goes to the platform)."""
    codes = codes + [f"SPARE-{n:04d}" for n in range(LOW_WATER + 1)]
    settings = CAPTURE.read(store, SHOP)[0]
    campaign = store.capture.add_campaign(SHOP, discount_key=discount_key(settings), discount_id="gid://d/1",
                                          title="Welcome", starts_at=now_ms(), ends_at=now_ms() + 60 * 24 * HOUR)
    store.capture.add_codes(SHOP, campaign, codes)


def _codes(store) -> list[tuple[int, str | None]]:
    rows = store.database.query("SELECT step, code FROM email_sends WHERE flow = 'checkout' ORDER BY step")
    return [(r["step"], r["code"]) for r in rows]


def test_the_last_checkout_step_carries_a_unique_code_from_the_pool(shop, worker, mailbox, clock):
    save_settings(shop, flows={**_flows(shop), "checkout": {**_flows(shop)["checkout"], "last_step_code": True}})
    _pool(shop, ["SAVE-AAAA", "SAVE-BBBB"])
    checkout(shop)
    flows.on_checkout(shop, SHOP, "c1", now_ms())
    clock.advance(61 * MINUTE_MS)
    worker.run_until_idle()
    clock.advance(24 * HOUR)
    worker.run_until_idle()
    clock.advance(24 * HOUR)
    worker.run_until_idle()
    mails = sorted(mailbox.messages(to=BUYER), key=lambda m: m.id)
    assert len(mails) == 3
    assert [("SAVE-AAAA" in m.html, "SAVE-AAAA" in m.text) for m in mails] == [(False, False)] * 2 + [(True, True)]
    assert _codes(shop) == [(1, None), (2, None), (3, "SAVE-AAAA")]
    assert shop.database.one("SELECT state FROM capture_codes WHERE code = 'SAVE-AAAA'")["state"] == "assigned"
    assert _free(shop) == LOW_WATER + 2
    assert shop.emails.code_mailed_since(SHOP, BUYER, now_ms() - HOUR)


def test_a_retried_last_step_sends_the_same_code_again(shop, worker, mailbox, clock):
    save_settings(shop, flows={**_flows(shop), "checkout": {**_flows(shop)["checkout"], "delays_minutes": [60],
                                                              "last_step_code": True}})
    _pool(shop, ["SAVE-AAAA", "SAVE-BBBB"])
    mailbox.fail(BUYER, 451, times=1)
    checkout(shop)
    flows.on_checkout(shop, SHOP, "c1", now_ms())
    clock.advance(61 * MINUTE_MS)
    worker.run_until_idle()
    assert mailbox.messages(to=BUYER) == []
    clock.advance(2 * HOUR)
    worker.run_until_idle()
    [mail] = mailbox.messages(to=BUYER)
    assert "SAVE-AAAA" in mail.text and _codes(shop) == [(1, "SAVE-AAAA")]
    assert _free(shop) == LOW_WATER + 2


def test_with_the_pool_dry_the_step_goes_without_a_code_and_asks_for_a_refill(shop, worker, mailbox, clock):
    save_settings(shop, flows={**_flows(shop), "checkout": {**_flows(shop)["checkout"], "delays_minutes": [60],
                                                              "last_step_code": True}})
    checkout(shop)
    flows.on_checkout(shop, SHOP, "c1", now_ms())
    clock.advance(61 * MINUTE_MS)
    worker.run_jobs_once()  # the step alone: the refill it asks for would go to the platform
    [mail] = mailbox.messages(to=BUYER)
    assert "Your code" not in mail.text and _codes(shop) == [(1, None)]
    assert queued(shop, "capture.refill") == [("capture.refill", SHOP)]


def test_off_by_default_no_checkout_step_takes_a_code(shop, worker, mailbox, clock):
    _pool(shop, ["SAVE-AAAA"])
    checkout(shop)
    flows.on_checkout(shop, SHOP, "c1", now_ms())
    for hours in (1, 24, 24):
        clock.advance(hours * HOUR + MINUTE_MS)
        worker.run_until_idle()
    assert len(mailbox.messages(to=BUYER)) == 3
    assert _codes(shop) == [(1, None), (2, None), (3, None)]
    assert _free(shop) == LOW_WATER + 2


def _free(store) -> int:
    return store.capture.free_codes(SHOP, store.capture.current_campaign(SHOP)["id"])


def _flows(store) -> dict:
    return EMAILS.read(store, SHOP)[0]["flows"]
