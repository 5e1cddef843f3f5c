"""The one job runner: claim due work with a lease, run it, retry with backoff, dead-letter, upkeep.

A runner drains two queues with the same claim (``store/leases.py``) and
the same attempt (``attempt``): first the webhook inbox, then the jobs the
platform's data caused (derived data waits for the data). Any number of
runners can run at once, on one machine or several, as threads in ``serve``/``demo``
(``STORELIFT_RUN_WORKER=1``) or as ``storelift worker`` processes: claims are
atomic, and a runner killed mid-job leaves the job to be claimed again when
its lease runs out (at most ``max_attempts`` times, then dead-lettered).
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
import threading
import time
from typing import Any, Callable, ContextManager

from plugin import clock
from plugin.clock import now_ms
from plugin.store import LeaseLost

from .kinds import INBOX_KIND, Reject, Skip

log = logging.getLogger("storelift.jobs")
_RUNNERS = itertools.count(1)  # numbers this process's runners, for their lease names

# Deliveries handled in one transaction on PostgreSQL. There each transaction costs a BEGIN, a COMMIT and
# a done mark, three of the ten round trips an order takes; ten at a time keeps the row locks a group
# holds to a few milliseconds. On SQLite a transaction costs no round trip, and a longer one would only
# keep the webhook intake waiting for the file's one writer, so there deliveries go one at a time.
TOGETHER_ON_POSTGRESQL = 10

# How often a worker runs the periodic steps. Each is cheap when nothing is due (a row read per
# shop, one query for due customer syncs), and a minute keeps sync retries close to their due time.
PERIOD_S = 60


def backoff_ms(attempt: int) -> int:
    """The wait after a job's ``attempt``-th failure: 5 s, 10 s, 20 s … capped at an hour (``clock.backoff_ms``)."""
    return clock.backoff_ms(attempt, 5_000, clock.HOUR_MS)


