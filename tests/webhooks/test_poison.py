"""A poison-pill delivery cannot jam the worker: it is retried with backoff, capped, then dead-lettered,
while the deliveries claimed beside it in the same batch are processed normally."""

from __future__ import annotations

import pytest

from plugin.jobs import backoff_ms
from tests.support.jobs import runner

from tests.support.app import SHOP
from tests.support.hostile import nested


class Clock:
    """The inbox's and the worker's epoch-ms clock, moved by the test instead of waited for."""

    def __init__(self, now: int = 1_900_000_000_000):
        self.now = now

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr("plugin.store.inbox.now_ms", fake)
    monkeypatch.setattr("plugin.jobs.runner.now_ms", fake)
    return fake


@pytest.fixture
def handled(store, installed_shop):
    """Handlers for orders/create: id 666 raises RecursionError, any other id is recorded."""
    installed_shop()
    store.database.execute("CREATE TABLE probe (delivery INTEGER)")

    def handle(store_, delivery, payload):
        if payload.get("id") == 666:
            raise RecursionError("maximum recursion depth exceeded")
        store_.database.execute("INSERT INTO probe VALUES (:delivery)", {"delivery": delivery.id})

    return {"orders/create": handle}


def accept(store, key: str, body: bytes) -> int:
    return store.inbox.accept(shop=SHOP, topic="orders/create", dedupe_key=key, webhook_id=key, event_id=key,
                              api_version="2026-10", triggered_at=None, body=body)


def row(store, delivery_id: int) -> dict:
    return store.database.one("SELECT status, attempts, last_error, next_attempt_at FROM webhook_inbox WHERE id = :id",
                              {"id": delivery_id})


def test_a_handler_raising_recursion_error_is_retried_then_dead_while_its_batch_is_processed(store, clock, handled):
    before = accept(store, "a", b'{"id": 1}')
    poison = accept(store, "p", b'{"id": 666}')
    after = accept(store, "b", b'{"id": 2}')
    worker = runner(store, handled, max_attempts=3, batch=10)
    assert worker.run_deliveries_once() == 3
    assert row(store, before)["status"] == row(store, after)["status"] == "done"
    first = row(store, poison)
    assert first["status"] == "pending" and first["attempts"] == 1 and "RecursionError" in first["last_error"]
    assert first["next_attempt_at"] == clock.now + backoff_ms(1)
    assert worker.run_deliveries_once() == 0  # not due before its backoff
    processed = [before, after]
    for attempt in (2, 3):
        clock.now = row(store, poison)["next_attempt_at"]
        processed.append(accept(store, f"later-{attempt}", b'{"id": %d}' % (10 + attempt)))
        assert worker.run_deliveries_once() == 2  # the poison pill and the newcomer, in one batch
        assert row(store, processed[-1])["status"] == "done"
    dead = row(store, poison)
    assert dead["status"] == "dead" and dead["attempts"] == 3 and "RecursionError" in dead["last_error"]
    clock.now += backoff_ms(10)
    assert worker.run_deliveries_once() == 0
    assert sorted(r["delivery"] for r in store.database.query("SELECT delivery FROM probe")) == sorted(processed)


def test_a_3000_deep_body_is_dead_lettered_as_invalid_json_and_its_batch_runs(store, clock, handled):
    deep = accept(store, "deep", nested(3000).encode())
    fine = accept(store, "fine", b'{"id": 1}')
    assert runner(store, handled, batch=10).run_deliveries_once() == 2
    assert row(store, fine)["status"] == "done"
    dead = row(store, deep)
    assert dead["status"] == "dead" and dead["attempts"] == 1
    assert dead["last_error"] == "invalid JSON: JSON nested deeper than 64 levels"


def test_a_delivery_whose_worker_keeps_dying_is_dead_lettered_at_the_cap_not_reclaimed_forever(store, clock, handled):
    stuck = accept(store, "stuck", b'{"id": 1}')
    for attempt in (1, 2, 3):  # each claimer dies holding it; its lease runs out
        [claimed] = store.inbox.claim(f"doomed-{attempt}", lease_ms=1_000, max_attempts=3)
        assert claimed.attempts == attempt
        clock.now += 1_001
    assert store.inbox.claim("next", lease_ms=1_000, max_attempts=3) == []
    dead = row(store, stuck)
    assert dead["status"] == "dead" and dead["attempts"] == 3
    assert dead["last_error"] == "gave up after 3 attempts: the worker holding it stopped before finishing"
    assert store.inbox.replay(stuck) == 1  # kept for inspection, and replayable after a fix
    assert runner(store, handled, max_attempts=3).run_until_idle() == 1
    assert row(store, stuck)["status"] == "done"
