"""Deliveries handled together in one transaction (the runner's groups, PostgreSQL's default): a group
either finishes whole, or rolls back and each of its deliveries is attempted on its own, applied once."""

from __future__ import annotations

import pytest

from tests.support.app import SHOP
from tests.support.jobs import runner


@pytest.fixture
def handled(store, installed_shop):
    """orders/create handlers that record each delivery they apply; id 666 raises, like a bug would."""
    installed_shop()
    store.database.execute("CREATE TABLE probe (delivery BIGINT)")

    def handle(store_, delivery, payload):
        store_.database.execute("INSERT INTO probe VALUES (:delivery)", {"delivery": delivery.id})
        if payload.get("id") == 666:
            raise ValueError("a handler bug")

    return {"orders/create": handle}


def accept(store, key: str, body: bytes, topic: str = "orders/create") -> int:
    return store.inbox.accept(shop=SHOP, topic=topic, dedupe_key=key, webhook_id=key, event_id=key,
                              api_version="2026-10", triggered_at=None, body=body)


def applied(store) -> list[int]:
    return sorted(r["delivery"] for r in store.database.query("SELECT delivery FROM probe"))


def state(store, delivery_id: int) -> tuple[str, int]:
    row = store.database.one("SELECT status, attempts FROM webhook_inbox WHERE id = :id", {"id": delivery_id})
    return row["status"], row["attempts"]


def test_a_group_of_plain_deliveries_is_applied_once_and_marked_done(store, handled):
    ids = [accept(store, f"k{n}", b'{"id": %d}' % n) for n in range(1, 8)]
    worker = runner(store, handled, batch=10)
    worker.together = 3
    assert worker.run_deliveries_once() == 7
    assert applied(store) == ids
    assert [state(store, i) for i in ids] == [("done", 1)] * 7


def test_a_group_with_a_skip_and_a_failure_falls_back_to_one_at_a_time(store, handled):
    good = accept(store, "a", b'{"id": 1}')
    unhandled = accept(store, "b", b'{"id": 2}', topic="orders/fulfilled")  # no handler: skipped
    bug = accept(store, "c", b'{"id": 666}')
    later = accept(store, "d", b'{"id": 3}')
    worker = runner(store, handled, batch=10)
    worker.together = 4
    assert worker.run_deliveries_once() == 4
    assert applied(store) == [good, later]  # the group's rolled-back writes left nothing behind
    assert state(store, good) == state(store, later) == ("done", 1)
    assert state(store, unhandled) == ("skipped", 1)
    assert state(store, bug) == ("pending", 1)  # one attempt counted, retried after its backoff


def test_a_group_whose_lease_was_lost_applies_only_what_this_worker_still_holds(store, handled, monkeypatch):
    ids = [accept(store, f"k{n}", b'{"id": %d}' % n) for n in range(1, 4)]
    slow = runner(store, handled, batch=10, lease_ms=1_000)
    slow.together = 3
    claimed = store.inbox.claim(slow.name, lease_ms=1_000, limit=10, max_attempts=8)
    store.database.execute("UPDATE webhook_inbox SET lease_until = 0 WHERE id = :id", {"id": ids[1]})
    [taken] = store.inbox.claim("other-worker", lease_ms=60_000, limit=1, max_attempts=8)  # its lease ran out
    assert taken.id == ids[1]
    slow.process_together(claimed)
    assert applied(store) == [ids[0], ids[2]]
    assert state(store, ids[0])[0] == state(store, ids[2])[0] == "done"
    assert state(store, ids[1]) == ("processing", 2)  # the other worker's now, untouched by this one


def test_an_uninstall_in_a_group_is_seen_by_the_deliveries_after_it(store, handled):
    handlers = {**handled, "app/uninstalled": lambda store_, delivery, payload: store_.shops.mark_uninstalled(SHOP)}
    before = accept(store, "a", b'{"id": 1}')
    uninstall = accept(store, "u", b"{}", topic="app/uninstalled")
    after = accept(store, "b", b'{"id": 2}')
    worker = runner(store, handlers, batch=10)
    worker.together = 3
    assert worker.run_deliveries_once() == 3
    assert applied(store) == [before]
    assert state(store, uninstall)[0] == "done" and state(store, after)[0] == "skipped"