class Runner:
    def __init__(self, services: Any, *, name: str | None = None, lease_ms: int = 60_000, max_attempts: int = 8,
                 batch: int = 50):
        self.services = services
        self.store = services.store
        self.kinds = services.jobs
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{next(_RUNNERS)}"  # host:pid:runner
        self.lease_ms = lease_ms
        self.max_attempts = max_attempts  # the inbox's cap; job kinds carry their own
        self.batch = batch
        self.together = 1 if self.store.database.is_sqlite else TOGETHER_ON_POSTGRESQL

    # ------------------------------------------------------------------ draining

    def run_once(self) -> int:
        """One batch of due deliveries, or when there are none, of due jobs; returns how many."""
        return self.run_deliveries_once() or self.run_jobs_once()

    def run_deliveries_once(self) -> int:
        if self.kinds.inbox is None:
            return 0
        deliveries = self.store.inbox.claim(self.name, lease_ms=self.lease_ms, limit=self.batch, max_attempts=self.max_attempts)
        for start in range(0, len(deliveries), self.together):
            self.process_together(deliveries[start:start + self.together])
        return len(deliveries)

    def process_together(self, deliveries: list) -> None:
        """Several claimed deliveries handled in one transaction that marks them all done.

        Only the plain case goes together: if any of them is skipped, refused or
        fails, or a lease was lost, the whole transaction rolls back and each
        delivery is attempted on its own, which records its own outcome (no
        savepoints: on PostgreSQL each would cost the round trips this saves).
        """
        if len(deliveries) > 1:
            try:
                with self.store.inbox.finishing_together([d.id for d in deliveries], self.name):
                    for delivery in deliveries:
                        self.kinds.inbox(self.services, delivery)
                return
            except (Skip, Reject, LeaseLost) as outcome:
                log.debug("deliveries %s go one at a time: %s", [d.id for d in deliveries], outcome)
            except Exception as exc:  # each is attempted again alone, and a real failure is recorded there
                log.info("deliveries %s go one at a time after %s: %s", [d.id for d in deliveries],
                         type(exc).__name__, exc)
        for delivery in deliveries:
            self.process_delivery(delivery)

    def process_delivery(self, delivery: Any) -> None:
        """One claimed delivery, handled in the transaction that marks it done."""
        self.attempt(self.store.inbox, delivery, INBOX_KIND, lambda: self.kinds.inbox(self.services, delivery),
                     max_attempts=self.max_attempts, transactional=True)

    def run_jobs_once(self) -> int:
        jobs = self.store.jobs
        claimed = []
        for cap, names in self.kinds.by_attempts().items():
            claimed += jobs.claim(self.name, lease_ms=self.lease_ms, limit=self.batch, max_attempts=cap, kinds=names)
        for job in sorted(claimed, key=lambda j: j.id):
            kind = self.kinds.get(job.kind)
            self.attempt(jobs, job, job.kind, lambda j=job, k=kind: k.handler(self.services, j),
                         max_attempts=kind.max_attempts, transactional=kind.transactional)
        return len(claimed)

    def attempt(self, queue: Any, item: Any, kind: str, run: Callable[[], None], *, max_attempts: int,
                transactional: bool) -> None:
        """Finish one claimed item: done, skipped, dead, or failed and due again after a backoff.

        Whatever goes wrong with this item (a handler raising anything, even
        ``RecursionError``) is recorded on it, never raised: the rest of the
        batch still runs, and the attempts cap turns a poison pill into dead-letter.
        """
        finishing: Callable[[], ContextManager] = lambda: queue.finishing(item.id, self.name)  # noqa: E731
        try:
            if transactional:
                with finishing():
                    run()
            else:
                run()
                with finishing():
                    pass
        except LeaseLost:
            log.warning("%s %s was taken over by another worker", kind, item.id)
        except Skip as reason:
            queue.skip(item.id, self.name, str(reason))
        except Reject as reason:
            queue.fail(item.id, self.name, str(reason), retry_at=None)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            retry_at = None if item.attempts >= max_attempts else now_ms() + backoff_ms(item.attempts)
            log.warning("%s %s failed, attempt %s: %s", kind, item.id, item.attempts, error)
            queue.fail(item.id, self.name, error, retry_at=retry_at)

    # ------------------------------------------------------------------ upkeep and the loop

    def maintain(self) -> None:
        """Run every periodic step (segment re-scoring, due customer syncs); one failing never stops the rest."""
        now = now_ms()
        for name, step in self.kinds.periodic().items():
            try:
                step(self.services, now)
            except Exception:  # logged with its traceback; the step runs again next period
                log.exception("periodic step %s failed", name)

    def run_forever(self, stop: threading.Event) -> None:
        """Drain, and when idle wait to be woken (PostgreSQL's NOTIFY) or poll (SQLite), until ``stop``."""
        log.info("worker %s started", self.name)
        waiter = self.store.database.waiter()
        next_upkeep = 0.0
        try:
            while not stop.is_set():
                try:
                    waiter.listen()
                    if time.monotonic() >= next_upkeep:
                        self.maintain()
                        next_upkeep = time.monotonic() + PERIOD_S
                    if not self.run_once():
                        waiter.wait(stop)
                except Exception:  # a broken database must not kill the thread silently
                    log.exception("worker loop error")
                    stop.wait(1.0)
        finally:
            waiter.close()
        log.info("worker %s stopped", self.name)


class InProcessWorker:
    """The runner as one thread inside ``serve``/``demo`` (``STORELIFT_RUN_WORKER=1``).

    ``stop`` lets the job in hand finish (a sync talking to the platform
    included) before the app closes its store.
    """

    def __init__(self, services: Any):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=Runner(services).run_forever, args=(self._stop,),
                                        name="storelift-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)


def run_process(services: Any, threads: int = 1) -> None:
    """``storelift worker``: ``threads`` runners in this process, until SIGTERM/SIGINT.

    On PostgreSQL a runner spends most of its time waiting for the server's answers,
    so one process can keep several busy; each claims its own rows (they skip each
    other's). On SQLite one writer at a time means more threads add little.
    """
    import signal

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    others = [threading.Thread(target=Runner(services).run_forever, args=(stop,), name=f"storelift-worker-{n}")
              for n in range(1, threads)]
    for thread in others:
        thread.start()
    Runner(services).run_forever(stop)
    for thread in others:  # each finishes the job in hand
        thread.join()
