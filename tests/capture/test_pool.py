"""The code pool: one platform discount per campaign, codes added in batches, refilled ahead of demand."""

from __future__ import annotations

import pytest

from plugin.capture import pool
from plugin.capture.settings import CAPTURE, discount_key
from plugin.capture.signup import subscribe
from plugin.clock import now_ms
from plugin.platform.errors import PlatformUnavailable, UserErrors

from tests.support.shops import install

SHOP = "pool.myshopify.com"
DAY = 86_400_000


class FakePlatform:
    """The discount mutations with the platform's shapes; bulk imports finish after one poll."""

    def __init__(self, refuse: set[str] | None = None):
        self.discounts: dict[str, dict] = {}
        self.codes: set[str] = set()
        self.bulks: dict[str, list] = {}
        self.calls: list[str] = []
        self.refuse = refuse or set()
        self.polled: set[str] = set()

    def mutate(self, query, variables, payload_key):
        self.calls.append(payload_key)
        if payload_key == "discountCodeBasicCreate":
            d = variables["discount"]
            if d["code"] in self.codes:
                raise UserErrors(payload_key, [{"field": ["code"], "message": "taken", "code": "TAKEN"}])
            gid = f"gid://shopify/DiscountCodeNode/{len(self.discounts) + 1}"
            self.discounts[gid] = d
            self.codes.add(d["code"])
            return {"codeDiscountNode": {"id": gid}, "userErrors": []}
        if payload_key == "discountRedeemCodeBulkAdd":
            assert len(variables["codes"]) <= 250
            bulk = f"gid://shopify/DiscountRedeemCodeBulkCreation/{len(self.bulks) + 1}"
            results = []
            for item in variables["codes"]:
                bad = item["code"] in self.codes or item["code"] in self.refuse
                results.append({"code": item["code"], "errors": [{"message": "taken"}] if bad else []})
                self.codes.add(item["code"])
            self.bulks[bulk] = results
            return {"bulkCreation": {"id": bulk, "done": False}, "userErrors": []}
        raise AssertionError(payload_key)

    def graphql(self, query, variables):
        bulk = variables["id"]
        if bulk not in self.polled:  # the platform imports asynchronously: not done on the first look
            self.polled.add(bulk)
            return {"discountRedeemCodeBulkCreation": {"done": False, "codes": None}}
        return {"discountRedeemCodeBulkCreation": {"done": True, "codes": {
            "nodes": self.bulks[bulk], "pageInfo": {"hasNextPage": False, "endCursor": None}}}}


@pytest.fixture
def platform(store, monkeypatch):
    install(store, SHOP)
    fake = FakePlatform()
    monkeypatch.setattr(pool, "client_for_shop", lambda config, s, shop: fake)
    monkeypatch.setattr(pool, "BULK_POLL_WAIT", 0)
    return fake


def test_a_refill_creates_one_discount_and_fills_the_pool_in_batches(app, store, platform):
    config = app.extensions["storelift"].config
    added = pool.refill(config, store, SHOP, target=230)
    assert platform.calls.count("discountCodeBasicCreate") == 1
    assert platform.calls.count("discountRedeemCodeBulkAdd") == 3  # 100 + 100 + 29 (+ the discount's own code)
    assert added == 229 and store.capture.code_counts(SHOP) == {"free": 230}
    (discount,) = platform.discounts.values()
    assert discount["customerGets"]["value"] == {"percentage": 0.1}
    assert discount["appliesOncePerCustomer"] is True
    assert discount["usageLimit"] == 1  # per code on the platform: every pool code is single-use
    campaign = store.capture.current_campaign(SHOP)
    assert campaign["ends_at"] - campaign["starts_at"] == 30 * DAY
    # Idempotent: a full pool needs nothing.
    assert pool.refill(config, store, SHOP, target=230) == 0
    assert platform.calls.count("discountCodeBasicCreate") == 1


def test_codes_the_platform_refuses_never_enter_the_pool(app, store, platform, monkeypatch):
    drawn = iter([f"WELCOME-{n:010d}" for n in range(1000)])
    monkeypatch.setattr(pool, "new_code", lambda prefix: next(drawn))
    platform.refuse = {"WELCOME-0000000003", "WELCOME-0000000004"}
    pool.refill(app.extensions["storelift"].config, store, SHOP, target=10)
    free = {r["code"] for r in store.database.query("SELECT code FROM capture_codes WHERE state = 'free'")}
    assert not free & platform.refuse and len(free) == 10


def test_a_changed_discount_starts_a_new_campaign_and_retires_free_codes(app, store, platform):
    config = app.extensions["storelift"].config
    pool.refill(config, store, SHOP, target=5)
    CAPTURE.save(store, SHOP, {"discount": {"kind": "fixed_amount", "value": "5"}})
    pool.refill(config, store, SHOP, target=5)
    assert platform.calls.count("discountCodeBasicCreate") == 2
    assert store.capture.code_counts(SHOP) == {"free": 5, "retired": 5}
    assert list(platform.discounts.values())[1]["customerGets"]["value"] == {
        "discountAmount": {"amount": "5.00", "appliesOnEachItem": False}}


def test_a_campaign_past_half_its_life_is_replaced(store):
    settings = CAPTURE.validate({})
    now = now_ms()
    fresh = {"discount_key": discount_key(settings), "starts_at": now, "ends_at": now + 30 * DAY}
    old = {**fresh, "starts_at": now - 16 * DAY, "ends_at": now + 14 * DAY}
    assert not pool.needs_new_campaign(fresh, settings, now)
    assert pool.needs_new_campaign(old, settings, now)
    assert pool.needs_new_campaign(None, settings, now)


def test_subscribers_who_came_while_the_pool_was_dry_get_codes_after_the_refill(app, store, platform):
    subscribe(store, SHOP, email="first@example.com", visitor_id=None, page="/")
    pool.refill(app.extensions["storelift"].config, store, SHOP, target=3)
    assert store.capture.subscriber(SHOP, "first@example.com")["code"]
    assert store.capture.code_counts(SHOP) == {"free": 2, "assigned": 1}


def test_a_platform_outage_leaves_the_pool_as_it_was(app, store, platform, monkeypatch):
    def down(*a, **k):
        raise PlatformUnavailable("503")
    monkeypatch.setattr(platform, "mutate", down)
    with pytest.raises(PlatformUnavailable):
        pool.refill(app.extensions["storelift"].config, store, SHOP)
    assert store.capture.code_counts(SHOP) == {} and store.capture.current_campaign(SHOP) is None


def test_codes_are_random_and_typeable():
    codes = {pool.new_code("WELCOME") for _ in range(2000)}
    assert len(codes) == 2000
    assert all(c.startswith("WELCOME-") and len(c) == 18 and not set(c[8:]) & set("01OI") for c in codes)
