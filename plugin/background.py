"""Run platform work (code-pool refills, customer syncs) off the request thread.

A shopper must never wait on the platform, so requests only *kick* a job: it
runs in a daemon thread, at most one run per key at a time, and a kick that
arrives during a run asks for exactly one more run afterwards (so nothing
kicked is lost and nothing piles up). Jobs are idempotent and re-checked from
the database, which is what makes "at most one, plus one more" enough.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Hashable

log = logging.getLogger("storelift.background")


class Kicker:
    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._running: set[Hashable] = set()
        self._again: set[Hashable] = set()

    def kick(self, key: Hashable, job: Callable[[], object]) -> bool:
        """Start ``job`` now unless one with ``key`` runs; returns True when a thread was started."""
        with self._lock:
            if key in self._running:
                self._again.add(key)
                return False
            self._running.add(key)
        threading.Thread(target=self._run, args=(key, job), name=f"storelift-bg-{key!s:.40}", daemon=True).start()
        return True

    def _run(self, key: Hashable, job: Callable[[], object]) -> None:
        while True:
            try:
                job()
            except Exception:  # a background job must never take the process down; it is retried on the next kick
                log.exception("background job %s failed", key)
            with self._lock:
                if key in self._again:
                    self._again.discard(key)
                    continue
                self._running.discard(key)
                self._lock.notify_all()
                return

    def busy(self) -> bool:
        with self._lock:
            return bool(self._running)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until no job runs (tests, shutdown); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._running:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(left)
        return True


kicker = Kicker()
