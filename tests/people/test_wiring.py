"""Profiles follow the webhooks: an order through the real worker updates the buyer's segments."""

from __future__ import annotations

import json

from plugin.clock import now_ms
from plugin.people import refresh
from tests.support.jobs import queued, runner

from tests.support import reads
from tests.support.app import SHOP


def deliver(store, topic, payload, key):
    store.inbox.accept(shop=SHOP, topic=topic, dedupe_key=key, webhook_id=key, event_id=key,
                       api_version="2026-10", triggered_at=None, body=json.dumps(payload).encode())
    runner(store).run_until_idle()


def order(order_id, email="ana@example.com", customer_id=42):
    return {"id": order_id, "email": email, "currency": "USD", "total_price": "30.00",
            "financial_status": "paid", "created_at": "2026-11-20T10:00:00Z", "updated_at": "2026-11-20T10:00:00Z",
            "customer": {"id": customer_id, "email": email},
            "line_items": [{"id": order_id * 10, "product_id": 7, "variant_id": 70, "quantity": 1, "price": "30.00"}]}


def test_orders_from_webhooks_move_the_buyer_through_the_lifecycle(store, installed_shop):
    installed_shop()
    deliver(store, "customers/create", {"id": 42, "email": "ana@example.com", "updated_at": "2026-11-20T09:00:00Z",
                                        "default_address": {"city": "Porto", "country_code": "PT"}}, "c1")
    deliver(store, "orders/create", order(1001), "o1")
    person = refresh.person_for(store, SHOP, now_ms(), customer_id="42", email="ana@example.com")
    assert "first_time_buyer" in reads.segments_of(store, SHOP, person)
    deliver(store, "orders/create", order(1002), "o2")
    segments = reads.segments_of(store, SHOP, person)
    assert "repeat_buyer" in segments and "country:PT" in segments


def test_the_worker_upkeep_rescores_due_shops(store, installed_shop, monkeypatch):
    installed_shop()
    seen = []
    monkeypatch.setattr(refresh, "rescore_if_due", lambda store_, shop, now: seen.append(shop) or False)
    runner(store).maintain()
    assert seen == [SHOP]


def test_storefront_visitors_queue_a_refresh_the_worker_applies(store, installed_shop, monkeypatch):
    installed_shop()
    refreshed = []
    monkeypatch.setattr(refresh, "on_events", lambda store_, shop, visitor, now: refreshed.append(visitor))
    refresh.queue_refresh(store, SHOP, "visitor", "v-1")
    refresh.queue_refresh(store, SHOP, "visitor", "v-1")  # deduplicated
    runner(store).run_until_idle()
    assert refreshed == ["v-1"] and len(queued(store)) == 0
