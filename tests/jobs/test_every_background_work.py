"""Every kind of background work goes through the job runner: the kinds registered, and no stray thread.

The flow runs a real stack (devstore, Storelift under waitress with its
in-process worker): install, a sign-up, storefront events, an order by
webhook, and a recommendation rebuild too large to run in the request.
Every ``threading.Thread`` started meanwhile is recorded with the module
that started it; only the job runner, the servers, SQLite's group commit
and the recommendation registry's per-process rebuilder (why it is not a
job: plugin/recommendations/serving/registry.py) may start one.
"""

from __future__ import annotations

import json
import sys
import threading
import time

import requests

from plugin.recommendations.serving import api as recommendations
from plugin.recommendations.serving import registry

from tests.support.jobs import wait_for_jobs
from tests.support.signing import BROWSER_UA, signed
from tests.support.storefront import SECRET, SHOP, StorefrontStack

KINDS = {"webhook", "profiles.refresh", "capture.refill", "customers.sync", "install.first_sync", "emails.step",
         "emails.withdraw_consent"}
PERIODIC = {"segments.rescore", "customers.due_syncs", "emails.triggers"}
ALLOWED = (
    "plugin.jobs.runner",  # the in-process worker
    "plugin.store.checkpoints",  # SQLite's checkpoint thread
    "plugin.recommendations.serving.registry",  # the per-process model rebuilder
    "waitress.",  # Storelift's HTTP server
    "devstore.", "socketserver", "tests.support.",  # the simulated platform and the test harness
)


def test_the_registered_kinds_are_the_expected_set(app):
    jobs = app.extensions["storelift"].jobs
    assert set(jobs.names()) == KINDS
    assert set(jobs.periodic()) == PERIODIC


def test_no_thread_starts_outside_the_runner_and_the_servers(tmp_path, monkeypatch):
    started: list[str] = []
    real_start = threading.Thread.start

    def recording_start(self):
        started.append(sys._getframe(1).f_globals.get("__name__", "?"))
        return real_start(self)

    monkeypatch.setattr(threading.Thread, "start", recording_start)
    monkeypatch.setattr(registry, "INLINE_REBUILD_ORDERS", -1)  # every rebuild goes to the rebuilder
    stack = StorefrontStack(tmp_path, settings={})  # installs through OAuth
    try:
        ua = {"User-Agent": BROWSER_UA}
        subscribe = requests.post(stack.app_url + signed("/proxy/subscribe", SHOP, SECRET),
                                  data=json.dumps({"e": "thread.check@example.com", "p": "/"}), headers=ua, timeout=10)
        assert subscribe.status_code == 200
        events = requests.post(stack.app_url + signed("/proxy/events", SHOP, SECRET), headers=ua, timeout=10,
                               data=json.dumps({"v": "v" * 22, "s": "s" * 22, "ev": [["page_view", "/", None]]}))
        assert events.status_code < 500
        catalog = requests.get(f"{stack.store_url}/_devstore/catalog", timeout=10).json()["products"]
        stack.control("orders", {"email": "thread.check@example.com",
                                 "items": [{"variant_id": catalog[0]["variants"][0]["id"], "quantity": 1}]})
        recommendations.invalidate(stack.store, SHOP)
        for _ in range(2):  # the first builds the catalog-only model and queues the rebuild
            block = requests.get(f"{stack.store_url}/apps/storelift/recommendations", timeout=10,
                                 params={"block": "trending"}, headers={"Accept": "application/json", **ua})
            assert block.status_code == 200
        deadline = time.monotonic() + 20
        while "plugin.recommendations.serving.registry" not in started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert wait_for_jobs(stack.store)
    finally:
        stack.close()
    strays = [module for module in started if not module.startswith(ALLOWED)]
    assert not strays, strays
    assert {"plugin.jobs.runner", "plugin.recommendations.serving.registry"} <= set(started)
