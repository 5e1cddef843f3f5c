"""The worker: handle in one transaction with the done mark, retry with backoff, dead-letter, leases."""

from __future__ import annotations

import pytest

from plugin.clock import now_ms
from plugin.jobs import backoff_ms
from tests.support.jobs import runner

from tests.support.app import SHOP


@pytest.fixture
def probe(store):
    """A scratch table the fake handlers write to, so effects can be counted."""
    store.database.execute("CREATE TABLE probe (written BIGINT, shop TEXT, delivery INTEGER, note TEXT)")
    return lambda: [{k: v for k, v in row.items() if k != "written"}
                    for row in store.database.query("SELECT * FROM probe ORDER BY written")]


def accept(store, topic="orders/create", body=b'{"id": 1}', key="k1", shop=SHOP):
    return store.inbox.accept(shop=shop, topic=topic, dedupe_key=key, webhook_id=key, event_id=key,
                              api_version="2026-10", triggered_at=None, body=body)


def recording(store_, note="ok"):
    def handle(store, delivery, payload):
        store.database.execute("INSERT INTO probe VALUES ((SELECT COALESCE(MAX(written), 0) + 1 FROM probe), :shop, :delivery, :note)",
                               {"shop": delivery.shop, "delivery": delivery.id, "note": note})
    return handle


def status(store, delivery_id):
    return store.inbox.get(delivery_id).status


def test_a_delivery_is_handled_once_and_marked_done(store, installed_shop, probe):
    installed_shop()
    delivery = accept(store)
    worker = runner(store, {"orders/create": recording(store)})
    assert worker.run_until_idle() == 1
    assert status(store, delivery) == "done"
    assert [r["delivery"] for r in probe()] == [delivery]
    assert worker.run_until_idle() == 0


def test_handler_errors_retry_with_backoff_then_dead_letter(store, installed_shop, probe):
    installed_shop()
    delivery = accept(store)

    def broken(store_, delivery_, payload):
        store_.database.execute("INSERT INTO probe VALUES (0, 'x', 0, 'partial')")
        raise RuntimeError("boom")

    worker = runner(store, {"orders/create": broken}, max_attempts=3)
    before = now_ms()
    worker.run_once()
    row = store.database.one("SELECT * FROM webhook_inbox WHERE id = :id", {"id": delivery})
    assert row["status"] == "pending" and row["attempts"] == 1 and "boom" in row["last_error"]
    assert row["next_attempt_at"] >= before + backoff_ms(1)
    assert probe() == []  # the failed attempt's writes were rolled back
    for _ in range(2):
        store.database.execute("UPDATE webhook_inbox SET next_attempt_at = 0 WHERE id = :id", {"id": delivery})
        worker.run_once()
    row = store.database.one("SELECT * FROM webhook_inbox WHERE id = :id", {"id": delivery})
    assert row["status"] == "dead" and row["attempts"] == 3 and "RuntimeError: boom" in row["last_error"]
    assert store.inbox.list(status="dead")[0]["id"] == delivery


def test_backoff_grows_exponentially_and_is_capped():
    assert [backoff_ms(n) for n in (1, 2, 3)] == [5_000, 10_000, 20_000]
    assert backoff_ms(40) == 3_600_000


def test_invalid_json_is_dead_lettered_without_retries(store, installed_shop, probe):
    installed_shop()
    delivery = accept(store, body=b"{nope")
    runner(store, {"orders/create": recording(store)}).run_until_idle()
    assert status(store, delivery) == "dead"
    assert "invalid JSON" in store.inbox.get(delivery).last_error
    assert probe() == []


def test_unknown_topics_and_shops_are_skipped(store, installed_shop, probe):
    installed_shop()
    odd = accept(store, topic="inventory_levels/update", key="a")
    stranger = accept(store, shop="stranger.myshopify.com", key="b")
    runner(store, {"orders/create": recording(store)}).run_until_idle()
    assert status(store, odd) == "skipped" and status(store, stranger) == "skipped"
    assert probe() == []


def test_after_uninstall_only_privacy_topics_are_handled(store, installed_shop, probe):
    installed_shop()
    store.shops.mark_uninstalled(SHOP)
    order = accept(store, key="a")
    redact = accept(store, topic="shop/redact", key="b")
    handlers = {"orders/create": recording(store), "shop/redact": recording(store, "redact")}
    runner(store, handlers).run_until_idle()
    assert status(store, order) == "skipped"
    assert status(store, redact) == "done"
    assert [r["note"] for r in probe()] == ["redact"]


def test_a_worker_that_lost_its_lease_cannot_apply_the_delivery_again(store, installed_shop, probe):
    installed_shop()
    delivery = accept(store)
    slow = runner(store, {"orders/create": recording(store, "slow")}, name="slow", lease_ms=-1)
    [claimed] = store.inbox.claim("slow", lease_ms=-1)  # the lease is already over
    fast = runner(store, {"orders/create": recording(store, "fast")}, name="fast")
    assert fast.run_until_idle() == 1
    slow.process_delivery(claimed)  # finishes late: its writes must roll back
    assert [r["note"] for r in probe()] == ["fast"]
    assert status(store, delivery) == "done"


def test_replay_requeues_dead_deliveries_after_a_fix(store, installed_shop, probe):
    installed_shop()
    delivery = accept(store)

    def buggy(store_, delivery_, payload):
        raise KeyError("line_items")

    runner(store, {"orders/create": buggy}, max_attempts=1).run_until_idle()
    assert status(store, delivery) == "dead"
    assert store.inbox.replay(all_dead=True) == 1
    runner(store, {"orders/create": recording(store)}).run_until_idle()
    assert status(store, delivery) == "done"
    assert len(probe()) == 1
