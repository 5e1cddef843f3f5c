"""Worker processes for real: SIGKILL mid-handler, and two workers sharing one inbox."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from plugin.app import create_app

from tests.support.app import base_overrides, SHOP
from tests.support.database import only_on
from tests.support.paths import ROOT
from tests.support.shops import install



@pytest.fixture
def stored(tmp_path):
    app = create_app(base_overrides(tmp_path))
    store = app.extensions["storelift"].store
    install(store, SHOP)
    store.database.execute("CREATE TABLE probe (delivery INTEGER, pid INTEGER)")
    yield store, store.database.url
    store.close()


def order_body(n: int) -> bytes:
    return json.dumps({
        "id": 5_000_000_000_000_000 + n, "email": f"buyer{n}@example.com", "currency": "USD",
        "created_at": "2026-11-20T10:00:00-05:00", "updated_at": "2026-11-20T10:00:00-05:00",
        "financial_status": "paid", "total_price": "19.00",
        "line_items": [{"id": 9_000_000_000_000_000 + n, "product_id": 7_000_000_000_000_001, "variant_id": 8_000_000_000_000_001,
                        "quantity": 1, "price": "19.00", "title": "Mug"}],
    }).encode()


def accept(store, n: int) -> int:
    return store.inbox.accept(shop=SHOP, topic="orders/create", dedupe_key=f"event-{n}", webhook_id=f"w{n}",
                              event_id=f"event-{n}", api_version="2026-10", triggered_at=None, body=order_body(n))


def spawn(db: str, mode: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.support.worker_probe", db, mode, *extra], cwd=ROOT)


def test_sigkill_mid_handler_leaves_the_delivery_processed_exactly_once(stored, tmp_path):
    store, db = stored
    delivery = accept(store, 1)
    marker = tmp_path / "in-handler"
    victim = spawn(db, "hang", str(marker))
    deadline = time.monotonic() + 30
    while not marker.exists():
        assert time.monotonic() < deadline and victim.poll() is None, "worker never reached the handler"
        time.sleep(0.02)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    assert store.database.query("SELECT * FROM probe") == []  # the open transaction died with it
    assert store.inbox.get(delivery).status == "processing"
    time.sleep(1.1)  # the victim's lease runs out
    survivor = spawn(db, "count")
    assert survivor.wait(timeout=60) == 0
    assert [r["delivery"] for r in store.database.query("SELECT * FROM probe")] == [delivery]
    assert store.inbox.get(delivery).status == "done"
    assert store.inbox.get(delivery).attempts == 2


def drain_with_two_processes(stored, tmp_path) -> tuple[list[int], list[dict]]:
    """1000 deliveries, two worker processes started together; returns the ids and what the handler saw."""
    store, db = stored
    ids = [accept(store, n) for n in range(1000)]
    workers = [spawn(db, "count", str(tmp_path)), spawn(db, "count", str(tmp_path))]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("ready-*"))) < 2:
        assert time.monotonic() < deadline, "workers did not start"
        time.sleep(0.02)
    (tmp_path / "go").touch()
    assert [w.wait(timeout=300) for w in workers] == [0, 0]
    return ids, store.database.query("SELECT delivery, pid FROM probe")


def test_two_worker_processes_drain_1000_deliveries_each_exactly_once(stored, tmp_path):
    ids, rows = drain_with_two_processes(stored, tmp_path)
    assert sorted(r["delivery"] for r in rows) == sorted(ids)  # every one, none twice
    done = stored[0].database.one("SELECT COUNT(*) AS n FROM webhook_inbox WHERE status = 'done'")
    assert done["n"] == 1000


@only_on("postgresql", "SQLite's busy handler is not fair: one process can hold the file's write lock for a whole"
                       " short run while the other sleeps between tries")
def test_two_worker_processes_share_the_inbox(stored, tmp_path):
    ids, rows = drain_with_two_processes(stored, tmp_path)
    assert sorted(r["delivery"] for r in rows) == sorted(ids)
    assert len({r["pid"] for r in rows}) == 2  # both processes really shared the work


@only_on("postgresql", "SQLite takes one writer at a time, so the runners of one process mostly queue on it")
def test_one_worker_process_with_several_runners_shares_the_inbox_and_stops_on_sigterm(stored):
    store, db = stored
    ids = [accept(store, n) for n in range(300)]
    env = {**os.environ, "STORELIFT_MODE": "test", "STORELIFT_API_KEY": "k", "STORELIFT_API_SECRET": "s" * 32,
           "STORELIFT_APP_URL": "https://storelift.test", "STORELIFT_DATABASE_URL": db,
           "STORELIFT_LOG_LEVEL": "WARNING"}
    worker = subprocess.Popen([sys.executable, "-m", "plugin.cli", "worker", "--threads", "3"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while store.database.one("SELECT COUNT(*) AS n FROM webhook_inbox WHERE status = 'done'")["n"] < len(ids):
            assert time.monotonic() < deadline and worker.poll() is None, "the worker did not drain the inbox"
            time.sleep(0.1)
        runners = store.database.query("SELECT DISTINCT locked_by FROM webhook_inbox")
        assert len(runners) > 1 and {r["locked_by"].split(":")[1] for r in runners} == {str(worker.pid)}
        assert store.database.one("SELECT COUNT(*) AS n FROM orders")["n"] == len(ids)  # each applied once
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
