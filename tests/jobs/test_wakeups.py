"""Idle workers wake when work is queued: PostgreSQL notifies them; SQLite workers poll."""

from __future__ import annotations

import threading

from ..support.app import SHOP
from ..support.database import only_on


def waiting(store) -> tuple[threading.Thread, list[bool], threading.Event]:
    """A worker's wait on its own thread, listening before it returns."""
    waiter = store.database.waiter()
    woken: list[bool] = []
    stop = threading.Event()
    waiter.listen()  # as a worker does before it claims

    def run():
        woken.append(waiter.wait(stop))
        waiter.close()

    return threading.Thread(target=run), woken, stop


@only_on("postgresql", "LISTEN/NOTIFY is PostgreSQL's")
def test_a_queued_job_and_an_accepted_delivery_wake_an_idle_worker(store):
    for queue in (lambda: store.jobs.enqueue(SHOP, "profiles.refresh", "order:1", {}),
                  lambda: store.inbox.accept(shop=SHOP, topic="orders/create", dedupe_key="d1", webhook_id="d1",
                                             event_id=None, api_version="2026-10", triggered_at=None, body=b"{}")):
        thread, woken, _ = waiting(store)
        thread.start()
        queue()
        thread.join(10)
        assert woken == [True]


@only_on("postgresql", "LISTEN/NOTIFY is PostgreSQL's")
def test_a_duplicate_delivery_wakes_nobody(store):
    store.inbox.accept(shop=SHOP, topic="orders/create", dedupe_key="d1", webhook_id="d1", event_id=None,
                       api_version="2026-10", triggered_at=None, body=b"{}")
    thread, woken, _ = waiting(store)
    thread.start()
    assert store.inbox.accept(shop=SHOP, topic="orders/create", dedupe_key="d1", webhook_id="d1", event_id=None,
                              api_version="2026-10", triggered_at=None, body=b"{}") is None
    thread.join(10)
    assert woken == [False]  # it waited out its fallback poll


@only_on("sqlite", "SQLite has no notifications")
def test_an_idle_sqlite_worker_polls(store):
    thread, woken, _ = waiting(store)
    thread.start()
    thread.join(10)
    assert woken == [False]
