"""The job runner in tests: run the queue synchronously, and read what was queued.

A test that needs background work done drives a ``Runner`` itself
(``runner(store).run_until_idle()``) instead of waiting on a thread; a test
that only checks that work was asked for reads the queued jobs.
"""

from __future__ import annotations

import time

from plugin.app import register_job_kinds
from plugin.config import load_config
from plugin.jobs import Runner
from plugin.services import Services
from webhooks.worker import register as register_inbox

from .app import API_KEY, SECRET


class DrainingRunner(Runner):
    """The runner, plus what only tests need: drain everything now, on this thread."""

    def run_until_idle(self) -> int:
        """Drain the inbox, then the jobs (including those it queued); returns the deliveries processed."""
        total = 0
        while (n := self.run_deliveries_once()):
            total += n
        while self.run_jobs_once() or self.run_deliveries_once():
            pass
        return total


def runner(store, handlers=None, *, config=None, **options) -> DrainingRunner:
    """A runner over ``store`` with every job kind, the inbox handled by ``handlers`` (default: the real ones)."""
    config = config or load_config(overrides={"mode": "test", "api_key": API_KEY, "api_secrets": (SECRET,),
                                              "app_url": "https://storelift.test", "database_url": store.database.url})
    services = Services(config=config, store=store)
    register_job_kinds(services.jobs)
    if handlers is not None:
        register_inbox(services.jobs, handlers)
    return DrainingRunner(services, **options)


def queued(store, kind: str | None = None) -> list[tuple[str, str]]:
    """(kind, shop) of every live job, oldest first."""
    live = store.jobs.list(status="pending", kind=kind, limit=1000) + store.jobs.list(status="processing", kind=kind,
                                                                                         limit=1000)
    return [(row["kind"], row["shop"]) for row in sorted(live, key=lambda row: row["id"])]


def wait_for_jobs(store, timeout: float = 10.0) -> bool:
    """Until no job is running or due now (an in-process worker drained the queue); False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = int(time.time() * 1000)
        busy = store.jobs.list(status="processing", limit=1) or [
            row for row in store.jobs.list(status="pending", limit=1000) if row["next_attempt_at"] <= now]
        if not busy:
            return True
        time.sleep(0.02)
    return False
